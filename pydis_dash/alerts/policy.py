"""The notification policy tree: which contact point each firing alert goes to, grouped how, repeated when.

Grafana has one tree per organisation and its API replaces it whole, so pydis-dash owns it as a whole: a
project defines at most one :class:`NotificationPolicy`, and deploying it replaces whatever was edited in
the UI. A project without one never touches the tree.

    NotificationPolicy(
        receiver="devops low priority",
        routes=[
            Route(match={"additional_destination": "moderators"}, receiver="moderators", continue_=True),
            Route(match={"severity": "page"}, receiver="devops on-call", repeat_interval="1h"),
            Route(match={"severity": "low"}, receiver="devops low priority"),
        ],
    )
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydis_dash.conventions.alerting import POLICY_UID
from pydis_dash.conventions.durations import canonical_duration, duration_problem
from pydis_dash.definition import Definition, RenderContext, caller_location
from pydis_dash.errors import DefinitionError
from pydis_dash.model import Kind, Ref, Resource, SourceLocation, json_pointer

MATCH_OPERATORS = ("=", "!=", "=~", "!~")
#: Grafana's default grouping: one notification per alert rule and folder.
DEFAULT_GROUP_BY = ("grafana_folder", "alertname")
_LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_durations(owner: str, where: SourceLocation, **values: str | None) -> None:
    for name, value in values.items():
        problem = duration_problem(name, value) if value is not None else None
        if problem:
            raise DefinitionError(problem, where, owner)


def _timing(group_wait: str | None, group_interval: str | None, repeat_interval: str | None) -> dict[str, str]:
    values = {"group_wait": group_wait, "group_interval": group_interval, "repeat_interval": repeat_interval}
    return {key: canonical_duration(value) for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class Route:
    """A branch of the tree: alerts whose labels match go to ``receiver`` (a contact point name; by default
    the parent's), then to the first matching child in ``routes``.

    ``match`` holds equality matchers (``{"severity": "page"}``); ``matchers`` any others as
    ``(label, operator, value)`` with operator ``=``, ``!=``, ``=~`` or ``!~``. ``continue_`` lets an alert
    that matched this route go on to match its later siblings too (to notify several contact points).
    Unset grouping and timing settings are inherited from the parent.
    """

    match: Mapping[str, str] = field(default_factory=dict)
    receiver: str | None = None
    matchers: Sequence[tuple[str, str, str]] = ()
    continue_: bool = False
    group_by: Sequence[str] | None = None
    group_wait: str | None = None
    group_interval: str | None = None
    repeat_interval: str | None = None
    mute_timings: Sequence[str] = ()
    routes: Sequence[Route] = ()
    defined_at: SourceLocation = field(default_factory=caller_location)

    def __post_init__(self) -> None:
        owner = f"policy route {self.describe()}"
        if not self.match and not self.matchers:
            raise DefinitionError("a route needs at least one matcher (match= or matchers=)", self.defined_at, owner)
        for name, operator, value in self.object_matchers:
            if not _LABEL_NAME.match(name) or operator not in MATCH_OPERATORS or not isinstance(value, str):
                raise DefinitionError(
                    f"matcher ({name!r}, {operator!r}, {value!r}) must be (label, one of {' '.join(MATCH_OPERATORS)}, "
                    "text)",
                    self.defined_at,
                    owner,
                )
        _check_durations(
            owner,
            self.defined_at,
            group_wait=self.group_wait,
            group_interval=self.group_interval,
            repeat_interval=self.repeat_interval,
        )

    @property
    def object_matchers(self) -> list[tuple[str, str, str]]:
        """Every matcher as ``(label, operator, value)``: ``match`` first, in order, then ``matchers``."""
        return [(name, "=", value) for name, value in self.match.items()] + [tuple(m) for m in self.matchers]  # type: ignore[misc]

    def describe(self) -> str:
        """``{severity="page"}``: the route's matchers as Alertmanager prints them."""
        inner = ", ".join(f'{name}{op}"{value}"' for name, op, value in self.object_matchers)
        return "{" + inner + "}"

    def render(self, pointer: str, anchors: dict[str, SourceLocation], ctx: RenderContext) -> dict[str, Any]:
        """Grafana's ``Route`` JSON; records the defining line of this route and its children in ``anchors``."""
        anchors[pointer] = ctx.relative(self.defined_at)
        body: dict[str, Any] = {"object_matchers": [list(m) for m in self.object_matchers]}
        if self.receiver is not None:
            body["receiver"] = self.receiver
        if self.continue_:
            body["continue"] = True
        if self.group_by is not None:
            body["group_by"] = list(self.group_by)
        body.update(_timing(self.group_wait, self.group_interval, self.repeat_interval))
        if self.mute_timings:
            body["mute_time_intervals"] = list(self.mute_timings)
        if self.routes:
            body["routes"] = [
                child.render(pointer + json_pointer("routes", index), anchors, ctx)
                for index, child in enumerate(self.routes)
            ]
        return body


@dataclass(frozen=True)
class NotificationPolicy(Definition):
    """The root of the tree: alerts no route matches go to ``receiver`` (a contact point name).

    ``group_by`` decides which alerts share one notification; ``group_wait`` how long to wait for more
    alerts of a new group, ``group_interval`` how long before notifying about changes to a group,
    ``repeat_interval`` how long before repeating a still-firing notification. Routes inherit all of them.
    """

    receiver: str
    routes: Sequence[Route] = ()
    group_by: Sequence[str] = DEFAULT_GROUP_BY
    group_wait: str = "30s"
    group_interval: str = "5m"
    repeat_interval: str = "4h"
    lint_ignore: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.receiver.strip():
            raise DefinitionError(
                "receiver (the default contact point) must not be empty", self.defined_at, self.identity
            )
        _check_durations(
            self.identity,
            self.defined_at,
            group_wait=self.group_wait,
            group_interval=self.group_interval,
            repeat_interval=self.repeat_interval,
        )
        strays = [type(route).__name__ for route in self.routes if not isinstance(route, Route)]
        if strays:
            raise DefinitionError(
                f"routes must be Route objects, not {', '.join(strays)}", self.defined_at, self.identity
            )

    @property
    def identity(self) -> str:
        """``notification policy``."""
        return "notification policy"

    def render(self, ctx: RenderContext) -> list[Resource]:
        """One ``grafana-notification-policy`` resource: the whole tree, as Grafana's ``Route`` JSON."""
        anchors: dict[str, SourceLocation] = {}
        body: dict[str, Any] = {
            "receiver": self.receiver,
            "group_by": list(self.group_by),
            **_timing(self.group_wait, self.group_interval, self.repeat_interval),
        }
        if self.routes:
            body["routes"] = [
                route.render(json_pointer("routes", index), anchors, ctx) for index, route in enumerate(self.routes)
            ]
        return [
            Resource(
                ref=Ref(Kind.GRAFANA_NOTIFICATION_POLICY, POLICY_UID),
                title="Notification policy tree",
                body=body,
                source=ctx.relative(self.defined_at),
                anchors=anchors,
                lint_exclusions=dict(self.lint_ignore),
            )
        ]
