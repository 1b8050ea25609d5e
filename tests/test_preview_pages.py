"""The preview pages without a browser: views, findings placement, questions, alert routing, the live
diff, live rebuilds, the HTTP routes and the static export."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest
import requests
from emulators.grafana import GrafanaEmulator
from hypothesis import given
from hypothesis import strategies as st
from preview_support import DASHBOARD, FILES

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.plan import Action, Change, Plan
from pydis_dash.preview import (
    LiveProject,
    PreviewOptions,
    PreviewServer,
    Snapshot,
    build_snapshot,
    export_site,
    page_for_path,
    page_path,
    page_paths,
)
from pydis_dash.preview.dashboard_view import dashboard_view
from pydis_dash.preview.highlight import highlight, tokens
from pydis_dash.preview.live_plan import environment_plan_source
from pydis_dash.preview.pages import STATIC_FILES
from pydis_dash.preview.routing import routes_for
from pydis_dash.validate.engines.base import Engine
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.queries import Language, Query, TemplateSyntax
from pydis_dash.validate.runner import ValidateOptions

MakeProject = Callable[[dict[str, str]], Path]
VERSION_META = re.compile(r'<meta name="pydis-preview-version" content="\d+">\n')


@pytest.fixture
def project(make_project: MakeProject) -> Path:
    return make_project(FILES)


@pytest.fixture
def served(project: Path) -> Iterator[tuple[str, LiveProject]]:
    live = LiveProject(project, PreviewOptions())
    live.rebuild()  # no polling thread: the tests call poll() themselves
    server = PreviewServer(live, port=0)
    server.start()
    yield server.url, live
    server.stop()


# --- highlighting -----------------------------------------------------------------------------------


def test_highlighting_escapes_query_text_and_marks_tokens() -> None:
    html = str(highlight("SELECT '<script>' FROM t WHERE x IN ($var) -- </pre>", Language.SQL))
    assert "<script>" not in html and "</pre>" not in html
    assert '<span class="tok-kw">SELECT</span>' in html
    assert '<span class="tok-kw">IN</span>' in html
    assert '<span class="tok-var">$var</span>' in html
    assert '<span class="tok-str">&#39;&lt;script&gt;&#39;</span>' in html
    promql = str(highlight('sum by (view) (rate(x{a="b"}[5m]))', Language.PROMQL))
    assert '<span class="tok-kw">by</span>' in promql and '<span class="tok-fn">rate</span>' in promql
    graphite = str(highlight("aliasByNode(stats.{a,b}.count, 2)", Language.GRAPHITE))
    assert '<span class="tok-fn">aliasByNode</span>' in graphite
    assert '<span class="tok-metric">stats.{a,b}.count</span>' in graphite
    metabase = str(highlight("WHERE id = {{user_id}} [[AND x]]", Language.SQL, TemplateSyntax.METABASE))
    assert '<span class="tok-var">{{user_id}}</span>' in metabase and '<span class="tok-opt">[[</span>' in metabase


@given(st.text(), st.sampled_from(list(Language)), st.sampled_from(list(TemplateSyntax)))
def test_tokens_cover_the_text_exactly(text: str, language: Language, syntax: TemplateSyntax) -> None:
    assert "".join(value for _, value in tokens(text, language, syntax)) == text


# --- dashboards ---------------------------------------------------------------------------------------


def _finding(path: str, rule: str = "PD000") -> Finding:
    return Finding(rule, Severity.WARNING, f"about {path}", json_path=path)


def test_findings_land_on_the_most_specific_panel_variable_or_the_dashboard() -> None:
    body = {
        "title": "T",
        "panels": [
            {"id": 1, "type": "row", "title": "Open", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}, "panels": []},
            {"id": 2, "type": "stat", "title": "S", "gridPos": {"x": 0, "y": 1, "w": 6, "h": 4}},
            {
                "id": 3,
                "type": "row",
                "title": "Closed",
                "collapsed": True,
                "gridPos": {"x": 0, "y": 5, "w": 24, "h": 1},
                "panels": [{"id": 4, "type": "table", "title": "In", "gridPos": {"x": 6, "y": 6, "w": 12, "h": 3}}],
            },
        ],
        "templating": {"list": [{"name": "v", "type": "custom", "query": "a,b"}]},
    }
    resource = Resource(Ref(Kind.GRAFANA_DASHBOARD, "d"), "T", body, SourceLocation(Path("d.py"), 1))
    findings = [
        _finding("/panels/1/fieldConfig/defaults/unit"),
        _finding("/panels/2/panels/0/targets/0/rawSql"),
        _finding("/panels/2/gridPos"),
        _finding("/templating/list/0/query"),
        _finding("/title"),
    ]
    view = dashboard_view(resource, findings)
    by_pointer = {p.pointer: [f.json_path for f in p.findings] for p in view.panels}
    assert by_pointer == {
        "/panels/0": [],
        "/panels/1": ["/panels/1/fieldConfig/defaults/unit"],
        "/panels/2": ["/panels/2/gridPos"],
        "/panels/2/panels/0": ["/panels/2/panels/0/targets/0/rawSql"],
    }
    assert [f.json_path for f in view.variables[0].findings] == ["/templating/list/0/query"]
    assert view.variables[0].options == ("a", "b")
    assert [f.json_path for f in view.findings] == ["/title"]
    # The collapsed row's panel is drawn on its own grid, starting right under the row.
    [collapsed] = view.collapsed_rows
    assert collapsed.y_offset == 6 and [p.panel_id for p in collapsed.panels] == [4]
    assert "top: 0px" in collapsed.panels[0].style(collapsed.y_offset)
    assert "left: 25.000000%; width: 50.000000%" in collapsed.panels[0].style(collapsed.y_offset)


def test_dashboard_page_shows_queries_units_thresholds_and_variables(project: Path) -> None:
    snapshot = build_snapshot(project, PreviewOptions())
    html = page_for_path(snapshot, "grafana-dashboard/preview-test.html").html
    assert 'data-grid-x="6" data-grid-y="1" data-grid-w="18" data-grid-h="8"' in html  # "Requests"
    assert "unit reqps" in html and "prometheus (prometheus)" in html
    assert '<span class="tok-fn">sumSeries</span>' in html
    assert 'title="red"' in html and ">80</span>" in html  # the threshold step of "Messages"
    assert 'data-testid="variable" data-name="view"' in html
    assert "PD108" in html


# --- questions and alert rules --------------------------------------------------------------------------


def test_question_page_shows_sql_variables_as_form_fields_display_and_collection(project: Path) -> None:
    snapshot = build_snapshot(project, PreviewOptions())
    html = page_for_path(snapshot, "metabase-question/member-messages.html").html
    assert re.search(r'<input type="text" name="user_id" value="" required>', html)
    assert re.search(r'<input type="date" name="since" value="">', html)
    assert re.search(r'<input type="number" name="n" value="25">', html)
    assert '<dd data-testid="display">scalar</dd>' in html
    assert '<dt>collection</dt><dd data-testid="container">Moderation/Reviews</dd>' in html
    assert '<span class="tok-var">{{user_id}}</span>' in html
    assert "pydis-dash:key=" not in html.split('id="raw-json"')[0]  # the marker is ours, not the author's text


def test_rule_group_page_shows_condition_for_labels_and_route(project: Path) -> None:
    snapshot = build_snapshot(project, PreviewOptions())
    [group] = [r for r in snapshot.resources if r.kind is Kind.GRAFANA_RULE_GROUP]
    html = page_for_path(snapshot, page_path(group.ref)).html
    assert '<dd data-testid="for">5m</dd>' in html
    assert re.search(r'data-testid="condition"><code>[A-Z]</code>', html)
    assert "severity=page" in html
    assert "on-call (via severity=page)" in html
    assert "increase" in html and "threshold: $" in html


def test_routing_follows_matchers_continue_and_the_default() -> None:
    policy = {
        "receiver": "default",
        "routes": [
            {"receiver": "mods", "object_matchers": [["team", "=", "mods"]], "continue": True},
            {"receiver": "pager", "object_matchers": [["severity", "=~", "page|critical"]]},
            {"receiver": "never", "object_matchers": [["severity", "=~", "page"]]},
        ],
    }
    assert routes_for({"severity": "critical", "team": "mods"}, policy) == [
        "mods (via team=mods)",
        "pager (via severity=~page|critical)",
    ]
    assert routes_for({"severity": "low"}, policy) == ["default (default policy)"]
    assert routes_for({"severity": "page"}, None) == []


# --- --env --------------------------------------------------------------------------------------------


def _fake_plan(changes: Sequence[Change]) -> Callable[[Sequence[Resource]], Plan]:
    return lambda resources: Plan("staging", tuple(changes))


def test_env_shows_a_side_by_side_diff_per_resource_and_actions_in_the_index(project: Path) -> None:
    ref = Ref(Kind.GRAFANA_DASHBOARD, "preview-test")
    before = {"title": "Old title", "tags": ["a"]}
    after = {"title": "Preview test", "tags": ["a"]}
    options = PreviewOptions(
        environment="staging", plan_source=_fake_plan([Change(Action.UPDATE, ref, "x", before, after)])
    )
    snapshot = build_snapshot(project, options)
    page = page_for_path(snapshot, page_path(ref)).html
    assert 'data-testid="diff"' in page
    row = re.search(r'<tr class="diff-replace">(.*?)</tr>', page, re.DOTALL)
    assert row is not None
    assert "&#34;title&#34;: &#34;Old title&#34;" in row.group(1) and "&#34;Preview test&#34;" in row.group(1)
    assert "live (staging)" in page
    index = page_for_path(snapshot, "index.html").html
    assert '<td class="action action-update">~ update</td>' in index


def test_env_failure_shows_on_the_pages_instead_of_failing(project: Path) -> None:
    def unreachable(resources: Sequence[Resource]) -> Plan:
        raise EnvironmentProblem("staging: cannot reach Grafana: connection refused")

    snapshot = build_snapshot(project, PreviewOptions(environment="staging", plan_source=unreachable))
    assert snapshot.plan is None and snapshot.resources
    html = page_for_path(snapshot, "index.html").html
    assert "cannot reach Grafana: connection refused" in html


def test_env_plans_against_a_live_grafana_read_only(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with GrafanaEmulator({"preview-token": "sa-preview"}) as grafana:
        existing = {
            "dashboard": {"uid": "preview-test", "title": "Edited in the UI", "schemaVersion": 39, "panels": []}
        }
        answer = requests.post(
            grafana.url + "/api/dashboards/db",
            json=existing,
            headers={"Authorization": "Bearer preview-token"},
            timeout=5,
        )
        assert answer.status_code == 200
        writes_before = len(grafana.writes())
        (project / "pydis-dash.toml").write_text(
            f'[environments.test]\ngrafana_url = "{grafana.url}"\ngrafana_token_env = "PREVIEW_TEST_GRAFANA_TOKEN"\n'
        )
        monkeypatch.setenv("PREVIEW_TEST_GRAFANA_TOKEN", "preview-token")
        options = PreviewOptions(environment="test", plan_source=environment_plan_source(project, "test"))
        snapshot = build_snapshot(project, options)
        assert snapshot.plan_error is None
        change = snapshot.change_for(Ref(Kind.GRAFANA_DASHBOARD, "preview-test"))
        assert change is not None and change.action is Action.UPDATE
        html = page_for_path(snapshot, "grafana-dashboard/preview-test.html").html
        assert "Edited in the UI" in html and "drift:" in html
        assert snapshot.plan is not None
        [folder] = [c for c in snapshot.plan.changes if c.ref.kind is Kind.GRAFANA_FOLDER]
        assert folder.action is Action.CREATE and folder.title == "Testing"
        assert snapshot.change_for(Ref(Kind.METABASE_QUESTION, "member-messages")) is None  # no Metabase URL
        assert len(grafana.writes()) == writes_before


# --- rebuilds ------------------------------------------------------------------------------------------


def test_a_load_error_keeps_the_last_good_build_and_names_the_file(project: Path) -> None:
    live = LiveProject(project, PreviewOptions())
    live.rebuild()
    assert live.poll() is False
    (project / "dashboards/testing/preview.py").write_text("import nonexistent_module_for_preview\n")
    assert live.poll() is True
    snapshot = live.snapshot
    assert snapshot.load_error is not None
    assert (
        "dashboards/testing/preview.py:1" in snapshot.load_error
        and "nonexistent_module_for_preview" in snapshot.load_error
    )
    assert any(r.ref.uid == "preview-test" for r in snapshot.resources)
    html = page_for_path(snapshot, "grafana-dashboard/preview-test.html").html
    assert 'data-testid="load-error"' in html and "nonexistent_module_for_preview" in html


def test_first_build_failing_shows_the_error_and_no_resources(make_project: MakeProject) -> None:
    project = make_project({"dashboards/broken.py": "x = (\n"})
    snapshot = build_snapshot(project, PreviewOptions())
    assert snapshot.resources == ()
    index = page_for_path(snapshot, "").html
    assert "dashboards/broken.py:1" in index and "syntax error" in index
    missing = page_for_path(snapshot, "grafana-dashboard/preview-test.html")
    assert missing.status == 404 and "the last build failed to load" in missing.html


def test_an_edited_helper_module_is_imported_afresh(make_project: MakeProject) -> None:
    project = make_project(
        {
            "dashboards/testing/_names.py": 'TITLE = "First title"\n',
            "dashboards/testing/preview.py": DASHBOARD.replace('title="Preview test"', "title=TITLE").replace(
                "from pydis_dash.grafana", "from _names import TITLE\nfrom pydis_dash.grafana"
            ),
        }
    )
    live = LiveProject(project, PreviewOptions())
    assert live.rebuild().resource(Ref(Kind.GRAFANA_DASHBOARD, "preview-test")).title == "First title"  # type: ignore[union-attr]
    (project / "dashboards/testing/_names.py").write_text('TITLE = "Second, longer title"\n')
    assert live.poll() is True
    resource = live.snapshot.resource(Ref(Kind.GRAFANA_DASHBOARD, "preview-test"))
    assert resource is not None and resource.title == "Second, longer title"


# --- server and export ------------------------------------------------------------------------------------


def test_server_routes_version_static_files_and_missing_pages(served: tuple[str, LiveProject], project: Path) -> None:
    url, live = served
    assert requests.get(url + "__version", timeout=5).json() == {"version": 1}
    css = requests.get(url + "static/preview.css", timeout=5)
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css") and ".grid" in css.text
    assert requests.get(url + "static/../pages.py", timeout=5).status_code == 404
    missing = requests.get(url + "grafana-dashboard/nope.html", timeout=5)
    assert missing.status_code == 404 and "grafana-dashboard/nope.html" in missing.text
    index = requests.get(url, timeout=5)
    assert index.status_code == 200 and '<meta name="pydis-preview-version" content="1">' in index.text
    (project / "dashboards/testing/preview.py").write_text(DASHBOARD.replace("Preview test", "Renamed").lstrip())
    assert live.poll() is True
    assert requests.get(url + "__version", timeout=5).json() == {"version": 2}
    assert "Renamed" in requests.get(url + "grafana-dashboard/preview-test.html", timeout=5).text


def test_static_export_writes_the_same_pages_the_server_serves(
    served: tuple[str, LiveProject], project: Path, tmp_path: Path
) -> None:
    url, _ = served
    out = tmp_path / "site"
    snapshot = export_site(project, out, PreviewOptions())
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == sorted([*page_paths(snapshot), *(f"static/{name}" for name in STATIC_FILES)])
    assert {"static/preview.css", "static/preview.js", "static/charts.js", "static/uPlot.iife.min.js"} <= set(written)
    assert "grafana-dashboard/preview-test.html" in written and "metabase-question/member-messages.html" in written
    for relative in written:
        served_text = requests.get(url + relative, timeout=5).text
        exported = (out / relative).read_text(encoding="utf-8")
        assert not VERSION_META.search(exported)  # exported pages never poll for a newer build
        assert exported == VERSION_META.sub("", served_text), relative


def test_export_replaces_the_folder_as_a_whole(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / "stale").mkdir(parents=True)
    (out / "stale" / "old.html").write_text("old")
    export_site(project, out)
    assert not (out / "stale").exists() and (out / "index.html").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


def test_resource_page_names_are_safe_file_names() -> None:
    assert (
        page_path(Ref(Kind.METABASE_COLLECTION, "Moderation/Anti spam"))
        == "metabase-collection/Moderation~2fAnti~20spam.html"
    )
    assert (
        page_path(Ref(Kind.GRAFANA_RULE_GROUP, "site-and-api.django")) == "grafana-rule-group/site-and-api.django.html"
    )


# --- --engines ----------------------------------------------------------------------------------------


class _FlagEveryQuery:
    """A stand-in engine: one finding per query, at the query's own JSON pointer."""

    def __init__(self, language: Language) -> None:
        self.language = language

    def check(self, queries: Sequence[Query]) -> list[Finding]:
        return [
            Finding("ENGINE", Severity.WARNING, f"checked {q.text[:20]}", ref=q.resource.ref, json_path=q.json_path)
            for q in queries
        ]


def _open(language: Language) -> Callable[[ValidateOptions], AbstractContextManager[Engine]]:
    return lambda options: nullcontext(_FlagEveryQuery(language))


def test_engines_run_after_the_fast_build_is_published_and_land_on_their_panels(project: Path) -> None:
    openers = {language: _open(language) for language in Language}
    published: list[Snapshot] = []
    live = LiveProject(project, PreviewOptions(engines=True, engine_openers=openers), on_rebuild=published.append)
    final = live.rebuild()
    assert [(s.pending, s.engines) for s in published] == [(True, False), (False, True)]
    assert live.version == 2 and final is live.snapshot
    assert not any(f.rule == "ENGINE" for f in published[0].findings_for(Ref(Kind.GRAFANA_DASHBOARD, "preview-test")))
    html = page_for_path(final, "grafana-dashboard/preview-test.html").html
    commands = re.search(r'data-pointer="/panels/3".*?</a>', html, re.DOTALL)
    assert commands is not None and "Commands" in commands.group(0)
    assert 'data-testid="panel-findings">2</span>' in commands.group(0)  # PD108 and the engine's finding
    assert "schema, lint and query engines" in html
    pending_html = page_for_path(published[0], "index.html").html
    assert "still running" in pending_html
