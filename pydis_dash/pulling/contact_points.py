"""Pulling a Grafana contact point: its settings and ``disableResolveMessage``, written into the
``ContactPoint(...)`` call (``settings={...}``) or the keywords of the helper that made it
(``discord_contact_point(title=...)``, ``webhook_contact_point(http_method=...)``...).

Secret settings are never compared (Grafana does not return them), so never written; a renamed contact
point (its uid follows the name) and a setting the helper has no keyword for are listed.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from pydis_dash import alerts
from pydis_dash.plan import Change
from pydis_dash.pulling.edits import CallSite, SourceCalls
from pydis_dash.pulling.mapping import FilePull, Leftover

# Email addresses are one ``;``-separated setting in Grafana and a list in ``email_contact_point``.
_LISTS = {"addresses": ";"}


def pull_contact_point(change: Change, calls: SourceCalls, pull: FilePull) -> None:
    """Map the differences between the desired (``after``) and live (``before``) contact point onto the code."""
    desired, live = change.after or {}, change.before or {}
    line = change.desired().source.line
    site = calls.call_site(line) if line is not None else None
    left = Leftover(desired, live)
    if site is not None:
        if desired.get("disableResolveMessage") != live.get("disableResolveMessage"):
            value = bool(live.get("disableResolveMessage"))
            if pull.set_argument(site, "disable_resolve_message", 4, value):
                left.mapped(["disableResolveMessage"])
        _settings(site, pull, desired.get("settings") or {}, live.get("settings") or {}, left)
    if not left.complete:
        pull.unmapped.append((f"contact point {live.get('name')!r}", live))


def _settings(site: CallSite, pull: FilePull, want: dict[str, Any], have: dict[str, Any], left: Leftover) -> None:
    if want == have:
        return
    if site.function.rsplit(".", 1)[-1] == "ContactPoint":
        if pull.set_argument(site, "settings", 2, have):
            left.mapped(["settings"])
        return
    accepted = _keywords(site.function)
    for key in sorted(set(want) | set(have)):
        if want.get(key) == have.get(key):
            continue
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()  # httpMethod -> http_method
        value = have.get(key)
        if key in _LISTS and isinstance(value, str):
            value = value.split(_LISTS[key])
        if name in accepted and pull.set_argument(site, name, None, value):
            left.mapped(["settings", key])


def _keywords(function: str) -> frozenset[str]:
    """The keyword arguments of the contact point helper ``function`` names (none if it is not one)."""
    helper = getattr(alerts, function.rsplit(".", 1)[-1], None)
    if not callable(helper) or not function.endswith("_contact_point"):
        return frozenset()
    return frozenset(inspect.signature(helper).parameters)
