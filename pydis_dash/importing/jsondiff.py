"""Differences between two JSON values: the residual an ``extra=`` must add, and readable change paths."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MISSING = object()


def residual(target: Any, built: Any) -> dict[str, Any] | None:
    """What to deep-merge into ``built`` (a mapping) to obtain ``target``; ``{}`` when equal.

    None when no merge can do it: ``built`` holds a key ``target`` lacks (a merge only adds or
    replaces). Nested mappings recurse; any other differing value is replaced whole.
    """
    if not isinstance(target, Mapping) or not isinstance(built, Mapping):
        return None
    if set(built) - set(target):
        return None
    out: dict[str, Any] = {}
    for key, value in target.items():
        have = built.get(key, _MISSING)
        if have is _MISSING:
            out[key] = value
        elif isinstance(value, Mapping) and isinstance(have, Mapping):
            inner = residual(value, have)
            if inner is None:
                return None
            if inner:
                out[key] = inner
        elif value != have or type(value) is not type(have):
            out[key] = value
    return out


def changes(before: Any, after: Any, path: str = "") -> list[str]:
    """Each difference from ``before`` to ``after`` as ``path: what``, deepest first where they nest.

    Lists of equal length compare item by item; otherwise a list counts as one replaced value.
    """
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        found: list[str] = []
        for key in sorted(set(before) | set(after), key=str):
            here = f"{path}.{key}" if path else str(key)
            if key not in after:
                found.append(f"{here}: dropped")
            elif key not in before:
                found.append(f"{here}: set to {_short(after[key])}")
            else:
                found.extend(changes(before[key], after[key], here))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            line
            for index, pair in enumerate(zip(before, after, strict=True))
            for line in changes(*pair, f"{path}[{index}]")
        ]
    if before == after and type(before) is type(after):
        return []
    return [f"{path}: {_short(before)} -> {_short(after)}"]


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
