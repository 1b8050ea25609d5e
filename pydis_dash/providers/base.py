"""The protocols between the generic ``plan``/``apply`` stages and a target's provider.

A :class:`Provider` (one per target: Grafana, Metabase) owns a client and a list of :class:`Handler`
objects, one per resource kind. ``plan`` asks each handler for the live state of its kind, compares
it with the desired state, and asks it about drift; ``apply`` asks it to create, update or delete one
resource at a time. Neither stage knows any HTTP detail, so adding a kind is one handler file plus one
line in the provider's handler list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.model import Kind, Ref, Resource

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change
    from pydis_dash.providers.server_info import ServerInfo


class ResourceError(Exception):
    """One resource could not be read or written (conflict, validation error, server error).

    The message is user-facing and must never contain a secret. ``apply`` reports it against the
    resource and carries on with independent ones; ``plan`` turns it into an environment error.
    """


@dataclass(frozen=True)
class Drift:
    """The live resource was changed by someone other than pydis-dash since the last deploy.

    ``reason`` says how we know (edited in the UI, or not managed by pydis-dash at all); ``author``,
    ``when``, ``message`` and ``version`` come from the target's history where it has one.
    """

    reason: str
    author: str | None = None
    when: str | None = None
    message: str | None = None
    version: int | None = None

    def describe(self) -> str:
        """One line for humans: what happened, by whom, when."""
        parts = [self.reason]
        if self.author:
            parts.append(f"by {self.author}")
        if self.when:
            parts.append(f"at {self.when}")
        if self.version is not None:
            parts.append(f"(version {self.version}")
            parts[-1] += f", message {self.message!r})" if self.message else ")"
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """JSON form for ``diff --format json``."""
        return {
            "reason": self.reason,
            "author": self.author,
            "when": self.when,
            "message": self.message,
            "version": self.version,
        }


#: ``LiveResource.detail`` key: the live id of the resource this managed one duplicates (two deploys at
#: once created both). The plan archives such a duplicate in every deploy, not only with ``--prune``.
DUPLICATE_OF = "duplicate_of"


@dataclass(frozen=True)
class LiveResource:
    """One resource as it exists on the server, already normalised by its handler.

    ``state`` is comparable with :meth:`Handler.desired_state` (same shape, server fields dropped).
    ``managed`` is true when it carries pydis-dash's ownership marker. ``live_id`` and ``version`` are
    what the write calls need (server id, optimistic-concurrency version); ``detail`` holds other
    handler-private facts (e.g. which secrets are set) that apply may use without re-fetching.
    """

    ref: Ref
    title: str
    state: Mapping[str, Any]
    managed: bool
    live_id: str | None = None
    version: int | None = None
    container: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Adoption:
    """An unmanaged live resource that is a desired one in everything but pydis-dash's ownership marker
    (typically one just brought into code by ``pydis-dash import``). ``marker`` says, for humans, what a
    deploy writes onto it to adopt it: nothing else changes, so no one's edit can be lost."""

    live: LiveResource
    marker: str


@dataclass(frozen=True)
class PlanOptions:
    """What the user asked ``diff``/``deploy`` to consider."""

    prune: bool = False
    rotate_secrets: bool = False


class Handler(Protocol):
    """Everything plan and apply need to know about one resource kind on one target.

    Handlers may subclass this protocol to inherit the default implementations below.
    """

    kind: Kind
    #: Apply order across kinds: lower stages are created first and deleted last (folders 0,
    #: data sources 1, dashboards 2, alert rules 3...).
    stage: int

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """Read the live resources of this kind, keyed by uid: every desired one that exists and every
        other visible one (managed or not), using as few requests as the API allows.
        """
        ...

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """The normalised, comparable form of a desired resource (same shape as ``LiveResource.state``)."""
        ...

    def dependencies(self, resource: Resource) -> tuple[Ref, ...]:
        """Resources that must exist before this one (its folder, parent folder...)."""
        return resource.depends_on

    def live_dependencies(self, live: LiveResource) -> tuple[Ref, ...]:
        """Resources a live one sits in; used to delete children before parents."""
        return ()

    def update_reasons(self, resource: Resource, live: LiveResource | None, options: PlanOptions) -> list[str]:
        """Notes on what the write will send beyond the compared state, e.g. a secret not yet set on the
        server or one being rotated. ``live`` is None for a create. A non-empty result for an existing
        resource forces an update even when the compared states are equal."""
        return []

    def adoption(
        self, resource: Resource, desired: Mapping[str, Any], live: Mapping[str, LiveResource]
    ) -> Adoption | None:
        """The unmanaged live resource (among ``live``, this kind's fetch) whose state equals ``desired``
        but for the ownership marker, which a deploy adopts by writing only the marker; None when there
        is none. The default adopts nothing: a kind opts in by saying where its marker lives."""
        return None

    def drift(self, resource: Resource, live: LiveResource) -> Drift | None:
        """Whether someone else changed ``live`` since pydis-dash last wrote it.

        Only called for resources whose state differs from the desired one, so it may cost a request.
        """
        return None

    def delete_blocker(self, live: LiveResource) -> str | None:
        """Why a managed live resource must not be deleted (e.g. it holds unmanaged content), or None."""
        return None

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """Create the resource of ``change``; return a short note for the report. Raise ResourceError."""
        ...

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """Update the live resource of ``change`` to its desired state, guarded by the planned version."""
        ...

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """Delete the live resource of ``change``."""
        ...

    def adopt(self, change: Change, ctx: ApplyContext) -> str | None:
        """Write the ownership marker onto the live resource of an ``adopt`` change. The content already
        equals the code's, so the default is the kind's guarded update (which writes the code's content,
        marker included)."""
        return self.update(change, ctx)


class Provider(Protocol):
    """One target (Grafana or Metabase) in one environment."""

    #: ``grafana`` or ``metabase``: equals ``Kind.target`` of the kinds it handles.
    target: str
    #: The environment name, for messages (``prod``, ``staging``).
    environment: str
    handlers: Sequence[Handler]

    def check_access(self) -> None:
        """One cheap authenticated request; raise EnvironmentProblem naming the environment if the
        server is unreachable or rejects the credentials, so nothing else is attempted."""
        ...

    def enable_dry_run(self) -> None:
        """Install the dry-run guard: from now on no write request can reach the server."""
        ...

    def begin_plan(self) -> None:
        """Called before each plan: forget live state cached by an earlier one."""
        ...

    def server_info(self) -> ServerInfo:
        """The server's version and the API paths picked for it (discovered once per run)."""
        ...


#: What reading an answer of the wrong shape raises (a list where an object was expected, a missing field,
#: a string where a number was).
_SHAPE_ERRORS = (AttributeError, TypeError, KeyError, IndexError, ValueError)


@contextmanager
def reading_answers(what: str) -> Iterator[None]:
    """Around code that interprets a server's answers: one of an unexpected shape becomes one
    :class:`EnvironmentProblem` naming ``what`` (exit 3), never a traceback. Whatever the answer was, the
    plan cannot be trusted after it."""
    try:
        yield
    except _SHAPE_ERRORS as exc:
        raise EnvironmentProblem(
            f"{what}: the server's answer does not have the expected shape ({type(exc).__name__}: {exc})"
        ) from None


@runtime_checkable
class LockingProvider(Protocol):
    """A provider whose target can be locked for a whole deploy (Metabase: it has no create-if-absent,
    so two deploys at once would duplicate). Grafana needs none: its writes carry uids and versions."""

    def deploy_lock(self) -> AbstractContextManager[object]:
        """A context manager holding the target's deploy lock; entering it raises EnvironmentProblem
        naming the holder when another deploy has it."""
        ...


def handler_for(providers: Sequence[Provider], kind: Kind) -> Handler | None:
    """The handler registered for ``kind`` in any of ``providers``."""
    for provider in providers:
        for handler in provider.handlers:
            if handler.kind == kind:
                return handler
    return None
