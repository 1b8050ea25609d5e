"""The preview of the bundled tree with ``--data``, in a real browser: every panel of every dashboard is
drawn from its query, and what it draws matches the query result.

The test computes the expected values itself: SQL queries are run by the test on its own throwaway
PostgreSQL seeded with the same sample data (same seed, same "now"), and reduced/split into series by
the test's own reading of Grafana's rules; PromQL and Graphite panels are checked against the rows
their frames carry. Screenshots of three dashboards go to ``test-artifacts/``.
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
from typing import Any

import psycopg
import pytest
from playwright.sync_api import Page, sync_playwright

from pydis_dash.model import Kind, Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.preview import PreviewOptions
from pydis_dash.preview.export import export_site
from pydis_dash.preview.pages import page_path
from pydis_dash.sample import SampleContext, sample_now
from pydis_dash.validate.datasources import DatasourceCatalog
from pydis_dash.validate.engine_sources import checked_sources, sources_for
from pydis_dash.validate.engines.postgres import PostgresCluster
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
    site: Path, resources: list[Resource], sql_results: dict[tuple[str, str], tuple[list[str], Rows]]
) -> None:
    # A thread of its own: another test module's Playwright session may be running in this one.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(_check_every_dashboard, site, resources, sql_results).result()


def _check_every_dashboard(
    site: Path, resources: list[Resource], sql_results: dict[tuple[str, str], tuple[list[str], Rows]]
) -> None:
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
                checked += _check_panel(page, dashboard, pointer, panel, sql_results, no_data)
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
    sql_results: dict[tuple[str, str], tuple[list[str], Rows]],
    no_data: list[str],
) -> int:
    where = f"{dashboard.ref.uid}{pointer} {panel.get('title')!r}"
    chart = page.locator(f"[data-testid=panel][data-pointer='{pointer}'] [data-testid=chart]")
    assert chart.count() == 1, where
    state = chart.get_attribute("data-state")
    if state == "nodata":  # only when the query really returns no rows
        targets = range(len(panel.get("targets", [])))
        assert all(not sql_results[(dashboard.ref.uid, f"{pointer}/targets/{i}/rawSql")][1] for i in targets), where
        no_data.append(where)
        return 1
    assert state == "ok", (where, state, chart.inner_text())
    assert chart.get_attribute("data-drawn") == panel["type"], where
    spec = json.loads(chart.locator("script.chart-spec").text_content() or "{}")
    is_sql = (panel.get("datasource") or {}).get("type") == "grafana-postgresql-datasource"
    if is_sql:  # the test's own result, from its own database
        targets = range(len(panel.get("targets", [])))
        frames = [sql_results[(dashboard.ref.uid, f"{pointer}/targets/{i}/rawSql")] for i in targets]
        assert [f[1] for f in frames] == [f[1] for f in _frames_of(spec)], where  # same rows reached the page
    else:
        frames = _frames_of(spec)
    kind = panel["type"]
    if kind in ("timeseries", "barchart"):
        drawn = json.loads(chart.get_attribute("data-series") or "[]")
        want = expected_series(frames) or expected_category_bars(frames)
        assert [s["name"] for s in drawn] == [s["name"] for s in want], where
        assert [s["points"] for s in drawn] == [s["points"] for s in want], where
        assert all(_close(d["last"], w["last"]) for d, w in zip(drawn, want, strict=True)), where
        assert want, where
    elif kind in ("stat", "gauge", "bargauge", "piechart"):
        drawn = json.loads(chart.get_attribute("data-values") or "[]")
        want = expected_values(panel, frames)
        if kind == "piechart":
            want = [v for v in want if _is_number(v) and v > 0]
        assert len(drawn) == len(want) and all(_close(d, w) for d, w in zip(drawn, want, strict=True)), (
            where,
            drawn,
            want,
        )
        assert want, where
    elif kind == "table":
        names, rows = frames[0]
        assert json.loads(chart.get_attribute("data-columns") or "[]") == names, where
        assert int(chart.get_attribute("data-rows") or "-1") == len(rows) > 0, where
    return 1
