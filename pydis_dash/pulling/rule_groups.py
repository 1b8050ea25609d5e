"""Pulling a Grafana alert rule group: the group's interval, and per rule (in the order the group lists
them) its title, query (inline or its ``.sql`` file), threshold, ``for_``, look-back, reducer, states,
labels and annotations, written into the ``RuleGroup(...)`` call and the rule helpers' calls
(``prometheus_rule``, ``graphite_rule``, ``sql_rule``).

A rule added, removed or reordered, a renamed group and anything else are listed with the live JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydis_dash.conventions.durations import format_duration
from pydis_dash.model import Resource, json_pointer
from pydis_dash.plan import Change
from pydis_dash.pulling.edits import CallSite, SourceCalls
from pydis_dash.pulling.mapping import MISSING, FilePull, Leftover, Path_, get_path

# Rule field path -> (helper argument, position, the argument's value for the live value).
_Converter = Callable[[Any], Any]
_RULE_ARGUMENTS: tuple[tuple[Path_, str, int | None, _Converter], ...] = (
    (("title",), "title", 0, lambda v: v),
    (("for",), "for_", None, lambda v: v),
    (("noDataState",), "no_data_state", None, lambda v: v),
    (("execErrState",), "exec_err_state", None, lambda v: v),
    (("isPaused",), "paused", None, lambda v: v is True),
    (("data", 0, "relativeTimeRange", "from"), "lookback", None, lambda v: format_duration(int(v))),
    (("data", 1, "model", "reducer"), "reducer", None, lambda v: v),
)
# Query model key -> the helper's query argument (the second positional one).
_QUERY_ARGUMENTS = {"expr": "expr", "target": "target", "rawSql": "sql"}
_EVALUATOR: Path_ = ("data", 2, "model", "conditions", 0, "evaluator")
_THRESHOLD_ARGUMENTS = {"gt": "above", "lt": "below"}
# Labels and annotations the helpers take as their own arguments; the others go into labels=/annotations=.
_LABEL_ARGUMENTS = {"severity": "severity", "additional_destination": "also_notify"}
_ANNOTATION_ARGUMENTS = {"summary": "summary", "description": "description", "runbook_url": "runbook_url"}


def pull_rule_group(change: Change, calls: SourceCalls, pull: FilePull) -> None:
    """Map the differences between the desired (``after``) and live (``before``) group onto the code."""
    resource = change.desired()
    desired, live = change.after or {}, change.before or {}
    left = Leftover({k: v for k, v in desired.items() if k != "rules"}, {k: v for k, v in live.items() if k != "rules"})
    line = resource.source.line
    group = calls.call_site(line) if line is not None else None
    interval = live.get("interval")
    if desired.get("interval") != interval and group is not None and isinstance(interval, int):
        written = pull.set_argument(group, "interval", 2, format_duration(interval))
        if written:
            left.mapped(["interval"])
    if not left.complete:
        pull.unmapped.append((f"rule group {live.get('title')!r}", {k: v for k, v in live.items() if k != "rules"}))
    wanted, found = desired.get("rules") or [], live.get("rules") or []
    if [r.get("uid") for r in wanted] != [r.get("uid") for r in found]:
        pull.unmapped.append(("rules (added, removed or reordered)", found))
        return
    for index, (want, have) in enumerate(zip(wanted, found, strict=True)):
        if want != have and not _rule(pull, _rule_site(calls, resource, index), want, have):
            pull.unmapped.append((f"rule {have.get('title')!r}", have))


def _rule_site(calls: SourceCalls, resource: Resource, index: int) -> CallSite | None:
    anchor = resource.anchors.get(json_pointer("rules", index))
    return calls.call_site(anchor.line) if anchor is not None and anchor.line is not None else None


def _rule(pull: FilePull, site: CallSite | None, want: Mapping[str, Any], have: Mapping[str, Any]) -> bool:
    """Map one rule's changes onto its helper call; True when every change was mapped."""
    if site is None:
        return False
    left = Leftover(want, have)
    for path, name, index, convert in _RULE_ARGUMENTS:
        value = get_path(have, path)
        if get_path(want, path) != value and pull.set_argument(site, name, index, convert(value)):
            left.mapped(path)
    if want.get("title") != have.get("title") and "uid" not in site.keywords:
        # The uid is derived from the title: keep the live rule's (alert history and silences follow it).
        pull.set_argument(site, "uid", None, have.get("uid"))
    model_path: Path_ = ("data", 0, "model")
    for key, name in _QUERY_ARGUMENTS.items():
        path = (*model_path, key)
        value = get_path(have, path)
        changed = value is not MISSING and get_path(want, path) != value
        if changed and pull.set_argument(site, name, 1, value, query=True):
            left.mapped(path)
    if _threshold(pull, site, get_path(want, _EVALUATOR), get_path(have, _EVALUATOR)):
        left.mapped(_EVALUATOR)
    for key, arguments in (("labels", _LABEL_ARGUMENTS), ("annotations", _ANNOTATION_ARGUMENTS)):
        if _split(pull, site, want.get(key) or {}, have.get(key) or {}, arguments, key):
            left.mapped([key])
    return left.complete


def _threshold(pull: FilePull, site: CallSite, want: Any, have: Any) -> bool:
    """``above=``/``below=`` for a changed threshold; True when it was mapped (or did not change)."""
    if want == have:
        return True
    if not isinstance(have, Mapping) or have.get("type") not in _THRESHOLD_ARGUMENTS:
        return False
    params = have.get("params") or []
    if len(params) != 1 or not isinstance(params[0], int | float):
        return False
    value = params[0]
    number = int(value) if isinstance(value, float) and value.is_integer() else value
    name = _THRESHOLD_ARGUMENTS[str(have["type"])]
    for other in _THRESHOLD_ARGUMENTS.values():
        if other != name:
            pull.remove_argument(site, other)
    return pull.set_argument(site, name, None, number)


def _split(
    pull: FilePull,
    site: CallSite,
    want: Mapping[str, Any],
    have: Mapping[str, Any],
    arguments: Mapping[str, str],
    rest: str,
) -> bool:
    """Changed labels (or annotations): those with an argument of their own set there, the others as
    ``rest=`` (a dict). True when every change was mapped."""
    if want == have:
        return True
    own = {key: name for key, name in arguments.items() if name in site.keywords or key != "additional_destination"}
    mapped = True
    for key, name in own.items():
        if want.get(key) != have.get(key):
            value = have.get(key, "" if name in _ANNOTATION_ARGUMENTS.values() else None)
            mapped = pull.set_argument(site, name, None, value) and mapped
    others = {k: v for k, v in have.items() if k not in own}
    if others != {k: v for k, v in want.items() if k not in own}:
        mapped = pull.set_argument(site, rest, None, others) and mapped
    return mapped
