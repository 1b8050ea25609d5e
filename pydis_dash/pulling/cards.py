"""Pulling a Metabase question: the card's name, description, display, visualisation settings,
collection and SQL (inline or its ``.sql`` file), and its variables' labels, defaults, ``required``,
field and widget, written into the ``Question(...)`` call and its ``variables=[...]``.

The database, a variable added or removed, and anything else are listed with the live card to paste.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydis_dash.conventions.metabase import without_marker
from pydis_dash.plan import Change
from pydis_dash.pulling.edits import CallSite, SourceCalls
from pydis_dash.pulling.mapping import FilePull, Leftover

# Card state key -> (Question argument, its position in Question(key, name, collection, database, sql,
# description, variables, display, visualization_settings)).
_ARGUMENTS: Mapping[str, tuple[str, int]] = {
    "name": ("name", 1),
    "collection": ("collection", 2),
    "query": ("sql", 4),
    "description": ("description", 5),
    "display": ("display", 7),
    "visualization_settings": ("visualization_settings", 8),
}
# Template tag key -> Variable argument (``label`` is the second positional argument of every variable).
_TAG_ARGUMENTS: Mapping[str, tuple[str, int | None]] = {
    "display-name": ("label", 1),
    "required": ("required", None),
    "default": ("default", None),
    "dimension": ("field", None),
    "widget-type": ("widget_type", None),
}


def pull_card(change: Change, calls: SourceCalls, pull: FilePull) -> None:
    """Map the differences between the desired (``after``) and live (``before``) card onto the code."""
    desired, live = change.after or {}, change.before or {}
    line = change.desired().source.line
    site = calls.call_site(line) if line is not None else None
    if site is None:
        pull.unmapped.append(("the card (no Question(...) call found at its line)", live))
        return
    left = Leftover(desired, live)
    # A variable added or removed changes the SQL and the variables together: neither is written alone.
    same_variables = set(desired.get("template-tags") or {}) == set(live.get("template-tags") or {})
    for key, (name, index) in _ARGUMENTS.items():
        if desired.get(key) == live.get(key) or (key == "query" and not same_variables):
            continue
        value = live.get(key)
        if key == "description":
            value = without_marker(value) or None
        if pull.set_argument(site, name, index, value, query=key == "query"):
            left.mapped([key])
    if _variables(calls, site, pull, desired.get("template-tags") or {}, live.get("template-tags") or {}, left):
        left.mapped(["parameters"])  # derived from the variables: the rebuild checks them
    if not left.complete:
        pull.unmapped.append((f"card {live.get('name')!r}", live))


def _variables(
    calls: SourceCalls,
    site: CallSite,
    pull: FilePull,
    desired: Mapping[str, Any],
    live: Mapping[str, Any],
    left: Leftover,
) -> bool:
    """Map the changed template tags onto the variables' calls; True when every change was mapped."""
    if set(desired) != set(live):
        return False
    variables = _variable_sites(calls, site)
    complete = True
    for tag_name, want in desired.items():
        have = live[tag_name]
        variable = variables.get(tag_name)
        for key in sorted(set(want) | set(have)):
            if want.get(key) == have.get(key):
                continue
            argument = _TAG_ARGUMENTS.get(key)
            if variable is not None and argument and pull.set_argument(variable, *argument, have.get(key)):
                left.mapped(["template-tags", tag_name, key])
            else:
                complete = False
    return complete


def _variable_sites(calls: SourceCalls, site: CallSite) -> dict[str, CallSite]:
    """The calls in the question's ``variables=[...]``, by variable name."""
    found = {}
    for position in site.elements("variables", 6) or []:
        variable = calls.call_site(*position) if position else None
        name = variable.value("name", 0) if variable else None
        if variable is not None and isinstance(name, str):
            found[name] = variable
    return found
