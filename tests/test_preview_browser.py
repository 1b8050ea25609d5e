"""The preview in a real browser: Debian's chromium, headless, driven by Playwright for Python.

`ci/setup-browser` installs both (Playwright's own browser download is never used). One browser is
shared by the whole session; each test gets a fresh project copy and its own preview server.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect, sync_playwright
from preview_support import DASHBOARD, FILES

from pydis_dash.pipeline import load_resources
from pydis_dash.preview import LiveProject, PreviewOptions, PreviewServer
from pydis_dash.preview.dashboard_view import GRID_COLUMNS, ROW_HEIGHT_PX

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous: a wait for the page to reload itself, not a speed requirement.
RELOAD_WAIT_MS = 15_000
TOLERANCE_PX = 1.5


@pytest.fixture(scope="session")
def browser() -> Iterator[BrowserContext]:
    with tempfile.TemporaryDirectory(prefix="pydis-dash-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[Page]:
    tab = browser.new_page()
    yield tab
    tab.close()


@pytest.fixture
def project(make_project: Callable[[dict[str, str]], Path]) -> Path:
    return make_project(FILES)


@pytest.fixture
def served(project: Path) -> Iterator[str]:
    live = LiveProject(project, PreviewOptions(), interval=0.1)
    live.start()
    server = PreviewServer(live, port=0)
    server.start()
    yield server.url
    server.stop()
    live.stop()


def dashboard_body(project: Path) -> dict[str, Any]:
    [resource] = [r for r in load_resources(project) if r.ref.uid == "preview-test"]
    return dict(resource.body)


def check_grid(page: Page, grid_selector: str, expected: dict[int, dict[str, int]]) -> None:
    """Every panel box of the grid sits exactly on its gridPos; the boxes are exactly ``expected``."""
    grid = page.locator(grid_selector)
    box = grid.bounding_box()
    assert box is not None
    offset = int(grid.get_attribute("data-grid-offset") or "0")
    panels = grid.locator("[data-testid=panel]")
    drawn: dict[int, dict[str, int]] = {}
    for index in range(panels.count()):
        panel = panels.nth(index)
        pos = {key: int(panel.get_attribute(f"data-grid-{key}") or "-1") for key in ("x", "y", "w", "h")}
        drawn[int(panel.get_attribute("data-panel-id") or "-1")] = pos
        actual = panel.bounding_box()
        assert actual is not None
        want = {
            "x": box["x"] + box["width"] * pos["x"] / GRID_COLUMNS,
            "y": box["y"] + (pos["y"] - offset) * ROW_HEIGHT_PX,
            "width": box["width"] * pos["w"] / GRID_COLUMNS,
            "height": pos["h"] * ROW_HEIGHT_PX,
        }
        for key, value in want.items():
            assert abs(actual[key] - value) <= TOLERANCE_PX, (panel.get_attribute("data-pointer"), key, actual, want)
    assert drawn == expected


def test_index_and_dashboard_draw_every_panel_at_its_grid_position(page: Page, served: str, project: Path) -> None:
    page.goto(served)
    rows = page.locator("[data-testid=resource-row]")
    kinds = {rows.nth(i).get_attribute("data-kind") for i in range(rows.count())}
    assert {"grafana-dashboard", "metabase-question", "grafana-rule-group", "grafana-datasource"} <= kinds
    dashboard_row = page.locator("[data-testid=resource-row][data-uid=preview-test]")
    expect(dashboard_row).to_contain_text("dashboards/testing/preview.py:7")
    expect(dashboard_row).to_contain_text("1 error")
    expect(page.locator("[data-testid=resource-row][data-uid=member-messages]")).to_contain_text("Moderation/Reviews")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "preview-index.png"), full_page=True)

    dashboard_row.get_by_role("link").click()
    expect(page).to_have_url(served + "grafana-dashboard/preview-test.html")
    body = dashboard_body(project)
    top = {p["id"]: p["gridPos"] for p in body["panels"]}
    check_grid(page, "[data-testid=grid]", top)
    [collapsed_row] = [p for p in body["panels"] if p.get("collapsed")]
    check_grid(page, "[data-testid=collapsed-grid]", {p["id"]: p["gridPos"] for p in collapsed_row["panels"]})
    page.screenshot(path=str(ARTIFACTS / "preview-dashboard.png"), full_page=True)

    # The PD108 finding (unknown unit) is shown on the panel it is about, and only there.
    commands = page.locator("[data-testid=grid] [data-testid=panel]", has_text="Commands")
    expect(commands.locator("[data-testid=panel-findings]")).to_have_text("1")
    assert page.locator("[data-testid=grid] [data-testid=panel-findings]").count() == 1
    detail = page.locator("[data-testid=panel-detail]", has_text="Commands")
    expect(detail.locator("[data-testid=panel-detail-findings]")).to_contain_text("PD108")
    expect(detail.locator("[data-testid=query]")).to_contain_text("sumSeries(stats.bot.commands.*.count)")
    expect(page.locator("[data-testid=variable][data-name=view]")).to_contain_text("home")

    raw = page.locator("[data-testid=raw-json]")
    expect(raw).to_be_hidden()
    page.locator("[data-testid=toggle-raw-json]").click()
    expect(raw).to_be_visible()
    expect(raw).to_contain_text('"uid": "preview-test"')


def test_editing_a_definition_reloads_the_open_page(page: Page, served: str, project: Path) -> None:
    page.goto(served + "grafana-dashboard/preview-test.html")
    expect(page.locator("h1")).to_contain_text("Preview test")
    source = project / "dashboards/testing/preview.py"
    source.write_text(DASHBOARD.replace('title="Preview test"', 'title="Preview retitled after an edit"').lstrip())
    expect(page.locator("h1")).to_contain_text("Preview retitled after an edit", timeout=RELOAD_WAIT_MS)
    # The layout follows the edit too: widen "Requests" from 18 to 12 columns and see the box move.
    source.write_text(DASHBOARD.replace('unit="reqps", width=18', 'unit="reqps", width=12').lstrip())
    requests_box = page.locator("[data-testid=grid] [data-testid=panel]", has_text="Requests")
    expect(requests_box).to_have_attribute("data-grid-w", "12", timeout=RELOAD_WAIT_MS)
    check_grid(page, "[data-testid=grid]", {p["id"]: p["gridPos"] for p in dashboard_body(project)["panels"]})


def test_a_broken_definition_shows_its_error_and_the_server_keeps_going(page: Page, served: str, project: Path) -> None:
    page.goto(served)
    expect(page.locator("[data-testid=load-error]")).to_have_count(0)
    source = project / "dashboards/testing/preview.py"
    good = source.read_text()
    source.write_text(good.replace("rows=[", "rows=[[", 1))
    error = page.locator("[data-testid=load-error]")
    expect(error).to_contain_text("dashboards/testing/preview.py", timeout=RELOAD_WAIT_MS)
    expect(error).to_contain_text("syntax error")
    # The last good build is still listed under the error.
    expect(page.locator("[data-testid=resource-row][data-uid=preview-test]")).to_have_count(1)
    source.write_text(good)
    expect(error).to_have_count(0, timeout=RELOAD_WAIT_MS)
    expect(page.locator("[data-testid=resource-row][data-uid=preview-test]")).to_contain_text("1 error")
