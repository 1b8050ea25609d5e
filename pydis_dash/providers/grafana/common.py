"""What every Grafana handler shares: the client, the search index and the read concurrency."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.grafana.client import GrafanaClient
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

    def parallel(self, function: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """``map`` on a bounded thread pool (reads only: plans fetch many dashboards)."""
        items = list(items)
        if len(items) <= 1:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(items)))) as pool:
            return list(pool.map(function, items))


def folder_of(resource: Resource) -> str:
    """The uid of the folder a resource lives in: its ``grafana-folder`` dependency, "" for the root."""
    for ref in resource.depends_on:
        if ref.kind == Kind.GRAFANA_FOLDER:
            return ref.uid
    return ""


def folder_ref(uid: str) -> tuple[Ref, ...]:
    """``(Ref(grafana-folder, uid),)``, or ``()`` for the root folder."""
    return (Ref(Kind.GRAFANA_FOLDER, uid),) if uid else ()
