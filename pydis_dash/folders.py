"""Grafana folders derived from the ``folder="Site/API"`` paths dashboards and rule groups name.

A folder's uid is derived from its full path, so the same path always maps to the same folder and
two definitions naming it share it. Nested paths produce parents first. Every uid starts with
``pydis-dash-``: folders carry no tags, so the uid prefix is the ownership marker that lets ``deploy
--prune`` tell our folders from hand-made ones (see docs/grafana-deploy.md).
"""

from __future__ import annotations

import hashlib
import re

from pydis_dash.definition import MAX_UID
from pydis_dash.model import Kind, Ref, Resource, SourceLocation

OWNED_PREFIX = "pydis-dash-"
_DIGEST_LENGTH = 8


def split_path(path: str) -> list[str]:
    """``"Site / API"`` -> ``["Site", "API"]`` (blank parts dropped)."""
    return [part.strip() for part in path.split("/") if part.strip()]


def slug(text: str) -> str:
    """Lower-case letters, digits and single dashes: ``"Site p95 latency"`` -> ``"site-p95-latency"``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def bounded_uid(readable_slug: str, identity: str) -> str:
    """``pydis-dash-<readable_slug>``; over Grafana's 40 characters the slug is cut and a hash of
    ``identity`` appended, so two long names sharing a beginning stay apart."""
    uid = OWNED_PREFIX + readable_slug
    if len(uid) <= MAX_UID:
        return uid
    digest = hashlib.sha256(identity.encode()).hexdigest()[:_DIGEST_LENGTH]
    room = MAX_UID - len(OWNED_PREFIX) - len(digest) - 1
    return f"{OWNED_PREFIX}{readable_slug[:room].rstrip('-')}-{digest}"


def folder_uid(path: str) -> str:
    """Stable uid for a folder path: ``pydis-dash-`` + a slug, shortened with a hash suffix when too long."""
    parts = split_path(path)
    return bounded_uid("-".join(slug(part) for part in parts) or "folder", "/".join(parts))


def folder_path(path: str) -> str:
    """The normalised path a resource's ``container`` holds: ``"Site / API"`` -> ``"Site/API"``."""
    return "/".join(split_path(path))


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
