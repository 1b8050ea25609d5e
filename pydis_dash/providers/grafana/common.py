"""What every Grafana handler shares: the client, the search index, the read concurrency, and the base
class holding them (with the delete every kind does the same way)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import Handler, LiveResource
from pydis_dash.providers.grafana.capabilities import CapabilitiesCache
from pydis_dash.providers.grafana.client import GrafanaClient, NotFound
from pydis_dash.providers.grafana.search import SearchIndex

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class GrafanaContext:
    """Handed to each handler's constructor."""

    client: GrafanaClient
    search: SearchIndex
    concurrency: int = 8
    #: Send ``X-Disable-Provenance`` on alerting writes, so rules stay editable in Grafana's UI.
    disable_provenance: bool = False
    #: The server's version and dashboard APIs, discovered on first use and kept for the run.
    capabilities: CapabilitiesCache = field(init=False)

    def __post_init__(self) -> None:
        # One cache per context (per provider, per run); frozen, so set through object.__setattr__.
        object.__setattr__(self, "capabilities", CapabilitiesCache(self.client))

    def parallel(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``map`` on a bounded thread pool (reads only: plans fetch many dashboards)."""
        items = list(items)
        if len(items) <= 1:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(items)))) as pool:
            return list(pool.map(function, items))


#: The report note of a delete that found the resource already deleted (the goal of the delete).
ALREADY_GONE = "already gone"


class GrafanaHandler(Handler):
    """Base of every Grafana handler: the shared context, and writes through the client's one seam."""

    def __init__(self, ctx: GrafanaContext) -> None:
        self.ctx = ctx

    def live_dependencies(self, live: LiveResource) -> tuple[Ref, ...]:
        """The folder a live resource sits in (its ``container``): deleted only after it is emptied."""
        return folder_ref(live.container or "")

    def write_headers(self) -> Mapping[str, str] | None:
        """Extra headers on every write of this kind (none; the alerting handlers add one)."""
        return None

    def write(self, method: str, path: str, body: Any = None) -> Any:
        """One write request with this kind's :meth:`write_headers`."""
        return self.ctx.client.request(method, path, json=body, headers=self.write_headers())

    def delete_path(self, path: str) -> str | None:
        """DELETE ``path``; a resource already gone counts as done (note :data:`ALREADY_GONE`)."""
        try:
            self.write("DELETE", path)
        except NotFound:
            return ALREADY_GONE
        return None


def secrets_to_send(
    resource: Resource, live: LiveResource | None, rotate: bool, is_set: Callable[[LiveResource, str], bool]
) -> list[str]:
    """Secret fields a write must include: all on create or rotation, else those ``is_set`` says the
    live resource lacks (secret values can never be read back, only whether one is set)."""
    names = sorted(resource.secret_env)
    if live is None or rotate:
        return names
    return [name for name in names if not is_set(live, name)]


def secret_notes(resource: Resource, live: LiveResource | None, rotate: bool, names: Iterable[str]) -> list[str]:
    """Why each secret in ``names`` is sent, for the plan (variable names only, never values)."""
    notes = []
    for name in names:
        variable = resource.secret_env[name]
        if live is None:
            notes.append(f"secret {name!r} from ${variable} is sent on create")
        elif rotate:
            notes.append(f"secret {name!r} is rotated from ${variable}")
        else:
            notes.append(f"secret {name!r} is not set in Grafana; it is sent from ${variable}")
    return notes


def folder_of(resource: Resource) -> str:
    """The uid of the folder a resource lives in: its ``grafana-folder`` dependency, "" for the root."""
    for ref in resource.depends_on:
        if ref.kind == Kind.GRAFANA_FOLDER:
            return ref.uid
    return ""


def folder_ref(uid: str) -> tuple[Ref, ...]:
    """``(Ref(grafana-folder, uid),)``, or ``()`` for the root folder."""
    return (Ref(Kind.GRAFANA_FOLDER, uid),) if uid else ()
