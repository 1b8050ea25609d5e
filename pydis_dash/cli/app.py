"""The root click group, shared by every command module."""

from __future__ import annotations

import click

from pydis_dash import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pydis-dash")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, exists=True),
    default=".",
    show_default=True,
    help="Project root holding dashboards/, datasources/ and alerts/.",
)
@click.pass_context
def main(ctx: click.Context, project_dir: str) -> None:
    """Dashboards, saved questions and alerts as code for Grafana and Metabase.

    \b
    Exit codes (every command):
      0  ok
      1  invalid definitions or failed resources
      2  changes present (only `diff --exit-code`)
      3  tool or environment error
    """
    ctx.ensure_object(dict)
    ctx.obj["project_dir"] = project_dir
