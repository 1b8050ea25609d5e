"""Metabase cards (saved questions): matched by the key marker, written only when they differ.

Identity lives on the card: the last line of its description is ``pydis-dash:key=<key>`` (see
:mod:`pydis_dash.conventions.metabase`). So a question renamed or moved in code still finds its card, a rerun
after a failure finds the card the failed run created, and a card without the marker is never touched,
even one with the same name in the same collection.

Drift: every write records a digest of the card as written on its marker line (see
:mod:`pydis_dash.conventions.metabase`). A managed card that differs from the code and no longer hashes to its
recorded digest was edited by someone else since pydis-dash last wrote it: ``diff`` shows it as drift with
the last editor and time from Metabase's ``last-edit-info``, and ``deploy`` leaves it alone unless
``--force``. The digest needs no extra request to tell, and does not depend on which Metabase user (API key
or login) deploys. Cards written before digests existed fall back to comparing the last editor with the
user pydis-dash deploys as.

Two live cards with the same key are resolved by keeping the oldest one. A later copy that pydis-dash's own
user created and nobody edited since (it still hashes to the digest on its marker) was left by two
deploys running at once: it is archived by the next deploy, which says so. Any other copy (someone used
"Duplicate" in the UI, which copies the description) is listed as unmanaged and left alone.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.conventions.metabase import HINTS, MARKER_PREFIX, digest_of, key_of, with_digest, without_marker
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import (
    DUPLICATE_OF,
    Adoption,
    Drift,
    Handler,
    LiveResource,
    PlanOptions,
    ResourceError,
)
from pydis_dash.providers.dryrun import DryRunBlocked
from pydis_dash.providers.metabase.client import MetabaseClient
from pydis_dash.providers.metabase.collections import CollectionIndex, collection_ref
from pydis_dash.providers.metabase.listing import CardListing
from pydis_dash.providers.metabase.metadata import MetadataCatalog
from pydis_dash.providers.metabase.normalize import card_digest, comparable_card, field_id_of, native_parts

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change

# Which card fields carry each part of the comparable state: an update sends only the parts that differ.
_PAYLOAD_FIELDS: Mapping[str, tuple[str, ...]] = {
    "name": ("name",),
    "description": ("description",),
    "display": ("display",),
    "type": ("type",),
    "visualization_settings": ("visualization_settings",),
    "collection": ("collection_id",),
    "archived": ("archived",),
    # Tags and parameters are linked by tag id: whenever either changes, both are sent.
    "database": ("dataset_query", "parameters"),
    "query": ("dataset_query", "parameters"),
    "template-tags": ("dataset_query", "parameters"),
    "parameters": ("dataset_query", "parameters"),
}


class CardHandler(Handler):
    """``metabase-question`` resources."""

    kind = Kind.METABASE_QUESTION
    stage = 1

    def __init__(
        self, client: MetabaseClient, collections: CollectionIndex, catalog: MetadataCatalog, listing: CardListing
    ) -> None:
        self.client = client
        self.collections = collections
        self.catalog = catalog
        self.listing = listing
        self._user_lock = threading.Lock()
        self._user_id: Any = None

    # -- plan ---------------------------------------------------------------------------------------

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """Managed cards by key, plus same-named unmanaged cards (listed, never touched).

        Also resolves every desired question's database and field filters, so a wrong name fails the
        plan before anything is written.
        """
        for resource in desired:
            self._resolve(resource)
        wanted = {resource.ref.uid for resource in desired}
        wanted_names = {resource.title.casefold() for resource in desired}
        cards = self.listing.cards()
        owners: dict[str, dict[str, Any]] = {}
        copies: list[dict[str, Any]] = []
        for card in sorted(cards, key=lambda c: (bool(c.get("archived")), int(c["id"]))):
            key = key_of(card.get("description"))
            if key is None:
                continue
            if key in owners:
                if not card.get("archived"):
                    copies.append(card)
            elif card.get("archived") and key not in wanted:
                continue  # already archived by a prune: nothing left to do for it
            else:
                owners[key] = card
        live = {key: self._live(key, card, managed=True) for key, card in owners.items()}
        for card in copies:
            uid = f"duplicate:{card['id']}"
            owner = owners[str(key_of(card.get("description")))]
            if self._left_by_a_concurrent_deploy(card, self._live(uid, card, managed=False)):
                live[uid] = self._live(uid, card, managed=True, duplicate_of=int(owner["id"]))
            else:
                live[uid] = self._live(uid, card, managed=False)
        for card in cards:
            unmanaged = key_of(card.get("description")) is None and not card.get("archived")
            if unmanaged and str(card.get("name", "")).casefold() in wanted_names:
                uid = f"{_UNMANAGED}{card['id']}"
                # Fields named like a managed card's: it may be adopted (``adoption``) if otherwise equal.
                live[uid] = self._live(uid, card, managed=False, name_fields=True)
        return live

    def _left_by_a_concurrent_deploy(self, card: Mapping[str, Any], live: LiveResource) -> bool:
        """Whether a later copy of a managed card is pydis-dash's own, untouched since written: created by
        the user pydis-dash deploys as, and still hashing to the digest recorded on its marker."""
        recorded = live.detail.get("digest")
        return (
            recorded is not None
            and card.get("creator_id") == self._deploying_user()
            and card_digest(live.state, _collection(live)) == recorded
        )

    def _live(
        self,
        uid: str,
        card: Mapping[str, Any],
        *,
        managed: bool,
        duplicate_of: int | None = None,
        name_fields: bool | None = None,
    ) -> LiveResource:
        collection = self.collections.path_of(card.get("collection_id"))
        database, _, _ = native_parts(card.get("dataset_query") or {})
        field_names = self.catalog.field_names(database) if (managed if name_fields is None else name_fields) else {}
        state = comparable_card(
            card,
            collection=collection,
            database_name=self.catalog.database_name,
            name_field=lambda field_id: field_names.get(field_id, f"field#{field_id}"),
        )
        return LiveResource(
            ref=Ref(self.kind, uid),
            title=str(card.get("name")),
            state=state,
            managed=managed,
            live_id=str(card["id"]),
            container=collection,
            # Some versions hydrate ``last-edit-info`` in the list too; drift reads the card otherwise.
            detail={
                "digest": digest_of(card.get("description")),
                "collection_id": card.get("collection_id"),
                "last_edit": card.get("last-edit-info"),
                DUPLICATE_OF: duplicate_of,
            },
        )

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """The comparable form of the rendered card, with the database named as Metabase spells it."""
        database = resource.body["dataset_query"]["database"]
        return comparable_card(
            resource.body,
            collection=resource.container,
            database_name=lambda _: str(self.catalog.database(database, resource)["name"]),
            name_field=str,
        )

    def adoption(
        self, resource: Resource, desired: Mapping[str, Any], live: Mapping[str, LiveResource]
    ) -> Adoption | None:
        """The oldest unmanaged card named like the question whose content equals the code's without the
        key marker (a card brought into code by ``pydis-dash import``): adopting it writes the marker line
        onto its description, nothing else. A card that differs in anything stays unmanaged."""
        wanted = _unmarked(desired)
        candidates = [
            item
            for uid, item in live.items()
            if uid.startswith(_UNMANAGED) and item.title.casefold() == resource.title.casefold()
        ]
        for item in sorted(candidates, key=lambda item: int(item.live_id or 0)):
            if _same(_unmarked(item.state), wanted):
                return Adoption(item, f"the line {MARKER_PREFIX}{resource.ref.uid} ending its description")
        return None

    def live_dependencies(self, live: LiveResource) -> tuple[Ref, ...]:
        """The collection a live card sits in: a pruned collection is archived only after its cards
        moved out or were archived."""
        return collection_ref(live.container)

    def update_reasons(self, resource: Resource, live: LiveResource | None, options: PlanOptions) -> list[str]:
        """A card equal to the code whose marker lacks the digest of that content (written by an older
        pydis-dash, or edited back to the code by hand) is updated once to record it."""
        if live is None or not live.managed:
            return []
        desired = self.desired_state(resource)
        if _same(live.state, desired) and live.detail.get("digest") != card_digest(desired, _collection(live)):
            return ["records the deployed content's digest on the marker line"]
        return []

    def drift(self, resource: Resource, live: LiveResource) -> Drift | None:
        """Drift when the live card no longer hashes to the digest pydis-dash recorded on it.

        Without a recorded digest, drift when Metabase's last editor is not the user pydis-dash deploys as.
        """
        if _same(live.state, self.desired_state(resource)):
            return None  # only the digest is (re)written: nobody's edit is lost
        recorded = live.detail.get("digest")
        if recorded is not None:
            if card_digest(live.state, _collection(live)) == recorded:
                return None
            return _drift("edited outside pydis-dash since its last deploy", self._last_edit(live))
        last_edit = self._last_edit(live)
        if last_edit is None or last_edit.get("id") in (None, self._deploying_user()):
            return None
        return _drift("last edited by someone other than pydis-dash's Metabase user", last_edit)

    def _last_edit(self, live: LiveResource) -> Mapping[str, Any] | None:
        """Metabase's ``last-edit-info`` (who saved the card last, and when): from the listing when it
        had it, else from ``GET /api/card/:id``, which has hydrated it since v0.40."""
        info = live.detail.get("last_edit")
        if not isinstance(info, Mapping) and live.live_id is not None:
            info = self.client.card(int(live.live_id)).get("last-edit-info")
        return info if isinstance(info, Mapping) else None

    def _deploying_user(self) -> Any:
        """The id of the user behind the API key or session (``GET /api/user/current``, read once)."""
        with self._user_lock:
            if self._user_id is None:
                self._user_id = self.client.current_user().get("id")
            return self._user_id

    # -- apply --------------------------------------------------------------------------------------

    def _resolve(self, resource: Resource) -> dict[str, Any]:
        """The card as Metabase accepts it: hints dropped, database and field ids filled in."""
        card = copy.deepcopy(dict(resource.body))
        card.pop(HINTS, None)
        query = card["dataset_query"]
        database_id = int(self.catalog.database(query["database"], resource)["id"])
        query["database"] = database_id
        for name, tag in query["native"]["template-tags"].items():
            if tag.get("type") == "dimension":
                column = field_id_of(tag["dimension"])
                tag["dimension"] = ["field", self.catalog.field_id(database_id, column, resource, name), None]
        return card

    def _collection_id(self, resource: Resource, method: str) -> int | None:
        try:
            return self.collections.id_of(resource.container)
        except KeyError:
            if self.client.dry_run:
                # The collection's own create was only pretended: this write would follow it.
                raise DryRunBlocked(method, f"/api/card ({resource.container})") from None
            raise ResourceError(f"collection {resource.container!r} does not exist") from None

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """``POST /api/card`` with the whole card."""
        resource = change.desired()
        card = self._resolve(resource)
        card["collection_id"] = self._collection_id(resource, "POST")
        card["description"] = with_digest(card["description"], card_digest(change.after or {}, card["collection_id"]))
        answer = self.client.create_card(card)
        return f"card {answer.get('id')}"

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """``PUT /api/card/:id`` with only the fields whose compared part differs, plus the description
        (its marker line records the digest of the card as it will be)."""
        resource, live_id = change.desired(), change.live_id
        assert live_id is not None
        before, after = change.before or {}, change.after or {}
        fields = sorted(
            {f for part, names in _PAYLOAD_FIELDS.items() if before.get(part) != after.get(part) for f in names}
            | {"description"}
        )
        card = self._resolve(resource)
        card["collection_id"] = self._collection_id(resource, "PUT")
        card["archived"] = False
        # An unchanged collection path keeps the card where it is (even if another collection has the path).
        collection_id = card["collection_id"] if "collection_id" in fields else _collection(change.live)
        card["description"] = with_digest(card["description"], card_digest(after, collection_id))
        self.client.update_card(int(live_id), {name: card[name] for name in fields})
        return f"card {live_id}: {', '.join(fields)}"

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """Archive (``--prune``): the card goes to the Trash and can be restored; never deleted."""
        if change.live is None or not change.live.managed or change.live_id is None:
            raise ResourceError("refusing to archive a card pydis-dash does not manage")
        # The digest follows the card into the Trash, so that putting the question back in code later
        # restores it without reporting our own archive as drift.
        archived = {**change.live.state, "archived": True}
        description = with_digest(str(archived["description"]), card_digest(archived, _collection(change.live)))
        self.client.update_card(int(change.live_id), {"archived": True, "description": description})
        original = change.live.detail.get(DUPLICATE_OF)
        if original is not None:
            return f"card {change.live_id} archived: a duplicate of card {original} left by two deploys at once"
        return f"card {change.live_id} archived"


def _collection(live: LiveResource | None) -> Any:
    """The collection id a live card sits in (None for the root collection)."""
    return live.detail.get("collection_id") if live else None


#: The uid prefix of an unmanaged live card listed because it is named like a desired question.
_UNMANAGED = "unmanaged:"


def _unmarked(state: Mapping[str, Any]) -> dict[str, Any]:
    """A comparable card without pydis-dash's marker line (an empty description is no description)."""
    return {**state, "description": without_marker(state.get("description")) or None}


def _same(left: Mapping[str, Any], right: Mapping[str, Any]) -> bool:
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


def _drift(reason: str, last_edit: Mapping[str, Any] | None) -> Drift:
    """A drift naming the last editor (``First Last <email>``) and time from ``last-edit-info``."""
    if last_edit is None:
        return Drift(reason)
    name = " ".join(str(last_edit[k]) for k in ("first_name", "last_name") if last_edit.get(k))
    email = last_edit.get("email")
    author = f"{name} <{email}>" if name and email else name or email or None
    if author is None and last_edit.get("id") is not None:
        author = f"user #{last_edit['id']}"
    timestamp = last_edit.get("timestamp")
    return Drift(reason, author=str(author) if author else None, when=str(timestamp) if timestamp else None)
