"""What the alerting handlers share: the provisioning API's base path, the ``X-Disable-Provenance`` switch,
the pure normalisation that makes desired and live alerting resources compare equal after a deploy, and the
content digest that tells an edit made outside pydis-dash from a change in code (drift).

Every dropped or rewritten field says why, as in :mod:`pydis_dash.providers.grafana.normalize`.

**Drift.** Alerting resources have no version history to ask who saved them last, so pydis-dash writes a
digest of what it deployed onto the resource itself (:data:`RULE_DIGEST_ANNOTATION` on each rule,
:data:`CONTACT_POINT_DIGEST_SETTING` in a contact point's settings), computed over the *normalised* form
without the digest. Grafana returns both as sent, and an edit in the UI keeps them, so a live resource whose
content no longer matches its own digest was changed by someone else. The normalisation drops the digest
on both sides, so it never shows up in a diff and a second deploy stays empty.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from pydis_dash.conventions.durations import DurationError, canonical_duration
from pydis_dash.providers.grafana.common import GrafanaHandler
from pydis_dash.render.plain import drop_none

BASE = "/api/v1/provisioning"
#: What Grafana returns instead of a secure contact point setting that is set.
REDACTED = "[REDACTED]"
#: Sent when the environment keeps alerting resources editable in the UI (Grafana then stores no
#: provenance); any value works, Grafana checks only that the header is present.
DISABLE_PROVENANCE_HEADER = {"X-Disable-Provenance": "true"}


def segment(value: str) -> str:
    """A path segment: group and mute timing names may hold spaces and slashes."""
    return quote(value, safe="")


class ProvisioningHandler(GrafanaHandler):
    """Base of the alerting handlers: every write to the provisioning API carries
    ``X-Disable-Provenance`` when the environment keeps alerting editable in the UI."""

    def write_headers(self) -> Mapping[str, str] | None:
        """The provenance switch (``GrafanaContext.disable_provenance``, from the configuration)."""
        return DISABLE_PROVENANCE_HEADER if self.ctx.disable_provenance else None


#: The rule annotation holding the digest of the rule as pydis-dash wrote it (annotations are free-form
#: strings Grafana stores and returns unchanged; labels would change routing and grouping).
RULE_DIGEST_ANNOTATION = "pydis-dash-digest"
#: The contact point setting holding its digest (Grafana keeps unknown settings, and the UI keeps the
#: settings it does not show when it saves an integration).
CONTACT_POINT_DIGEST_SETTING = "pydisDashDigest"


def content_digest(content: Any) -> str:
    """16 hex digits of SHA-256 over the canonical JSON of ``content``: enough to notice any edit, short
    enough not to clutter a rule's annotations (it is not a security measure)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _duration(value: Any) -> Any:
    """Durations compare by value: Grafana prints ``60s`` back as ``1m``."""
    if not isinstance(value, str):
        return value
    try:
        return canonical_duration(value)
    except DurationError:
        return value


# --- rule groups ------------------------------------------------------------------------------------

#: Rule fields the server owns: the per-instance row id, the last-update timestamp, and provenance
#: (how it was written, not what it is; the switch decides it).
_RULE_SERVER_FIELDS = ("id", "updated", "provenance")
#: Fields Grafana returns with a zero value when they were never set.
_RULE_ZERO_DEFAULTS: dict[str, Any] = {
    "isPaused": False,
    "labels": {},
    "annotations": {},
    "keep_firing_for": "0s",
    "missingSeriesEvalsToResolve": 0,
}


def normalize_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable form of one ``ProvisionedAlertRule``."""
    result: dict[str, Any] = drop_none(dict(rule))
    for key in _RULE_SERVER_FIELDS:
        result.pop(key, None)
    for key in ("for", "keep_firing_for"):
        if key in result:
            result[key] = _duration(result[key])
    annotations = result.get("annotations")
    if isinstance(annotations, Mapping) and RULE_DIGEST_ANNOTATION in annotations:
        # pydis-dash's own bookkeeping (see the module docstring), not part of what the rule is.
        result["annotations"] = {k: v for k, v in annotations.items() if k != RULE_DIGEST_ANNOTATION}
    for key, zero in _RULE_ZERO_DEFAULTS.items():
        if result.get(key) == zero:
            del result[key]
    data = result.get("data")
    if isinstance(data, list):
        result["data"] = [_normalize_query(q) for q in data]
    return result


def _normalize_query(query: Any) -> Any:
    if not isinstance(query, Mapping):
        return query
    result = dict(query)
    # Grafana always returns these two, zero-valued when unset.
    result.setdefault("queryType", "")
    result.setdefault("relativeTimeRange", {"from": 0, "to": 0})
    model = result.get("model")
    if isinstance(model, Mapping):
        # ... and fills these defaults into every stored query model, which it decodes into Go's
        # map[string]any and encodes again (AlertQuery.InitDefaults): every number comes back as Go prints
        # a float64, so a threshold sent as 5.0 is read back as 5.
        result["model"] = go_numbers({"intervalMs": 1000, "maxDataPoints": 43200, **model})
    return result


def go_numbers(value: Any) -> Any:
    """``value`` with every whole float written as an int, as Go's ``encoding/json`` prints a float64."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: go_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [go_numbers(item) for item in value]
    return value


def rule_digest(rule: Mapping[str, Any], interval: Any) -> str:
    """The digest of one rule as deployed: its normalised form and its group's interval (one ``PUT`` writes
    both, and an edit of the group's interval in the UI is an edit of its rules' evaluation). The interval
    is in seconds on both sides (rendered so, and an integer in Grafana's ``AlertRuleGroup``)."""
    return content_digest({"rule": normalize_rule(rule), "interval": interval})


def with_rule_digests(body: Mapping[str, Any]) -> dict[str, Any]:
    """The ``AlertRuleGroup`` to send: each rule annotated with its :func:`rule_digest`."""
    interval = body.get("interval")
    rules = []
    for rule in body.get("rules") or []:
        annotations = {**(rule.get("annotations") or {}), RULE_DIGEST_ANNOTATION: rule_digest(rule, interval)}
        rules.append({**rule, "annotations": annotations})
    return {**body, "rules": rules}


def stored_rule_digest(rule: Mapping[str, Any]) -> str | None:
    """The digest pydis-dash wrote onto a live rule, or None (written before digests, or by someone else)."""
    annotations = rule.get("annotations")
    value = annotations.get(RULE_DIGEST_ANNOTATION) if isinstance(annotations, Mapping) else None
    return value if isinstance(value, str) and value else None


def normalize_rule_group(body: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable form of an ``AlertRuleGroup`` (rules in evaluation order)."""
    rules = body.get("rules") or []
    return {
        "title": body.get("title") or "",
        "folderUid": body.get("folderUid") or "",
        "interval": body.get("interval"),
        "rules": [normalize_rule(rule) for rule in rules if isinstance(rule, Mapping)],
    }


# --- contact points -----------------------------------------------------------------------------------


def normalize_contact_point(body: Mapping[str, Any], secret_fields: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The comparable form of an ``EmbeddedContactPoint``.

    Secret settings are never compared: their values cannot be read back (Grafana answers
    ``[REDACTED]``) and the desired side holds only a placeholder. ``provenance`` is how it was written;
    the digest setting is pydis-dash's bookkeeping.
    """
    settings = body.get("settings")
    settings = settings if isinstance(settings, Mapping) else {}
    ignored = secret_fields | {CONTACT_POINT_DIGEST_SETTING}
    kept = {k: v for k, v in settings.items() if k not in ignored and v != REDACTED and v is not None}
    return {
        "uid": body.get("uid") or "",
        "name": body.get("name") or "",
        "type": body.get("type") or "",
        "settings": kept,
        "disableResolveMessage": bool(body.get("disableResolveMessage", False)),
    }


def shown_contact_point(body: Mapping[str, Any]) -> dict[str, Any]:
    """The state of a contact point gone from code, shown only (a ``--prune`` delete): with no
    definition to say which settings are secret, and some Grafana versions returning a webhook URL in
    clear, every setting value is hidden; the names still say what is there."""
    state = normalize_contact_point(body)
    state["settings"] = dict.fromkeys(state["settings"], "***")
    return state


def contact_point_digest(body: Mapping[str, Any], secret_fields: frozenset[str]) -> str:
    """The digest of a contact point as deployed: its compared form (so never over a secret)."""
    return content_digest(normalize_contact_point(body, secret_fields))


def stored_contact_point_digest(body: Mapping[str, Any]) -> str | None:
    """The digest pydis-dash wrote into a live contact point's settings, or None."""
    settings = body.get("settings")
    value = settings.get(CONTACT_POINT_DIGEST_SETTING) if isinstance(settings, Mapping) else None
    return value if isinstance(value, str) and value else None


# --- notification policy ------------------------------------------------------------------------------

_ROUTE_DURATIONS = ("group_wait", "group_interval", "repeat_interval")


def normalize_route(route: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable form of a policy ``Route`` tree: no provenance, no empty or false fields
    (Grafana returns ``null``/``[]``/``false`` for unset ones), durations by value."""
    result: dict[str, Any] = {}
    for key, value in route.items():
        if key == "provenance" or value is None or value == [] or value == {} or value is False:
            continue
        if key in _ROUTE_DURATIONS:
            value = _duration(value)
        elif key == "routes" and isinstance(value, list):
            value = [normalize_route(child) for child in value if isinstance(child, Mapping)]
        elif key == "object_matchers" and isinstance(value, list):
            value = [list(matcher) for matcher in value]
        result[key] = value
    return result


# --- mute timings ---------------------------------------------------------------------------------------


def normalize_mute_timing(body: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable form of a ``MuteTimeInterval``: name and intervals (``provenance``, and the ``id`` and
    ``version`` Grafana 11+ add, are server-owned)."""
    intervals = body.get("time_intervals") or []
    return {"name": body.get("name") or "", "time_intervals": drop_none(list(intervals))}
