"""Metabase cards (saved questions): matched by the key marker, written only when they differ.

Identity lives on the card: the last line of its description is ``pydis-dash:key=<key>`` (see
:mod:`pydis_dash.metabase.marker`). So a question renamed or moved in code still finds its card, a rerun
after a failure finds the card the failed run created, and a card without the marker is never touched,
even one with the same name in the same collection.

Two live cards with the same key (someone used "Duplicate" in the UI, which copies the description) are
resolved by keeping the oldest one; the copies are listed as unmanaged and left alone.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.metabase.marker import key_of
from pydis_dash.metabase.question import HINTS
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import Handler, LiveResource, PlanOptions, ResourceError
from pydis_dash.providers.dryrun import DryRunBlocked
from pydis_dash.providers.metabase.client import MetabaseClient
from pydis_dash.providers.metabase.collections import CollectionIndex
from pydis_dash.providers.metabase.metadata import MetadataCatalog
from pydis_dash.providers.metabase.normalize import comparable_card, field_id_of, native_parts

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

    def __init__(self, client: MetabaseClient, collections: CollectionIndex, catalog: MetadataCatalog) -> None:
        self.client = client
        self.collections = collections
        self.catalog = catalog

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
        cards = self.client.cards() + self.client.cards(archived=True)
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
            live[f"duplicate:{card['id']}"] = self._live(f"duplicate:{card['id']}", card, managed=False)
        for card in cards:
            unmanaged = key_of(card.get("description")) is None and not card.get("archived")
            if unmanaged and str(card.get("name", "")).casefold() in wanted_names:
                uid = f"unmanaged:{card['id']}"
                live[uid] = self._live(uid, card, managed=False)
        return live

    def _live(self, uid: str, card: Mapping[str, Any], *, managed: bool) -> LiveResource:
        collection = self.collections.path_of(card.get("collection_id"))
        database, _, _ = native_parts(card.get("dataset_query") or {})
        field_names = self.catalog.field_names(database) if managed else {}
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
        resource = change.resource
        assert resource is not None
        card = self._resolve(resource)
        card["collection_id"] = self._collection_id(resource, "POST")
        answer = self.client.create_card(card)
        return f"card {answer.get('id')}"

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """``PUT /api/card/:id`` with only the fields whose compared part differs."""
        resource, live_id = change.resource, change.live_id
        assert resource is not None and live_id is not None
        before, after = change.before or {}, change.after or {}
        fields = sorted(
            {f for part, names in _PAYLOAD_FIELDS.items() if before.get(part) != after.get(part) for f in names}
        )
        if not fields:
            return "nothing to send"
        card = self._resolve(resource)
        card["collection_id"] = self._collection_id(resource, "PUT")
        card["archived"] = False
        self.client.update_card(int(live_id), {name: card[name] for name in fields})
        return f"card {live_id}: {', '.join(fields)}"

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """Archive (``--prune``): the card goes to the Trash and can be restored; never deleted."""
        if change.live is None or not change.live.managed or change.live_id is None:
            raise ResourceError("refusing to archive a card pydis-dash does not manage")
        self.client.update_card(int(change.live_id), {"archived": True})
        return f"card {change.live_id} archived"
