"""``import``: existing dashboards, questions and rule groups into definition files."""

from __future__ import annotations

from pathlib import Path

import click

from pydis_dash.cli.app import main, project_root
from pydis_dash.errors import ExitCode
from pydis_dash.importing.run import ImportOptions, Outcome, import_inputs, read_files


def _mappings(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        key, sep, uid = pair.partition("=")
        if not sep or not key or not uid:
            raise click.BadParameter(f"{pair!r} is not REFERENCE=UID", param_hint="--datasource")
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
@click.option("--folder", help="Grafana folder path for imported dashboards (default: the input's own).")
@click.option("--dry-run", is_flag=True, help="Print the generated files instead of writing them.")
@click.option("--force", is_flag=True, help="Overwrite definition files that exist already.")
@click.pass_context
def import_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    datasource_pairs: tuple[str, ...],
    folder: str | None,
    dry_run: bool,
    force: bool,
) -> int:
    """Turn existing JSON into definitions written with the authoring API.

    FILES are dashboards (as exported, from grafana.com, or /api/dashboards/uid answers). Each is
    upgraded the way Grafana upgrades it, written as code, then built again: the build must give back
    the input after the deploy plan's normalisation, except for the upgrades, which are listed here
    and in the generated file. Long SQL goes to .sql files beside it.

    \b
    Example:
      pydis-dash import postgres-overview.json --datasource DS_PROMETHEUS=prometheus
      pydis-dash import --dry-run exported.json
    """
    if not files:
        raise click.UsageError("give at least one FILE to import")
    root = project_root(ctx)
    options = ImportOptions(_mappings(datasource_pairs), folder, dry_run, force)
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
