"""A dashboard's time range (``now-7d`` .. ``now``) as two moments, for running queries on sample data.

Grafana's relative time syntax: ``now``, ``now-6h``, ``now+1d``, and rounding ``now/d``, ``now-1w/w``
(``/`` rounds down to the start of the unit for ``from`` and up to its end for ``to``). Absolute
times (ISO 8601 or epoch milliseconds) are taken as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydis_dash.model import Kind
from pydis_dash.validate.engines.sql_expand import SampleTime
from pydis_dash.validate.queries import Query

DEFAULT_RANGE = ("now-6h", "now")
"""Grafana's range for a dashboard that sets none."""

_UNITS = {
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "M": timedelta(days=30),
    "y": timedelta(days=365),
}
_RELATIVE = re.compile(r"^now(?P<offsets>(?:[+-]\d+[smhdwMy])*)(?:/(?P<round>[smhdwMy]))?$")
_OFFSET = re.compile(r"([+-])(\d+)([smhdwMy])")


def resolve(expression: str, now: datetime, *, is_end: bool = False) -> datetime:
    """The moment a Grafana time expression means at ``now``; ValueError when it is not one."""
    match = _RELATIVE.match(expression.strip())
    if match is None:
        return _absolute(expression)
    moment = now
    for sign, amount, unit in _OFFSET.findall(match.group("offsets")):
        step = _UNITS[unit] * int(amount)
        moment = moment + step if sign == "+" else moment - step
    unit = match.group("round")
    if unit:
        moment = _round_down(moment, unit)
        if is_end:
            moment = _round_down(moment + _UNITS[unit], unit) if unit not in "My" else moment + _UNITS[unit]
    return moment


def dashboard_time(body: Mapping[str, Any], now: datetime, interval: timedelta | None = None) -> SampleTime:
    """The dashboard's time range at ``now`` (Grafana's default when it sets none or an invalid one).

    The interval is the range split into about 1000 points with a one-minute floor, close to what
    Grafana computes for a panel about 1000 pixels wide.
    """
    time = body.get("time") if isinstance(body.get("time"), Mapping) else {}
    start_text = str(time.get("from", DEFAULT_RANGE[0])) if time else DEFAULT_RANGE[0]
    end_text = str(time.get("to", DEFAULT_RANGE[1])) if time else DEFAULT_RANGE[1]
    try:
        start, end = resolve(start_text, now), resolve(end_text, now, is_end=True)
    except ValueError:
        start, end = resolve(DEFAULT_RANGE[0], now), now
    if end <= start:
        start, end = resolve(DEFAULT_RANGE[0], now), now
    if interval is None:
        interval = max(timedelta(minutes=1), (end - start) / 1000)
    return SampleTime(start=start, end=end, interval=interval)


def _round_down(moment: datetime, unit: str) -> datetime:
    match unit:
        case "s":
            return moment.replace(microsecond=0)
        case "m":
            return moment.replace(second=0, microsecond=0)
        case "h":
            return moment.replace(minute=0, second=0, microsecond=0)
        case "d":
            return moment.replace(hour=0, minute=0, second=0, microsecond=0)
        case "w":  # Grafana's weeks start on Monday by default
            day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
            return day - timedelta(days=day.weekday())
        case "M":
            return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        case _:
            return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def _absolute(expression: str) -> datetime:
    text = expression.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


QUESTION_WINDOW = timedelta(days=30)
"""The range a query outside a dashboard (a Metabase question, an alert rule) runs over."""


def query_time(query: Query, now: datetime) -> SampleTime:
    """The time range ``query`` runs over at ``now``: its dashboard's, else the last 30 days."""
    resource = query.resource
    if resource.kind is Kind.GRAFANA_DASHBOARD:
        return dashboard_time(resource.body, now)
    return SampleTime(start=now - QUESTION_WINDOW, end=now, interval=timedelta(hours=1))
