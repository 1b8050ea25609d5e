"""``build`` after a change: only what changed is rendered, and the folder is always exactly what a build
without any cache writes (the render cache's stat short-cut and the build manifest are never wrong)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from render_cache_support import cached_project, dashboard, executed

from pydis_dash import app, render_cache


@pytest.fixture
def project(make_project: Callable[[dict[str, str]], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {"dashboards/a.py": dashboard("a", uses_helper=True), "dashboards/b.py": dashboard("b", uses_helper=True)}
    return cached_project(make_project, tmp_path, monkeypatch, {**files, "dashboards/c.py": dashboard("c")})


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def build(project: Path, out: Path) -> dict[str, bytes]:
    app.build(project, out)
    return files(out)


def uncached_build(project: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    with monkeypatch.context() as patch:
        patch.setenv("PYDIS_DASH_CACHE", "off")
        return build(project, out)


@pytest.fixture
def out(project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The project built once into it (which files ran then is forgotten)."""
    folder = tmp_path / "out"
    build(project, folder)
    executed(capsys)
    return folder


def rewrite(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def test_an_unchanged_rebuild_runs_nothing_and_links_every_file(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    first = build(project, out)
    assert executed(capsys) == {"a", "b", "c"}
    inodes = {name: (out / name).stat().st_ino for name in first if name != "index.json"}
    assert build(project, out) == first
    assert executed(capsys) == set()
    assert {name: (out / name).stat().st_ino for name in inodes} == inodes  # linked, never written again
    assert first == uncached_build(project, tmp_path / "fresh", monkeypatch)


def test_a_changed_helper_rebuilds_its_dependants_output(
    project: Path, out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = files(out)
    rewrite(project / "dashboards" / "_helpers.py", 'unit="reqps"', 'unit="short"')
    second = build(project, out)
    assert executed(capsys) == {"a", "b"}
    assert b'"unit": "short"' in second["grafana-dashboard/a.json"]
    assert second["grafana-dashboard/c.json"] == first["grafana-dashboard/c.json"]
    assert second == uncached_build(project, tmp_path / "fresh", monkeypatch)


def test_a_deleted_definition_leaves_neither_its_file_nor_its_index_entry(
    project: Path, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.remove(project / "dashboards" / "c.py")
    second = build(project, out)
    assert "grafana-dashboard/c.json" not in second
    assert b'"uid": "c"' not in second["index.json"]
    assert second == uncached_build(project, tmp_path / "fresh", monkeypatch)


def test_the_shared_folder_survives_the_deletion_of_the_file_that_wrote_it_first(
    project: Path, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.remove(project / "dashboards" / "a.py")  # a.py rendered the folder "Shared" first; b and c name it too
    second = build(project, out)
    assert any(name.startswith("grafana-folder/") for name in second)
    assert second == uncached_build(project, tmp_path / "fresh", monkeypatch)


def test_a_changed_data_source_rebuilds_everything(
    project: Path, out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rewrite(project / "datasources" / "prometheus.yaml", "uid: prometheus", "uid: prometheus-main")
    second = build(project, out)
    assert executed(capsys) == {"a", "b", "c"}
    assert b'"uid": "prometheus-main"' in second["grafana-dashboard/c.json"]
    assert second == uncached_build(project, tmp_path / "fresh", monkeypatch)


def test_another_tool_version_rebuilds_everything(
    project: Path, out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fingerprint = render_cache._tool_fingerprint()
    monkeypatch.setattr(render_cache, "_tool_fingerprint", lambda: fingerprint + "\nupgraded")
    build(project, out)
    assert executed(capsys) == {"a", "b", "c"}


@pytest.mark.parametrize("damage", ["edited", "edited, same size", "deleted"])
def test_an_output_file_damaged_by_hand_is_restored(
    project: Path, out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    first = files(out)
    damaged = out / "grafana-dashboard" / "c.json"
    if damage == "deleted":
        damaged.unlink()
    else:
        data = damaged.read_bytes()
        with open(damaged, "r+b") as handle:  # in place: same inode
            handle.write(b"X" if damage == "edited, same size" else b"{}\n")
            if damage == "edited":
                handle.truncate()
        assert damaged.read_bytes() != data
    assert build(project, out) == first
    assert executed(capsys) == set()  # restored from the render cache, nothing ran


def test_an_entry_rendered_since_by_another_command_is_not_taken_for_the_built_file(
    project: Path, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydis_dash.pipeline import load_resources

    rewrite(project / "dashboards" / "c.py", 'title="C"', 'title="C renamed"')
    load_resources(project)  # diff, validate...: the cache now holds c's new rendering
    second = build(project, out)
    assert b'"title": "C renamed"' in second["grafana-dashboard/c.json"]
    assert second == uncached_build(project, tmp_path / "fresh", monkeypatch)


def test_a_file_rewritten_with_its_size_and_mtime_kept_is_rendered_again(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Signatures recorded even for files written a moment ago: the ctime must tell the change.
    monkeypatch.setattr(render_cache, "_RACY_SECONDS", -3600)
    out = tmp_path / "out"
    build(project, out)
    executed(capsys)
    source = project / "dashboards" / "c.py"
    before = source.stat()
    rewrite(source, 'title="C"', 'title="D"')
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert source.stat().st_size == before.st_size and source.stat().st_mtime_ns == before.st_mtime_ns
    second = build(project, out)
    assert executed(capsys) == {"c"}
    assert b'"title": "D"' in second["grafana-dashboard/c.json"]


def test_only_an_input_unmodified_for_a_while_gets_its_stat_recorded(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Racily clean (git's rule): a file modified within a tick of the file system's clock of being
    # hashed could change again with the same stat, so its stat is never trusted: its content is.
    cache = render_cache.RenderCache.for_project(project.resolve())
    assert cache is not None
    digest, signature = cache._hash("dashboards/c.py") or ("", None)
    assert digest and signature is None
    later = render_cache.time.time_ns() + 10 * 1_000_000_000
    monkeypatch.setattr(render_cache.time, "time_ns", lambda: later)
    cache._hashes.clear()
    assert cache._hash("dashboards/c.py") == (digest, render_cache._signature(os.stat(project / "dashboards" / "c.py")))


def test_a_damaged_cache_entry_means_that_file_is_rendered_again(
    project: Path, out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = render_cache.RenderCache.for_project(project.resolve())
    assert cache is not None
    entries = cache._stored()
    c_file = str(project.resolve() / "dashboards" / "c.py")
    context = entries[c_file][0]
    entries[c_file] = (context, "catalogue", "inputs are not a mapping", "token", [], b"")
    cache._changed = True
    cache.save()
    second = build(project, out)
    assert executed(capsys) == {"c"}
    assert second == uncached_build(project, tmp_path / "fresh", monkeypatch)
