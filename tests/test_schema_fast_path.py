"""The compiled schema check never changes a finding: it answers "valid" only where jsonschema agrees.

``schema_errors`` asks ``jsonschema_rs`` first and ``jsonschema`` only for what it rejects; these tests
mutate the committed golden build's dashboards, rule groups, contact points and policy at random and
compare both libraries on every result, then check the one place their type rules differ (tuples,
non-dict mappings) is left to ``jsonschema``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validate_builders import dashboard, default_options, panel

from pydis_dash.validate import schema

GOLDEN = Path(__file__).parent / "data" / "golden" / "build"
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "auto", "row", "timeseries", "table", "dark", "none", "A", "-1", "1.0"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["id", "type", "x", "h", "mode"]), inner)
    ),
    max_leaves=6,
)


def _golden(kind: str) -> list[Any]:
    return [json.loads(path.read_text()) for path in sorted((GOLDEN / kind).glob("*.json"))]


# (instance, schema file, definition): every golden resource with a schema, and every panel's options.
CASES: list[tuple[Any, str, str]] = [
    *((body, "dashboard.jsonschema.json", "Dashboard") for body in _golden("grafana-dashboard")),
    *((body, "alerting.jsonschema.json", "RuleGroup") for body in _golden("grafana-rule-group")),
    *((body, "alerting.jsonschema.json", "ContactPoint") for body in _golden("grafana-contact-point")),
    *((body, "alerting.jsonschema.json", "NotificationPolicy") for body in _golden("grafana-notification-policy")),
    *(
        (panel["options"], f"{panel['type']}.jsonschema.json", "Options")
        for body in _golden("grafana-dashboard")
        for panel in body.get("panels", [])
        if panel.get("type") in schema.panel_plugins() and isinstance(panel.get("options"), dict)
    ),
]


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every dict and list inside ``value`` (the places a mutation can touch)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(value, dict):
        found.append(path)
        for key, item in value.items():
            found += _containers(item, (*path, key))
    elif isinstance(value, list):
        found.append(path)
        for index, item in enumerate(value):
            found += _containers(item, (*path, index))
    return found


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Any, str, str]:
    """A golden instance with a few random edits: a value replaced, a key removed or added, an item appended."""
    instance, file_name, definition = draw(st.sampled_from(CASES))
    instance = copy.deepcopy(instance)
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        container = _at(instance, draw(st.sampled_from(_containers(instance))))
        new_value = draw(JSON_VALUES)
        if isinstance(container, dict):
            keys = sorted(container)
            action = draw(st.sampled_from(["replace", "remove", "add"] if keys else ["add"]))
            if action == "add":
                container[draw(st.sampled_from(["type", "id", "mode", "unknownKey", "title"]))] = new_value
            else:
                key = draw(st.sampled_from(keys))
                if action == "remove":
                    del container[key]
                else:
                    container[key] = new_value
        elif container and draw(st.booleans()):
            container[draw(st.integers(min_value=0, max_value=len(container) - 1))] = new_value
        else:
            container.append(new_value)
    return instance, file_name, definition


def _messages(errors: list[Any]) -> list[tuple[list[str], str]]:
    return [([str(p) for p in error.absolute_path], error.message) for error in errors]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_compiled_check_agrees_with_jsonschema(case: tuple[Any, str, str]) -> None:
    instance, file_name, definition = case
    full = schema.sorted_errors(schema._validator(file_name, definition), instance)
    assert schema._fast_validator(file_name, definition).is_valid(instance) == (not full)
    assert _messages(schema.schema_errors(file_name, definition, instance)) == _messages(full)


def test_every_golden_instance_is_valid_on_both() -> None:
    for instance, file_name, definition in CASES:
        assert schema._fast_validator(file_name, definition).is_valid(instance)
        assert schema.schema_errors(file_name, definition, instance) == []


@pytest.mark.parametrize(
    "odd", [("a", "b"), MappingProxyType({"mode": "single"})], ids=["tuple for an array", "mapping for an object"]
)
def test_values_the_libraries_type_differently_go_to_jsonschema(odd: Any) -> None:
    """``jsonschema_rs`` would take a tuple for an array and any mapping for an object; ``jsonschema``
    does not, and its answer is the one reported."""
    options = copy.deepcopy(next(c[0] for c in CASES if c[1] == "timeseries.jsonschema.json"))
    key = "tooltip" if isinstance(odd, Mapping) else "legend"
    if key == "legend":
        options["legend"]["calcs"] = odd
    else:
        options["tooltip"] = odd
    errors = schema.schema_errors("timeseries.jsonschema.json", "Options", options)
    assert [error.validator for error in errors] == ["type"]


def test_a_value_typed_differently_deep_in_a_dashboard_panel_is_reported_at_its_panel() -> None:
    """The dashboard body is walked once for plain JSON: a tuple in one panel's options sends that body,
    and so its panels, to ``jsonschema``."""
    options = copy.deepcopy(default_options("timeseries"))
    options["legend"]["calcs"] = ("a", "b")
    odd = panel("Odd", options=options)
    findings = schema.check_resource(dashboard([panel("Fine"), odd]))
    assert [(f.json_path, f.panel) for f in findings] == [("/panels/1/options/legend/calcs", "Odd")]
    assert schema.check_resource(dashboard([panel("Fine"), panel("Also fine")])) == []
