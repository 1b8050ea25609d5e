"""Turn grafanalib objects (anything with ``to_json_data``) into plain JSON values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_plain(value: Any) -> Any:
    """Recursively convert grafanalib objects, tuples and mappings to dicts, lists and scalars."""
    # Exact-type fast paths first: a dashboard holds hundreds of thousands of plain values, and a
    # `getattr` plus ABC `isinstance` checks on each was a fifth of a build.
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        return {key if type(key) is str else str(key): to_plain(item) for key, item in value.items()}
    if kind is list:
        return [to_plain(item) for item in value]
    to_json = getattr(value, "to_json_data", None)
    if callable(to_json):
        return to_plain(to_json())
    if isinstance(value, Mapping):
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot render {type(value).__name__} to JSON")


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into a copy of ``base``; nested mappings merge, everything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def drop_none(value: Any) -> Any:
    """Remove ``None`` values from mappings recursively (Grafana's model omits unset fields)."""
    kind = type(value)
    if kind is dict:
        return {key: drop_none(item) for key, item in value.items() if item is not None}
    if kind is list:
        return [drop_none(item) for item in value]
    if kind in _SCALARS:
        return value
    if isinstance(value, Mapping):
        return {key: drop_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [drop_none(item) for item in value]
    return value
