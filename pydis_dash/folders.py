"""Grafana folders derived from the ``folder="Site/API"`` paths dashboards and rule groups name.

A folder's uid is derived from its full path, so the same path always maps to the same folder and
two definitions naming it share it. Nested paths produce parents first. Every uid starts with
``pydis-dash-``: folders carry no tags, so the uid prefix is the ownership marker that lets ``deploy
--prune`` tell our folders from hand-made ones (see docs/grafana-deploy.md).
"""

from __future__ import annotations

import hashlib
import re

from pydis_dash.model import Kind, Ref, Resource, SourceLocation

_MAX_UID = 40  # Grafana rejects longer uids
OWNED_PREFIX = "pydis-dash-"


def split_path(path: str) -> list[str]:
    """``"Site / API"`` -> ``["Site", "API"]`` (blank parts dropped)."""
    return [part.strip() for part in path.split("/") if part.strip()]


def folder_uid(path: str) -> str:
    """Stable uid for a folder path: ``pydis-dash-`` + a slug, shortened with a hash suffix when too long."""
    parts = split_path(path)
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts) or "folder"
    room = _MAX_UID - len(OWNED_PREFIX)
    if len(slug) > room:
        digest = hashlib.sha256("/".join(parts).encode()).hexdigest()[:8]
        slug = f"{slug[: room - 9].rstrip('-')}-{digest}"
    return OWNED_PREFIX + slug


def folder_resources(path: str, source: SourceLocation) -> list[Resource]:
    """One ``grafana-folder`` resource per level of ``path``, parents first."""
    parts = split_path(path)
    resources: list[Resource] = []
    parent: str | None = None
    for depth in range(1, len(parts) + 1):
        sub_path = "/".join(parts[:depth])
        uid = folder_uid(sub_path)
        body: dict[str, str] = {"title": parts[depth - 1], "uid": uid}
        if parent is not None:
            body["parentUid"] = parent
        resources.append(
            Resource(
                ref=Ref(Kind.GRAFANA_FOLDER, uid),
                title=parts[depth - 1],
                body=body,
                source=source,
                container="/".join(parts[: depth - 1]) or None,
                depends_on=(Ref(Kind.GRAFANA_FOLDER, parent),) if parent else (),
            )
        )
        parent = uid
    return resources
