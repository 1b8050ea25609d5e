"""PD109: a time-series SQL panel's query returns a ``time`` column."""

from __future__ import annotations

from collections.abc import Iterable

from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.base import LintContext, Rule, register
from pydis_dash.validate.lint.select_list import output_columns
from pydis_dash.validate.queries import Language, Query, ResultShape


@register
class TimeColumn(Rule):
    """Grafana's SQL data sources build series from the column named ``time``; without it a time-series
    panel shows "Data does not have a time field". Checked statically from the select list (the SQL
    engine checks the real result columns too; this rule works without an engine)."""

    id = "PD109"
    rationale = "A time-series SQL query returns a column named time (alias it AS time or use $__timeGroupAlias)."

    def check_query(self, ctx: LintContext, query: Query) -> Iterable[Finding]:
        """Report a time-series SQL query whose select list surely has no ``time`` column."""
        if query.language is not Language.SQL or query.shape is not ResultShape.TIME_SERIES:
            return
        columns = output_columns(query.text)
        if columns is None or "time" in columns:
            return  # ``SELECT *`` or unparsable: leave it to the engine
        yield self.finding(
            query.resource,
            query.json_path,
            f"time-series query returns no 'time' column (columns: {', '.join(columns) or 'none'}); "
            "alias the timestamp AS time or use $__timeGroupAlias(column, interval)",
            panel=query.panel,
            ref_id=query.ref_id,
        )
