"""Which contact point an alert rule's notifications reach, following Grafana's notification policy tree.

A rule with ``notification_settings.receiver`` bypasses the tree (simplified routing). Otherwise the
tree is walked as Alertmanager does: a route matches when all its matchers match the alert's labels;
matching children are tried in order, the first one wins unless it sets ``continue``; an alert no child
takes stays with the parent's receiver. Preview evaluates it so a reviewer sees where an alert goes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_LEGACY_MATCHER = re.compile(r"\s*(?P<label>[\w.]+)\s*(?P<op>=~|!~|!=|=)\s*\"?(?P<value>.*?)\"?\s*")


def routes_for(labels: Mapping[str, str], policy: Mapping[str, Any] | None) -> list[str]:
    """The receivers an alert with ``labels`` reaches, each as ``receiver (via matcher, ...)``."""
    if policy is None:
        return []
    found: list[str] = []
    _walk(policy, labels, [], str(policy.get("receiver") or "?"), found)
    return found


def _walk(
    route: Mapping[str, Any], labels: Mapping[str, str], via: list[str], inherited: str, found: list[str]
) -> None:
    receiver = str(route.get("receiver") or inherited)
    matched_child = False
    for child in route.get("routes") or ():
        if not isinstance(child, Mapping):
            continue
        matchers = _matchers(child)
        if all(_matches(labels, label, op, value) for label, op, value in matchers):
            matched_child = True
            _walk(child, labels, via + [f"{label}{op}{value}" for label, op, value in matchers], receiver, found)
            if not child.get("continue"):
                break
    if not matched_child:
        found.append(f"{receiver} (via {', '.join(via)})" if via else f"{receiver} (default policy)")


def _matchers(route: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    matchers = []
    for item in route.get("object_matchers") or ():
        if isinstance(item, list) and len(item) == 3:
            matchers.append((str(item[0]), str(item[1]), str(item[2])))
    for text in route.get("matchers") or ():
        match = _LEGACY_MATCHER.fullmatch(str(text))
        if match:
            matchers.append((match["label"], match["op"], match["value"]))
    return matchers


def _matches(labels: Mapping[str, str], label: str, op: str, value: str) -> bool:
    actual = labels.get(label, "")
    if op == "=":
        return actual == value
    if op == "!=":
        return actual != value
    try:
        hit = re.fullmatch(value, actual) is not None
    except re.error:  # an invalid regex matches nothing in Alertmanager either (it is rejected on save)
        return False
    return hit if op == "=~" else not hit
