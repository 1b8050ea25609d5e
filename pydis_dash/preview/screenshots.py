"""``preview --screenshots DIR``: a PNG of each dashboard drawn from sample data, for pull requests.

The pages are exported with ``--data`` into a temporary folder and opened in headless Chromium
(Debian's ``chromium`` by default, ``PYDIS_DASH_CHROMIUM`` overrides) through Playwright; each
dashboard's grid is photographed once every chart has drawn. ``--changed-since REF`` keeps only the
dashboards whose rendered JSON differs from the same definitions at git revision ``REF`` (or that
are new). ``DIR/index.md`` lists the pictures, ready to be linked from a pull-request comment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path

from pydis_dash.errors import EnvironmentProblem, PydisDashError
from pydis_dash.model import Kind, Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.plan import canonical_json
from pydis_dash.preview.export import write_site
from pydis_dash.preview.pages import page_path
from pydis_dash.preview.snapshot import PreviewOptions, Snapshot, build_snapshot

DEFAULT_CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1400, "height": 900}
# How long a page may take to draw its charts: a wait, not a speed requirement.
DRAW_TIMEOUT_MS = 30_000
INDEX = "index.md"


@dataclass(frozen=True)
class Screenshot:
    """One picture written: which dashboard, and the PNG's name inside the output folder."""

    uid: str
    title: str
    file: str


def write_screenshots(
    project_dir: Path, out_dir: Path, options: PreviewOptions, changed_since: str | None = None
) -> tuple[Snapshot, list[Screenshot]]:
    """Export the preview with sample data, photograph the (changed) dashboards into ``out_dir``.

    Returns the snapshot (its load error, if any, is the caller's to report) and the pictures written,
    also listed in ``out_dir/index.md``. Raises :class:`EnvironmentProblem` when the browser or git
    cannot run.
    """
    project_dir = project_dir.resolve()
    snapshot = build_snapshot(project_dir, replace(options, data=True))
    dashboards = [r for r in snapshot.resources if r.kind is Kind.GRAFANA_DASHBOARD]
    if changed_since is not None:
        dashboards = changed_dashboards(project_dir, dashboards, changed_since)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pydis-dash-shots-") as site:
        write_site(snapshot, Path(site) / "site")
        shots = _photograph(Path(site) / "site", dashboards, out_dir)
    (out_dir / INDEX).write_text(_index(shots, changed_since), encoding="utf-8")
    return snapshot, shots


def changed_dashboards(project_dir: Path, dashboards: Sequence[Resource], ref: str) -> list[Resource]:
    """The dashboards whose rendered JSON differs from the definitions at git revision ``ref``, or that
    did not exist there. A tree that fails to load at ``ref`` makes every dashboard count as changed."""
    before = {r.ref.uid: canonical_json(r.body) for r in _resources_at(project_dir, ref)}
    return [r for r in dashboards if before.get(r.ref.uid) != canonical_json(r.body)]


def _resources_at(project_dir: Path, ref: str) -> list[Resource]:
    """The project's resources as they were at ``ref`` (its files extracted with ``git archive``)."""
    top = _git(project_dir, "rev-parse", "--show-toplevel").decode().strip()
    relative = project_dir.relative_to(Path(top).resolve()).as_posix()
    archive = _git(project_dir, "archive", "--format=tar", ref, relative if relative != "." else "")
    with tempfile.TemporaryDirectory(prefix="pydis-dash-ref-") as tree:
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
        try:
            return load_resources(Path(tree) / relative)
        except PydisDashError:
            return []


def _git(cwd: Path, *args: str) -> bytes:
    command = ["git", *[a for a in args if a]]
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise EnvironmentProblem(f"could not run git: {exc}") from None
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise EnvironmentProblem(
            f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(result.returncode)}"
        )
    return result.stdout


def _photograph(site: Path, dashboards: Sequence[Resource], out_dir: Path) -> list[Screenshot]:
    if not dashboards:
        return []
    # Playwright's sync API refuses to run where an asyncio loop is running (a notebook, an async
    # caller, another Playwright session): a thread of its own has none.
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(_photograph_here, site, dashboards, out_dir).result()


def _photograph_here(site: Path, dashboards: Sequence[Resource], out_dir: Path) -> list[Screenshot]:
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise EnvironmentProblem("--screenshots needs Playwright for Python: run ci/setup-browser") from None
    chromium = os.environ.get("PYDIS_DASH_CHROMIUM") or DEFAULT_CHROMIUM
    if not shutil.which(chromium):
        raise EnvironmentProblem(f"--screenshots needs Chromium at {chromium}: run ci/setup-browser")
    shots: list[Screenshot] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
            for resource in dashboards:
                page.goto((site / page_path(resource.ref)).as_uri())
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.chart')].every((c) => c.dataset.state)",
                    timeout=DRAW_TIMEOUT_MS,
                )
                name = f"{resource.ref.uid}.png"
                page.locator("section.layout").screenshot(path=str(out_dir / name))
                shots.append(Screenshot(resource.ref.uid, resource.title, name))
            browser.close()
    except PlaywrightError as exc:
        raise EnvironmentProblem(f"the browser failed: {str(exc).splitlines()[0]}") from None
    return shots


def _index(shots: Sequence[Screenshot], changed_since: str | None) -> str:
    scope = f"changed since `{changed_since}`" if changed_since else "all dashboards"
    lines = [f"# Dashboard previews ({scope}, drawn from sample data)", ""]
    if not shots:
        lines.append("No dashboard changed." if changed_since else "No dashboards.")
    for shot in shots:
        lines += [f"## {shot.title} (`{shot.uid}`)", "", f"![{shot.title}]({shot.file})", ""]
    return "\n".join(lines).rstrip() + "\n"
