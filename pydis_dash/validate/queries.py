"""The queries inside rendered resources, in one engine-neutral shape.

Extraction (walking dashboards, questions and alert rules) produces :class:`Query` values; each
engine under :mod:`pydis_dash.validate.engines` checks the queries of its language and returns
findings. Engines never look at authoring objects.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from pydis_dash.model import Resource
from pydis_dash.validate.findings import Finding, Severity


class Language(StrEnum):
    """Query languages pydis-dash can check on a real engine."""

    SQL = "sql"
    PROMQL = "promql"
    GRAPHITE = "graphite"


class TemplateSyntax(StrEnum):
    """How variables are written in the query text."""

    GRAFANA = "grafana"  # $var, ${var:fmt}, $__macros
    METABASE = "metabase"  # {{var}}, [[ optional ]]


class ResultShape(StrEnum):
    """What the panel or question needs back from the query, checked from the result columns."""

    TIME_SERIES = "time_series"  # SQL must return a `time` column
    SINGLE_VALUE = "single_value"  # SQL must return at least one numeric column
    TABLE = "table"  # anything goes


@dataclass(frozen=True)
class Variable:
    """A template variable as the engines need it: a name, a type to pick sample values, and shape.

    ``type`` is one of ``text``, ``number``, ``date``, ``boolean`` (Metabase tag types),
    ``dimension`` (a Metabase field filter; ``field`` is ``table.column``), or a Grafana variable type
    (``query``, ``custom``, ``interval``, ``constant``, ``textbox``, ``datasource``).
    ``sample`` is a concrete value to substitute when known (e.g. a custom variable's first option).
    ``all_value`` is a Grafana variable's custom "All" value (``allValue``). ``selected`` is a concrete
    selection (the preview's current values, "All" already expanded to every value, or ``("$__all",)``
    when ``all_value`` stands for it): when set, the engines substitute it instead of samples.
    """

    name: str
    type: str
    multi: bool = False
    include_all: bool = False
    required: bool = False
    sample: str | None = None
    field: str | None = None
    all_value: str | None = None
    selected: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Query:
    """One query to check, with enough context to report a finding at the right place."""

    resource: Resource
    json_path: str
    language: Language
    text: str
    syntax: TemplateSyntax
    variables: tuple[Variable, ...] = ()
    datasource_uid: str | None = None
    shape: ResultShape = ResultShape.TABLE
    panel: str | None = None
    ref_id: str | None = None

    def finding(
        self, rule: str, severity: Severity, message: str, *, offset: int | None = None, detail: str = ""
    ) -> Finding:
        """A finding about this query (engines report these), located at its line in the definition.

        ``offset`` is where in the query text the problem is. A query read from a ``.sql`` file is then
        located at that file's line and column; an inline one stays at the definition's line and the
        message says where in the query it is. ``detail`` (a hint) ends the message.
        """
        origin = self.resource.text_origins.get(self.json_path) if offset is not None else None
        if offset is not None and origin is None:
            message += position_in_query(self.text, offset)
        finding = Finding.at(
            self.resource, self.json_path, rule, severity, message + detail, panel=self.panel, ref_id=self.ref_id
        )
        if offset is not None and origin is not None:
            return replace(finding, location=origin.advanced(self.text, offset))
        return finding


def position_in_query(text: str, offset: int) -> str:
    """`` (line L, column C of the query: <that line>)`` for an offset into ``text``."""
    offset = min(max(offset, 0), len(text))
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    source_line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    if len(source_line) > 80:
        source_line = source_line[:77] + "..."
    return f" (line {line}, column {offset - line_start + 1} of the query: {source_line})"
