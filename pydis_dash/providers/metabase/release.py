"""Which Metabase release a run talks to, and what that means for the card payloads it reads.

pydis-dash always sends the legacy (MBQL 4) native query shape, which every release accepts, and reads
cards in whatever shape the release answers (normalised in :mod:`.normalize`): legacy up to 0.56,
MBQL 5 from 0.57, ``template-tags`` as a list from 0.63. See ``docs/compatibility.md``.
"""

from __future__ import annotations

import re

from pydis_dash.providers.server_info import ServerInfo

_TAG = re.compile(r"^v?[01]\.(\d+)")


def minor_of(tag: str | None) -> int | None:
    """The release line of a version tag: ``v0.57.3`` -> 57 (``v1.57.3`` is the Enterprise build)."""
    match = _TAG.match(tag or "")
    return int(match.group(1)) if match else None


def describe(tag: str | None) -> ServerInfo:
    """The plan's line for a Metabase at ``tag``."""
    minor = minor_of(tag)
    name = f"Metabase {tag}" if tag else "Metabase (version not reported)"
    if minor is None:
        shape = "card queries read in either shape"
    elif minor >= 63:
        shape = "cards stored as MBQL 5 with template tags as a list"
    elif minor >= 57:
        shape = "cards stored as MBQL 5"
    else:
        shape = "cards stored as legacy MBQL"
    return ServerInfo(
        "metabase",
        f"{name}: {shape}; questions sent as legacy native queries",
        {"target": "metabase", "version": tag, "releaseLine": f"0.{minor}" if minor is not None else None},
    )
