"""Walking rendered alerting resources for the alerting lint rules (PD110-PD113).

Rule groups (``rules[]``), the policy tree (``Route`` JSON, nested ``routes[]``) and contact points are read
as plain JSON, as Grafana's provisioning API takes them; nothing here knows the authoring objects.
Routing follows Alertmanager: a route matches when all its matchers do; the first matching child wins
unless it has ``continue``; a route no child matches handles the alert itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydis_dash.model import Kind, Resource, json_pointer


@dataclass(frozen=True)
class RuleNode:
    """One rule of a rule group resource."""

    group: Resource
    index: int
    rule: Mapping[str, Any]

    @property
    def pointer(self) -> str:
        """JSON pointer of the rule in its group."""
        return json_pointer("rules", self.index)

    @property
    def title(self) -> str | None:
        """The rule's title."""
        title = self.rule.get("title")
        return title if isinstance(title, str) else None

    @property
    def labels(self) -> dict[str, str]:
        """The rule's labels (only string values)."""
        labels = self.rule.get("labels")
        if not isinstance(labels, Mapping):
            return {}
        return {str(k): v for k, v in labels.items() if isinstance(v, str)}


@dataclass(frozen=True)
class RouteNode:
    """One route of the policy tree, with the receiver it sends to (its own or inherited)."""

    pointer: str
    route: Mapping[str, Any]
    receiver: str | None
    depth: int


def rule_nodes(resources: Sequence[Resource]) -> Iterator[RuleNode]:
    """Every rule of every rule group in ``resources``."""
    for group in resources:
        if group.kind is not Kind.GRAFANA_RULE_GROUP:
            continue
        rules = group.body.get("rules")
        for index, rule in enumerate(rules if isinstance(rules, list) else []):
            if isinstance(rule, Mapping):
                yield RuleNode(group, index, rule)


def of_kind(resources: Sequence[Resource], kind: Kind) -> list[Resource]:
    """The resources of one kind, in order."""
    return [r for r in resources if r.kind is kind]


def contact_point_names(resources: Sequence[Resource]) -> set[str]:
    """Names of the contact points defined in ``resources`` (policies route to names)."""
    names = (r.body.get("name") for r in of_kind(resources, Kind.GRAFANA_CONTACT_POINT))
    return {name for name in names if isinstance(name, str)}


def route_nodes(policy: Mapping[str, Any]) -> Iterator[RouteNode]:
    """The root (pointer ``""``) and every nested route, depth first, each with its effective receiver."""

    def walk(node: RouteNode) -> Iterator[RouteNode]:
        yield node
        for child in _children(node):
            yield from walk(child)

    yield from walk(_root(policy))


def _root(policy: Mapping[str, Any]) -> RouteNode:
    return RouteNode("", policy, _receiver(policy, None), 0)


def _children(node: RouteNode) -> Iterator[RouteNode]:
    """The direct child routes of ``node``, each with its effective receiver."""
    children = node.route.get("routes")
    for index, child in enumerate(children if isinstance(children, list) else []):
        if isinstance(child, Mapping):
            yield RouteNode(f"{node.pointer}/routes/{index}", child, _receiver(child, node.receiver), node.depth + 1)


def _receiver(route: Mapping[str, Any], inherited: str | None) -> str | None:
    own = route.get("receiver")
    return own if isinstance(own, str) and own else inherited


def matchers_of(route: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """A route's matchers as ``(label, operator, value)``: ``object_matchers``, legacy ``match``/``match_re``."""
    found: list[tuple[str, str, str]] = []
    for matcher in route.get("object_matchers") or []:
        if isinstance(matcher, list | tuple) and len(matcher) == 3 and all(isinstance(p, str) for p in matcher):
            found.append((matcher[0], matcher[1], matcher[2]))
    for key, operator in (("match", "="), ("match_re", "=~")):
        legacy = route.get(key)
        if isinstance(legacy, Mapping):
            found.extend((str(name), operator, str(value)) for name, value in legacy.items())
    return found


def matches(route: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether every matcher of ``route`` matches ``labels`` (a missing label is the empty string)."""
    for name, operator, value in matchers_of(route):
        actual = labels.get(name, "")
        if operator in ("=~", "!~"):
            try:
                hit = re.fullmatch(value, actual) is not None
            except re.error:
                return False
            if hit != (operator == "=~"):
                return False
        elif (actual == value) != (operator == "="):
            return False
    return True


def route_alert(policy: Mapping[str, Any], labels: Mapping[str, str]) -> list[RouteNode]:
    """The routes that handle an alert with ``labels`` (the root when no route matches)."""

    def walk(node: RouteNode) -> list[RouteNode]:
        handled: list[RouteNode] = []
        for child in _children(node):
            if not matches(child.route, labels):
                continue
            handled.extend(walk(child))
            if not child.route.get("continue"):
                break
        return handled or [node]

    return walk(_root(policy))
