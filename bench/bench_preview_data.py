"""The preview of a 20-panel dashboard drawn with its data: queries on sample data, page, browser.

Run: ``python bench/bench_preview_data.py [--panels N] [--results PATH]``. A project with one dashboard of N
panels (stats, time series, bar gauges, tables on the Metricity sample data; PromQL and Graphite time series
on the seeded Prometheus and graphite-web) is generated; the preview's engines are started once (as
``preview --data`` keeps them between saves) and then one rebuild is timed end to end: every query run on
the sample data, the page rendered and written, and headless Chromium loading it until every chart has
drawn. The peer is the same page without data (boxes showing query text) drawn in the same browser. No
asserts: this measures, CI does not gate on it.
"""

from __future__ import annotations

import shutil
import tempfile
import textwrap
import time
from pathlib import Path

from _harness import REPO_ROOT, parse_options, record, report
from playwright.sync_api import Page, sync_playwright

from pydis_dash.preview import PreviewOptions
from pydis_dash.preview.export import write_site
from pydis_dash.preview.pages import page_path
from pydis_dash.preview.panel_data import PanelDataSession
from pydis_dash.preview.snapshot import build_snapshot
from pydis_dash.sample import SampleContext, sample_now

CHROMIUM = "/usr/bin/chromium"
PANELS = [
    'metricity.stat("Messages {n}", sql="SELECT count(*) AS messages FROM messages WHERE $__timeFilter(created_at)")',
    'metricity.timeseries("Messages per hour {n}", sql="SELECT $__timeGroupAlias(created_at, \'1h\'), count(*) AS '
    'messages FROM messages WHERE $__timeFilter(created_at) GROUP BY 1 ORDER BY 1")',
    'metricity.bargauge("Busiest channels {n}", sql="SELECT c.name, count(*) AS messages FROM messages m JOIN channels '
    'c ON c.id = m.channel_id WHERE $__timeFilter(m.created_at) GROUP BY 1 ORDER BY 2 DESC LIMIT 10", '
    'options={{"reduceOptions": {{"values": True, "calcs": ["lastNotNull"]}}}})',
    'metricity.table("Joins {n}", sql="SELECT date_trunc(\'day\', joined_at) AS day, count(*) AS joined FROM users '
    'WHERE $__timeFilter(joined_at) GROUP BY 1 ORDER BY 1")',
    'site.timeseries("Requests by method {n}", expr="sum by (method) '
    '(rate(django_http_requests_total_by_method_total[$__rate_interval]))", legend="{{{{method}}}}")',
    'bot.timeseries("Commands run {n}", target="aliasByNode(stats_counts.bot.commands.*, 3)")',
]


def write_project(root: Path, panels: int) -> Path:
    """A project: the repo's data sources and one dashboard of ``panels`` panels (SQL on Metricity,
    PromQL on Prometheus, Graphite targets: each engine's sample data)."""
    shutil.copytree(REPO_ROOT / "datasources", root / "datasources", ignore=shutil.ignore_patterns("__pycache__"))
    lines = [PANELS[i % len(PANELS)].format(n=i + 1) for i in range(panels)]
    body = ",\n            ".join(lines)
    source = textwrap.dedent(f"""
        from pydis_dash.grafana import Dashboard, Row, graphite, prometheus, sql

        metricity = sql("metricity")
        site = prometheus("prometheus")
        bot = graphite("graphite")

        dashboard = Dashboard(
            uid="bench-preview",
            title="Bench preview",
            folder="Bench",
            time=("now-7d", "now"),
            rows=[Row("Panels", [
            {body},
            ])],
        )
    """)
    (root / "dashboards").mkdir(parents=True)
    (root / "dashboards" / "bench.py").write_text(source)
    return root


def draw(page: Page, site: Path) -> None:
    page.goto((site / "grafana-dashboard" / "bench-preview.html").as_uri())
    page.wait_for_function("() => [...document.querySelectorAll('.chart')].every((c) => c.dataset.state)")


def main() -> None:
    """Time a warm rebuild with data against the same page without data; print and record."""
    bench = parse_options(__doc__, "--panels", 20)
    panels = bench.size
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp, sync_playwright() as playwright:
        project = write_project(Path(tmp) / "project", panels)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        with PanelDataSession(SampleContext(now=sample_now())) as session:
            options = PreviewOptions(data=True, data_session=session)
            began = time.perf_counter()
            build_snapshot(project, options)  # engines start and seed: once per preview session
            startup = time.perf_counter() - began
            timings = []
            for attempt in range(3):
                began = time.perf_counter()
                snapshot = build_snapshot(project, options)
                site = Path(tmp) / f"site-{attempt}"
                write_site(snapshot, site)
                draw(page, site)
                timings.append(time.perf_counter() - began)
            drawn = page.eval_on_selector_all(".chart[data-state=ok]", "els => els.length")
        began = time.perf_counter()
        plain = build_snapshot(project, PreviewOptions())
        write_site(plain, Path(tmp) / "plain")
        page.goto((Path(tmp) / "plain" / page_path(plain.resources[-1].ref)).as_uri())
        peer = time.perf_counter() - began
        browser.close()
    best = min(timings)
    report(
        "preview with data",
        [
            f"{panels} panels (SQL, PromQL, Graphite), {drawn} charts drawn",
            f"engines start + seed (once per session): {startup:.2f} s",
            f"rebuild with data, drawn in Chromium:    {best:.2f} s best of 3 "
            f"({', '.join(f'{t:.2f}' for t in timings)})  (target < 2 s)",
            f"peer, same page without data:           {peer:.2f} s",
        ],
        best / peer,
        "the page without data (best rebuild with data / peer)",
    )
    record(
        bench.results,
        "preview_data",
        {
            "panels": panels,
            "charts_drawn": drawn,
            "engine_start_seconds": round(startup, 3),
            "rebuild_drawn_seconds": [round(t, 3) for t in timings],
            "peer_without_data_seconds": round(peer, 3),
            "target_seconds": 2.0,
        },
    )


if __name__ == "__main__":
    main()
