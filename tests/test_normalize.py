"""Normalisation: what a Grafana round trip adds or rewrites must not show up as a change."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pydis_dash.providers.grafana.normalize import (
    duration_seconds,
    normalize_dashboard,
    normalize_datasource,
    normalize_folder,
    same_dashboard,
)
from pydis_dash.render.canonical import canonical_json
from pydis_dash.render.plain import drop_none

DESIRED: dict[str, Any] = {
    "uid": "site",
    "title": "Site",
    "tags": ["web", "pydis-dash"],
    "schemaVersion": 39,
    "refresh": "1m",
    "panels": [{"id": 1, "type": "timeseries", "title": "RPS", "datasource": {"type": "prometheus", "uid": "p"}}],
    "templating": {"list": []},
}


def test_server_owned_dashboard_fields_are_dropped() -> None:
    live = DESIRED | {"id": 42, "version": 7, "iteration": 1712345678901, "schemaVersion": 41}
    assert normalize_dashboard(live) == normalize_dashboard(DESIRED)


def test_dashboard_content_changes_survive_normalisation() -> None:
    changed = DESIRED | {"panels": [{**DESIRED["panels"][0], "title": "Requests per second"}]}
    assert normalize_dashboard(changed) != normalize_dashboard(DESIRED)
    assert normalize_dashboard(DESIRED | {"title": "Other"}) != normalize_dashboard(DESIRED)


def test_tag_order_and_duplicates_do_not_matter() -> None:
    assert normalize_dashboard(DESIRED | {"tags": ["pydis-dash", "web", "web"]}) == normalize_dashboard(DESIRED)
    assert normalize_dashboard(DESIRED | {"tags": ["web"]}) != normalize_dashboard(DESIRED)


def test_null_and_absent_fields_are_equal_at_any_depth() -> None:
    live = DESIRED | {"description": None, "panels": [{**DESIRED["panels"][0], "description": None}]}
    assert normalize_dashboard(live) == normalize_dashboard(DESIRED)


def test_refresh_below_the_minimum_compares_as_the_minimum_grafana_stores() -> None:
    assert normalize_dashboard(DESIRED | {"refresh": "1s"}) == normalize_dashboard(DESIRED | {"refresh": "5s"})
    assert normalize_dashboard(DESIRED | {"refresh": "60s"}) == normalize_dashboard(DESIRED | {"refresh": "1m"})
    assert normalize_dashboard(DESIRED | {"refresh": "10s"}) != normalize_dashboard(DESIRED | {"refresh": "5s"})
    assert normalize_dashboard(DESIRED | {"refresh": "1s"}, min_refresh="1m")["refresh"] == "1m"


def test_a_link_without_grafanas_defaults_equals_one_with_them_but_not_one_with_others() -> None:
    bare = DESIRED | {"links": [{"title": "Docs", "type": "link", "url": "https://example.org"}]}
    filled = DESIRED | {"links": [bare["links"][0] | {"asDropdown": False, "icon": "external link", "tags": [],
                                                      "includeVars": False, "keepTime": False,
                                                      "targetBlank": False, "tooltip": ""}]}  # fmt: skip
    assert normalize_dashboard(bare) == normalize_dashboard(filled)
    new_tab = DESIRED | {"links": [bare["links"][0] | {"targetBlank": True}]}
    assert normalize_dashboard(new_tab) != normalize_dashboard(bare)


def test_duration_parsing() -> None:
    assert duration_seconds("90s") == 90
    assert duration_seconds("2h") == 7200
    assert duration_seconds("soon") is None


def test_folder_keeps_identity_title_and_parent_only() -> None:
    live = {
        "id": 3, "uid": "f", "title": "F", "url": "/dashboards/f/f/f", "version": 4, "hasAcl": False,
        "canSave": True, "created": "2024-01-01T00:00:00Z", "orgId": 1, "parentUid": "", "managedBy": "",
    }  # fmt: skip
    assert normalize_folder(live) == {"uid": "f", "title": "F"}
    assert normalize_folder(live | {"parentUid": "p"}) == {"uid": "f", "title": "F", "parentUid": "p"}
    assert normalize_folder({"uid": "f", "title": "F", "description": "not returned by GET"}) == {
        "uid": "f",
        "title": "F",
    }


def test_datasource_defaults_match_what_grafana_returns_for_omitted_fields() -> None:
    desired = {"uid": "m", "name": "M", "type": "postgres", "access": "proxy", "url": "db:5432", "jsonData": {"a": 1}}
    live = desired | {
        "id": 9, "orgId": 1, "version": 3, "typeLogoUrl": "x.svg", "user": "", "database": "", "basicAuth": False,
        "basicAuthUser": "", "withCredentials": False, "isDefault": False, "readOnly": False,
        "secureJsonFields": {"password": True}, "accessControl": {"datasources:write": True},
    }  # fmt: skip
    assert normalize_datasource(live) == normalize_datasource(desired)
    assert normalize_datasource(live | {"url": "other:5432"}) != normalize_datasource(desired)


def test_datasource_state_never_holds_secrets() -> None:
    body = {"uid": "m", "name": "M", "type": "postgres", "secureJsonData": {"password": "hunter2"}}
    assert "hunter2" not in repr(normalize_datasource(body))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
)


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_dashboard_normalisation_is_idempotent(model: dict[str, Any]) -> None:
    once = normalize_dashboard(model)
    assert normalize_dashboard(once) == once


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6))
def test_normalisation_drops_none_fields_everywhere_and_leaves_the_model_as_it_was(model: dict[str, Any]) -> None:
    # The walk shares what holds no None with the model instead of copying it: same result as a copying
    # walk, no None field left, and the model itself untouched.
    before = canonical_json(model)
    normalised = normalize_dashboard(model)
    assert normalised == normalize_dashboard(drop_none(model))
    assert not _has_none_field(normalised)
    assert canonical_json(model) == before


def _has_none_field(value: Any) -> bool:
    if isinstance(value, dict):
        return any(item is None or _has_none_field(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_none_field(item) for item in value)
    return False


def test_what_grafana_rewrites_on_a_ui_save_is_not_a_difference() -> None:
    from pydis_dash.providers.grafana.normalize import normalize_dashboard

    panel = {
        "id": 1,
        "type": "timeseries",
        "fieldConfig": {"defaults": {"custom": {"scaleDistribution": {"type": "linear"}}}, "overrides": []},
    }
    saved_from_ui = {"uid": "d", "timepicker": {}, "panels": [panel]}
    built = {
        "uid": "d",
        "timepicker": {
            "hidden": False,
            "refresh_intervals": ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"],
        },
        "panels": [
            {
                **panel,
                "pluginVersion": "11.6.0",
                "links": [],
                "transformations": [],
                "fieldConfig": {
                    "defaults": {"custom": {"scaleDistribution": {"type": "linear", "log": 2}}},
                    "overrides": [],
                },
            }
        ],
    }
    assert normalize_dashboard(built) == normalize_dashboard(saved_from_ui)
    # A log scale's base, a custom time picker and a non-empty transformation still count.
    log_scale = {"type": "log", "log": 2}
    built["panels"][0]["fieldConfig"]["defaults"]["custom"]["scaleDistribution"] = log_scale
    assert normalize_dashboard(built) != normalize_dashboard(saved_from_ui)
    assert normalize_dashboard({"timepicker": {"hidden": True}}) != normalize_dashboard({"timepicker": {}})
    with_transformation = {"panels": [{**panel, "transformations": [{"id": "merge", "options": {}}]}]}
    assert normalize_dashboard(with_transformation) != normalize_dashboard({"panels": [panel]})


models = st.dictionaries(
    st.sampled_from(["id", "version", "schemaVersion", "title", "panels", "refresh", "graphTooltip"]),
    json_values,
    max_size=5,
)


@given(models, models, st.booleans())
def test_same_dashboard_only_says_so_when_the_normalised_forms_are_equal(
    live: dict[str, Any], desired: dict[str, Any], copy_desired: bool
) -> None:
    if copy_desired:  # the common case: the live copy is the desired one with server fields added
        live = {**desired, **{k: v for k, v in live.items() if k in ("id", "version", "schemaVersion")}}
    if same_dashboard(live, desired):
        assert canonical_json(normalize_dashboard(live)) == canonical_json(normalize_dashboard(desired))
    if copy_desired and _fits_64_bits(desired):  # beyond 64-bit integers it cannot tell (documented): False
        assert same_dashboard(live, desired)


def _fits_64_bits(value: Any) -> bool:
    """Whether every integer in ``value`` fits the 64 bits Grafana's JSON (and orjson) hold."""
    if isinstance(value, dict):
        return all(_fits_64_bits(item) for item in value.values())
    if isinstance(value, list):
        return all(_fits_64_bits(item) for item in value)
    return not isinstance(value, int) or isinstance(value, bool) or -(2**63) <= value < 2**64


def test_same_dashboard_tells_numbers_and_booleans_apart() -> None:
    assert same_dashboard(DESIRED | {"id": 42, "version": 7, "schemaVersion": 41}, DESIRED)
    assert not same_dashboard(DESIRED | {"graphTooltip": 1}, DESIRED | {"graphTooltip": True})
    assert not same_dashboard(DESIRED | {"graphTooltip": 1.0}, DESIRED | {"graphTooltip": 1})
    assert not same_dashboard(DESIRED | {"title": "Other"}, DESIRED)
