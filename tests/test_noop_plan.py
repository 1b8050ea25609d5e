"""A plan of dashboards already deployed: each one that is the code's as deployed is unchanged without
its live copy being normalised or compared (its state is the desired state itself); anything else is
compared as before, so an edit, even one only of a number's type, is never missed."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from emulators.grafana import GrafanaEmulator

from pydis_dash.apply import ApplyContext, apply_plan
from pydis_dash.deferred import DeferredState, plain_mapping
from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.plan import Action, Change, Plan, build_plan
from pydis_dash.plan_json import format_json
from pydis_dash.plan_text import format_text
from pydis_dash.providers.grafana import dashboards, ownership
from pydis_dash.providers.grafana.client import GrafanaClient
from pydis_dash.providers.grafana.normalize import normalize_dashboard
from pydis_dash.providers.grafana.provider import GrafanaProvider
from pydis_dash.render.canonical import canonical_json

TOKEN = "noop-plan-token"
SRC = SourceLocation(Path("dashboards.py"), 1)


def dashboard(uid: str) -> Resource:
    body = {
        "uid": uid,
        "title": f"Dashboard {uid}",
        "schemaVersion": 39,
        "tags": ["noop"],
        "panels": [
            {"id": 1, "type": "stat", "title": "Up", "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
             "fieldConfig": {"defaults": {"thresholds": {"mode": "absolute", "steps": [
                 {"color": "green", "value": None}, {"color": "red", "value": 80}]}}, "overrides": []}},
        ],
    }  # fmt: skip
    return Resource(Ref(Kind.GRAFANA_DASHBOARD, uid), body["title"], body, SRC)  # type: ignore[arg-type]


@pytest.fixture
def grafana() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator({TOKEN: "sa-pydis-dash"}) as emulator:
        yield emulator  # type: ignore[misc]


def plan(grafana: GrafanaEmulator, resources: list[Resource]) -> tuple[Plan, GrafanaProvider]:
    provider = GrafanaProvider(GrafanaClient(grafana.url, TOKEN, environment="test", retries=0))
    return build_plan("test", [provider], resources), provider


def by_uid(planned: Plan) -> dict[str, Change]:
    return {change.ref.uid: change for change in planned.changes}


def deployed(grafana: GrafanaEmulator, resources: list[Resource]) -> None:
    first, provider = plan(grafana, resources)
    assert apply_plan(first, [provider], ApplyContext("pydis-dash abc123")).ok


def edit_live(grafana: GrafanaEmulator, uid: str, **changes: Any) -> None:
    grafana.save_in_ui(uid, **changes)


def test_dashboards_as_deployed_are_unchanged_through_the_desired_state_itself(grafana: GrafanaEmulator) -> None:
    resources = [dashboard("a"), dashboard("b")]
    deployed(grafana, resources)
    again, _ = plan(grafana, resources)
    assert [c.action for c in again.changes] == [Action.UNCHANGED, Action.UNCHANGED]
    for change in again.changes:
        assert change.before is change.after  # the live copy was neither normalised nor compared
        assert change.live is not None and change.live.managed and change.live.version == 1


def test_a_live_copy_differing_only_in_what_normalisation_drops_is_unchanged_the_long_way(
    grafana: GrafanaEmulator,
) -> None:
    resources = [dashboard("a")]
    deployed(grafana, resources)
    panels = [dict(dashboard("a").body["panels"][0], pluginVersion="11.6.0")]  # a UI save adds it
    edit_live(grafana, "a", panels=panels)
    (change,) = plan(grafana, resources)[0].changes
    assert change.action == Action.UNCHANGED and change.before is not change.after


@pytest.mark.parametrize(
    ("field", "live_value"),
    [("title", "Edited in the UI"), ("refresh", "1m")],
)
def test_an_edit_in_the_ui_is_still_an_update(grafana: GrafanaEmulator, field: str, live_value: Any) -> None:
    resources = [dashboard("a"), dashboard("b")]
    deployed(grafana, resources)
    edit_live(grafana, "a", **{field: live_value})
    changes = by_uid(plan(grafana, resources)[0])
    assert changes["a"].action == Action.UPDATE and changes["a"].drift is not None
    assert changes["b"].action == Action.UNCHANGED and changes["b"].before is changes["b"].after


def test_a_number_whose_type_changed_is_an_update_though_python_calls_them_equal(grafana: GrafanaEmulator) -> None:
    resources = [dashboard("a")]
    deployed(grafana, resources)
    panel = dashboard("a").body["panels"][0]
    edited = dict(panel, gridPos={"h": 4.0, "w": 6, "x": 0, "y": 0})
    assert edited == panel  # 4 == 4.0 in Python, yet the JSON differs: "h": 4.0
    edit_live(grafana, "a", panels=[edited])
    (change,) = plan(grafana, resources)[0].changes
    assert change.action == Action.UPDATE


def test_a_no_op_plan_normalises_no_desired_dashboard_until_it_is_shown_in_full(
    grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No normalisation beyond what changed: the unchanged dashboards' desired states are worked out
    only when the plan is shown in full (JSON, a saved plan), and then they are what they always were."""
    resources = [dashboard("a"), dashboard("b")]
    deployed(grafana, resources)
    normalised: list[str] = []

    def counting(model: Mapping[str, Any], **options: Any) -> dict[str, Any]:
        normalised.append(str(model.get("uid")))
        return normalize_dashboard(model, **options)

    monkeypatch.setattr(dashboards, "normalize_dashboard", counting)
    again, _ = plan(grafana, resources)
    assert [c.action for c in again.changes] == [Action.UNCHANGED, Action.UNCHANGED]
    assert "= 2 unchanged" in format_text(again) and normalised == []
    document = json.loads(format_json(again))
    assert sorted(normalised) == ["a", "b"]
    for change, resource in zip(document["changes"], resources, strict=True):
        expected = {"folderUid": "", "dashboard": normalize_dashboard(ownership.with_dashboard_marker(resource.body))}
        assert change["before"] == change["after"] == json.loads(canonical_json(expected))


def test_a_deferred_state_reads_and_encodes_as_the_mapping_it_holds() -> None:
    computed: list[int] = []
    state = DeferredState(lambda: computed.append(1) or {"b": [1, 2.5], "a": {"x": None}})
    assert not state.is_resolved and computed == []
    assert canonical_json(state) == canonical_json({"a": {"x": None}, "b": [1, 2.5]})
    assert state == {"a": {"x": None}, "b": [1, 2.5]} and dict(state)["a"] == {"x": None} and len(state) == 2
    assert json.dumps({"s": state}, default=plain_mapping) == '{"s": {"b": [1, 2.5], "a": {"x": null}}}'
    assert computed == [1]  # worked out once
    with pytest.raises(TypeError):
        plain_mapping(object())
