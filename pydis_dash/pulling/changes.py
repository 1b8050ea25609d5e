"""What a UI edit changed in a dashboard, mapped to edits of the definition where the values are
literals of a helper call: a title, a unit, thresholds, a query (inline or its ``.sql`` file), a width
or height. Everything else is returned as not mappable, with the live JSON to paste."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.definition import names_sql_file
from pydis_dash.model import Resource, json_pointer
from pydis_dash.pulling.edits import CallEdit, call_arguments

# Query keyword of each helper, and the target key holding the query.
_QUERY_KEYS = {"sql": "rawSql", "expr": "expr", "target": "target"}


@dataclass
class DashboardPull:
    """The edits for one definition file, ``.sql`` files to rewrite, and what could not be mapped."""

    edits: dict[int, CallEdit] = field(default_factory=dict)
    sql_files: dict[Path, str] = field(default_factory=dict)
    unmapped: list[tuple[str, Any]] = field(default_factory=list)  # (what, live JSON)

    def edit(self, line: int) -> CallEdit:
        """The edit of the call on ``line`` (created on first use)."""
        return self.edits.setdefault(line, CallEdit(line))


def plan_pull(
    resource: Resource, desired: Mapping[str, Any], live: Mapping[str, Any], source: str, folder: Path
) -> DashboardPull:
    """Edits turning ``desired`` into ``live`` (both normalised dashboard models) in ``source``.

    ``folder`` is the definition's folder on disk (``.sql`` files are named relative to it).
    """
    pull = DashboardPull()
    dashboard_line = resource.source.line
    for key in sorted(set(desired) | set(live)):
        if key == "panels" or desired.get(key) == live.get(key):
            continue
        if key == "title" and dashboard_line is not None and isinstance(live.get(key), str):
            pull.edit(dashboard_line).keywords["title"] = live[key]
        else:
            pull.unmapped.append((key, live.get(key)))
    mine, theirs = _flatten(desired.get("panels") or []), _flatten(live.get("panels") or [])
    if [p[0] for p in mine] != [p[0] for p in theirs]:
        pull.unmapped.append(("panels (added, removed or moved between rows)", live.get("panels")))
        return pull
    for (pointer, want), (_, have) in zip(mine, theirs, strict=True):
        if want == have:
            continue
        anchor = resource.anchors.get(pointer)
        arguments = call_arguments(source, anchor.line) if anchor and anchor.line else None
        if anchor is None or anchor.line is None or arguments is None:
            pull.unmapped.append((f"{pointer} {have.get('title', '')!r}", have))
            continue
        _panel(pull, anchor.line, arguments, want, have, pointer, folder)
    return pull


def _panel(
    pull: DashboardPull,
    line: int,
    arguments: tuple[list[str | None], dict[str, str | None]],
    want: Mapping[str, Any],
    have: Mapping[str, Any],
    pointer: str,
    folder: Path,
) -> None:
    positional, keywords = arguments
    edit = pull.edit(line)
    leftover = dict(have)
    if want.get("title") != have.get("title") and positional and positional[0] == want.get("title"):
        edit.positional[0] = have.get("title", "")
        leftover["title"] = want.get("title")
    old_defaults = (want.get("fieldConfig") or {}).get("defaults") or {}
    new_defaults = dict((have.get("fieldConfig") or {}).get("defaults") or {})
    for key in ("unit", "decimals", "min", "max"):
        if old_defaults.get(key) != new_defaults.get(key) and key in new_defaults:
            edit.keywords[key] = new_defaults[key]
            new_defaults[key] = old_defaults.get(key)
    thresholds = new_defaults.get("thresholds")
    if old_defaults.get("thresholds") != thresholds and isinstance(thresholds, Mapping):
        steps = thresholds.get("steps") or []
        if thresholds.get("mode") == "absolute" and all(set(s) <= {"color", "value"} for s in steps):
            edit.keywords["thresholds"] = [(s.get("value"), s.get("color")) for s in steps]
            new_defaults["thresholds"] = old_defaults.get("thresholds")
    leftover["fieldConfig"] = {**(have.get("fieldConfig") or {}), "defaults": _without_none(new_defaults, old_defaults)}
    _queries(pull, edit, positional, keywords, want, have, leftover, folder)
    for key, name in (("w", "width"), ("h", "height")):
        old, new = (want.get("gridPos") or {}).get(key), (have.get("gridPos") or {}).get(key)
        if old != new and new is not None:
            edit.keywords[name] = new
    leftover["gridPos"] = want.get("gridPos")  # places follow from the sizes: checked by rebuilding
    if leftover != want:
        pull.unmapped.append((f"{pointer} {have.get('title', '')!r}", have))


def _queries(
    pull: DashboardPull,
    edit: CallEdit,
    positional: list[str | None],
    keywords: Mapping[str, str | None],
    want: Mapping[str, Any],
    have: Mapping[str, Any],
    leftover: dict[str, Any],
    folder: Path,
) -> None:
    old_targets, new_targets = want.get("targets") or [], have.get("targets") or []
    if len(old_targets) != len(new_targets):
        return
    keyword = next((k for k in _QUERY_KEYS if k in keywords), None)
    targets = []
    for index, (old, new) in enumerate(zip(old_targets, new_targets, strict=True)):
        key = next((k for k in _QUERY_KEYS.values() if k in old), None)
        if key is None or old.get(key) == new.get(key) or {**new, key: old.get(key)} != old:
            targets.append(new)
            continue
        written = keywords.get(keyword) if keyword and index == 0 and len(old_targets) == 1 else None
        slot = None
        if written is None and len(positional) > index + 1:
            slot, written = index + 1, positional[index + 1]
        if written is None:
            targets.append(new)
            continue
        if names_sql_file(written):
            pull.sql_files[folder / written.strip()] = str(new[key]) + "\n"
        elif slot is not None:
            edit.positional[slot] = new[key]
        elif keyword is not None:
            edit.keywords[keyword] = new[key]
        targets.append(old)
    leftover["targets"] = targets


def _without_none(new: Mapping[str, Any], old: Mapping[str, Any]) -> dict[str, Any]:
    """``new`` with the keys restored to ``old`` removed again where ``old`` lacked them."""
    return {k: v for k, v in new.items() if not (v is None and k not in old)}


def _flatten(panels: list[Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(JSON pointer, panel) in reading order, nested row panels included (rows without children)."""
    found: list[tuple[str, Mapping[str, Any]]] = []
    for index, panel in enumerate(panels):
        found.append((json_pointer("panels", index), {k: v for k, v in panel.items() if k != "panels"}))
        for child_index, child in enumerate(panel.get("panels") or []):
            found.append((json_pointer("panels", index, "panels", child_index), child))
    return found
