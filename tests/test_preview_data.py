"""``preview --data``: each panel's queries run on the sample data; the page carries what to draw."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from pydis_dash.cli import main
from pydis_dash.preview import LiveProject, PreviewOptions

MakeProject = Callable[[dict[str, str]], Path]

DASHBOARD = """
from pydis_dash.grafana import Dashboard, Row, metricity, text

dashboard = Dashboard(
    uid="data-test",
    title="Data test",
    folder="Community",
    time=("now-30d", "now"),
    rows=[Row("Panels", [
        metricity.stat("Channels", sql="SELECT count(*) AS channels FROM channels", unit="short"),
        metricity.timeseries(
            "Joins",
            sql="SELECT $__timeGroupAlias(joined_at, '1d'), count(*) AS joined FROM users "
            "WHERE $__timeFilter(joined_at) GROUP BY 1 ORDER BY 1",
            unit="short",
        ),
        metricity.stat("Broken", sql="SELECT 1 / (count(*) - count(*)) AS broken FROM users", unit="short"),
        text("Notes", "Counts from **Metricity**."),
    ])],
)
"""
_SPEC = re.compile(
    r'data-chart-type="(?P<type>\w+)"><script type="application/json" class="chart-spec">(?P<json>.*?)</script>'
)


def _export(root: Path, out: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--project", str(root), "preview", "--export", str(out), *args])
    return result.exit_code, result.stdout + result.stderr


def _specs(page: Path) -> list[dict[str, Any]]:
    return [json.loads(m.group("json")) for m in _SPEC.finditer(page.read_text())]


def test_panels_carry_their_query_results(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project({"dashboards/data.py": DASHBOARD})
    code, out = _export(root, tmp_path / "site", "--data", "--seed", "5")
    assert code == 0, out
    specs = _specs(tmp_path / "site" / "grafana-dashboard" / "data-test.html")
    assert [s["type"] for s in specs] == ["stat", "timeseries", "stat", "text"]
    channels, joins, broken, notes = specs
    # 14 channels in the Metricity sample data (five categories).
    assert channels["frames"] == [
        {"refId": "A", "columns": [{"name": "channels", "kind": "number"}], "rows": [[14]], "truncated": False}
    ]
    joined = joins["frames"][0]
    assert joined["columns"] == [{"name": "time", "kind": "time"}, {"name": "joined", "kind": "number"}]
    assert 29 <= len(joined["rows"]) <= 31  # one row per day of the 30-day range
    days = [row[0] for row in joined["rows"]]
    assert days == sorted(days) and all(b - a == 86_400_000 for a, b in itertools.pairwise(days))
    assert broken["frames"][0]["error"].startswith("division by zero")
    assert notes["options"]["content"] == "Counts from **Metricity**."
    page = (tmp_path / "site" / "grafana-dashboard" / "data-test.html").read_text()
    assert "static/uPlot.iife.min.js" in page and "static/charts.js" in page
    assert (
        (tmp_path / "site" / "static" / "uPlot.iife.min.js")
        .read_text()
        .startswith("/*! https://github.com/leeoniya/uPlot")
    )


def test_the_same_seed_draws_the_same_data(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project({"dashboards/data.py": DASHBOARD})
    _export(root, tmp_path / "one", "--data", "--seed", "5")
    _export(root, tmp_path / "two", "--data", "--seed", "5")
    _export(root, tmp_path / "three", "--data", "--seed", "6")
    pages = [(tmp_path / d / "grafana-dashboard" / "data-test.html") for d in ("one", "two", "three")]
    one, two, three = (_specs(page)[1]["frames"] for page in pages)
    assert one == two
    assert one != three


def test_without_data_boxes_show_their_query(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project({"dashboards/data.py": DASHBOARD})
    code, _ = _export(root, tmp_path / "site")
    assert code == 0
    page = (tmp_path / "site" / "grafana-dashboard" / "data-test.html").read_text()
    assert 'class="chart"' not in page and "charts.js" not in page
    assert 'class="code snippet"' in page


def test_a_live_preview_keeps_its_engines_and_redraws_an_edited_query(make_project: MakeProject) -> None:
    root = make_project({"dashboards/data.py": DASHBOARD})
    live = LiveProject(root, PreviewOptions(data=True, seed=5), interval=0.1)
    try:
        first = live.rebuild()
        [dashboard] = [r for r in first.resources if r.ref.uid == "data-test"]
        frames = first.frames_for(dashboard.ref)
        assert frames is not None and frames["/panels/1"][0].result is not None
        assert frames["/panels/1"][0].result.rows == ((14,),)
        session = live.options.data_session
        assert session is not None
        path = root / "dashboards/data.py"
        path.write_text(path.read_text().replace("SELECT count(*) AS channels FROM channels", "SELECT 7 AS channels"))
        second = live.rebuild()
        frames = second.frames_for(dashboard.ref)
        assert frames is not None and frames["/panels/1"][0].result is not None
        assert frames["/panels/1"][0].result.rows == ((7,),)
        assert live.options.data_session is session  # the same engines, not restarted
    finally:
        live.stop()


QUESTION = """
from pydis_dash.metabase import NumberVariable, Question

joins = Question(
    key="joins",
    name="Joins per day",
    collection="Community",
    database="Metricity",
    sql="SELECT date_trunc('day', joined_at) AS day, count(*) AS joined FROM users "
    "WHERE joined_at >= now() - {{days}} * interval '1 day' GROUP BY 1 ORDER BY 1",
    variables=[NumberVariable("days", "Days", required=True, default=10)],
    display="bar",
)
"""


def test_a_question_draws_its_result_with_its_variables_sample_values(
    make_project: MakeProject, tmp_path: Path
) -> None:
    root = make_project({"dashboards/joins.py": QUESTION})
    code, out = _export(root, tmp_path / "site", "--data")
    assert code == 0, out
    [page] = (tmp_path / "site" / "metabase-question").glob("*.html")
    [spec] = _specs(page)
    assert spec["type"] == "barchart"  # Metabase's "bar" display
    frame = spec["frames"][0]
    assert [c["name"] for c in frame["columns"]] == ["day", "joined"]
    assert 10 <= len(frame["rows"]) <= 11  # {{days}} took its default, 10


def test_an_alert_rule_draws_its_query_with_the_threshold_line(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parent.parent
    code, out = _export(repo, tmp_path / "site", "--data", "alerts/postgres.py", "datasources")
    assert code == 0, out
    page = tmp_path / "site" / "grafana-rule-group" / "pydis-dash-postgresql.postgres.html"
    specs = re.findall(r'data-chart-type="rule"><script type="application/json" class="chart-spec">(.*?)</script>',
                       page.read_text())  # fmt: skip
    charts = [json.loads(spec) for spec in specs]
    # "PostgreSQL connections near the limit": > 80 (% of max_connections), on its PromQL query's series.
    near_limit = charts[1]
    assert near_limit["type"] == "timeseries" and near_limit["options"]["thresholdLine"] == 80.0
    [frame] = near_limit["frames"]
    assert [c["name"] for c in frame["columns"]] == ["time", "series", "value"]
    assert len(frame["rows"]) == 120  # two seeded hours, one point a minute
    assert {row[1] for row in frame["rows"]} == {'{instance="10.0.0.2:9187"}'}
