"""``import``: existing dashboards, questions and rule groups into definition files."""

from __future__ import annotations

from pathlib import Path

import click

from pydis_dash.cli.app import fail, main, project_root
from pydis_dash.errors import ExitCode, PydisDashError
from pydis_dash.importing.live import LiveSelection, live_inputs
from pydis_dash.importing.run import ImportOptions, Outcome, import_inputs, read_files


def _mappings(pairs: tuple[str, ...], option: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        key, sep, uid = pair.partition("=")
        if not sep or not key or not uid:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint=option)
        mapping[key.strip().removeprefix("${").removesuffix("}").removeprefix("$")] = uid.strip()
    return mapping


@main.command("import")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--datasource",
    "datasource_pairs",
    multiple=True,
    metavar="REF=UID",
    help="Map a data source reference of the input (name, uid or DS_ input) to a project data source uid.",
)
@click.option(
    "--field",
    "field_pairs",
    multiple=True,
    metavar="ID=TABLE.COLUMN",
    help="Name a Metabase field id used by a field filter (a card file carries only ids).",
)
@click.option(
    "--env", "env_name", envvar="PYDIS_DASH_ENV", metavar="NAME", help="Import from this environment (read only)."
)
@click.option("--uid", "uids", multiple=True, help="With --env: a dashboard uid.")
@click.option(
    "--folder",
    help="With --env: import the dashboards in this Grafana folder. With FILES: the folder to put them in.",
)
@click.option("--card", "cards", multiple=True, type=int, help="With --env: a Metabase card id.")
@click.option(
    "--collection",
    help="With --env: import the cards in this collection path. With FILES: the collection to put them in.",
)
@click.option("--rule-group", "rule_groups", multiple=True, metavar="FOLDER/GROUP", help="With --env: a rule group.")
@click.option("--unmanaged", is_flag=True, help="With --env: everything the plan lists as unmanaged.")
@click.option("--dry-run", is_flag=True, help="Print the generated files instead of writing them.")
@click.option("--force", is_flag=True, help="Overwrite definition files that exist already.")
@click.pass_context
def import_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    datasource_pairs: tuple[str, ...],
    field_pairs: tuple[str, ...],
    env_name: str | None,
    uids: tuple[str, ...],
    folder: str | None,
    cards: tuple[int, ...],
    collection: str | None,
    rule_groups: tuple[str, ...],
    unmanaged: bool,
    dry_run: bool,
    force: bool,
) -> int:
    """Turn existing JSON into definitions written with the authoring API.

    FILES are Grafana dashboards (as exported, from grafana.com, or /api/dashboards/uid answers),
    Metabase cards (/api/card/ID answers) and alert rule groups (provisioning files or API answers).
    Each is upgraded the way Grafana upgrades it, written as code, then built again: the build must
    give back the input after the deploy plan's normalisation, except for the upgrades, which are
    listed here and in the generated file. Long SQL goes to .sql files beside it.

    \b
    Example:
      pydis-dash import postgres-overview.json --datasource DS_PROMETHEUS=prometheus
      pydis-dash import --dry-run exported.json
      pydis-dash import card-17.json --datasource 2=metricity --field 42=channels.name
    """
    live = LiveSelection(
        uids, (folder,) if folder else (), cards, (collection,) if collection else (), rule_groups, unmanaged
    )
    if files and (env_name or uids or cards or rule_groups or unmanaged):
        raise click.UsageError("import either FILES or from --env, not both")
    if not files and not (live.wants_grafana or live.wants_metabase):
        raise click.UsageError(
            "give FILES to import, or --env with --uid/--folder/--card/--collection/--rule-group/--unmanaged"
        )
    root = project_root(ctx)
    from_env = not files
    options = ImportOptions(
        datasources=_mappings(datasource_pairs, "--datasource"),
        folder=None if from_env else folder,
        fields=_mappings(field_pairs, "--field"),
        collection=None if from_env else collection,
        dry_run=dry_run,
        force=force,
    )
    if from_env:
        try:
            inputs = live_inputs(root, env_name, live)
        except PydisDashError as error:
            fail(error)
        failed: list[Outcome] = []
    else:
        inputs, failed = read_files(files)
    outcomes = failed + import_inputs(root, inputs, options)
    for outcome in outcomes:
        _report(outcome, dry_run)
    return int(ExitCode.INVALID if any(o.problems for o in outcomes) else ExitCode.OK)


def _report(outcome: Outcome, dry_run: bool) -> None:
    resource = outcome.resource
    if resource is not None:
        click.echo(f"{outcome.origin}: {resource.what} ({resource.summary})", err=True)
        for line in resource.upgrades:
            click.echo(f"  upgrade: {line}", err=True)
        if dry_run:
            for path, text in resource.files.items():
                click.echo(f"# --- {path}")
                click.echo(text, nl=False)
    for path in outcome.written:
        click.echo(f"  wrote {path}", err=True)
    for problem in outcome.problems:
        click.echo(f"  error: {outcome.origin}: {problem}", err=True)
