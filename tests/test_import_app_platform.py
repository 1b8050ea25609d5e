"""``pydis-dash import`` of Grafana 12+'s ``dashboard.grafana.app`` objects: a classic-schema one imports
like the legacy API answer; a schema v2 one is one clear error, never a lossy down-conversion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from import_support import built, load_json, scratch_project

from pydis_dash.cli import main
from pydis_dash.model import Kind


def app_platform_object(version: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "Dashboard",
        "apiVersion": f"dashboard.grafana.app/{version}",
        "metadata": {"name": "moderation-overview-ui", "annotations": {"grafana.app/folder": "f1"}},
        "spec": spec,
    }


def run_import(project: Path, path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(project), "import", str(path)])
    return result.exit_code, result.stderr


def test_a_classic_schema_object_imports_like_the_legacy_answer(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    model = load_json("grafana/collapsed-rows-site-db.json")
    spec = {key: value for key, value in model.items() if key not in ("uid", "id", "version")}
    source = tmp_path / "from-apis.json"
    source.write_text(json.dumps(app_platform_object("v1beta1", spec)))
    code, err = run_import(project, source)
    assert code == 0, err
    assert built(project, Kind.GRAFANA_DASHBOARD, "moderation-overview-ui").title == "Moderation overview"


def test_a_schema_v2_object_is_one_clear_error(tmp_path: Path) -> None:
    project = scratch_project(tmp_path)
    source = tmp_path / "v2.json"
    spec = {"title": "New layout", "elements": {}, "layout": {"kind": "TabsLayout", "spec": {"tabs": []}}}
    source.write_text(json.dumps(app_platform_object("v2beta1", spec)))
    code, err = run_import(project, source)
    assert code == 1
    assert f"{source}: dashboard 'moderation-overview-ui' is stored as schema v2beta1" in err
    assert "does not down-convert v2" in err
    assert not (project / "dashboards").exists()
