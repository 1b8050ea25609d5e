"""``pull``: bring UI edits of managed dashboards, questions and alert rules back into the definition files."""

from __future__ import annotations

import json

import click

from pydis_dash.cli.app import fail, main, project_root
from pydis_dash.deferred import plain_mapping
from pydis_dash.errors import ExitCode, PydisDashError
from pydis_dash.pulling.run import pull


@main.command("pull")
@click.option(
    "--env", "env_name", envvar="PYDIS_DASH_ENV", metavar="NAME", help="Environment to read the live versions from."
)
@click.option("--force", is_flag=True, help="Edit definition files even when they have uncommitted changes.")
@click.argument("selectors", nargs=-1)
@click.pass_context
def pull_command(ctx: click.Context, env_name: str | None, force: bool, selectors: tuple[str, ...]) -> int:
    """Bring what `diff` shows as drift (edits made in the UI) into the code.

    Dashboards (titles, units, thresholds, queries, widths and heights), Metabase questions (name,
    description, display, visualisation settings, collection, SQL, variables' labels and defaults),
    alert rule groups (interval; each rule's title, query, threshold, for, look-back, reducer, states,
    labels and annotations) and contact points (settings, never a secret) are edited in place at the
    lines that define them, a query in its .sql file, keeping comments and formatting. What cannot be
    mapped is printed with the live JSON to paste, and the command exits 1. Files with uncommitted
    changes are never touched without --force.

    \b
    Example:
      pydis-dash pull --env prod
      pydis-dash pull --env prod grafana-dashboard/site-requests && git diff
      pydis-dash pull --env prod metabase-question/top-talkers
    """
    try:
        results = pull(project_root(ctx), env_name, selectors, force)
    except PydisDashError as error:
        fail(error)
    if not results:
        click.echo("Nothing drifted: nothing to pull.", err=True)
    for result in results:
        click.echo(f"{result.ref}:", err=True)
        for path in result.files:
            click.echo(f"  edited {path}", err=True)
        if result.refused:
            click.echo(f"  error: {result.refused}", err=True)
        for what, live in result.unmapped:
            click.echo(f"  not mapped to the code: {what}", err=True)
            if live is not None:
                click.echo(json.dumps(live, indent=2, sort_keys=True, ensure_ascii=False, default=plain_mapping))
    failed = any(r.refused or r.unmapped for r in results)
    return int(ExitCode.INVALID if failed else ExitCode.OK)
