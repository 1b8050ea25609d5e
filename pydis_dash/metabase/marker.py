"""The ownership marker pydis-dash writes into a card's description.

Metabase has no settable external id (metabase#70229) and its ``entity_id`` is generated server-side, so
the key that identifies a question in code is kept on the card itself, as the last line of the
description. A card is managed by pydis-dash if and only if its description carries the marker; every
other card is never modified, archived or deleted. Keeping the key on the card means no local state file
is needed and a rename or a move in code still finds the same card.
"""

from __future__ import annotations

import re

MARKER_PREFIX = "pydis-dash:key="

KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def with_marker(description: str | None, key: str) -> str:
    """The description to send: the author's text (if any), a blank line, then the marker line."""
    marker = f"{MARKER_PREFIX}{key}"
    text = (description or "").strip()
    return f"{text}\n\n{marker}" if text else marker


def key_of(description: str | None) -> str | None:
    """The key of the marker in a live card's description, or ``None`` for an unmanaged card.

    Only the last line counts: a description that merely quotes a marker mid-text is not ours.
    """
    if not description:
        return None
    last_line = description.rstrip().rsplit("\n", 1)[-1].strip()
    if not last_line.startswith(MARKER_PREFIX):
        return None
    key = last_line.removeprefix(MARKER_PREFIX)
    return key if KEY_PATTERN.fullmatch(key) else None
