"""The incremental build: a file's resources come from the cache only while nothing it read changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from render_cache_support import cached_project, dashboard, executed

from pydis_dash.model import Resource
from pydis_dash.pipeline import load_resources


@pytest.fixture
def project(make_project: Callable[[dict[str, str]], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return cached_project(
        make_project,
        tmp_path,
        monkeypatch,
        {
            "dashboards/a.py": dashboard("a", uses_helper=True),
            "dashboards/b.py": dashboard("b", uses_helper=True),
            "dashboards/c.py": dashboard("c", uses_helper=False),
            "dashboards/d.py": """
                from pydis_dash.grafana import Dashboard, sql
                print("executed d")
                dashboard = Dashboard(uid="d", title="D", panels=[sql('metricity').table("Rows", "rows.sql")])
            """,
            "dashboards/rows.sql": "SELECT count(*) FROM users",
        },
    )


def body(resources: list[Resource], uid: str) -> str:
    return str(next(r.body for r in resources if r.ref.uid == uid))


def test_an_unchanged_project_renders_nothing_again_and_gives_the_same_resources(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_resources(project)
    assert executed(capsys) == {"a", "b", "c", "d"}
    second = load_resources(project)
    assert executed(capsys) == set()
    monkeypatch.setenv("PYDIS_DASH_CACHE", "off")
    uncached = load_resources(project)
    assert executed(capsys) == {"a", "b", "c", "d"}
    assert first == second == uncached


def test_a_changed_helper_rebuilds_exactly_the_files_that_import_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_resources(project)
    executed(capsys)
    helper = project / "dashboards" / "_helpers.py"
    helper.write_text(helper.read_text().replace('unit="reqps"', 'unit="short"'))
    resources = load_resources(project)
    assert executed(capsys) == {"a", "b"}
    assert '"unit": "short"' not in body(resources, "c") and "'unit': 'short'" in body(resources, "a")


def test_a_changed_sql_file_rebuilds_the_dashboard_that_reads_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_resources(project)
    executed(capsys)
    (project / "dashboards" / "rows.sql").write_text("SELECT count(*) FROM messages")
    resources = load_resources(project)
    assert executed(capsys) == {"d"}
    assert "FROM messages" in body(resources, "d")


def test_a_changed_data_source_rebuilds_everything_that_resolves_names_against_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    load_resources(project)
    executed(capsys)
    source = project / "datasources" / "prometheus.yaml"
    source.write_text(source.read_text().replace("uid: prometheus", "uid: prometheus-main"))
    load_resources(project)
    assert executed(capsys) == {"a", "b", "c", "d"}


def test_a_definition_error_is_reported_every_time_never_cached(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pydis_dash.errors import DefinitionError

    (project / "dashboards" / "c.py").write_text("raise ValueError('broken')\n")
    for _ in range(2):
        with pytest.raises(DefinitionError, match="broken"):
            load_resources(project)


def test_an_unreadable_cache_file_means_a_full_render_then_a_good_cache_again(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pydis_dash.render_cache import RenderCache

    load_resources(project)
    executed(capsys)
    cache = RenderCache.for_project(project.resolve())
    assert cache is not None and cache.file.is_file()
    cache.file.write_bytes(b"not a pickle")
    first = load_resources(project)
    assert executed(capsys) == {"a", "b", "c", "d"}
    assert load_resources(project) == first
    assert executed(capsys) == set()


def test_the_tool_fingerprint_moves_when_an_installed_grafanalib_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydis_dash import render_cache

    package = tmp_path / "grafanalib"
    package.mkdir()
    (package / "core.py").write_text("VERSION = 1\n")
    monkeypatch.setattr(render_cache, "_installed_package", lambda name: package)
    before = render_cache._tool_fingerprint()
    (package / "core.py").write_text("VERSION = 22\n")
    assert render_cache._tool_fingerprint() != before
