"""What the notification policy tree depends on: the contact points and mute timings it names.

The tree names them by name (``receiver``, ``mute_time_intervals``), and Grafana refuses a tree naming one
that does not exist. Linking the policy resource to each of them (``depends_on``) makes deploy write them
first, and skip the policy, saying which one failed, instead of sending a tree Grafana would reject (or
that would route alerts nowhere). Names no definition has are left to lint rule PD111.

It sits outside ``pydis_dash/alerts/`` because the pipeline runs it on every load: importing anything
in that package imports the authoring classes and grafanalib with them (0.3 s of start-up), which a
``diff`` or ``deploy`` served from the render cache never needs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pydis_dash.model import Kind, Resource

# Route fields naming other resources, by the kind of resource they name.
_NAMING_FIELDS = {
    Kind.GRAFANA_CONTACT_POINT: ("receiver",),
    Kind.GRAFANA_MUTE_TIMING: ("mute_time_intervals", "active_time_intervals"),
}


def _routes(route: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """``route`` and every route nested below it."""
    yield route
    for child in route.get("routes") or ():
        if isinstance(child, Mapping):
            yield from _routes(child)


def names_in_tree(tree: Mapping[str, Any], kind: Kind) -> set[str]:
    """The names of the ``kind`` resources (contact points or mute timings) the tree refers to."""
    names: set[str] = set()
    for route in _routes(tree):
        for key in _NAMING_FIELDS[kind]:
            value = route.get(key)
            if isinstance(value, str):
                names.add(value)
            elif isinstance(value, list):
                names.update(item for item in value if isinstance(item, str))
    return names


def link_policy(resources: Sequence[Resource]) -> list[Resource]:
    """``resources`` with each notification policy depending on the contact points and mute timings it
    names (Grafana groups contact points by name: a name may hold several integrations, each one
    resource, and the policy depends on all of them)."""
    linked = []
    for resource in resources:
        if resource.kind is Kind.GRAFANA_NOTIFICATION_POLICY:
            named = {
                other.ref
                for other in resources
                if other.kind in _NAMING_FIELDS and other.body.get("name") in names_in_tree(resource.body, other.kind)
            }
            extra = tuple(sorted(named - set(resource.depends_on)))
            resource = replace(resource, depends_on=resource.depends_on + extra) if extra else resource
        linked.append(resource)
    return linked
