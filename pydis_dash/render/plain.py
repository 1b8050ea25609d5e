"""Turn grafanalib objects (anything with ``to_json_data``) into plain JSON values."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

# The exact types of JSON scalars: values no walk of a body needs to descend into.
JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_plain(value: Any, *, drop_none: bool = False) -> Any:
    """Recursively convert grafanalib objects, tuples and mappings to dicts, lists and scalars.

    With ``drop_none``, mapping entries whose value is (or renders to) ``None`` are left out too, as
    :func:`drop_none` does, in the same pass.
    """
    # Exact-type fast paths first: a dashboard holds hundreds of thousands of plain values, and a
    # `getattr` plus ABC `isinstance` checks on each was a fifth of a build.
    kind = type(value)
    if kind in JSON_SCALARS:
        return value
    if kind is list or (kind is not dict and isinstance(value, list | tuple) and not _renders(value)):
        # Scalar items are taken as they are, without a call each (most of a body is scalars).
        return [item if type(item) in JSON_SCALARS else to_plain(item, drop_none=drop_none) for item in value]
    if kind is not dict:
        to_json = getattr(value, "to_json_data", None)
        if callable(to_json):
            return to_plain(to_json(), drop_none=drop_none)
        if not isinstance(value, Mapping):
            if isinstance(value, bool | int | float | str):
                return value
            raise TypeError(f"cannot render {type(value).__name__} to JSON")
    plain = {}
    for key, item in value.items():
        converted = item if type(item) in JSON_SCALARS else to_plain(item, drop_none=drop_none)
        if converted is not None or not drop_none:
            plain[key if type(key) is str else str(key)] = converted
    return plain


def _renders(value: object) -> bool:
    return callable(getattr(value, "to_json_data", None))


def copy_plain(value: Any) -> Any:
    """A deep copy of plain JSON (dicts, lists, scalars): ``copy.deepcopy`` without its memo and
    dispatch, which cost more than the copying for every panel's defaults."""
    kind = type(value)
    if kind is dict:
        return {key: copy_plain(item) for key, item in value.items()}
    if kind is list:
        return [copy_plain(item) for item in value]
    if kind in JSON_SCALARS:
        return value
    return copy.deepcopy(value)


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
    if kind in JSON_SCALARS:
        return value
    if isinstance(value, Mapping):
        return {key: drop_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [drop_none(item) for item in value]
    return value
