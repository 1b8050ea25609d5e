"""Running a checked SQL query for real (``validate --execute``, the preview's data) and judging its rows.

The statement has already passed the sandbox (one read-only SELECT) and been prepared; here it runs
inside a ``READ ONLY`` transaction that is rolled back, under the session's ``statement_timeout``,
and at most :data:`MAX_ROWS` rows are fetched. Values come back as JSON-ready Python values: numbers,
strings, booleans, ``None``, and timestamps as epoch milliseconds (what a chart's time axis wants).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydis_dash.model import resolve_pointer
from pydis_dash.validate.queries import Query, ResultShape

MAX_ROWS = 5000
"""Rows fetched per query: enough for a 90-day hourly series; a table shows far fewer."""

NUMERIC_OIDS = frozenset({20, 21, 23, 700, 701, 1700})
TIME_OIDS = frozenset({1082, 1114, 1184})

Cell = float | int | str | bool | None


@dataclass(frozen=True)
class QueryResult:
    """The rows a query returned, with its column names and type oids."""

    columns: tuple[str, ...]
    type_oids: tuple[int, ...]
    rows: tuple[tuple[Cell, ...], ...]
    truncated: bool = False

    def is_numeric(self, index: int) -> bool:
        """Whether column ``index`` holds numbers."""
        return self.type_oids[index] in NUMERIC_OIDS

    def is_time(self, index: int) -> bool:
        """Whether column ``index`` holds timestamps or dates (sent as epoch milliseconds)."""
        return self.type_oids[index] in TIME_OIDS

    def kind(self, index: int) -> str:
        """``time``, ``number`` or ``string``: how a chart treats column ``index``."""
        return "time" if self.is_time(index) else "number" if self.is_numeric(index) else "string"

    def to_json(self) -> dict[str, Any]:
        """The result as the preview embeds it: columns with a kind each, and the rows.

        A numeric column named ``time`` or ``time_sec`` is an epoch, as Grafana's SQL data sources read
        it: converted to milliseconds (from seconds, micro- or nanoseconds by its size) and kind ``time``.
        """
        kinds = [self.kind(i) for i in range(len(self.columns))]
        epochs = {i for i, name in enumerate(self.columns) if name in EPOCH_COLUMNS and kinds[i] == "number"}
        rows = [[epoch_ms(v) if i in epochs else v for i, v in enumerate(row)] for row in self.rows]
        return {
            "columns": [
                {"name": name, "kind": "time" if i in epochs else kinds[i]} for i, name in enumerate(self.columns)
            ],
            "rows": rows,
            "truncated": self.truncated,
        }


EPOCH_COLUMNS = frozenset({"time", "time_sec"})


def epoch_ms(value: Cell) -> Cell:
    """An epoch number in milliseconds, whatever its precision (Grafana's sqleng does the same)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    magnitude = abs(value)
    if magnitude >= 1e17:
        return value / 1e6
    if magnitude >= 1e14:
        return value / 1e3
    if magnitude >= 1e11:
        return value
    return value * 1000


def cell(value: Any) -> Cell:
    """One database value as a JSON-ready cell (timestamps as epoch ms; naive ones are UTC)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return int(aware.timestamp() * 1000)
    if isinstance(value, dt.date):
        return int(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp() * 1000)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return str(value)


def row_problems(query: Query, result: QueryResult, panel: Mapping[str, Any] | None) -> list[str]:
    """What is wrong with the rows for the panel: a single value with several rows (one per row is
    only wanted when the panel shows every value, ``reduceOptions.values``), or a time column with NULLs."""
    problems: list[str] = []
    names = list(result.columns)
    if query.shape is ResultShape.SINGLE_VALUE and "time" not in names and len(result.rows) > 1:
        reduce = (panel or {}).get("options", {}).get("reduceOptions", {}) if panel else {}
        if not (isinstance(reduce, Mapping) and reduce.get("values") is True):
            problems.append(
                f"a single-value panel got {len(result.rows)}{'+' if result.truncated else ''} rows "
                "on the sample data; "
                "return one row, or set reduceOptions.values to show one value per row"
            )
    if query.shape is ResultShape.TIME_SERIES and "time" in names:
        index = names.index("time")
        if any(row[index] is None for row in result.rows):
            problems.append('column "time" is NULL in some rows on the sample data; Grafana drops the whole frame')
    return problems


def panel_at(body: Mapping[str, Any], json_path: str) -> Mapping[str, Any] | None:
    """The panel a query's JSON pointer (``.../panels/3/targets/0/rawSql``) belongs to, if any."""
    if "/targets/" not in json_path:
        return None
    panel = resolve_pointer(body, json_path.split("/targets/")[0])
    return panel if isinstance(panel, Mapping) else None


TIMESTAMPTZ_OID = 1184
FLOAT8_OID = 701
TEXT_OID = 25

Series = tuple[str, Sequence[tuple[float, float | None]]]
"""A named series of ``(unix seconds, value)`` points, as Prometheus and Graphite return them."""


def series_result(series: Sequence[Series]) -> QueryResult:
    """Series as one long frame (``time``, ``series``, ``value``), the shape the charts split by name."""
    rows = tuple((round(t * 1000), name, value) for name, points in series for t, value in points)
    return QueryResult(
        columns=("time", "series", "value"), type_oids=(TIMESTAMPTZ_OID, TEXT_OID, FLOAT8_OID), rows=rows
    )
