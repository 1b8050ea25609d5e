"""Metabase collections: found by path, created when missing (parents first), never renamed or removed.

Collections carry no ownership marker and their names are not unique, so a collection is identified by
its path of names from the root (``Moderation/Anti-spam``). An existing collection with the right path is
used as it is, whoever made it; pydis-dash only ever creates collections, so it can never rename, move
or archive one that staff made by hand. Personal collections are never considered.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.model import Kind, Resource
from pydis_dash.providers.base import Handler, LiveResource, PlanOptions, ResourceError
from pydis_dash.providers.dryrun import DryRunBlocked
from pydis_dash.providers.metabase.client import MetabaseClient

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change

CREATED_DESCRIPTION = "Created by pydis-dash for the questions defined in code."


class CollectionIndex:
    """Collection path <-> id for the live instance, read once and extended as collections are created.

    When two collections share a path (names are not unique), the oldest (lowest id) is used, so every
    run picks the same one.
    """

    def __init__(self, client: MetabaseClient) -> None:
        self.client = client
        self._lock = threading.Lock()
        self._ids: dict[str, int] | None = None
        self._paths: dict[int, str] = {}
        self.created: set[str] = set()

    def forget(self) -> None:
        """Drop what was read, so the next plan reads the tree again."""
        with self._lock:
            self._ids = None
            self._paths = {}
            self.created = set()

    def _load(self) -> dict[str, int]:
        with self._lock:
            if self._ids is None:
                ids: dict[str, int] = {}
                for path, collection_id in _walk(self.client.collection_tree(), ()):
                    self._paths[collection_id] = path
                    if path not in ids or collection_id < ids[path]:
                        ids[path] = collection_id
                self._ids = ids
            return self._ids

    def id_of(self, path: str | None) -> int | None:
        """The id of the collection at ``path`` (None for the root collection); KeyError if missing."""
        if path is None:
            return None
        return self._load()[path]

    def exists(self, path: str) -> bool:
        """Whether a collection with this path exists (or was created in this run)."""
        return path in self._load()

    def path_of(self, collection_id: Any) -> str | None:
        """The path of a live collection id (None for the root); ``#<id>`` for one not in the tree
        (a personal collection, or one archived)."""
        self._load()
        if collection_id is None:
            return None
        return self._paths.get(collection_id, f"#{collection_id}")

    def ensure(self, path: str, create: Any) -> tuple[int, bool]:
        """The id at ``path``, calling ``create()`` -> id only if it does not exist yet.

        Guarded by a lock, so that a plan listing the same collection twice still creates it once.
        """
        ids = self._load()
        with self._lock:
            if path in ids:
                return ids[path], False
            collection_id = int(create())
            ids[path] = collection_id
            self._paths[collection_id] = path
            self.created.add(path)
            return collection_id, True


def _walk(nodes: Iterable[Mapping[str, Any]], parent: tuple[str, ...]) -> Iterable[tuple[str, int]]:
    for node in nodes:
        # Personal collections belong to one person; the Trash (v0.50+) only holds archived items.
        if node.get("personal_owner_id") is not None or node.get("archived") or node.get("type") == "trash":
            continue
        if not isinstance(node.get("id"), int) or not isinstance(node.get("name"), str):
            continue
        path = (*parent, node["name"])
        yield "/".join(path), node["id"]
        yield from _walk(node.get("children") or [], path)


class CollectionHandler(Handler):
    """``metabase-collection`` resources: existence by path; only ever created."""

    kind = Kind.METABASE_COLLECTION
    stage = 0

    def __init__(self, index: CollectionIndex) -> None:
        self.index = index

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """The desired collections that exist. Others are not listed: pydis-dash never removes one."""
        live = {}
        for resource in desired:
            if self.index.exists(resource.ref.uid):
                live[resource.ref.uid] = LiveResource(
                    ref=resource.ref,
                    title=resource.title,
                    state=self.desired_state(resource),
                    # Found by path: staff may have made it; it is used, never modified.
                    managed=False,
                    live_id=str(self.index.id_of(resource.ref.uid)),
                    container=resource.container,
                )
        return live

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """Name and parent path: all a collection is compared on."""
        return {"name": resource.body["name"], "parent": resource.container}

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """Create the collection under its parent (created earlier in dependency order)."""
        resource = change.resource
        assert resource is not None
        parent = resource.container
        if parent is not None and not self.index.exists(parent):
            if self.index.client.dry_run:
                # The parent's create was only pretended: this one would follow it.
                raise DryRunBlocked("POST", f"/api/collection ({resource.ref.uid})")
            raise ResourceError(f"parent collection {parent!r} does not exist")
        parent_id = self.index.id_of(parent)

        def create() -> int:
            answer = self.index.client.create_collection(resource.body["name"], parent_id, CREATED_DESCRIPTION)
            return int(answer["id"])

        collection_id, created = self.index.ensure(resource.ref.uid, create)
        return f"collection {collection_id}" if created else f"collection {collection_id} (already created)"

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """Never planned: a collection found by path always equals the desired one."""
        raise ResourceError("collections are never updated by pydis-dash")

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """Never planned: pydis-dash does not remove collections."""
        raise ResourceError("collections are never removed by pydis-dash")
