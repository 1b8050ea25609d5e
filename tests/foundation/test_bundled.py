"""The repo's own definitions: strict schema, determinism, and the helpers' output shape."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from pydis_dash.cli import main
from pydis_dash.model import Kind
from pydis_dash.pipeline import load_resources
from pydis_dash.render.modernize import SCHEMA_VERSION

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO_ROOT / "pydis_dash" / "schemas" / "grafana" / "dashboard.jsonschema.json"


@pytest.fixture(scope="module")
def dashboards() -> list[dict]:
    resources = load_resources(REPO_ROOT)
    return [dict(r.body) for r in resources if r.kind is Kind.GRAFANA_DASHBOARD]


def test_bundled_dashboards_exist(dashboards: list[dict]) -> None:
    uids = {d["uid"] for d in dashboards}
    assert {"community-channels", "bot-commands", "site-requests"} <= uids


def test_every_bundled_dashboard_passes_grafanas_strict_schema(dashboards: list[dict]) -> None:
    validator = jsonschema.Draft7Validator(json.loads(SCHEMA_PATH.read_text()))
    for dashboard in dashboards:
        errors = [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(dashboard)]
        assert errors == [], dashboard["uid"]


def test_rendered_model_is_current_not_grafanalibs(dashboards: list[dict]) -> None:
    legacy_keys = {"rows", "style", "hideControls", "sharedCrosshair", "__inputs", "__requires", "id"}
    for dashboard in dashboards:
        assert not legacy_keys & set(dashboard), dashboard["uid"]
        assert dashboard["schemaVersion"] >= 39 and dashboard["schemaVersion"] == SCHEMA_VERSION
        assert list(_nulls(dashboard)) == [], "grafanalib's None values must not leak into the JSON"
        for panel in dashboard["panels"]:
            if panel["type"] == "row":
                continue
            assert set(panel["datasource"]) == {"type", "uid"}
            for target in panel["targets"]:
                assert set(target["datasource"]) == {"type", "uid"}


def test_panel_ids_are_unique_and_sequential(dashboards: list[dict]) -> None:
    for dashboard in dashboards:
        ids = [p["id"] for p in dashboard["panels"]]
        assert ids == list(range(1, len(ids) + 1))


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    runner = CliRunner()
    outputs = []
    for name in ("one", "two"):
        out = tmp_path / name
        result = runner.invoke(main, ["--project", str(REPO_ROOT), "build", "--out", str(out)])
        assert result.exit_code == 0, result.output
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
    assert Path("index.json") in outputs[0]
    assert Path("grafana-dashboard/community-channels.json") in outputs[0]


def test_sql_files_beside_definitions_are_inlined(dashboards: list[dict]) -> None:
    channels = next(d for d in dashboards if d["uid"] == "community-channels")
    sql = [t["rawSql"] for p in channels["panels"] for t in p.get("targets", [])]
    assert any("count(DISTINCT m.author_id) AS posters" in q and "$__timeGroupAlias" in q for q in sql)
    assert not any(q.endswith(".sql") for q in sql)


def test_datasource_secrets_are_env_names_only() -> None:
    resources = load_resources(REPO_ROOT, ["grafana-datasource/metricity"])
    (metricity,) = resources
    assert metricity.secret_env == {"password": "PYDIS_METRICITY_DB_PASSWORD"}
    assert "secureJsonData" not in metricity.body and "password" not in json.dumps(metricity.body)


def test_the_repos_own_definitions_validate_clean_on_the_real_engines() -> None:
    """What `ci/validate` runs on every PR: every bundled query checked by PostgreSQL, Prometheus, Graphite."""
    result = CliRunner().invoke(main, ["--project", str(REPO_ROOT), "validate", "--strict", "--format", "json"])
    report = json.loads(result.output)
    assert result.exit_code == 0, [f["message"] for f in report["findings"]]
    assert report["findings"] == []
    counted = report["summary"]["queries"]
    assert counted["sql"] >= 20 and counted["promql"] >= 10 and counted["graphite"] >= 4


def _nulls(value: object, path: str = "") -> list[str]:
    """JSON paths holding null, except a threshold step's base value (null there means "from -inf")."""
    if value is None:
        return [] if path.endswith("/value") and "/thresholds/steps/" in path else [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _nulls(item, f"{path}/{key}")]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _nulls(item, f"{path}/{index}")]
    return []
