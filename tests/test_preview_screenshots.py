"""``preview --screenshots DIR [--changed-since REF]``: PNGs of dashboards drawn from sample data."""

from __future__ import annotations

import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pydis_dash.cli import main

MakeProject = Callable[[dict[str, str]], Path]

DASHBOARD = """
from pydis_dash.grafana import Dashboard, Row, sql

dashboard = Dashboard(
    uid="{uid}",
    title="{title}",
    folder="Community",
    rows=[Row("Counts", [
        sql('metricity').stat("Members", sql="SELECT count(*) AS members FROM users", unit="{unit}"),
        sql('metricity').timeseries(
            "Joins",
            sql="SELECT $__timeGroupAlias(joined_at, '1d'), count(*) AS joined FROM users "
            "WHERE $__timeFilter(joined_at) GROUP BY 1 ORDER BY 1",
        ),
    ])],
)
"""


def _dashboard(uid: str, title: str, unit: str = "short") -> str:
    return DASHBOARD.replace("{uid}", uid).replace("{title}", title).replace("{unit}", unit)


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", *args], cwd=root, check=True,
        capture_output=True,
    )  # fmt: skip


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_changed_since_writes_exactly_the_changed_dashboard(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project({
        "dashboards/members.py": _dashboard("members", "Members"),
        "dashboards/joins.py": _dashboard("joins", "Joins"),
        "dashboards/quiet.py": _dashboard("quiet", "Quiet"),
    })  # fmt: skip
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "first")
    (root / "dashboards/joins.py").write_text(_dashboard("joins", "Joins", unit="percent"))  # one panel changes
    _git(root, "commit", "-qam", "joins: members as a percentage")

    out = tmp_path / "shots"
    result = CliRunner().invoke(
        main, ["--project", str(root), "preview", "--screenshots", str(out), "--changed-since", "HEAD~1"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["index.md", "joins.png"]
    width, height = _png_size(out / "joins.png")
    assert width > 1000 and height > 200
    index = (out / "index.md").read_text()
    assert "changed since `HEAD~1`" in index and "![Joins](joins.png)" in index
    assert "members" not in index

    everything = tmp_path / "all"
    result = CliRunner().invoke(main, ["--project", str(root), "preview", "--screenshots", str(everything)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in everything.glob("*.png")) == ["joins.png", "members.png", "quiet.png"]


def test_changed_since_needs_screenshots(make_project: MakeProject) -> None:
    root = make_project({"dashboards/members.py": _dashboard("members", "Members")})
    result = CliRunner().invoke(main, ["--project", str(root), "preview", "--changed-since", "HEAD"])
    assert result.exit_code == 3 and "--changed-since needs --screenshots" in result.output  # usage error


def test_an_unknown_revision_is_an_environment_error(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project({"dashboards/members.py": _dashboard("members", "Members")})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "first")
    result = CliRunner().invoke(
        main, ["--project", str(root), "preview", "--screenshots", str(tmp_path / "s"), "--changed-since", "nope"]
    )
    assert result.exit_code == 3
    assert "git archive failed" in result.output


GRAPHITE_DASHBOARD = """
from pydis_dash.grafana import Dashboard, Row, graphite

dashboard = Dashboard(
    uid="bot", title="Bot", folder="Community",
    rows=[Row("Commands", [graphite("graphite").timeseries("Calls", "stats.bot.commands.help")])],
)
"""


def test_a_missing_browser_is_an_environment_error(
    make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project({"dashboards/members.py": _dashboard("members", "Members")})
    monkeypatch.setenv("PYDIS_DASH_CHROMIUM", str(tmp_path / "no-chromium"))
    result = CliRunner().invoke(main, ["--project", str(root), "preview", "--screenshots", str(tmp_path / "s")])
    assert result.exit_code == 3, result.output
    assert "needs Chromium" in result.output


def test_an_engine_that_cannot_start_is_an_environment_error(
    make_project: MakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project({"dashboards/bot.py": GRAPHITE_DASHBOARD})
    monkeypatch.setenv("PYDIS_DASH_GRAPHITE_VENV", str(tmp_path / "no-graphite-venv"))
    result = CliRunner().invoke(main, ["--project", str(root), "preview", "--screenshots", str(tmp_path / "s")])
    assert result.exit_code == 3, result.output
    assert "no-graphite-venv" in result.output


def test_a_broken_sample_generator_is_invalid_definitions(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project({"dashboards/members.py": _dashboard("members", "Members")})
    (root / "datasources/metricity/_sample.py").write_text("def generate(ctx):\n    raise ValueError('no rows')\n")
    result = CliRunner().invoke(main, ["--project", str(root), "preview", "--screenshots", str(tmp_path / "s")])
    assert result.exit_code == 1, result.output
    assert "_sample.py" in result.output and "no rows" in result.output
