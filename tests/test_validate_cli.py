"""``pydis-dash validate`` and ``pydis-dash rules`` end to end: real loader, real renderer.

Most tests use ``--no-engines`` (schema and lint only); one test runs the real engines (a throwaway
PostgreSQL, Prometheus and graphite-web, started by ``validate`` itself) on one bad query per language.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from pydis_dash.cli import main

MakeProject = Callable[[dict[str, str]], Path]

GOOD = """
from pydis_dash.grafana import Dashboard, Row, metricity

dashboard = Dashboard(
    uid="cli-test",
    title="CLI test",
    folder="Community",
    rows=[Row("Messages", [
        metricity.stat("Messages", sql="SELECT count(*) AS messages FROM messages WHERE $__timeFilter(created_at)",
                       unit="{unit}"),
    ])],
)
"""


def _run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--project", str(root), "validate", *args])
    return result.exit_code, result.stdout, result.stderr


def _project(make_project: MakeProject, unit: str = "short", extra: dict[str, str] | None = None) -> Path:
    return make_project({"dashboards/test.py": GOOD.replace("{unit}", unit), **(extra or {})})


def test_clean_project_exits_0(make_project: MakeProject) -> None:
    code, out, _ = _run(_project(make_project), "--no-engines")
    assert code == 0
    assert out.strip() == "ok: 0 error(s), 0 warning(s) in 6 resource(s); queries: sql 1 (engines not run)"


def test_lint_error_exits_1_with_file_and_line(make_project: MakeProject) -> None:
    code, out, _ = _run(_project(make_project, unit="percnt"), "--no-engines")
    assert code == 1
    assert (
        "  dashboards/test.py:8: error PD108 grafana-dashboard/cli-test, panel 'Messages': "
        "unknown unit 'percnt'; did you mean 'percent'? write suffix:percnt for a free-text unit"
    ) in out.splitlines()
    assert out.splitlines()[-1].startswith("FAILED: 1 error(s), 0 warning(s)")


def test_json_format(make_project: MakeProject) -> None:
    code, out, _ = _run(_project(make_project, unit="percnt"), "--no-engines", "--format", "json")
    document = json.loads(out)
    assert code == 1
    assert document["ok"] is False
    assert [(f["rule"], f["file"], f["line"], f["json_path"]) for f in document["findings"]] == [
        ("PD108", "dashboards/test.py", 8, "/panels/1/fieldConfig/defaults/unit")
    ]


def test_github_format(make_project: MakeProject) -> None:
    code, out, _ = _run(_project(make_project, unit="percnt"), "--no-engines", "--format", "github")
    assert code == 1
    assert out.splitlines()[0].startswith(
        "::error file=dashboards/test.py,line=8,title=PD108 grafana-dashboard/cli-test%2C panel 'Messages'::"
        "unknown unit 'percnt'"
    )


def test_selector_keeps_data_sources_in_view(make_project: MakeProject) -> None:
    code, out, _ = _run(_project(make_project), "dashboards/test.py", "--no-engines")
    assert code == 0, out  # PD102 resolves `metricity` although only the dashboard was selected


def test_warnings_fail_only_with_strict(make_project: MakeProject) -> None:
    unused = GOOD.replace(
        "from pydis_dash.grafana import Dashboard, Row, metricity",
        "from pydis_dash.grafana import Dashboard, Row, metricity, variables",
    )
    unused = unused.replace(
        '    folder="Community",', '    folder="Community",\n    variables=[variables.metricity_channel()],'
    )
    root = make_project({"dashboards/test.py": unused.replace("{unit}", "short")})
    code, out, _ = _run(root, "--no-engines")
    assert code == 0
    assert "warning PD104" in out and "variable $channel is defined but never used" in out
    assert _run(root, "--no-engines", "--strict")[0] == 1


def test_project_config_disables_rules(make_project: MakeProject) -> None:
    root = _project(
        make_project, unit="percnt", extra={"pyproject.toml": '[tool.pydis-dash.lint]\ndisable = ["PD108"]\n'}
    )
    assert _run(root, "--no-engines")[0] == 0


def test_bad_config_exits_1(make_project: MakeProject) -> None:
    root = _project(make_project, extra={"pydis-dash.toml": '[lint]\ndisable = ["PD9"]\n'})
    code, out, err = _run(root, "--no-engines")
    assert code == 1
    assert out == ""
    assert "pydis-dash.toml: [lint] disable names unknown rule(s) PD9" in err


def test_broken_definition_exits_1_with_one_line(make_project: MakeProject) -> None:
    root = make_project({"dashboards/test.py": "dashboard = (\n"})
    code, out, err = _run(root, "--no-engines")
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "dashboards/test.py" in err


def test_unreachable_engine_exits_3(make_project: MakeProject) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    graphite = GOOD.replace("metricity", "graphite").replace(
        'graphite.stat("Messages", sql="SELECT count(*) AS messages FROM messages WHERE $__timeFilter(created_at)",',
        'graphite.stat("Commands", "sumSeries(stats_counts.bot.commands.*)",',
    )
    root = make_project({"dashboards/test.py": graphite.replace("{unit}", "short")})
    code, out, err = _run(root, "--engine-url", f"graphite=http://127.0.0.1:{port}")
    assert code == 3
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["validate", "--help"])
    assert result.exit_code == 0
    assert "pydis-dash validate --format github --strict" in result.stdout


def test_rules_lists_every_rule() -> None:
    from pydis_dash.validate.lint.base import all_rules

    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    for rule in all_rules():
        assert f"{rule.id}  {rule.severity.value:<7}  {rule.rationale}" in result.stdout.splitlines()


BAD_PER_LANGUAGE = """
from pydis_dash.grafana import Dashboard, Row, graphite, metricity, prometheus

dashboard = Dashboard(
    uid="engines",
    title="One bad query per language",
    folder="Community",
    rows=[Row("Bad", [
        metricity.table("Bad SQL", sql="SELECT m.create_at FROM messages AS m"),
        prometheus.stat("Bad PromQL", 'sum(rate(django_http_requests_total_by_method_total[5m])'),
        graphite.stat("Bad Graphite", "sumSeries(stats_counts.bot.commands.*"),
        metricity.stat("Good SQL", sql="SELECT count(*) AS n FROM messages WHERE $__timeFilter(created_at)"),
    ])],
)
"""


def test_real_engines_report_one_bad_query_per_language(make_project: MakeProject) -> None:
    root = make_project({"dashboards/engines.py": BAD_PER_LANGUAGE})
    code, out, err = _run(root, "--format", "json")
    document = json.loads(out)
    assert code == 1, err
    assert document["summary"]["engines"] == ["sql", "promql", "graphite"]
    found = {(f["rule"], f["panel"], f["file"], f["severity"]) for f in document["findings"]}
    assert found == {
        ("SQL", "Bad SQL", "dashboards/engines.py", "error"),
        ("PROMQL", "Bad PromQL", "dashboards/engines.py", "error"),
        ("GRAPHITE", "Bad Graphite", "dashboards/engines.py", "error"),
    }
    sql = next(f for f in document["findings"] if f["rule"] == "SQL")
    assert "create_at" in sql["message"] and sql["json_path"].endswith("/targets/0/rawSql")
