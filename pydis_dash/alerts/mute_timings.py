"""Mute timings: named recurring periods during which a policy route sends no notifications.

    MuteTiming("weekend nights", [TimeInterval(times=[("00:00", "08:00")], weekdays=["saturday", "sunday"])])

A route names it in ``mute_timings=``. Alerts still fire and show in Grafana; only notifications wait.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydis_dash.conventions.alerting import mute_timing_uid
from pydis_dash.definition import Definition, RenderContext, caller_location
from pydis_dash.errors import DefinitionError
from pydis_dash.model import Kind, Ref, Resource, SourceLocation

WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
_NUMBER_RANGE = re.compile(r"^-?\d+(?::-?\d+)?$")


def _name_range(value: str, names: Sequence[str]) -> bool:
    parts = value.lower().split(":")
    return 1 <= len(parts) <= 2 and all(p in names or (p.isdigit() and 1 <= int(p) <= len(names)) for p in parts)


@dataclass(frozen=True)
class TimeInterval:
    """One recurring period: every field narrows it (all empty means always).

    ``times``: ``("HH:MM", "HH:MM")`` ranges within a day; ``weekdays``: ``"monday"`` or ``"monday:friday"``;
    ``days_of_month``: ``"1"``, ``"1:7"`` or ``"-1"`` (last day); ``months``: ``"december"`` or ``"1:3"``;
    ``years``: ``"2026"`` or ``"2026:2027"``; ``location``: an IANA time zone (default UTC).
    """

    times: Sequence[tuple[str, str]] = ()
    weekdays: Sequence[str] = ()
    days_of_month: Sequence[str] = ()
    months: Sequence[str] = ()
    years: Sequence[str] = ()
    location: str | None = None
    defined_at: SourceLocation = field(default_factory=caller_location)

    def problem(self) -> str | None:
        """Why this interval is not valid, or None."""
        for start, end in self.times:
            if not (_TIME.match(start) and _TIME.match(end)) or start >= end:
                return f"time range ({start!r}, {end!r}) must be 'HH:MM' to a later 'HH:MM'"
        for day in self.weekdays:
            if not _name_range(day, WEEKDAYS):
                return f"weekday {day!r} must be a day name or a range like 'monday:friday'"
        for month in self.months:
            if not _name_range(month, MONTHS):
                return f"month {month!r} must be a month name or number, or a range like '1:3'"
        for what, values in (("days_of_month", self.days_of_month), ("years", self.years)):
            bad = [v for v in values if not _NUMBER_RANGE.match(v)]
            if bad:
                return f"{what} {bad[0]!r} must be a number or a range like '1:7'"
        return None

    def render(self) -> dict[str, Any]:
        """Grafana's ``TimeInterval`` JSON (fields left empty are omitted)."""
        body: dict[str, Any] = {}
        if self.times:
            body["times"] = [{"start_time": start, "end_time": end} for start, end in self.times]
        for key, values in (
            ("weekdays", self.weekdays),
            ("days_of_month", self.days_of_month),
            ("months", self.months),
            ("years", self.years),
        ):
            if values:
                body[key] = [v.lower() for v in values]
        if self.location:
            body["location"] = self.location
        return body


@dataclass(frozen=True)
class MuteTiming(Definition):
    """A named set of :class:`TimeInterval`; routes refer to it by ``name``."""

    name: str
    intervals: Sequence[TimeInterval]

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise DefinitionError("name must not be empty", self.defined_at, self.identity)
        if not self.intervals:
            raise DefinitionError("a mute timing needs at least one interval", self.defined_at, self.identity)
        for interval in self.intervals:
            problem = interval.problem()
            if problem:
                raise DefinitionError(problem, interval.defined_at, self.identity)

    @property
    def identity(self) -> str:
        """``mute timing 'name'``."""
        return f"mute timing {self.name!r}"

    def render(self, ctx: RenderContext) -> list[Resource]:
        """One ``grafana-mute-timing`` resource in the shape of Grafana's ``MuteTimeInterval``."""
        body = {"name": self.name, "time_intervals": [interval.render() for interval in self.intervals]}
        return [
            Resource(
                ref=Ref(Kind.GRAFANA_MUTE_TIMING, mute_timing_uid(self.name)),
                title=self.name,
                body=body,
                source=ctx.relative(self.defined_at),
            )
        ]
