"""One paged listing of every folder and dashboard (``GET /api/search``), shared by the handlers.

A plan needs the list of dashboards (with their tags, to tell managed from unmanaged) and of folders
(with their contents, to refuse deleting a folder that holds unmanaged dashboards). One search without
a ``type`` filter returns both, so the whole instance is listed in ``ceil(n / 1000)`` requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydis_dash.providers.cache import ReadOnce
from pydis_dash.providers.grafana.client import GrafanaClient

#: Grafana's default page size; the maximum is 5000 (422 above it).
PAGE_SIZE = 1000


@dataclass(frozen=True)
class Hit:
    """One search hit: a dashboard (``dash-db``) or a folder (``dash-folder``)."""

    uid: str
    title: str
    type: str
    tags: tuple[str, ...]
    folder_uid: str

    @classmethod
    def from_json(cls, hit: Mapping[str, Any]) -> Hit:
        """Parse one element of the search response (fields absent in some versions default)."""
        return cls(
            uid=str(hit.get("uid") or ""),
            title=str(hit.get("title") or ""),
            type=str(hit.get("type") or ""),
            tags=tuple(str(t) for t in hit.get("tags") or ()),
            # Root-level items have no folderUid (or "" in older versions).
            folder_uid=str(hit.get("folderUid") or ""),
        )


class SearchIndex:
    """Lazily runs the paged search once per plan; :meth:`clear` forgets it for the next plan."""

    def __init__(self, client: GrafanaClient, page_size: int = PAGE_SIZE) -> None:
        self._client = client
        self._page_size = page_size
        self._hits = ReadOnce(self._fetch)

    def clear(self) -> None:
        """Forget the cached listing."""
        self._hits.forget()

    def hits(self) -> list[Hit]:
        """Every folder and dashboard visible to the token."""
        return self._hits.get()

    def of_type(self, hit_type: str) -> dict[str, Hit]:
        """Hits of one type (``dash-db`` or ``dash-folder``) by uid."""
        return {hit.uid: hit for hit in self.hits() if hit.type == hit_type}

    def children(self, folder_uid: str) -> list[Hit]:
        """Dashboards and folders directly inside ``folder_uid``."""
        return [hit for hit in self.hits() if hit.folder_uid == folder_uid]

    def _fetch(self) -> list[Hit]:
        hits: list[Hit] = []
        seen: set[tuple[str, str]] = set()
        page = 1
        while True:
            batch = self._client.get_list("/api/search", {"limit": self._page_size, "page": page})
            for raw in batch:
                hit = Hit.from_json(raw)
                if (hit.type, hit.uid) not in seen:  # guard against items shifting between pages
                    seen.add((hit.type, hit.uid))
                    hits.append(hit)
            if len(batch) < self._page_size:
                return hits
            page += 1
