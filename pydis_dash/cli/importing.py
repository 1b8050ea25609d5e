"""``import``: existing dashboards, questions and rule groups into definition files."""

from __future__ import annotations

from pathlib import Path

import click

from pydis_dash.cli.app import main, project_root
from pydis_dash.errors import ExitCode
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
@click.option("--folder", help="Grafana folder path for dashboards and rule groups (default: the input's own).")
@click.option("--collection", help="Metabase collection path for questions (default: the card's own).")
@click.option("--dry-run", is_flag=True, help="Print the generated files instead of writing them.")
@click.option("--force", is_flag=True, help="Overwrite definition files that exist already.")
@click.pass_context
def import_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    datasource_pairs: tuple[str, ...],
    field_pairs: tuple[str, ...],
    folder: str | None,
    collection: str | None,
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
    if not files:
        raise click.UsageError("give at least one FILE to import")
    root = project_root(ctx)
    options = ImportOptions(
        datasources=_mappings(datasource_pairs, "--datasource"),
        folder=folder,
        fields=_mappings(field_pairs, "--field"),
        collection=collection,
        dry_run=dry_run,
        force=force,
    )
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
