"""Stable identities of alerting resources, shared by the renderer and the Grafana handlers.

* A **rule**'s uid is derived from its folder, group and title unless the author gives one; derived and
  given uids alike carry the prefix :data:`UID_PREFIX`, which is how pydis-dash recognises the rules it
  owns (rules have no free field that every Grafana version returns unchanged and that does not show
  up in notifications: labels and annotations do).
* A **rule group** is identified in Grafana by its folder and title; its pydis-dash uid is
  ``<folder uid>.<group slug>``, so ``pydis-dash build`` writes one flat file per group.
* A **contact point**'s uid is derived from its name and integration type (Grafana groups contact points of
  one name into one receiver, so a name may hold a webhook and an email), with the same prefix.
* The **notification policy** tree is one resource, :data:`POLICY_UID`; a **mute timing** is its name's slug.

Grafana limits uids to 40 characters of letters, digits, ``-`` and ``_``.
"""

from __future__ import annotations

import hashlib

# Re-exported under their long-standing names here; the rules live with the other authoring checks.
from pydis_dash.definition import MAX_UID as MAX_UID
from pydis_dash.definition import is_valid_uid as is_valid_uid
from pydis_dash.folders import OWNED_PREFIX, bounded_uid
from pydis_dash.folders import slug as slug

UID_PREFIX = OWNED_PREFIX
POLICY_UID = "notification-policy"
#: The data source uid of server-side expressions (reduce, threshold) in a rule's data.
EXPRESSION_UID = "__expr__"
#: Grafana's scheduler ticks every 10 s; a group's interval must be a positive multiple of it.
BASE_INTERVAL = 10


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:8]


def prefixed_uid(readable: str, *identity: str) -> str:
    """``pydis-dash-<readable slug>``, shortened with a hash of ``identity`` when over 40 characters.

    The hash keeps two long names that share a beginning apart.
    """
    return bounded_uid(slug(readable) or "x", "\x1f".join(identity or (readable,)))


def rule_uid(folder: str, group: str, title: str, given: str | None = None) -> str:
    """The uid of a rule: ``given`` (prefixed if it is not already) or derived from folder, group and title.

    Derived uids always end in a hash of the full identity, so the same title in two groups (or two
    folders) never collides.
    """
    if given is not None:
        return given if given.startswith(UID_PREFIX) else UID_PREFIX + given
    digest = _digest(folder, group, title)
    readable = slug(title) or "rule"
    room = MAX_UID - len(UID_PREFIX) - len(digest) - 1
    return f"{UID_PREFIX}{readable[:room].rstrip('-')}-{digest}"


def is_managed_uid(uid: str) -> bool:
    """Whether a rule or contact point uid marks it as owned by pydis-dash."""
    return uid.startswith(UID_PREFIX)


def rule_group_uid(folder_uid: str, group: str) -> str:
    """The pydis-dash uid of the rule group ``group`` in the folder ``folder_uid``."""
    return f"{folder_uid}.{slug(group) or _digest(group)}"


def contact_point_uid(name: str, integration: str) -> str:
    """The uid of the ``integration`` (``webhook``, ``email``, ``discord``) of contact point ``name``."""
    return prefixed_uid(f"{name}-{integration}", name, integration)


def mute_timing_uid(name: str) -> str:
    """The pydis-dash uid of the mute timing ``name`` (Grafana identifies mute timings by name)."""
    return slug(name) or "mute-timing"
