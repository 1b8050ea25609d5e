"""import of Grafana dashboards from files: the round trip is exact except the listed upgrades."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from import_support import REPO_ROOT, built, load_json, ruff_problems, scratch_project, write_files

from pydis_dash.importing.datasources import DatasourceMapper, project_sources
from pydis_dash.importing.grafana_upgrade import upgrade_dashboard
from pydis_dash.importing.readers import ImportInput, InputKind
from pydis_dash.importing.run import ImportOptions, Outcome, import_inputs
from pydis_dash.model import Kind
from pydis_dash.pipeline import load_resources
from pydis_dash.providers.grafana.normalize import normalize_dashboard
from pydis_dash.validate.runner import ValidateOptions, validate

# Each input, and upgrade notes the import must list for it (the features it reproduces).
DASHBOARDS: dict[str, list[str]] = {
    "postgres-overview.json": ["schemaVersion 38 -> 39", "gridPos.w: 8 -> 24"],
    "grafana-com-export.json": [
        "__inputs: grafana.com export section dropped",
        "__requires: grafana.com export section dropped",
        "data source '${DS_PROMETHEUS}' -> project data source 'prometheus'",
    ],
    "legacy-rows.json": [
        "rows: 2 legacy rows turned into row panels",
        "'Responses by status': graph -> timeseries",
        "'Error ratio': singlestat -> stat",
        "'Busiest views': table-old -> table",
        "data source 'Prometheus' -> project data source 'prometheus'",
        "schemaVersion 14 -> 39",
    ],
    "api-answer-metricity.json": [],
    "repeats-variables.json": [],
    "library-panels.json": [
        "library panel 'lib-latency' written out in the dashboard",
        "library panel 'lib-errors' kept as a reference",
    ],
    "plugins-and-text.json": [],
    "collapsed-rows-site-db.json": [],
    "string-datasources-old.json": [
        "data source 'Metricity' -> project data source 'metricity'",
        "schemaVersion 26 -> 39",
    ],
    "datasource-variables.json": [
        "panels[1] 'Site up': data source variable '$ds' given its plugin 'prometheus'",
        "panels[2] 'Largest tables': data source variable '${pg}' given its plugin 'grafana-postgresql-datasource'",
        "schemaVersion 36 -> 39",
    ],
}


def _import(project: Path, name: str, **options: Any) -> Outcome:
    document = load_json(f"grafana/{name}")
    item = ImportInput(InputKind.DASHBOARD, document, name)
    [outcome] = import_inputs(project, [item], ImportOptions(**options))
    return outcome


def _expected(name: str) -> dict[str, Any]:
    """The input after Grafana's upgrades and pydis-dash's model: what the build must give back."""
    mapper = DatasourceMapper(project_sources(REPO_ROOT))
    return normalize_dashboard(upgrade_dashboard(load_json(f"grafana/{name}"), mapper).model)


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_dashboard_round_trip(tmp_path: Path, name: str) -> None:
    project = scratch_project(tmp_path)
    outcome = _import(project, name, dry_run=True)
    assert outcome.problems == []
    assert outcome.resource is not None
    for note in DASHBOARDS[name]:
        assert any(note in line for line in outcome.resource.upgrades), (note, outcome.resource.upgrades)
    write_files(project, outcome.resource.files)
    uid = outcome.resource.what.split("/", 1)[1]
    resource = built(project, Kind.GRAFANA_DASHBOARD, uid)
    assert normalize_dashboard(resource.body) == _expected(name)
    python_files = [project / path for path in outcome.resource.files if path.suffix == ".py"]
    assert ruff_problems(project, python_files) == []
    header = python_files[0].read_text()
    for line in outcome.resource.upgrades[:3]:
        assert line.split(":")[0] in header
    report = validate([resource], ValidateOptions(engines=False), context=load_resources(project))
    assert [f"{f.rule}: {f.message}" for f in report.errors] == []


def _generated(project: Path, name: str) -> dict[str, str]:
    """The files a dry-run import of ``name`` would write, by project-relative POSIX path."""
    outcome = _import(project, name, dry_run=True)
    assert outcome.resource is not None
    return {path.as_posix(): text for path, text in outcome.resource.files.items()}


def test_helpers_written_for_project_data_sources_with_long_sql_in_files(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    source = _generated(project, "api-answer-metricity.json")["dashboards/community/community_activity.py"]
    assert 'sql("metricity").stat(\n            "People posting"' in source
    assert 'folder="Community"' in source
    assert 'thresholds=[(None, "red"), (100, "yellow"), (500, "green")]' in source

    files = _generated(project, "collapsed-rows-site-db.json")
    assert 'sql="most_nominated.sql"' in files["dashboards/moderation_overview.py"]
    assert files["dashboards/most_nominated.sql"].startswith(
        "SELECT u.name, count(*) AS nominations FROM api_nomination"
    )


def test_panels_on_a_data_source_variable_are_written_with_the_query_helpers(tmp_path: Path) -> None:
    source = _generated(scratch_project(tmp_path), "datasource-variables.json")["dashboards/site_on_any_environment.py"]
    # Typed ({type, uid: "${ds}"}), a legacy string ("$ds") and a typeless reference ({uid: "${pg}"}).
    assert 'prometheus("${ds}").timeseries(\n            "Requests by status"' in source
    assert 'prometheus("$ds").stat(\n            "Site up"' in source
    assert 'sql("${pg}").table("Largest tables", sql="largest_tables.sql"' in source
    assert "raw_panel" not in source


def test_unknown_data_source_is_reported_not_guessed(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    document = load_json("grafana/string-datasources-old.json")
    document["panels"][0]["datasource"] = "InfluxDB"
    [outcome] = import_inputs(project, [ImportInput(InputKind.DASHBOARD, document, "x.json")], ImportOptions())
    assert outcome.unknown_datasources.keys() == {"InfluxDB"}
    assert any("'InfluxDB'" in problem and "--datasource InfluxDB=UID" in problem for problem in outcome.problems)
    assert outcome.written == []
    assert not (project / "dashboards").exists()


def test_explicit_mapping_resolves_an_input(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    document = load_json("grafana/grafana-com-export.json")
    document["__inputs"][0]["label"] = "Prom (production)"
    item = ImportInput(InputKind.DASHBOARD, document, "x.json")
    [unmapped] = import_inputs(project, [item], ImportOptions(dry_run=True))
    assert "${DS_PROMETHEUS}" in unmapped.unknown_datasources
    [mapped] = import_inputs(project, [item], ImportOptions(datasources={"DS_PROMETHEUS": "prometheus"}, dry_run=True))
    assert mapped.problems == []


def test_what_grafana_fills_on_load_is_filled_and_listed(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    document = load_json("grafana/plugins-and-text.json")
    mixed = document["panels"][3]
    for target in mixed["targets"]:
        del target["refId"]
    mixed["transformations"] = [{"id": "merge"}]
    [outcome] = import_inputs(project, [ImportInput(InputKind.DASHBOARD, document, "x.json")], ImportOptions())
    assert outcome.problems == []
    assert outcome.resource is not None
    [note] = [line for line in outcome.resource.upgrades if "'Graphite vs Prometheus'" in line and "filled" in line]
    assert "targets[0].refId, targets[1].refId, transformations[0].options" in note
    resource = built(project, Kind.GRAFANA_DASHBOARD, "bot-health-ui")
    panel = resource.body["panels"][3]
    assert [t["refId"] for t in panel["targets"]] == ["A", "B"]
    assert panel["transformations"] == [{"id": "merge", "options": {}}]
