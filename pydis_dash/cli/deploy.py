"""``diff`` and ``deploy``: compare the definitions with a live environment, then apply that plan."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import click

from pydis_dash.app import PreparedPlan, plan_project, prepare_plan
from pydis_dash.apply import DEFAULT_CONCURRENCY, ApplyContext, Result, apply_plan, format_apply_report
from pydis_dash.cli.app import fail, main, project_root
from pydis_dash.config import load_config
from pydis_dash.errors import ExitCode, PydisDashError
from pydis_dash.gc_pause import collector_paused
from pydis_dash.plan import Plan, PlanOptions
from pydis_dash.plan_json import format_json
from pydis_dash.plan_markdown import format_markdown
from pydis_dash.plan_text import format_text
from pydis_dash.providers.base import Provider
from pydis_dash.revision import MESSAGE_PREFIX, current_revision, deploy_message
from pydis_dash.saved_plan import (
    SavedPlan,
    check_environment,
    read_saved_plan,
    replay,
    saved_plan_json,
    write_saved_plan,
)

F = TypeVar("F", bound=Callable[..., Any])


def _env_option(function: F) -> F:
    return click.option(
        "--env",
        "env_name",
        envvar="PYDIS_DASH_ENV",
        metavar="NAME",
        help="Environment from [tool.pydis-dash.environments] (default: the only one, or default_environment).",
    )(function)


def _prune_option(function: F) -> F:
    return click.option(
        "--prune",
        is_flag=True,
        help="Delete managed resources (carrying the pydis-dash marker) that are gone from code. "
        "Cannot be combined with selectors.",
    )(function)


def prepare(
    root: Path,
    env_name: str | None,
    selectors: Sequence[str],
    options: PlanOptions,
    concurrency: int,
    *,
    read_only: bool = False,
    locks: ExitStack | None = None,
) -> PreparedPlan:
    """The plan of the project against ``env_name`` (see :func:`pydis_dash.app.plan_project`), with the
    notes on what was left out on stderr; ``--prune`` with selectors is a usage error."""
    if options.prune and selectors:
        raise click.UsageError("--prune needs the whole project: it cannot be combined with selectors")
    prepared = plan_project(root, env_name, selectors, options, concurrency, read_only=read_only, locks=locks)
    _echo_notes(prepared)
    return prepared


def prepare_saved(
    root: Path,
    env_name: str | None,
    plan_file: Path,
    concurrency: int,
    *,
    read_only: bool = False,
    locks: ExitStack | None = None,
) -> tuple[Plan, list[Provider], SavedPlan]:
    """Read a saved plan, check it is for this environment and version, and replay it against the live
    servers: the saved changes whose resources did not move on, the others blocked (see saved_plan).
    ``read_only`` and ``locks`` as for :func:`prepare`; the planning is the application layer's."""
    saved = read_saved_plan(plan_file)
    env = load_config(root).environment(env_name or saved.environment)
    check_environment(saved, env)
    prepared = prepare_plan(root, env, saved.resources, saved.options, concurrency, read_only=read_only, locks=locks)
    _echo_notes(prepared)
    return replay(saved, prepared.plan), prepared.providers, saved


def _echo_notes(prepared: PreparedPlan) -> None:
    for note in prepared.notes:
        click.echo(f"note: {note}", err=True)


@main.command()
@_env_option
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@click.option("--exit-code", is_flag=True, help="Exit 2 when there are changes, 0 when there are none (for CI).")
@_prune_option
@click.option(
    "-v", "--verbose", is_flag=True, help="Also list unchanged resources and show new resources' JSON in full."
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PLAN.json",
    help="Also save the plan, for `deploy --plan` to apply exactly it.",
)
@click.argument("selectors", nargs=-1)
@click.pass_context
def diff(
    ctx: click.Context,
    env_name: str | None,
    output_format: str,
    exit_code: bool,
    prune: bool,
    verbose: bool,
    out_file: Path | None,
    selectors: tuple[str, ...],
) -> None:
    """Show what `deploy` would change in an environment, without changing anything.

    Prints a unified diff per changed resource (+ create, ~ update, - delete; @ adopt: unmanaged
    but equal to the code, deploy adds the ownership marker), resources changed outside pydis-dash
    since the last deploy (drift), managed resources gone from code, and resources pydis-dash does
    not manage (never touched). SELECTORS narrow it like `build`.

    \b
    Examples:
      pydis-dash diff --env staging
      pydis-dash diff --env prod --exit-code          # in CI: exit 2 if a deploy would change something
      pydis-dash diff --env prod --format json --prune
      pydis-dash diff --env prod --format markdown > plan.md   # the PR comment
      pydis-dash diff --env prod grafana-dashboard/site-overview
      pydis-dash diff --env prod --out plan.json       # then: pydis-dash deploy --env prod --plan plan.json
    """
    root = project_root(ctx)
    try:
        with collector_paused(freeze_after=True):
            plan = prepare(
                root, env_name, selectors, PlanOptions(prune=prune), DEFAULT_CONCURRENCY, read_only=True
            ).plan
        if out_file is not None:
            env = load_config(root).environment(env_name)
            write_saved_plan(out_file, saved_plan_json(plan, env, current_revision(root)))
    except PydisDashError as error:
        fail(error)
    formats = {"json": format_json, "markdown": format_markdown}
    formatter = formats.get(output_format)
    # The markdown format ends its own last line; the others leave it to echo.
    click.echo(formatter(plan) if formatter else format_text(plan, verbose=verbose), nl=output_format != "markdown")
    if exit_code and plan.has_changes:
        sys.exit(int(ExitCode.CHANGES))


@main.command()
@_env_option
@_prune_option
@click.option("--dry-run", is_flag=True, help="Plan and walk through the changes, sending no write at all.")
@click.option(
    "--force", is_flag=True, help="Overwrite resources changed outside pydis-dash (drift), or adopt unmanaged ones."
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help="Requests in flight at once.",
)
@click.option(
    "--rotate-secrets", is_flag=True, help="Send every data source secret again from its environment variable."
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PLAN.json",
    help="Apply exactly this plan saved by `diff --out` (no selectors, --prune or --rotate-secrets: the "
    "plan holds them); a resource changed since is refused.",
)
@click.argument("selectors", nargs=-1)
@click.pass_context
def deploy(
    ctx: click.Context,
    env_name: str | None,
    prune: bool,
    dry_run: bool,
    force: bool,
    concurrency: int,
    rotate_secrets: bool,
    plan_file: Path | None,
    selectors: tuple[str, ...],
) -> None:
    """Make an environment match the definitions: print the plan, then apply exactly that plan.

    Order: folders, data sources, dashboards, alert rule groups, contact points and mute timings, the
    notification policy; Metabase collections before cards; deletes (with --prune) last, in reverse.
    Each dashboard save is recorded as version message `pydis-dash <git sha>`. A resource changed
    outside pydis-dash since its last deploy is refused unless --force; a version conflict is reported,
    never overwritten. A failed resource does not stop independent ones; running deploy again converges.

    \b
    Examples:
      pydis-dash deploy --env staging
      pydis-dash deploy --env prod --dry-run
      pydis-dash deploy --env prod --prune
      pydis-dash deploy --env prod --rotate-secrets grafana-datasource/metricity
      pydis-dash deploy --env prod --plan plan.json   # exactly what `diff --out plan.json` saved
    With --plan, each resource the plan touches must still be as the plan saw it: one changed since
    is refused (exit 1) and the others applied; a plan for another environment or made by another
    version of pydis-dash is refused whole (exit 3). Saves carry the plan's revision.
    Exit status: 0 all applied, 1 a resource failed or was refused, 3 environment error.
    """
    root = project_root(ctx)
    options = PlanOptions(prune=prune, rotate_secrets=rotate_secrets)
    try:
        with (
            collector_paused(freeze_after=True),
            ExitStack() as locks,
        ):  # locks held from before the plan until the last write
            if plan_file is not None:
                if selectors or prune or rotate_secrets:
                    raise click.UsageError(
                        "--plan applies the saved plan as it is: no selectors, --prune or --rotate-secrets"
                    )
                plan, providers, saved = prepare_saved(
                    root, env_name, plan_file, concurrency, read_only=dry_run, locks=locks
                )
                message = f"{MESSAGE_PREFIX} {saved.revision}"
            else:
                prepared = prepare(root, env_name, selectors, options, concurrency, read_only=dry_run, locks=locks)
                plan, providers = prepared.plan, prepared.providers
                message = deploy_message(root)
            click.echo(format_text(plan))
            if not plan.has_changes:
                click.echo("Nothing to deploy.")
                return
            apply_ctx = ApplyContext(message, force=force, dry_run=dry_run)
            label = "Dry run" if dry_run else "Deploying"
            with click.progressbar(length=len(plan.pending), label=label, file=sys.stderr) as bar:

                def advance(result: Result) -> None:
                    bar.update(1)

                report = apply_plan(plan, providers, apply_ctx, concurrency=concurrency, on_result=advance)
            # Shown before the locks are given back: failing to give one back must not hide the report.
            click.echo("")
            click.echo(format_apply_report(report))
    except PydisDashError as error:
        fail(error)
    if not report.ok:
        sys.exit(int(ExitCode.INVALID))
