"""Dashboard time ranges resolved against "now" (what sample-data queries run over)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pydis_dash.validate.time_range import dashboard_time, resolve

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("expression", "is_end", "expected"),
    [
        ("now", False, NOW),
        ("now-7d", False, NOW - timedelta(days=7)),
        ("now-1h+30m", False, NOW - timedelta(minutes=30)),
        ("now/d", False, datetime(2026, 3, 4, tzinfo=UTC)),
        ("now/d", True, datetime(2026, 3, 5, tzinfo=UTC)),
        ("now-1w/w", False, datetime(2026, 2, 23, tzinfo=UTC)),
        ("2026-01-01T00:00:00Z", False, datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_resolve(expression: str, is_end: bool, expected: datetime) -> None:
    assert resolve(expression, NOW, is_end=is_end) == expected


def test_dashboard_time_uses_the_range_and_about_1000_points() -> None:
    time = dashboard_time({"time": {"from": "now-30d", "to": "now"}}, NOW)
    assert (time.start, time.end) == (NOW - timedelta(days=30), NOW)
    assert time.interval == timedelta(days=30) / 1000


def test_dashboard_time_falls_back_to_grafanas_default() -> None:
    for body in ({}, {"time": {"from": "yesterday-ish", "to": "now"}}, {"time": {"from": "now", "to": "now-1d"}}):
        time = dashboard_time(body, NOW)
        assert (time.start, time.end, time.interval) == (NOW - timedelta(hours=6), NOW, timedelta(minutes=1))
