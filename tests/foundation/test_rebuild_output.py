"""A rebuild into an existing output folder: what changed is rewritten, what is gone is removed, and
files holding the same bytes are kept (linked from the previous build, not written again). The folder
still ends up exactly what a fresh build writes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from pydis_dash.cli import main


def dashboard(uid: str, title: str) -> str:
    return f"""
from pydis_dash.grafana import Dashboard, prometheus
dashboard = Dashboard(uid="{uid}", title="{title}", panels=[prometheus("Prometheus").stat("Up", "up")])
"""


def build(project: Path, out: Path) -> dict[str, bytes]:
    result = CliRunner().invoke(main, ["--project", str(project), "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()}


def test_a_rebuild_rewrites_what_changed_removes_what_is_gone_and_keeps_the_rest(
    make_project: Callable[[dict[str, str]], Path], tmp_path: Path
) -> None:
    project = make_project(
        {
            "dashboards/a.py": dashboard("a", "A"),
            "dashboards/b.py": dashboard("b", "B"),
            "dashboards/c.py": dashboard("c", "C"),
        }
    )
    out = tmp_path / "out"
    first = build(project, out)
    kept_inode = (out / "grafana-dashboard" / "b.json").stat().st_ino
    # The previous build's copy of c.json was changed by hand: the rebuild must not keep it.
    (out / "grafana-dashboard" / "c.json").write_bytes(b"{}\n")

    (project / "dashboards" / "a.py").write_text(dashboard("a", "A renamed"))
    (project / "dashboards" / "d.py").write_text(dashboard("d", "D"))
    os.remove(project / "dashboards" / "b.py")
    (project / "dashboards" / "b2.py").write_text(dashboard("b", "B"))  # same resource, other file
    second = build(project, out)

    assert b'"title": "A renamed"' in second["grafana-dashboard/a.json"]
    assert "grafana-dashboard/d.json" in second
    assert second["grafana-dashboard/c.json"] == first["grafana-dashboard/c.json"]
    assert second["grafana-dashboard/b.json"] == first["grafana-dashboard/b.json"]
    assert (out / "grafana-dashboard" / "b.json").stat().st_ino == kept_inode  # kept, not written again
    # Exactly what a fresh build of the same project writes, nothing left over.
    assert second == build(project, tmp_path / "fresh")


def test_a_resource_that_disappears_leaves_no_file(
    make_project: Callable[[dict[str, str]], Path], tmp_path: Path
) -> None:
    project = make_project({"dashboards/a.py": dashboard("a", "A"), "dashboards/b.py": dashboard("b", "B")})
    out = tmp_path / "out"
    build(project, out)
    os.remove(project / "dashboards" / "b.py")
    assert "grafana-dashboard/b.json" not in build(project, out)
