"""Metabase collections: found by path, created when missing (parents first), never renamed.

Collection names are not unique, so a collection is identified by its path of names from the root
(``Moderation/Anti-spam``). An existing collection with the right path is used as it is, whoever made it.
Personal collections are never considered.

A collection pydis-dash creates carries its own ownership marker, the last line of its description
(``pydis-dash:collection``). ``--prune`` archives such a collection once no question in code uses its
path any more and nothing would be left in it: only cards pydis-dash moves out or archives in the same
deploy, and sub-collections archived with it. One holding anything else (a card or dashboard made by
hand, a copy of a managed card, a hand-made sub-collection) is kept and listed as unmanaged. A
collection made by hand, or one whose path is shared with another collection, is never archived.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import Handler, LiveResource, PlanOptions, ResourceError
from pydis_dash.providers.dryrun import DryRunBlocked
from pydis_dash.providers.metabase.client import MetabaseClient

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change
    from pydis_dash.providers.metabase.listing import CardListing

MARKER_LINE = "pydis-dash:collection"
CREATED_DESCRIPTION = f"Created by pydis-dash for the questions defined in code.\n\n{MARKER_LINE}"

# Collection item models a managed card can appear as (a question turned into a model or metric by hand
# is still the same card, and is turned back by the deploy that moves it).
_CARD_MODELS = frozenset({"card", "dataset", "metric"})


def created_by_pydis_dash(description: Any) -> bool:
    """Whether a collection's description ends with pydis-dash's collection marker line."""
    return isinstance(description, str) and description.rstrip().rsplit("\n", 1)[-1].strip() == MARKER_LINE


def collection_ref(path: str | None) -> tuple[Ref, ...]:
    """The ref of the collection at ``path``: none for the root collection or one outside the tree."""
    if path is None or path.startswith("#"):
        return ()
    return (Ref(Kind.METABASE_COLLECTION, path),)


def _parent(path: str) -> str | None:
    return path.rpartition("/")[0] or None


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
        self._descriptions: dict[int, Any] = {}
        self.created: set[str] = set()

    def forget(self) -> None:
        """Drop what was read, so the next plan reads the tree again."""
        with self._lock:
            self._ids = None
            self._paths = {}
            self._descriptions = {}
            self.created = set()

    def _load(self) -> dict[str, int]:
        with self._lock:
            if self._ids is None:
                ids: dict[str, int] = {}
                for path, collection_id, description in _walk(self.client.collection_tree(), ()):
                    self._paths[collection_id] = path
                    self._descriptions[collection_id] = description
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

    def created_by_pydis_dash(self) -> dict[str, int]:
        """Path -> id of the collections carrying pydis-dash's marker that are alone at their path."""
        self._load()
        with self._lock:
            holders: dict[str, list[int]] = {}
            for collection_id, path in self._paths.items():
                holders.setdefault(path, []).append(collection_id)
            return {
                path: ids[0]
                for path, ids in holders.items()
                if len(ids) == 1 and created_by_pydis_dash(self._descriptions.get(ids[0]))
            }

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


def _walk(nodes: Iterable[Mapping[str, Any]], parent: tuple[str, ...]) -> Iterable[tuple[str, int, Any]]:
    for node in nodes:
        # Personal collections belong to one person; the Trash (v0.50+) only holds archived items.
        if node.get("personal_owner_id") is not None or node.get("archived") or node.get("type") == "trash":
            continue
        if not isinstance(node.get("id"), int) or not isinstance(node.get("name"), str):
            continue
        path = (*parent, node["name"])
        yield "/".join(path), node["id"], node.get("description")
        yield from _walk(node.get("children") or [], path)


class CollectionHandler(Handler):
    """``metabase-collection`` resources: existence by path; created, and archived by ``--prune`` when
    pydis-dash created them and nothing would be left in them."""

    kind = Kind.METABASE_COLLECTION
    stage = 0

    def __init__(self, index: CollectionIndex, listing: CardListing) -> None:
        self.index = index
        self.listing = listing

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """The desired collections that exist, and the ones pydis-dash created that no question uses
        any more (managed when they would be left empty, else listed as kept)."""
        live: dict[str, LiveResource] = {}
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
        wanted = {resource.ref.uid for resource in desired}
        unused = {path: cid for path, cid in self.index.created_by_pydis_dash().items() if path not in wanted}
        if unused:
            emptied = _Emptied(self.index, self.listing.live_owner_ids(), unused)
            for path, collection_id in unused.items():
                name = path.rpartition("/")[2]
                empty = emptied(path)
                live[path] = LiveResource(
                    ref=Ref(self.kind, path),
                    title=name if empty else f"{name} (kept: holds items pydis-dash does not manage)",
                    state={"name": name, "parent": _parent(path)},
                    managed=empty,
                    live_id=str(collection_id),
                    container=_parent(path),
                )
        return live

    def live_dependencies(self, live: LiveResource) -> tuple[Ref, ...]:
        """The parent collection: archived only after its sub-collections."""
        return collection_ref(live.container)

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """Name and parent path: all a collection is compared on."""
        return {"name": resource.body["name"], "parent": resource.container}

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """Create the collection under its parent (created earlier in dependency order)."""
        resource = change.desired()
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
        """Archive a collection pydis-dash created (``--prune``), after checking again that it is empty:
        archiving a collection takes whatever is in it to the Trash, and something may have been put
        there since the plan."""
        live = change.live
        if live is None or not live.managed or live.live_id is None:
            raise ResourceError("refusing to archive a collection pydis-dash did not create")
        collection_id = int(live.live_id)
        if self.index.client.dry_run:
            # The cards planned to leave it were only pretended to: the check would not be meaningful.
            raise DryRunBlocked("PUT", f"/api/collection/{collection_id}")
        # The one read apply makes, on purpose: the plan saw the collection emptied by this deploy, but
        # staff may have put something in it since, and archiving would take that to the Trash too.
        remaining = self.index.client.collection_items(collection_id)
        if remaining:
            raise ResourceError(
                f"collection {change.ref.uid!r} is not empty any more "
                f"({len(remaining)} item{'' if len(remaining) == 1 else 's'}): left as it is"
            )
        self.index.client.archive_collection(collection_id)
        return f"collection {collection_id} archived"


class _Emptied:
    """Whether an unused collection pydis-dash created would be empty after the deploy: it holds only
    cards that own their key (each is moved to its question's collection or archived by the prune) and
    sub-collections that are emptied too. Reads each candidate's items once."""

    def __init__(self, index: CollectionIndex, owner_ids: set[int], candidates: Mapping[str, int]) -> None:
        self.index = index
        self.owner_ids = owner_ids
        self.candidates = candidates
        self._answers: dict[str, bool] = {}

    def __call__(self, path: str) -> bool:
        if path not in self._answers:
            self._answers[path] = all(
                self._leaves(item) for item in self.index.client.collection_items(self.candidates[path])
            )
        return self._answers[path]

    def _leaves(self, item: Mapping[str, Any]) -> bool:
        model, item_id = item.get("model"), item.get("id")
        if model in _CARD_MODELS:
            return item_id in self.owner_ids
        if model == "collection":
            child = self.index.path_of(item_id)
            return child is not None and child in self.candidates and self(child)
        return False
