"""Durations as authors write them (``"1m"``, ``"1h30m"``, ``"0s"``) and as Grafana's alerting API wants them.

Grafana's provisioning API takes a rule group's ``interval`` in whole seconds and a rule's ``for`` (and the
policy tree's ``group_wait``/``group_interval``/``repeat_interval``) as Prometheus duration strings. One
parser for all of them keeps "durations parse" a single, testable promise.
"""

from __future__ import annotations

import re

# Prometheus' model.ParseDuration units, largest first (the order a duration must be written in).
_UNITS: dict[str, int] = {"y": 365 * 86400, "w": 7 * 86400, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")
_ORDER = ["y", "w", "d", "h", "m", "s", "ms"]


class DurationError(ValueError):
    """A string is not a duration such as ``30s``, ``5m`` or ``1h30m``."""


def parse_duration(text: str) -> int:
    """Whole seconds in a Prometheus-style duration (``"90s"``, ``"1h30m"``, ``"0s"``).

    Units must come largest first and at most once each (as Prometheus requires); milliseconds are
    accepted only when they add up to whole seconds, because Grafana's alerting works in seconds.
    """
    if not isinstance(text, str) or not text.strip():
        raise DurationError(f"{text!r} is not a duration (write e.g. '30s', '5m', '1h30m')")
    value = text.strip()
    if value == "0":
        return 0
    position, total_ms, last_unit = 0, 0, -1
    for match in _PART.finditer(value):
        if match.start() != position:
            break
        unit_index = _ORDER.index(match.group(2))
        if unit_index <= last_unit:
            raise DurationError(f"{text!r}: units must be written largest first, each once (e.g. '1h30m')")
        last_unit = unit_index
        amount = int(match.group(1))
        total_ms += amount if match.group(2) == "ms" else amount * _UNITS[match.group(2)] * 1000
        position = match.end()
    if position != len(value) or position == 0:
        raise DurationError(f"{text!r} is not a duration (write e.g. '30s', '5m', '1h30m')")
    if total_ms % 1000:
        raise DurationError(f"{text!r}: alerting durations are whole seconds")
    return total_ms // 1000


def duration_problem(name: str, value: str) -> str | None:
    """Why the setting ``name`` holding ``value`` is not a duration (``"for_: '5 mins' is not a
    duration ..."``), or None: every authoring check of a duration says it the same way."""
    try:
        parse_duration(value)
    except DurationError as exc:
        return f"{name}: {exc}"
    return None


def format_duration(seconds: int) -> str:
    """The canonical form of a number of seconds, as Prometheus' ``model.Duration`` prints it (and so as
    Grafana returns it): ``900`` -> ``"15m"``, ``5400`` -> ``"1h30m"``, ``1209600`` -> ``"2w"``.

    Years and weeks are used only when they divide the duration exactly (``90d`` stays ``90d``), so a
    rendered value compares equal to what the server sends back.
    """
    if seconds < 0:
        raise DurationError(f"negative duration: {seconds}s")
    if seconds == 0:
        return "0s"
    parts = []
    for unit in ("y", "w", "d", "h", "m", "s"):
        size = _UNITS[unit]
        if unit in ("y", "w") and seconds % size:
            continue
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)


def canonical_duration(text: str) -> str:
    """``text`` re-written in canonical form (``"60s"`` -> ``"1m"``); raises :class:`DurationError`."""
    return format_duration(parse_duration(text))
