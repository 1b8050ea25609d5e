"""Panel queries (Grafana "targets") for the three stores, rendered with grafanalib's protocol."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydis_dash.definition import SqlFileError, caller_location, names_sql_file, read_sql_file
from pydis_dash.errors import DefinitionError


@dataclass(frozen=True)
class SqlQuery:
    """A raw SQL query against a PostgreSQL data source; ``format`` is ``time_series`` or ``table``."""

    sql: str
    format: str = "table"
    ref_id: str = ""

    def to_json_data(self) -> dict[str, Any]:
        """Grafana's PostgreSQL target."""
        return {
            "editorMode": "code",
            "format": self.format,
            "rawQuery": True,
            "rawSql": self.sql,
            "refId": self.ref_id,
        }


@dataclass(frozen=True)
class PromQuery:
    """A PromQL expression; ``legend`` is Grafana's legend format (``{{view}}``)."""

    expr: str
    legend: str = ""
    instant: bool = False
    ref_id: str = ""

    def to_json_data(self) -> dict[str, Any]:
        """Grafana's Prometheus target."""
        data: dict[str, Any] = {
            "editorMode": "code",
            "expr": self.expr,
            "range": not self.instant,
            "refId": self.ref_id,
        }
        if self.instant:
            data["instant"] = True
        if self.legend:
            data["legendFormat"] = self.legend
        return data


@dataclass(frozen=True)
class GraphiteQuery:
    """A Graphite target expression (``aliasByNode(stats_counts.bot.commands.*, 3)``)."""

    target: str
    ref_id: str = ""

    def to_json_data(self) -> dict[str, Any]:
        """Grafana's Graphite target."""
        return {"refId": self.ref_id, "target": self.target, "textEditor": True}


def read_sql(text: str, base_dir: Path | None = None, obj: str | None = None) -> str:
    """Return ``text``, or the contents of the ``.sql`` file it names (relative to the caller's file).

    ``obj`` names what the query belongs to in the error (e.g. ``alert rule 'x'``).
    """
    if not names_sql_file(text):
        return text
    where = caller_location()
    try:
        return read_sql_file(text, base_dir or where.path.parent).strip()
    except SqlFileError as exc:
        raise DefinitionError(str(exc), where, obj) from None
