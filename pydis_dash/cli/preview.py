"""``preview``: a local web page per resource, reloading as definitions are saved; or a static export."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from pydis_dash.cli.app import fail, main, project_root
from pydis_dash.errors import ExitCode, PydisDashError
from pydis_dash.preview.export import export_site
from pydis_dash.preview.screenshots import write_screenshots
from pydis_dash.preview.server import DEFAULT_HOST, DEFAULT_PORT, PreviewServer
from pydis_dash.preview.snapshot import PreviewOptions, Snapshot
from pydis_dash.preview.watch import LiveProject
from pydis_dash.sample import DEFAULT_SEED


@main.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--host",
    default=DEFAULT_HOST,
    show_default=True,
    help="Address to listen on. Anything but loopback shows your definitions to the network.",
)
@click.option(
    "--env",
    "env_name",
    metavar="NAME",
    help="Also show each resource's diff against this environment (read-only; needs its credentials).",
)
@click.option(
    "--export",
    "export_dir",
    type=click.Path(file_okay=False),
    help="Write the pages as static HTML into this folder and exit (no server).",
)
@click.option(
    "--engines",
    is_flag=True,
    help="Also run every query on its real engine (PostgreSQL, Prometheus, Graphite) on each rebuild.",
)
@click.option(
    "--data",
    is_flag=True,
    help="Draw every panel from its queries run on the data sources' sample data (read-only, throwaway engines).",
)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the sample data (--data).")
@click.option(
    "--screenshots",
    "screenshots_dir",
    type=click.Path(file_okay=False),
    help="Write a PNG of each dashboard drawn from sample data into this folder, with an index.md, and exit "
    "(headless Chromium; run ci/setup-browser).",
)
@click.option(
    "--changed-since",
    metavar="REF",
    help="With --screenshots: only dashboards whose JSON differs from the definitions at this git revision.",
)
@click.argument("selectors", nargs=-1)
@click.pass_context
def preview(
    ctx: click.Context,
    port: int,
    host: str,
    env_name: str | None,
    export_dir: str | None,
    engines: bool,
    data: bool,
    seed: int,
    screenshots_dir: str | None,
    changed_since: str | None,
    selectors: tuple[str, ...],
) -> None:
    """Serve a preview of every resource: dashboards drawn on Grafana's grid, questions, alert rules.

    Pages reload within a second or two of saving a definition; a definition that fails to load shows
    its error on the page. Validation findings (schemas and lint; queries too with --engines) are shown
    on the panel they belong to. With --export the same pages are written as static files; it exits 1
    when a definition failed to load (the pages say which), else 0.

    \b
    Examples:
      pydis-dash preview                      # http://127.0.0.1:8000/
      pydis-dash preview --port 0 dashboards/community/
      pydis-dash preview --env staging        # side-by-side diff against staging
      pydis-dash preview --export preview-html
      pydis-dash preview --data               # panels drawn from sample data
      pydis-dash preview --screenshots shots --changed-since origin/main
    """
    if changed_since is not None and screenshots_dir is None:
        raise click.UsageError("--changed-since needs --screenshots")
    root = project_root(ctx)
    try:
        options = replace(_options(root, selectors, engines, env_name), data=data, seed=seed)
        if screenshots_dir is not None:
            snapshot, shots = write_screenshots(root, Path(screenshots_dir), options, changed_since)
            _report(snapshot)
            click.echo(f"wrote {len(shots)} screenshot(s) into {screenshots_dir}", err=True)
            ctx.exit(int(_exit_code(snapshot)))
        if export_dir is not None:
            snapshot = export_site(root, Path(export_dir), options)
            _report(snapshot)
            click.echo(f"wrote {len(snapshot.resources) + 1} page(s) into {export_dir}", err=True)
            ctx.exit(int(_exit_code(snapshot)))
        project = LiveProject(root, options, on_rebuild=_report)
        project.rebuild()
        server = PreviewServer(project, host, port)
    except PydisDashError as error:
        fail(error)
    project.start()
    click.echo(f"preview at {server.url}  (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        project.stop()


def _options(root: Path, selectors: tuple[str, ...], engines: bool, env_name: str | None) -> PreviewOptions:
    if env_name is None:
        return PreviewOptions(selectors=selectors, engines=engines)
    # Imported only with --env: it brings in the deploy providers and their HTTP clients.
    from pydis_dash.preview.live_plan import environment_plan_source

    return PreviewOptions(selectors, engines, env_name, environment_plan_source(root, env_name))


def _exit_code(snapshot: Snapshot) -> ExitCode:
    """How a one-shot preview (export, screenshots) ends: definitions that do not load are invalid, and sample
    data that could not be drawn fails with its own cause's code; the pages are written either way."""
    if snapshot.load_error:
        return ExitCode.INVALID
    if snapshot.data_error:
        return snapshot.data_error_code
    return ExitCode.OK


def _report(snapshot: Snapshot) -> None:
    """One line per build on stderr: what loaded, what validation found, or why it failed."""
    if snapshot.load_error:
        click.echo(f"error: {snapshot.load_error} (shown on the pages)", err=True)
        return
    line = f"built {len(snapshot.resources)} resources"
    if snapshot.report:
        line += f"; {len(snapshot.report.errors)} error(s), {len(snapshot.report.warnings)} warning(s)"
    for problem in (snapshot.validation_error, snapshot.plan_error, snapshot.data_error):
        if problem:
            line += f"; {problem}"
    if snapshot.pending:
        line += " (schema and lint; engines or live plan still running)"
    click.echo(line, err=True)
