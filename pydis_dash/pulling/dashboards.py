"""Pulling a Grafana dashboard: what a UI edit changed, mapped to edits of the definition where the
values are literals of a helper call (a title, a unit, thresholds, a query inline or in its ``.sql``
file, a width or height). Everything else is listed as not mappable, with the live JSON to paste."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydis_dash.model import json_pointer
from pydis_dash.plan import Change
from pydis_dash.pulling.edits import CallSite, SourceCalls
from pydis_dash.pulling.mapping import FilePull

# Query keyword of each helper, and the target key holding the query.
_QUERY_KEYS = {"sql": "rawSql", "expr": "expr", "target": "target"}


def pull_dashboard(change: Change, calls: SourceCalls, pull: FilePull) -> None:
    """Map the differences between the desired (``after``) and live (``before``) dashboard onto the code."""
    resource = change.desired()
    desired = (change.after or {}).get("dashboard") or {}
    live = (change.before or {}).get("dashboard") or {}
    line = resource.source.line
    site = calls.call_site(line) if line is not None else None
    for key in sorted(set(desired) | set(live)):
        if key == "panels" or desired.get(key) == live.get(key):
            continue
        mapped = key == "title" and site is not None and isinstance(live.get(key), str)
        if not (mapped and site is not None and pull.set_argument(site, "title", 1, live[key])):
            pull.unmapped.append((key, live.get(key)))
    mine, theirs = _flatten(desired.get("panels") or []), _flatten(live.get("panels") or [])
    if [p[0] for p in mine] != [p[0] for p in theirs]:
        pull.unmapped.append(("panels (added, removed or moved between rows)", live.get("panels")))
        return
    for (pointer, want), (_, have) in zip(mine, theirs, strict=True):
        if want == have:
            continue
        anchor = resource.anchors.get(pointer)
        panel = calls.call_site(anchor.line) if anchor and anchor.line else None
        if panel is None or not _panel(pull, panel, want, have):
            pull.unmapped.append((f"{pointer} {have.get('title', '')!r}", have))


def _panel(pull: FilePull, site: CallSite, want: Mapping[str, Any], have: Mapping[str, Any]) -> bool:
    """Map one panel's changes onto its helper call; True when every change was mapped."""
    leftover = dict(have)
    if want.get("title") != have.get("title") and site.value("title", 0) == want.get("title"):
        pull.set_argument(site, "title", 0, have.get("title", ""))
        leftover["title"] = want.get("title")
    old_defaults = (want.get("fieldConfig") or {}).get("defaults") or {}
    new_defaults = dict((have.get("fieldConfig") or {}).get("defaults") or {})
    for key in ("unit", "decimals", "min", "max"):
        changed = old_defaults.get(key) != new_defaults.get(key) and key in new_defaults
        if changed and pull.set_argument(site, key, None, new_defaults[key]):
            new_defaults[key] = old_defaults.get(key)
    thresholds = new_defaults.get("thresholds")
    if old_defaults.get("thresholds") != thresholds and isinstance(thresholds, Mapping):
        steps = thresholds.get("steps") or []
        simple = thresholds.get("mode") == "absolute" and all(set(s) <= {"color", "value"} for s in steps)
        pairs = [(s.get("value"), s.get("color")) for s in steps]
        if simple and pull.set_argument(site, "thresholds", None, pairs):
            new_defaults["thresholds"] = old_defaults.get("thresholds")
    leftover["fieldConfig"] = {**(have.get("fieldConfig") or {}), "defaults": _without_none(new_defaults, old_defaults)}
    leftover["targets"] = _queries(pull, site, want.get("targets") or [], have.get("targets") or [])
    for key, name in (("w", "width"), ("h", "height")):
        old, new = (want.get("gridPos") or {}).get(key), (have.get("gridPos") or {}).get(key)
        if old != new and new is not None:
            pull.set_argument(site, name, None, new)
    leftover["gridPos"] = want.get("gridPos")  # places follow from the sizes: checked by rebuilding
    return leftover == want


def _queries(pull: FilePull, site: CallSite, old_targets: list[Any], new_targets: list[Any]) -> list[Any]:
    """Map changed query strings onto the call (its query keyword, or the positional queries after the
    title); the targets with the mapped changes put back."""
    if len(old_targets) != len(new_targets):
        return new_targets
    keyword = next((k for k in _QUERY_KEYS if k in site.keywords), None)
    targets = []
    for index, (old, new) in enumerate(zip(old_targets, new_targets, strict=True)):
        key = next((k for k in _QUERY_KEYS.values() if k in old), None)
        if key is None or old.get(key) == new.get(key) or {**new, key: old.get(key)} != old:
            targets.append(new)
            continue
        if keyword is not None and index == 0 and len(old_targets) == 1:
            name, slot = keyword, None
        else:
            name, slot = f"query {index + 1}", index + 1
        written = site.value(name, slot)
        mapped = isinstance(written, str) and pull.set_argument(site, name, slot, new[key], query=True)
        targets.append(old if mapped else new)
    return targets


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
