"""The preview of the bundled tree with ``--data``, in a real browser: every panel of every dashboard is
drawn from its query, and what it draws matches the query result.

The test computes the expected values itself: SQL queries are run by the test on its own throwaway
PostgreSQL, PromQL on its own Prometheus and Graphite targets on its own graphite-web, each seeded with
the same sample data (same seed, same "now"); the test sends the queries over HTTP itself, names the
series by its own reading of Grafana's legend rules, and reduces/splits them by its own reading of
Grafana's panel rules. Screenshots of three dashboards go to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

import psycopg
import pytest
import requests
from playwright.sync_api import Page, sync_playwright

from pydis_dash.model import Kind, Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.preview import PreviewOptions
from pydis_dash.preview.export import export_site
from pydis_dash.preview.pages import page_path
from pydis_dash.sample import SampleContext, sample_now
from pydis_dash.sample.series import SeriesSample
from pydis_dash.validate.datasources import DatasourceCatalog
from pydis_dash.validate.engine_sources import checked_sources, sources_for
from pydis_dash.validate.engines.graphite import grafana_target
from pydis_dash.validate.engines.graphite_server import GraphiteServer
from pydis_dash.validate.engines.postgres import PostgresCluster
from pydis_dash.validate.engines.prometheus_server import PrometheusServer
from pydis_dash.validate.engines.promql_expand import IntervalSettings
from pydis_dash.validate.engines.promql_expand import expand as expand_promql
from pydis_dash.validate.engines.sql_expand import expand
from pydis_dash.validate.extract import extract_queries
from pydis_dash.validate.queries import Language, Query
from pydis_dash.validate.time_range import query_time

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
SEED = 3
NOW = sample_now()
SCREENSHOTS = ("community-engagement", "site-postgres", "bot-help")
Rows = list[list[Any]]
Results = dict[tuple[str, str], tuple[list[str], Rows]]
# What the preview draws a PromQL panel over: the two seeded hours, one point a minute.
PROMQL_RANGE_S, PROMQL_STEP_S = 7200, 60
LEGEND_LABEL = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@pytest.fixture(scope="module")
def resources() -> list[Resource]:
    return load_resources(REPO_ROOT)


@pytest.fixture(scope="module")
def site(resources: list[Resource]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="pydis-dash-data-site-") as out:
        snapshot = export_site(REPO_ROOT, Path(out) / "site", PreviewOptions(data=True, seed=SEED, now=NOW))
        assert snapshot.data and snapshot.data_error is None, snapshot.data_error
        yield Path(out) / "site"


@pytest.fixture(scope="module")
def sql_results(resources: list[Resource]) -> dict[tuple[str, str], tuple[list[str], Rows]]:
    """(dashboard uid, JSON path of the query) -> the test's own result: column names and rows."""
    sources = sources_for(Language.SQL, checked_sources(resources, {}, {}))
    schemas = {s.uid: s.schema for s in sources if s.schema is not None}
    samples = {s.uid: s.sample_data for s in sources if s.sample_data is not None}
    queries = [
        q for q in extract_queries(resources, DatasourceCatalog(resources))
        if q.language is Language.SQL and q.resource.kind is Kind.GRAFANA_DASHBOARD and "/targets/" in q.json_path
    ]  # fmt: skip
    results: dict[tuple[str, str], tuple[list[str], Rows]] = {}
    context = SampleContext(seed=SEED, now=NOW)
    with PostgresCluster(schemas, samples=samples, sample_context=context) as cluster:
        for query in queries:
            results[(query.resource.ref.uid, query.json_path)] = _run(cluster, query)
    return results


@pytest.fixture(scope="module")
def series_results(resources: list[Resource]) -> Iterator[Results]:
    """(dashboard uid, JSON path of the query) -> the test's own PromQL and Graphite results, as long
    frames (time in ms, series name, value), from its own Prometheus and graphite-web."""
    sources = checked_sources(resources, {}, {})
    context = SampleContext(seed=SEED, now=NOW)
    queries = [
        q for q in extract_queries(resources, DatasourceCatalog(resources))
        if q.language in (Language.PROMQL, Language.GRAPHITE) and q.resource.kind is Kind.GRAFANA_DASHBOARD
        and "/targets/" in q.json_path
    ]  # fmt: skip
    [prometheus] = sources_for(Language.PROMQL, sources)
    [graphite] = sources_for(Language.GRAPHITE, sources)
    assert prometheus.schema and prometheus.sample_data and graphite.schema and graphite.sample_data
    series_text = prometheus.schema.read_text(encoding="utf-8")
    with (
        PrometheusServer(series_text=series_text, sample=SeriesSample(prometheus.sample_data, context)) as prom,
        GraphiteServer(
            graphite.schema, sample=SeriesSample(graphite.sample_data, context), end=NOW.timestamp()
        ) as carbon,
        requests.Session() as http,
    ):
        results: Results = {}
        for query in queries:
            key = (query.resource.ref.uid, query.json_path)
            if query.language is Language.PROMQL:
                results[key] = _run_promql(http, prom.url, prom.evaluation_time, query)
            else:
                results[key] = _run_graphite(http, carbon.url, query)
        yield results


def _run_promql(http: requests.Session, url: str, end: float, query: Query) -> tuple[list[str], Rows]:
    settings = IntervalSettings(interval_s=PROMQL_STEP_S, range_s=PROMQL_RANGE_S, at=end)
    form = {"query": expand_promql(query.text, query.variables, settings), "start": str(end - PROMQL_RANGE_S),
            "end": str(end), "step": str(PROMQL_STEP_S)}  # fmt: skip
    body = http.post(f"{url}/api/v1/query_range", data=form, timeout=30).json()
    assert body["status"] == "success", (query.json_path, body)
    data = body["data"]
    items: list[dict[str, Any]] = (
        [{"metric": {}, "values": [data["result"]]}] if data["resultType"] == "scalar" else data["result"]
    )
    legend = _target(query).get("legendFormat") or ""
    rows = [
        [round(float(t) * 1000), _series_name(item["metric"], legend), _float(v)]
        for item in items for t, v in item["values"]
    ]  # fmt: skip
    return ["time", "series", "value"], rows


def _series_name(labels: Mapping[str, str], legend: str) -> str:
    """Grafana's display name: the legend with labels filled, else name{labels}, else "value"."""
    if legend and legend != "__auto":
        return LEGEND_LABEL.sub(lambda m: labels.get(m.group(1), ""), legend)
    rest = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k != "__name__")
    name = labels.get("__name__", "")
    return f"{name}{{{rest}}}" if rest else name or "value"


def _float(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _run_graphite(http: requests.Session, url: str, query: Query) -> tuple[list[str], Rows]:
    end = int(NOW.timestamp())  # the preview draws the two seeded hours before the sample "now"
    form = {"target": grafana_target(query), "format": "json", "from": str(end - 7200), "until": str(end)}
    response = http.post(f"{url}/render", data=form, timeout=30)
    assert response.status_code == 200, (query.json_path, response.text[:300])
    rows = [[round(t * 1000), item["target"], v] for item in response.json() for v, t in item["datapoints"]]
    return ["time", "series", "value"], rows


def _target(query: Query) -> Mapping[str, Any]:
    target: Any = query.resource.body
    for part in query.json_path.split("/")[1:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    return cast(Mapping[str, Any], target)


def _run(cluster: PostgresCluster, query: Query) -> tuple[list[str], Rows]:
    sql = expand(query.text, query.syntax, query.variables, time=query_time(query, NOW)).variants[0].text
    with psycopg.connect(cluster.dsn(query.datasource_uid or "metricity")) as conn:
        cursor = conn.execute(sql.encode())
        names = [c.name for c in cursor.description or ()]
        rows = [[_value(name, v) for name, v in zip(names, row, strict=True)] for row in cursor.fetchall()]
    return names, rows


def _value(name: str, value: Any) -> Any:
    """As a chart gets it: timestamps and epoch numbers in "time" as milliseconds, decimals as floats."""
    if isinstance(value, dt.datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp() * 1000)  # whole ms
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if name in ("time", "time_sec") and isinstance(value, int | float) and abs(value) < 1e11:
        return value * 1000
    return value


# --- what a panel shows, by Grafana's rules (the test's own reading) --------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kinds(names: Sequence[str], rows: Rows) -> list[str]:
    kinds = []
    for i, name in enumerate(names):
        values = [row[i] for row in rows if row[i] is not None]
        if name in ("time", "time_sec"):
            kinds.append("time")
        elif values and all(_is_number(v) for v in values):
            kinds.append("number")
        else:
            kinds.append("string")
    return kinds


def expected_series(frames: Sequence[tuple[list[str], Rows]]) -> list[dict[str, Any]]:
    """A time series panel: one series per numeric column, split by the string columns' values."""
    series: dict[str, list[tuple[float, Any]]] = {}
    for names, rows in frames:
        kinds = _kinds(names, rows)
        if "time" not in kinds:
            continue
        t = kinds.index("time")
        labels = [i for i, k in enumerate(kinds) if k == "string"]
        values = [i for i, k in enumerate(kinds) if k == "number"]
        for row in rows:
            label = " ".join(str(row[i]) for i in labels)
            for v in values:
                name = (f"{label} {names[v]}" if len(values) > 1 else label) if label else names[v]
                series.setdefault(name, []).append((row[t], row[v]))
    return [
        {"name": name, "points": len(points), "last": sorted(points, key=lambda p: p[0])[-1][1]}
        for name, points in series.items()
    ]


def expected_category_bars(frames: Sequence[tuple[list[str], Rows]]) -> list[dict[str, Any]]:
    """A bar chart without a time column: a group of bars per row, one bar per numeric column."""
    names, rows = next((frame for frame in frames if frame[1]), ([], []))
    kinds = _kinds(names, rows)
    return [
        {"name": names[i], "points": len(rows), "last": rows[-1][i]} for i, kind in enumerate(kinds) if kind == "number"
    ]


def _calc(name: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    match name:
        case "mean":
            return sum(present) / len(present) if present else None
        case "sum":
            return sum(present)
        case _:  # lastNotNull
            return present[-1] if present else None


def expected_values(panel: Mapping[str, Any], frames: Sequence[tuple[list[str], Rows]]) -> list[Any]:
    """A stat, gauge, bar gauge or pie: each numeric field reduced, or one value per row."""
    reduce = (panel.get("options") or {}).get("reduceOptions") or {}
    calc = (reduce.get("calcs") or ["lastNotNull"])[0]
    pattern = reduce.get("fields") or ""
    regex = re.compile(pattern[1 : pattern.rindex("/")]) if pattern.startswith("/") else None
    out: list[Any] = []
    for names, rows in frames:
        kinds = _kinds(names, rows)
        numeric = [i for i, k in enumerate(kinds) if k == "number" and (regex is None or regex.search(names[i]))]
        if reduce.get("values"):
            out += [row[i] for row in rows for i in numeric]
        elif "time" in kinds and "string" in kinds:
            out += [s_points for s_points in _reduced_series(names, rows, calc)]
        else:
            out += [_calc(calc, [row[i] for row in rows]) for i in numeric]
    return out


def _reduced_series(names: list[str], rows: Rows, calc: str) -> list[Any]:
    kinds = _kinds(names, rows)
    t, label, value = kinds.index("time"), kinds.index("string"), kinds.index("number")
    by_name: dict[str, list[tuple[float, Any]]] = {}
    for row in rows:
        by_name.setdefault(str(row[label]), []).append((row[t], row[value]))
    return [_calc(calc, [v for _, v in sorted(points, key=lambda p: p[0])]) for points in by_name.values()]


def _close(a: Any, b: Any) -> bool:
    if _is_number(a) and _is_number(b):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def _same_rows(own: Rows, drawn: Rows) -> bool:
    return len(own) == len(drawn) and all(
        len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
        for a, b in zip(own, drawn, strict=True)
    )


def _frames_of(spec: Mapping[str, Any]) -> list[tuple[list[str], Rows]]:
    frames = []
    for frame in spec["frames"]:
        if "rows" in frame:
            names = [c["name"] for c in frame["columns"]]
            frames.append((names, frame["rows"]))
    return frames


# --- the test ---------------------------------------------------------------------------------------


def _panels(body: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for index, panel in enumerate(body.get("panels", [])):
        yield f"/panels/{index}", panel
        for inner, child in enumerate(panel.get("panels", []) if panel.get("type") == "row" else []):
            yield f"/panels/{index}/panels/{inner}", child


def test_every_panel_of_every_dashboard_is_drawn_from_its_query(
    site: Path, resources: list[Resource], sql_results: Results, series_results: Results
) -> None:
    # A thread of its own: another test module's Playwright session may be running in this one.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(_check_every_dashboard, site, resources, {**sql_results, **series_results}).result()


def _check_every_dashboard(site: Path, resources: list[Resource], own_results: Results) -> None:
    dashboards = [r for r in resources if r.kind is Kind.GRAFANA_DASHBOARD]
    checked = 0
    no_data: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        for dashboard in dashboards:
            page.goto((site / page_path(dashboard.ref)).as_uri())
            page.wait_for_function("() => [...document.querySelectorAll('.chart')].every((c) => c.dataset.state)")
            for pointer, panel in _panels(dashboard.body):
                if panel.get("type") == "row":
                    continue
                checked += _check_panel(page, dashboard, pointer, panel, own_results, no_data)
            if dashboard.ref.uid in SCREENSHOTS:
                ARTIFACTS.mkdir(exist_ok=True)
                page.locator("section.layout").screenshot(path=str(ARTIFACTS / f"data-{dashboard.ref.uid}.png"))
        browser.close()
    assert errors == []
    # The nominee review asks for a user id (empty until staff paste one): its per-member panels have
    # no rows, in Grafana as here. Every other panel has data.
    assert no_data == [
        "moderation-nominee-review/panels/2 'Messages per week'",
        "moderation-nominee-review/panels/3 'Channels they post in most'",
        "moderation-nominee-review/panels/4 'Channels with first and last message'",
    ], no_data
    assert checked == sum(1 for d in dashboards for _, p in _panels(d.body) if p.get("type") != "row")
    for uid in SCREENSHOTS:
        assert (ARTIFACTS / f"data-{uid}.png").stat().st_size > 10_000


def _check_panel(
    page: Page,
    dashboard: Resource,
    pointer: str,
    panel: Mapping[str, Any],
    own_results: Results,
    no_data: list[str],
) -> int:
    where = f"{dashboard.ref.uid}{pointer} {panel.get('title')!r}"
    chart = page.locator(f"[data-testid=panel][data-pointer='{pointer}'] [data-testid=chart]")
    assert chart.count() == 1, where
    state = chart.get_attribute("data-state")
    source_type = str((panel.get("datasource") or {}).get("type"))
    field = {"grafana-postgresql-datasource": "rawSql", "prometheus": "expr", "graphite": "target"}[source_type]
    targets = range(len(panel.get("targets", [])))
    # The test's own result, from its own database, Prometheus or graphite-web.
    frames = [own_results[(dashboard.ref.uid, f"{pointer}/targets/{i}/{field}")] for i in targets]
    if state == "nodata":  # only when the query really returns no rows
        assert all(not frame[1] for frame in frames), where
        no_data.append(where)
        return 1
    assert state == "ok", (where, state, chart.inner_text())
    assert chart.get_attribute("data-drawn") == panel["type"], where
    spec = json.loads(chart.locator("script.chart-spec").text_content() or "{}")
    drawn_frames = _frames_of(spec)  # same rows reached the page
    assert len(frames) == len(drawn_frames), where
    assert all(_same_rows(own[1], drawn[1]) for own, drawn in zip(frames, drawn_frames, strict=True)), where
    kind = panel["type"]
    if kind in ("timeseries", "barchart"):
        drawn = json.loads(chart.get_attribute("data-series") or "[]")
        want = expected_series(frames) or expected_category_bars(frames)
        assert [s["name"] for s in drawn] == [s["name"] for s in want], where
        assert [s["points"] for s in drawn] == [s["points"] for s in want], where
        assert all(_close(d["last"], w["last"]) for d, w in zip(drawn, want, strict=True)), where
        assert want, where
    elif kind in ("stat", "gauge", "bargauge", "piechart"):
        drawn_values = json.loads(chart.get_attribute("data-values") or "[]")
        values = expected_values(panel, frames)
        if kind == "piechart":
            values = [v for v in values if _is_number(v) and v > 0]
        assert len(drawn_values) == len(values), (where, drawn_values, values)
        assert all(_close(d, w) for d, w in zip(drawn_values, values, strict=True)), (where, drawn_values, values)
        assert values, where
    elif kind == "table":
        names, rows = frames[0]
        assert json.loads(chart.get_attribute("data-columns") or "[]") == names, where
        assert int(chart.get_attribute("data-rows") or "-1") == len(rows) > 0, where
    return 1
