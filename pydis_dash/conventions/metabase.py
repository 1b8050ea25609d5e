"""The ownership marker pydis-dash writes into a card's description.

Metabase has no settable external id (metabase#70229) and its ``entity_id`` is generated server-side, so
the key that identifies a question in code is kept on the card itself, as the last line of the
description. A card is managed by pydis-dash if and only if its description carries the marker; every
other card is never modified, archived or deleted. Keeping the key on the card means no local state file
is needed and a rename or a move in code still finds the same card.

When pydis-dash writes a card, the marker line also records a digest of the card as written
(``pydis-dash:key=<key> digest=<16 hex>``): a later plan recomputes it from the live card, and a mismatch
means someone edited the card since pydis-dash last wrote it (drift), without reading any history.
"""

from __future__ import annotations

import re

#: Where the pydis-dash-only hints live in a rendered card body; the provider strips this key before sending.
HINTS = "pydis-dash"
MARKER_PREFIX = "pydis-dash:key="
DIGEST_PREFIX = "digest="

KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")
DIGEST_PATTERN = re.compile(r"[0-9a-f]{16}")


def with_marker(description: str | None, key: str, digest: str | None = None) -> str:
    """The description to send: the author's text (if any), a blank line, then the marker line
    (with the digest of the card as written, when given)."""
    marker = f"{MARKER_PREFIX}{key}" + (f" {DIGEST_PREFIX}{digest}" if digest else "")
    text = (description or "").strip()
    return f"{text}\n\n{marker}" if text else marker


def _marker_line(description: str | None) -> tuple[str, str, str] | None:
    """``(text before the marker line, key, digest-or-empty)`` of a description ending in a marker."""
    if not description:
        return None
    head, _, last_line = description.rstrip().rpartition("\n")
    last_line = last_line.strip()
    if not last_line.startswith(MARKER_PREFIX):
        return None
    key, _, rest = last_line.removeprefix(MARKER_PREFIX).partition(" ")
    if not KEY_PATTERN.fullmatch(key):
        return None
    rest = rest.strip()
    if rest and not (rest.startswith(DIGEST_PREFIX) and DIGEST_PATTERN.fullmatch(rest.removeprefix(DIGEST_PREFIX))):
        return None
    return head, key, rest.removeprefix(DIGEST_PREFIX)


def key_of(description: str | None) -> str | None:
    """The key of the marker in a live card's description, or ``None`` for an unmanaged card.

    Only the last line counts: a description that merely quotes a marker mid-text is not ours.
    """
    parts = _marker_line(description)
    return parts[1] if parts else None


def digest_of(description: str | None) -> str | None:
    """The digest recorded on the marker line, or ``None`` (no marker, or written without one)."""
    parts = _marker_line(description)
    return parts[2] or None if parts else None


def without_marker(description: str | None) -> str:
    """What the author wrote: the description without pydis-dash's marker line (``""`` for none)."""
    parts = _marker_line(description)
    return (parts[0] if parts else description or "").strip()


def with_digest(description: str, digest: str) -> str:
    """A managed card's description with ``digest`` recorded on its marker line (replacing any other)."""
    parts = _marker_line(description)
    if parts is None:
        raise ValueError("description has no pydis-dash marker line")
    head, key, _ = parts
    return with_marker(head, key, digest)


def without_digest(description: str | None) -> str | None:
    """The description with the marker line's digest removed (unchanged when there is none):
    what the author wrote plus the key, comparable with a freshly rendered description."""
    parts = _marker_line(description)
    if parts is None or not parts[2]:
        return description
    head, key, _ = parts
    return with_marker(head, key)
