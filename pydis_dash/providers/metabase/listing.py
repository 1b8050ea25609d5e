"""Every card on the instance, read once per plan and shared by the card and collection handlers.

The card handler matches cards to questions by their marker; the collection handler needs the same
listing to tell whether a collection pydis-dash created holds anything besides cards pydis-dash is about
to move out or archive.
"""

from __future__ import annotations

from typing import Any

from pydis_dash.conventions.metabase import key_of
from pydis_dash.providers.cache import ReadOnce
from pydis_dash.providers.metabase.client import MetabaseClient


class CardListing:
    """``GET /api/card?f=all`` and ``?f=archived``, cached until :meth:`forget`."""

    def __init__(self, client: MetabaseClient) -> None:
        self.client = client
        self._cards = ReadOnce(lambda: client.cards() + client.cards(archived=True))

    def forget(self) -> None:
        """Drop what was read, so the next plan reads the cards again."""
        self._cards.forget()

    def cards(self) -> list[dict[str, Any]]:
        """Every card the credentials can read, live ones first, then the archived ones."""
        return self._cards.get()

    def live_owner_ids(self) -> set[int]:
        """Ids of the live cards that own their key: for each key, the oldest live card carrying it.

        Later live copies (a UI "Duplicate" copies the description, marker included) own nothing and are
        never touched.
        """
        owners: dict[str, int] = {}
        for card in self.cards():
            key = key_of(card.get("description"))
            if key is not None and not card.get("archived"):
                owners[key] = min(owners.get(key, int(card["id"])), int(card["id"]))
        return set(owners.values())
