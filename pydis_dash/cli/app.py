"""The root click group, shared by every command module."""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from pydis_dash import __version__
from pydis_dash.errors import ExitCode, PydisDashError
from pydis_dash.redact import masked_output


class ExitCodeGroup(click.Group):
    """click exits 2 on a usage error (unknown option, bad value, missing argument); in pydis-dash 2
    means only "changes present" (`diff --exit-code`), so CI could mistake a typo for a plan. Usage
    errors exit 3, a tool error, like every other problem that is not in the definitions.

    Commands named in :attr:`lazy_commands` are imported on first use: a run pays the start-up of
    the command it runs (``deploy`` never imports the preview's templates or the importers).
    """

    #: Command name -> the module that registers it on this group when imported.
    lazy_commands: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, imported or not (``--help`` lists them all)."""
        return sorted(set(super().list_commands(ctx)) | set(self.lazy_commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing the module that registers it the first time it is asked for."""
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            importlib.import_module(self.lazy_commands[cmd_name])
        return super().get_command(ctx, cmd_name)

    # click's overloads of main() distinguish standalone mode; this one always behaves standalone.
    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> NoReturn:
        """Run the command line, then exit as click's standalone mode does, with pydis-dash's codes.

        Everything the run writes (stdout, stderr, logs, even a traceback) passes the secret filter.
        """
        with masked_output():
            try:
                # Not standalone, so click hands us its errors (and ctx.exit codes) instead of exiting.
                result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            except click.exceptions.ClickException as error:
                error.show()
                sys.exit(int(ExitCode.ENVIRONMENT))
            except click.exceptions.Abort:
                click.echo("Aborted!", err=True)
                sys.exit(int(ExitCode.ENVIRONMENT))
            except Exception:  # a bug in pydis-dash: its traceback, masked like all output, and a tool error
                traceback.print_exc()
                sys.exit(int(ExitCode.ENVIRONMENT))
            sys.exit(result if isinstance(result, int) else int(ExitCode.OK))


@click.group(cls=ExitCodeGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
