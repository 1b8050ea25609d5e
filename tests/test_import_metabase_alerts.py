"""import of Metabase cards (legacy, MBQL 5, field filters) and alert rule groups: exact round trips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from import_support import IMPORT_DATA, load_json, ruff_problems, scratch_project, write_files

from pydis_dash.importing.readers import read_input
from pydis_dash.importing.run import ImportOptions, Outcome, import_inputs
from pydis_dash.model import Kind, Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.providers.grafana.alerting import normalize_rule_group
from pydis_dash.providers.metabase.normalize import comparable_card
from pydis_dash.validate.runner import ValidateOptions, validate

CARD_OPTIONS = ImportOptions(datasources={"2": "metricity"}, fields={"42": "channels.name"}, dry_run=True)
# card file -> (key, collection, field id -> name as the comparison names it)
CARDS = {
    "legacy-native-card.json": ("messages-by-a-user", "Moderation"),
    "mbql5-card.json": ("top-posters", None),
    "field-filter-card.json": ("channel-messages", "Community"),
}


def _import(project: Path, relative: str, options: ImportOptions) -> list[Outcome]:
    return import_inputs(project, [read_input(IMPORT_DATA / relative)], options)


def _built(project: Path, files: dict[Path, str], kind: Kind) -> tuple[Resource, list[Resource]]:
    write_files(project, files)
    everything = load_resources(project)
    [resource] = [r for r in everything if r.kind == kind]
    python_files = [project / path for path in files if path.suffix == ".py"]
    assert ruff_problems(project, python_files) == []
    report = validate([resource], ValidateOptions(engines=False), context=everything)
    assert [f"{f.rule}: {f.message}" for f in report.errors] == []
    return resource, everything


def _card_state(card: Any, collection: str | None, fields: dict[Any, str]) -> dict[str, Any]:
    state = comparable_card(
        card, collection=collection, database_name=lambda _: "Metricity", name_field=lambda f: fields.get(f, str(f))
    )
    # The listed upgrades: the ownership marker line, the stored (trimmed) SQL.
    state["description"] = (state["description"] or "").split("pydis-dash:key=")[0].strip() or None
    state["query"] = state["query"].strip()
    return state


@pytest.mark.parametrize("name", sorted(CARDS))
def test_card_round_trip(tmp_path: Path, name: str) -> None:
    project = scratch_project(tmp_path)
    [outcome] = _import(project, f"metabase/{name}", CARD_OPTIONS)
    assert outcome.problems == []
    assert outcome.resource is not None
    key, collection = CARDS[name]
    assert outcome.resource.what == f"metabase-question/{key}"
    question, _ = _built(project, outcome.resource.files, Kind.METABASE_QUESTION)
    assert question.container == collection
    card = load_json(f"metabase/{name}")
    assert _card_state(question.body, question.container, {}) == _card_state(card, collection, {42: "channels.name"})


def test_field_filter_and_mbql5_tags_become_variables(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    [outcome] = _import(project, "metabase/field-filter-card.json", CARD_OPTIONS)
    assert outcome.resource is not None
    source = outcome.resource.files[Path("dashboards/metabase/community/channel_messages.py")]
    assert 'FieldFilter(\n            "channel",' in source or 'FieldFilter("channel"' in source
    assert 'field="channels.name"' in source
    assert 'widget_type="string/="' in source
    assert 'description="Pick a channel by name."' in source


def test_unknown_field_and_database_are_reported(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    [outcome] = _import(project, "metabase/field-filter-card.json", ImportOptions(datasources={"2": "metricity"}))
    assert outcome.problems == [
        "field-filter-card.json: field filter 'channel': unknown field id: pass --field 42=table.column"
    ]
    [outcome] = _import(project, "metabase/mbql5-card.json", ImportOptions())
    assert outcome.problems == ["mbql5-card.json: names no project data source: pass --datasource 2=UID"]


@pytest.mark.parametrize(
    ("name", "folder"), [("alerts/provisioning-site.yaml", None), ("alerts/api-metricity-group.json", "Community")]
)
def test_rule_group_round_trip(tmp_path: Path, name: str, folder: str | None) -> None:
    project = scratch_project(tmp_path)
    [outcome] = _import(project, name, ImportOptions(folder=folder, dry_run=True))
    assert outcome.problems == []
    assert outcome.resource is not None
    assert any("rule uids become pydis-dash's" in line for line in outcome.resource.upgrades)
    group, _ = _built(project, outcome.resource.files, Kind.GRAFANA_RULE_GROUP)
    raw = (IMPORT_DATA / name).read_text()
    document = yaml.safe_load(raw)
    source = document["groups"][0] if "groups" in document else document
    for rule in source["rules"]:
        for query in rule["data"]:
            if query["datasourceUid"] != "__expr__" and "datasource" not in query["model"]:
                # The listed upgrade: the query model names its data source.
                query["model"]["datasource"] = {"type": "prometheus", "uid": query["datasourceUid"]}
                assert any(f"query {query['refId']} gains its data source" in n for n in outcome.resource.upgrades)
    expected = normalize_rule_group(
        {
            **group.body,
            "rules": [
                {**rule, **{k: mine[k] for k in ("uid", "folderUID", "ruleGroup", "orgID")}}
                for rule, mine in zip(source["rules"], group.body["rules"], strict=True)
            ],
        }
    )
    assert normalize_rule_group(group.body) == expected
    assert group.body["interval"] == (60 if folder is None else 300)
