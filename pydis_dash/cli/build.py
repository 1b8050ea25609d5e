"""``build``, ``render`` and ``list``: preview what the definitions produce, without any server."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from pydis_dash import app
from pydis_dash.build_output import resource_summary
from pydis_dash.cli.app import fail, main, project_root
from pydis_dash.errors import PydisDashError, UsageProblem
from pydis_dash.gc_pause import collector_paused
from pydis_dash.model import Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.render.canonical import canonical_json


def dump_json(value: Any) -> str:
    """The one JSON serialisation pydis-dash writes: sorted keys, two-space indent, final newline."""
    return canonical_json(value) + "\n"


def _load(ctx: click.Context, selectors: Sequence[str]) -> list[Resource]:
    try:
        return load_resources(project_root(ctx), selectors)
    except PydisDashError as error:
        fail(error)


@main.command()
@click.option("--out", "out_dir", default="build", show_default=True, type=click.Path(file_okay=False))
@click.argument("selectors", nargs=-1)
@click.pass_context
def build(ctx: click.Context, out_dir: str, selectors: tuple[str, ...]) -> None:
    """Write one JSON file per resource, plus index.json, into OUT.

    SELECTORS narrow the build: a definition file or folder, KIND/UID, or a uid glob.
    The output directory is replaced atomically: a failed build leaves the previous one intact.

    \b
    Example:
      pydis-dash build
      pydis-dash build --out /tmp/preview dashboards/community/channels.py
    """
    target = Path(out_dir)
    if not target.is_absolute():
        target = Path.cwd() / target
    # What the build made lives until the process exits: frozen before the collector comes back, neither
    # its next pass nor the one at interpreter exit walks those millions of objects (0.3-0.5 s on 1,000).
    with collector_paused(freeze_after=True):
        try:
            count = app.build(project_root(ctx), target, selectors)
        except PydisDashError as error:
            fail(error)
    click.echo(f"built {count} resources into {out_dir}", err=True)


@main.command()
@click.argument("selector")
@click.pass_context
def render(ctx: click.Context, selector: str) -> None:
    """Print one resource's JSON to stdout.

    \b
    Example:
      pydis-dash render community-channels
      pydis-dash render grafana-dashboard/community-channels | jq '.panels[].title'
    """
    resources = _load(ctx, [selector])
    primary = [r for r in resources if not any(r.ref in other.depends_on for other in resources)]
    if len(primary) != 1:
        names = ", ".join(str(r.ref) for r in primary)
        fail(UsageProblem(f"selector {selector!r} matches {len(primary)} resources ({names}); name one"))
    click.echo(dump_json(primary[0].body), nl=False)


@main.command("list")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("selectors", nargs=-1)
@click.pass_context
def list_resources(ctx: click.Context, output_format: str, selectors: tuple[str, ...]) -> None:
    """List every resource with its kind, identity and source file.

    \b
    Example:
      pydis-dash list
      pydis-dash list --format json dashboards/
    """
    resources = _load(ctx, selectors)
    if output_format == "json":
        click.echo(dump_json([resource_summary(r) for r in resources]), nl=False)
        return
    for resource in resources:
        click.echo(f"{resource.kind.value:<28} {resource.ref.uid:<40} {resource.source}")
