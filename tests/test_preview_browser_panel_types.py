"""``preview --data`` in a real browser, for the panel types and settings the bundled tree lacks:
stacked bars with a unit on the axis, a stat coloured by its thresholds, a table with units in its
cells, a heatmap, a text panel, a panel with no data and one whose query fails on the sample data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from playwright.sync_api import Locator, sync_playwright

from pydis_dash.cli import main
from pydis_dash.preview.fragments import css_colour

MakeProject = Callable[[dict[str, str]], Path]
CHROMIUM = "/usr/bin/chromium"

DASHBOARD = """
from pydis_dash.grafana import Dashboard, Row, raw_panel, sql, text

JOINS = ("SELECT $__timeGroupAlias(joined_at, '1d'), count(*) FILTER (WHERE bot) AS bots, "
         "count(*) FILTER (WHERE NOT bot) AS people FROM users WHERE $__timeFilter(joined_at) GROUP BY 1 ORDER BY 1")
dashboard = Dashboard(
    uid="types", title="Types", folder="Community", time=("now-30d", "now"),
    rows=[Row("Panels", [
        sql("metricity").timeseries("Stacked", sql=JOINS, unit="percent",
                                    field_config={"custom": {"drawStyle": "bars", "stacking": {"mode": "normal"}}}),
        sql("metricity").stat("Members", sql="SELECT count(*) AS members FROM users",
                              thresholds=[(None, "green"), (10, "red")]),
        sql("metricity").table("Channels", sql="SELECT name, 12.5 AS share FROM channels ORDER BY name LIMIT 3",
                               unit="percent"),
        raw_panel({"type": "heatmap", "title": "Hours", "datasource": {"type": "grafana-postgresql-datasource",
                   "uid": "metricity"}, "targets": [{"refId": "A", "format": "table", "rawSql":
                   "SELECT extract(dow FROM joined_at)::int AS day, extract(hour FROM joined_at)::int AS hour, "
                   "count(*) AS joins FROM users GROUP BY 1, 2 ORDER BY 1, 2"}]}),
        text("Notes", "Counts from **Metricity**."),
        sql("metricity").stat("Nobody", sql="SELECT count(*) AS n FROM users WHERE false GROUP BY is_staff"),
        sql("metricity").stat("Broken", sql="SELECT 1 / (count(*) - count(*)) AS broken FROM users"),
    ])],
)
"""


def test_each_panel_type_is_drawn_with_its_settings(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project({"dashboards/types.py": DASHBOARD})
    result = CliRunner().invoke(main, ["--project", str(root), "preview", "--export", str(tmp_path / "site"), "--data"])
    assert result.exit_code == 0, result.output
    page = tmp_path / "site" / "grafana-dashboard" / "types.html"
    with ThreadPoolExecutor(max_workers=1) as worker:  # Playwright's sync API wants a thread without a loop
        charts = worker.submit(_read_charts, page).result()
    stacked, members, channels, hours, notes, nobody, broken = charts

    assert stacked["state"] == "ok" and stacked["drawn"] == "timeseries"
    assert [s["name"] for s in stacked["series"]] == ["bots", "people"]
    # Stacked: each band's top is the running total of the series below it.
    assert stacked["stackedLast"] == [
        stacked["series"][0]["last"],
        stacked["series"][0]["last"] + stacked["series"][1]["last"],
    ]
    assert stacked["yTicks"] and all(tick.endswith("%") for tick in stacked["yTicks"])  # the unit on the axis

    assert members["state"] == "ok" and members["values"][0] > 10
    assert css_colour("red") in members["style"]  # above the 10 threshold

    assert channels["state"] == "ok" and channels["columns"] == ["name", "share"] and channels["rows"] == "3"
    assert channels["cells"][1::2] == ["12.5%"] * 3

    assert hours["state"] == "ok" and hours["drawn"] == "heatmap" and sum(hours["values"]) > 0
    assert notes["state"] == "ok" and "Counts from" in notes["text"]
    assert nobody["state"] == "nodata" and nobody["message"] == "No data"
    assert broken["state"] == "error" and "division by zero" in broken["message"]


def _read_charts(page: Path) -> list[dict[str, Any]]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(page.as_uri())
        tab.wait_for_function("() => [...document.querySelectorAll('.chart')].every((c) => c.dataset.state)")
        charts = [
            _chart(tab.locator("[data-testid=chart]").nth(i)) for i in range(tab.locator("[data-testid=chart]").count())
        ]
        browser.close()
    assert errors == []
    return charts


def _chart(chart: Locator) -> dict[str, Any]:
    def data(name: str, default: str = "null") -> Any:
        return json.loads(chart.get_attribute(f"data-{name}") or default)

    message = chart.locator("[data-testid=chart-message]")
    stat = chart.locator(".stat-value")
    return {
        "state": chart.get_attribute("data-state"),
        "drawn": chart.get_attribute("data-drawn"),
        "series": data("series"),
        "stackedLast": data("stacked-last"),
        "yTicks": data("y-ticks"),
        "values": data("values"),
        "columns": data("columns"),
        "rows": chart.get_attribute("data-rows"),
        "cells": chart.locator("td").all_inner_texts(),
        "style": stat.first.get_attribute("style") if stat.count() else None,
        "text": chart.inner_text(),
        "message": message.inner_text() if message.count() else None,
    }
