"""Authoring helpers and the escape hatches: raw grafanalib objects, explicit gridPos, extra JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from pydis_dash.cli import main
from pydis_dash.model import Kind
from pydis_dash.pipeline import load_resources

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO_ROOT / "pydis_dash/schemas/grafana/dashboard.jsonschema.json").read_text())
MakeProject = Callable[[dict[str, str]], Path]

RAW = """
import grafanalib.core as G
from pydis_dash.grafana import Dashboard, Row, prometheus

legacy_graph = G.TimeSeries(title="Legacy", dataSource="Prometheus", targets=[G.Target(expr="up", refId="A")], span=6)

dashboard = Dashboard(
    uid="mixed",
    title="Mixed",
    folder="Site and API/Internals",
    rows=[
        Row("Top", [
            prometheus.stat("Pinned", "up", grid_pos=(18, 0, 6, 4)),
            legacy_graph,
            prometheus.timeseries("Auto", "up", extra={"description": "from extra"}),
        ]),
        Row("Hidden", [prometheus.table("In a collapsed row", "up")], collapsed=True),
    ],
)
"""


def test_raw_grafanalib_panels_are_upgraded_and_laid_out(make_project: MakeProject) -> None:
    project = make_project({"dashboards/mixed.py": RAW})
    resources = {r.ref.uid: r for r in load_resources(project)}
    dashboard = resources["mixed"].body
    assert list(jsonschema.Draft7Validator(SCHEMA).iter_errors(dashboard)) == []
    panels = {p["title"]: p for p in dashboard["panels"]}
    assert panels["Pinned"]["gridPos"] == {"x": 18, "y": 1, "w": 6, "h": 4}
    assert panels["Legacy"]["gridPos"] == {"x": 0, "y": 1, "w": 12, "h": 8}
    assert panels["Legacy"]["datasource"] == {"type": "prometheus", "uid": "prometheus"}
    assert panels["Auto"]["description"] == "from extra"
    # First fit: beside the legacy graph, just below the pinned stat that blocks columns 18-23.
    assert panels["Auto"]["gridPos"] == {"x": 12, "y": 5, "w": 12, "h": 8}
    hidden = panels["Hidden"]
    assert hidden["collapsed"] is True and [p["title"] for p in hidden["panels"]] == ["In a collapsed row"]
    assert hidden["panels"][0]["gridPos"]["y"] == hidden["gridPos"]["y"] + 1


def test_nested_folders_are_resources_with_parents(make_project: MakeProject) -> None:
    project = make_project({"dashboards/mixed.py": RAW})
    resources = load_resources(project)
    folders = {r.ref.uid: r for r in resources if r.kind is Kind.GRAFANA_FOLDER}
    assert folders["pydis-dash-site-and-api"].body == {"uid": "pydis-dash-site-and-api", "title": "Site and API"}
    assert folders["pydis-dash-site-and-api-internals"].body == {
        "uid": "pydis-dash-site-and-api-internals",
        "title": "Internals",
        "parentUid": "pydis-dash-site-and-api",
    }
    dashboard = next(r for r in resources if r.ref.uid == "mixed")
    assert dashboard.container == "Site and API/Internals"
    assert [str(d) for d in dashboard.depends_on] == [
        "grafana-folder/pydis-dash-site-and-api-internals",
        "grafana-datasource/prometheus",
    ]


def test_panels_remember_the_line_that_defined_them(make_project: MakeProject) -> None:
    project = make_project({"dashboards/mixed.py": RAW})
    dashboard = next(r for r in load_resources(project) if r.ref.uid == "mixed")
    titles = [p["title"] for p in dashboard.body["panels"]]
    assert str(dashboard.location_of(f"/panels/{titles.index('Pinned')}/targets/0")) == "dashboards/mixed.py:12"
    assert str(dashboard.location_of("/title")) == "dashboards/mixed.py:6"


def test_file_exports_only_what_all_lists(make_project: MakeProject) -> None:
    source = RAW + '\nother = Dashboard(uid="other", title="Other")\n__all__ = ["other"]\n'
    project = make_project({"dashboards/mixed.py": source, "dashboards/_helpers.py": "raise SystemExit(1)\n"})
    uids = {r.ref.uid for r in load_resources(project) if r.kind is Kind.GRAFANA_DASHBOARD}
    assert uids == {"other"}


def test_list_and_render_commands(make_project: MakeProject) -> None:
    project = make_project({"dashboards/mixed.py": RAW})
    runner = CliRunner()
    listed = runner.invoke(main, ["--project", str(project), "list"])
    assert listed.exit_code == 0
    assert (
        "grafana-dashboard" in listed.output and "mixed" in listed.output and "dashboards/mixed.py:6" in listed.output
    )
    rendered = runner.invoke(main, ["--project", str(project), "render", "grafana-dashboard/mixed"])
    assert rendered.exit_code == 0
    assert json.loads(rendered.output)["uid"] == "mixed"
    ambiguous = runner.invoke(main, ["--project", str(project), "render", "*"])
    assert ambiguous.exit_code == 3 and "name one" in ambiguous.output


def test_python_datasources_are_definitions_too(make_project: MakeProject) -> None:
    source = """
    from pydis_dash.grafana import DataSource

    loki = DataSource(
        uid="loki",
        name="Loki",
        type="loki",
        url="http://loki:3100",
        json_data={"maxLines": 1000},
        secrets={"basicAuthPassword": "PYDIS_LOKI_PASSWORD"},
    )
    """
    project = make_project({"datasources/loki.py": source})
    (loki,) = [r for r in load_resources(project) if r.ref.uid == "loki"]
    assert loki.kind is Kind.GRAFANA_DATASOURCE
    assert loki.body == {
        "access": "proxy",
        "isDefault": False,
        "jsonData": {"maxLines": 1000},
        "name": "Loki",
        "type": "loki",
        "uid": "loki",
        "url": "http://loki:3100",
    }
    assert loki.secret_env == {"basicAuthPassword": "PYDIS_LOKI_PASSWORD"}
    assert str(loki.source) == "datasources/loki.py:3"


def test_every_query_of_a_panel_is_kept_with_its_own_ref_id(make_project: MakeProject) -> None:
    source = """
    from pydis_dash.grafana import Dashboard, prometheus

    queries = [f"up{{instance='{n}'}}" for n in range(28)]
    dashboard = Dashboard(uid="many", title="Many", panels=[prometheus.timeseries("All", *queries)])
    """
    (dashboard,) = [r for r in load_resources(make_project({"dashboards/many.py": source})) if r.ref.uid == "many"]
    targets = dashboard.body["panels"][0]["targets"]
    assert [t["expr"] for t in targets] == [f"up{{instance='{n}'}}" for n in range(28)]
    assert [t["refId"] for t in targets][24:] == ["Y", "Z", "AA", "AB"]
