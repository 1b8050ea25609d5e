"""The current values of a dashboard's variables, as the preview runs its panels' queries with them.

Grafana substitutes a variable's current selection; "All" stands for every value the variable offers
(its saved options, a custom variable's list, or the result of its query through the variable's
``regex`` and ``sort``, see :mod:`.variable_options`), unless the variable has a
custom ``allValue``, which is inserted as written. :func:`resolve_variables` gives each variable that
selection (:attr:`Variable.selected`); the engines then format it as their data source does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pydis_dash.preview.variable_options import VariableRegexError, variable_options
from pydis_dash.validate.dashboard_json import template_variables
from pydis_dash.validate.engines.grafana_template import ALL
from pydis_dash.validate.queries import Query, Variable

#: Runs a variable's query on its engine: the values it offers, or why it failed.
ValuesOf = Callable[[Query], "list[str] | str"]


def current_values(variable: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The saved current selection (``("$__all",)`` for "All"); None when none is saved."""
    current = variable.get("current")
    value = current.get("value") if isinstance(current, Mapping) else None
    values = value if isinstance(value, list) else [value]
    chosen = tuple(str(v) for v in values if isinstance(v, str | int | float) and not isinstance(v, bool))
    if ALL in chosen:
        return (ALL,)
    return chosen or None


def offered_values(variable: Mapping[str, Any]) -> list[str] | None:
    """The values a variable offers without running a query: its saved options, a custom variable's
    comma-separated list; None when only its query can tell."""
    options = variable.get("options")
    saved = [
        str(o["value"]) for o in options or () if isinstance(o, Mapping) and isinstance(o.get("value"), str)
    ] if isinstance(options, list) else []  # fmt: skip
    saved = [v for v in saved if v != ALL]
    if saved:
        return saved
    query = variable.get("query")
    if variable.get("type") == "custom" and isinstance(query, str):
        # Grafana splits on commas not preceded by a backslash; ``label : value`` pairs use the value.
        items = [item.strip() for item in re.split(r"(?<!\\),", query) if item.strip()]
        return [item.partition(" : ")[2] or item for item in (i.replace("\\,", ",") for i in items)]
    return None


def resolve_variables(
    body: Mapping[str, Any], variables: Sequence[Variable], variable_queries: Mapping[str, Query], values_of: ValuesOf
) -> tuple[Variable, ...]:
    """``variables`` with their current selection, "All" expanded.

    ``variable_queries`` maps a variable's name to its query (run with ``values_of`` when "All" needs
    it). A variable whose values cannot be found keeps no selection (the engines' samples apply).
    """
    saved = {str(v.get("name")): v for _, v in template_variables(body)}
    resolved: list[Variable] = []
    for variable in variables:
        definition = saved.get(variable.name, {})
        selected = current_values(definition)
        if selected == (ALL,) and variable.all_value is None:
            selected = _every_value(definition, variable_queries.get(variable.name), values_of)
        resolved.append(replace(variable, selected=selected) if selected else variable)
    return tuple(resolved)


def _every_value(definition: Mapping[str, Any], query: Query | None, values_of: ValuesOf) -> tuple[str, ...] | None:
    offered = offered_values(definition)
    if offered is None and query is not None:
        outcome = values_of(query)
        try:
            offered = (
                variable_options(outcome, definition.get("regex"), definition.get("sort"))
                if isinstance(outcome, list)
                else None
            )
        except VariableRegexError:
            offered = None  # Grafana offers nothing either; the engines' samples apply
    return tuple(dict.fromkeys(offered)) if offered else None
