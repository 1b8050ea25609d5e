"""Desired resources vs live state -> a :class:`Plan` of :class:`Change` objects, and its rendering.

The plan is the single source of truth for a deploy: ``diff`` renders it, ``apply`` executes exactly it
and never re-fetches or re-compares (so the two cannot disagree). Rendering is read-only.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import (
    DUPLICATE_OF,
    Adoption,
    Drift,
    Handler,
    LiveResource,
    PlanOptions,
    Provider,
    ResourceError,
    handler_for,
    reading_answers,
)
from pydis_dash.providers.dryrun import DryRunBlocked
from pydis_dash.providers.server_info import ServerInfo, servers_of
from pydis_dash.render.canonical import canonical_json

__all__ = [
    "Action",
    "Change",
    "Drift",
    "Plan",
    "PlanOptions",
    "build_plan",
    "canonical_json",
]


class Action(StrEnum):
    """What apply will do to one resource."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    UNCHANGED = "unchanged"
    #: An unmanaged live resource equal to the code but for the ownership marker: deploy writes the
    #: marker only (no ``--force`` needed, nothing else changes). Listed after the others in summaries.
    ADOPT = "adopt"

    @property
    def symbol(self) -> str:
        """``+``, ``~``, ``-`` or ``=``, as in the summary line."""
        return _SYMBOLS[self]


_SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.UNCHANGED: "=", Action.ADOPT: "@"}


@dataclass(frozen=True)
class Change:
    """One planned action on one resource.

    ``before``/``after`` are the normalised live and desired states (None when absent); they never
    contain secrets. ``resource`` is the desired resource (None for deletes), ``live`` what was read
    (None for creates): apply writes from these and from ``live_id``/``live_version`` without reading
    again. ``drift`` is set when someone else changed the live resource: apply refuses it unless forced.
    ``blocked`` is a reason the change can never be applied (e.g. a folder holding unmanaged content).
    ``depends_on`` are the refs the desired resource needs (created/updated first); ``located_in`` the
    refs the live resource currently sits in (a folder is deleted only after what sits in it moved out
    or was deleted).
    """

    action: Action
    ref: Ref
    title: str
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    drift: Drift | None = None
    resource: Resource | None = None
    live: LiveResource | None = None
    depends_on: tuple[Ref, ...] = ()
    located_in: tuple[Ref, ...] = ()
    notes: tuple[str, ...] = ()
    blocked: str | None = None

    def desired(self) -> Resource:
        """The desired resource of a create or update (``build_plan`` always sets it for those)."""
        if self.resource is None:
            raise ValueError(f"the {self.action.value} of {self.ref} carries no desired resource")
        return self.resource

    @property
    def live_id(self) -> str | None:
        """Server id of the live resource, if any."""
        return self.live.live_id if self.live else None

    @property
    def live_version(self) -> int | None:
        """Server version read at plan time: writes are conditional on it."""
        return self.live.version if self.live else None

    @property
    def shows_content(self) -> bool:
        """Whether the change has a content diff to show: unchanged and adopted resources have none
        (an adoption's only difference is the ownership marker, which its note names)."""
        return self.action not in (Action.UNCHANGED, Action.ADOPT)

    def diff_lines(self) -> list[str]:
        """Unified diff of the canonical JSON of ``before`` and ``after`` (no colour); empty for a change
        without a content diff (:attr:`shows_content`)."""
        if not self.shows_content:
            return []
        before = canonical_json(self.before).splitlines() if self.before is not None else []
        after = canonical_json(self.after).splitlines() if self.after is not None else []
        return list(difflib.unified_diff(before, after, f"live/{self.ref}", f"code/{self.ref}", lineterm=""))

    def to_json(self) -> dict[str, Any]:
        """JSON form for ``diff --format json``."""
        return {
            "action": self.action.value,
            "ref": str(self.ref),
            "kind": self.ref.kind.value,
            "uid": self.ref.uid,
            "title": self.title,
            "drift": self.drift.to_json() if self.drift else None,
            "blocked": self.blocked,
            "notes": list(self.notes),
            "dependsOn": [str(ref) for ref in self.depends_on],
            "locatedIn": [str(ref) for ref in self.located_in],
            "before": self.before,
            "after": self.after,
            "diff": self.diff_lines(),
        }


@dataclass(frozen=True)
class Plan:
    """Every change for one environment, plus what pydis-dash will not touch.

    ``unmanaged`` are live resources without the ownership marker (never modified or deleted);
    ``orphans`` are managed live resources gone from code that only ``--prune`` deletes (they become
    ``delete`` changes when the plan was built with ``prune``).
    """

    environment: str
    changes: tuple[Change, ...]
    unmanaged: tuple[LiveResource, ...] = ()
    orphans: tuple[LiveResource, ...] = ()
    options: PlanOptions = field(default_factory=PlanOptions)
    #: The servers the plan was made against (version, API paths picked), in provider order.
    servers: tuple[ServerInfo, ...] = ()

    def count(self, action: Action) -> int:
        """How many changes have ``action``."""
        return sum(1 for change in self.changes if change.action == action)

    @property
    def pending(self) -> tuple[Change, ...]:
        """Changes that write something (everything but ``unchanged``)."""
        return tuple(c for c in self.changes if c.action != Action.UNCHANGED)

    @property
    def has_changes(self) -> bool:
        """True when a deploy would write (or refuse to write because of drift)."""
        return bool(self.pending)

    @property
    def drifted_count(self) -> int:
        """How many pending changes deploy refuses without ``--force``."""
        return sum(1 for c in self.pending if c.drift)

    @property
    def blocked_count(self) -> int:
        """How many pending changes can never be applied."""
        return sum(1 for c in self.pending if c.blocked)

    def summary(self) -> str:
        """``+ 1 create  ~ 2 update  - 0 delete  = 5 unchanged``, plus adoption, drift and blocked counts
        (each only when there are some)."""
        text = "  ".join(f"{a.symbol} {self.count(a)} {a.value}" for a in Action if a != Action.ADOPT)
        if self.count(Action.ADOPT):
            text += f"  @ {self.count(Action.ADOPT)} adopt (ownership marker only)"
        if self.drifted_count:
            text += f"  ! {self.drifted_count} drifted (deploy refuses them without --force)"
        if self.blocked_count:
            text += f"  ! {self.blocked_count} blocked"
        return text


def build_plan(
    environment: str,
    providers: Sequence[Provider],
    resources: Sequence[Resource],
    options: PlanOptions | None = None,
) -> Plan:
    """Compare ``resources`` with the live state the providers read, kind by kind.

    Raises EnvironmentProblem when live state cannot be read (nothing can be planned then) and
    ResourceError never: a read failure of any kind makes the whole plan unreliable. Planning only
    reads: under a dry-run guard (``diff``), a write attempted while reading is such a failure too.
    """
    options = options or PlanOptions()
    by_kind: dict[Kind, list[Resource]] = {}
    for resource in resources:
        by_kind.setdefault(resource.kind, []).append(resource)
    changes: list[Change] = []
    unmanaged: list[LiveResource] = []
    orphans: list[LiveResource] = []
    for provider in providers:
        provider.begin_plan()
    handlers = [h for p in providers for h in p.handlers]
    for kind in by_kind:
        if handler_for(providers, kind) is None:
            raise EnvironmentProblem(
                f"{environment}: no provider configured for {kind.value} resources ({len(by_kind[kind])} selected)"
            )
    ordered = sorted(handlers, key=lambda h: h.stage)
    with ThreadPoolExecutor(max_workers=max(1, len(ordered)), thread_name_prefix="plan-read") as pool:
        # Every kind's live state is read at once: the reads are independent (shared listings are read
        # once, under a lock), and one after another they cost a round trip each (0.2 s at 20 ms).
        reads = [pool.submit(handler.fetch, by_kind.get(handler.kind, []), options) for handler in ordered]
        planned = [
            _plan_kind(handler, by_kind.get(handler.kind, []), read, options, environment)
            for handler, read in zip(ordered, reads, strict=True)
        ]
    for handler, desired, live, kind_changes in planned:
        changes.extend(kind_changes)
        # An adopted live resource is the desired one from now on, whatever its live uid.
        adopted = {c.live.ref.uid for c in kind_changes if c.action == Action.ADOPT and c.live}
        desired_uids = {r.ref.uid for r in desired} | adopted
        for item in (live[uid] for uid in sorted(live) if uid not in desired_uids):
            if not item.managed:
                unmanaged.append(item)
            elif options.prune or item.detail.get(DUPLICATE_OF) is not None:  # a duplicate is never wanted
                changes.append(_delete_change(handler, item))
            else:
                orphans.append(item)
    try:
        with reading_answers(f"{environment}: reading the server's version failed"):
            servers = servers_of(providers)
    except (ResourceError, DryRunBlocked) as exc:
        raise EnvironmentProblem(f"{environment}: reading the server's version failed: {exc}") from exc
    return Plan(environment, tuple(changes), tuple(unmanaged), tuple(orphans), options, servers)


def _plan_kind(
    handler: Handler,
    desired: Sequence[Resource],
    read: Future[Mapping[str, LiveResource]],
    options: PlanOptions,
    environment: str,
) -> tuple[Handler, Sequence[Resource], Mapping[str, LiveResource], list[Change]]:
    """The changes of one kind, once its live state (``read``) has arrived; a failed read, in stage
    order, is the plan's environment problem."""
    try:
        with reading_answers(f"{environment}: reading live {handler.kind.value} failed"):
            live = read.result()
            return handler, desired, live, _desired_changes(handler, desired, live, options, environment)
    except (ResourceError, DryRunBlocked) as exc:
        raise EnvironmentProblem(f"{environment}: reading live {handler.kind.value} failed: {exc}") from exc


def _delete_change(handler: Handler, item: LiveResource) -> Change:
    """The ``--prune`` deletion of a managed live resource gone from code."""
    return Change(
        Action.DELETE,
        item.ref,
        item.title,
        before=item.state,
        live=item,
        located_in=handler.live_dependencies(item),
        blocked=handler.delete_blocker(item),
    )


def _adopt_change(handler: Handler, resource: Resource, after: Mapping[str, Any], adoption: Adoption) -> Change:
    """The adoption of ``adoption.live`` by ``resource``: content equal, the marker is all deploy writes."""
    return Change(
        Action.ADOPT,
        resource.ref,
        resource.title,
        adoption.live.state,
        after,
        resource=resource,
        live=adoption.live,
        depends_on=handler.dependencies(resource),
        located_in=handler.live_dependencies(adoption.live),
        notes=(f"content equals the code: deploy adds the ownership marker ({adoption.marker}), nothing else",),
    )


def _desired_changes(
    handler: Handler,
    desired: Iterable[Resource],
    live: Mapping[str, LiveResource],
    options: PlanOptions,
    environment: str,
) -> list[Change]:
    changes: list[Change] = []
    adopted: set[Ref] = set()
    for resource in desired:
        after = handler.desired_state(resource)
        deps = handler.dependencies(resource)
        current = live.get(resource.ref.uid)
        adoption = handler.adoption(resource, after, live) if current is None or not current.managed else None
        if adoption is not None and adoption.live.ref not in adopted:  # one live resource, one owner
            adopted.add(adoption.live.ref)
            changes.append(_adopt_change(handler, resource, after, adoption))
            continue
        if current is None:
            changes.append(
                Change(
                    Action.CREATE,
                    resource.ref,
                    resource.title,
                    None,
                    after,
                    resource=resource,
                    depends_on=deps,
                    notes=tuple(handler.update_reasons(resource, None, options)),
                )
            )
            continue
        reasons = handler.update_reasons(resource, current, options)
        # The same object: the handler found the live resource is the code's (no canonical text needed).
        if (current.state is after or canonical_json(current.state) == canonical_json(after)) and not reasons:
            changes.append(
                Change(
                    Action.UNCHANGED,
                    resource.ref,
                    resource.title,
                    current.state,
                    after,
                    resource=resource,
                    live=current,
                    depends_on=deps,
                    located_in=handler.live_dependencies(current),
                )
            )
            continue
        drift: Drift | None
        if not current.managed:
            drift = Drift("exists but is not managed by pydis-dash (no ownership marker); --force adopts it")
        else:
            try:
                drift = handler.drift(resource, current)
            except (ResourceError, DryRunBlocked) as exc:
                raise EnvironmentProblem(f"{environment}: reading history of {resource.ref} failed: {exc}") from exc
        changes.append(
            Change(
                Action.UPDATE,
                resource.ref,
                resource.title,
                current.state,
                after,
                drift=drift,
                resource=resource,
                live=current,
                depends_on=deps,
                located_in=handler.live_dependencies(current),
                notes=tuple(reasons),
            )
        )
    return changes
