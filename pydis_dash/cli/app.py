"""The root click group, shared by every command module."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from pydis_dash import __version__
from pydis_dash.errors import PydisDashError


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


def fail(error: PydisDashError) -> NoReturn:
    """Print one clear line for ``error`` on stderr and exit with its documented code."""
    click.echo(f"error: {error}", err=True)
    sys.exit(int(error.exit_code))


def project_root(ctx: click.Context) -> Path:
    """The project directory chosen with ``--project`` (default: the current directory)."""
    return Path(ctx.find_root().obj["project_dir"]).resolve()
