"""PD104: every defined template variable is used (warning)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydis_dash.model import Resource, json_pointer
from pydis_dash.validate.dashboard_json import iter_panels, referenced_variables, template_variables
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.lint.base import LintContext, Rule, register


@register
class VariablesUsed(Rule):
    """A variable nothing uses is a dropdown that changes nothing: it misleads viewers, and its query
    still runs on every load."""

    id = "PD104"
    rationale = "Every template variable is used by a query, title, link, data source or panel repeat."
    severity = Severity.WARNING

    def check_dashboard(self, ctx: LintContext, dashboard: Resource) -> Iterable[Finding]:
        """Each variable is referenced somewhere in the dashboard outside its own definition."""
        body = dashboard.body
        repeats = {panel.get("repeat") for _, panel in iter_panels(body)}
        # Ad hoc filters apply themselves to every query of their data source: no reference needed.
        candidates = [
            (pointer, name)
            for pointer, variable in template_variables(body)
            if isinstance(name := variable.get("name"), str) and variable.get("type") != "adhoc" and name not in repeats
        ]
        if not candidates:
            return  # nothing to look for: the walk over every string is the cost of this rule
        # Each string is read once (only those that can hold a reference: every form starts with "$" or
        # "[["); a variable's own definition (its query, options) does not count as a use.
        references = [
            (pointer, set(referenced_variables(text)))
            for pointer, text in _strings(body)
            if "$" in text or "[[" in text
        ]
        for pointer, name in candidates:
            inside = pointer + "/"
            if not any(name in names for where, names in references if not where.startswith(inside)):
                yield self.finding(dashboard, pointer, f"variable ${name} is defined but never used")


def _strings(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Every string in ``value`` (keys' values, recursively) with its JSON pointer."""
    if isinstance(value, str):
        yield pointer, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, pointer + json_pointer(str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, pointer + json_pointer(index))
