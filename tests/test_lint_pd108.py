"""PD108: units are known Grafana units."""

from __future__ import annotations

import pytest
from validate_builders import dashboard, lint_findings, panel, panel_line

from pydis_dash.validate.lint.pd108_known_unit import is_known_unit


def test_unknown_unit_with_suggestion() -> None:
    board = dashboard([panel("Latency", unit="percnt")])

    [finding] = lint_findings("PD108", board)

    assert finding.json_path == "/panels/0/fieldConfig/defaults/unit"
    assert finding.panel == "Latency"
    assert str(finding.location) == f"dashboards/test.py:{panel_line(0)}"
    assert finding.message == "unknown unit 'percnt'; did you mean 'percent'? write suffix:percnt for a free-text unit"


def test_no_far_fetched_suggestion() -> None:
    [finding] = lint_findings("PD108", dashboard([panel("Latency", unit="secs")]))
    assert finding.message == "unknown unit 'secs'; write suffix:secs for a free-text unit"


def test_unit_overrides_are_checked() -> None:
    overrides = [{"matcher": {"id": "byName", "options": "p95"}, "properties": [{"id": "unit", "value": "milisecond"}]}]
    board = dashboard([panel("Latency", unit="ms", fieldConfig={"defaults": {"unit": "ms"}, "overrides": overrides})])

    [finding] = lint_findings("PD108", board)

    assert finding.json_path == "/panels/0/fieldConfig/overrides/0/properties/0/value"
    assert finding.message.startswith("unknown unit 'milisecond'")


@pytest.mark.parametrize(
    "unit",
    [
        "short",
        "percentunit",
        "reqps",
        "dtdurations",
        "µs",
        "farenheit",
        "suffix:req",
        "prefix:£",
        "si:mB",
        "count:msg",
        "currency:EUR",
        "time:YYYY-MM-DD",
        "bool:yes/no",
    ],
)
def test_known_and_custom_units(unit: str) -> None:
    assert is_known_unit(unit)


@pytest.mark.parametrize("unit", ["suffix:", "seconds", "Percent"])
def test_unknown_units(unit: str) -> None:
    assert not is_known_unit(unit)
