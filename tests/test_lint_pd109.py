"""PD109: a time-series SQL panel returns a ``time`` column (static check of the select list)."""

from __future__ import annotations

import pytest
from validate_builders import dashboard, lint_findings, panel, panel_line, sql_target

from pydis_dash.validate.lint.select_list import output_columns


def test_time_series_query_without_time_column() -> None:
    sql = "SELECT date_trunc('hour', created_at) AS hour, count(*) AS messages FROM messages GROUP BY 1"
    board = dashboard([panel("Messages per hour", targets=[sql_target(sql)])])

    [finding] = lint_findings("PD109", board)

    assert finding.json_path == "/panels/0/targets/0/rawSql"
    assert (finding.panel, finding.ref_id) == ("Messages per hour", "A")
    assert str(finding.location) == f"dashboards/test.py:{panel_line(0)}"
    assert finding.message == (
        "time-series query returns no 'time' column (columns: hour, messages); "
        "alias the timestamp AS time or use $__timeGroupAlias(column, interval)"
    )


def test_table_format_and_table_panels_are_not_time_series() -> None:
    sql = "SELECT name, count(*) FROM channels GROUP BY 1"
    board = dashboard(
        [
            panel("Table format", targets=[sql_target(sql, fmt="table")]),
            panel("Table panel", "table", targets=[sql_target(sql)], grid=(12, 0, 12, 8)),
        ]
    )
    assert lint_findings("PD109", board) == []


@pytest.mark.parametrize(
    ("sql", "columns"),
    [
        ("SELECT $__timeGroupAlias(created_at, '1h'), count(*) AS n FROM m", ["time", "n"]),
        ("SELECT $__time(created_at), value FROM m", ["time", "value"]),
        ("WITH w AS (SELECT 1 AS x FROM t) SELECT w.created_at time, count(*) FROM w", ["time", "count"]),
        ('SELECT created_at AS "Time", now()::date, 1 + 2 FROM m', ["Time", "now", "?column?"]),
        ("SELECT DISTINCT ON (a) a, b.c AS d -- , x AS time\nFROM t", ["a", "d"]),
        ("SELECT * FROM m", None),
        ("UPDATE m SET x = 1", None),
    ],
)
def test_output_columns(sql: str, columns: list[str] | None) -> None:
    assert output_columns(sql) == columns


def test_select_star_is_left_to_the_engine() -> None:
    board = dashboard([panel("Star", targets=[sql_target("SELECT * FROM messages")])])
    assert lint_findings("PD109", board) == []
