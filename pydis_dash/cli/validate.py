"""``validate``: schemas, lint rules and every query on its real engine; what CI runs on each PR."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from pydis_dash.cli.app import fail, main, project_root
from pydis_dash.errors import PydisDashError
from pydis_dash.model import Kind, Resource
from pydis_dash.sample import DEFAULT_SEED, SampleContext, sample_now
from pydis_dash.sample.project import sample_generators
from pydis_dash.validate.lint.config import load_lint_config
from pydis_dash.validate.report import FORMATS, format_report
from pydis_dash.validate.runner import ValidateOptions, validate


@main.command("validate")
@click.argument("selectors", nargs=-1)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="human",
    show_default=True,
    help="human: grouped by file; json: for tools; github: GitHub Actions annotations.",
)
@click.option("--strict", is_flag=True, help="Warnings fail too (and unknown Prometheus metrics are errors).")
@click.option(
    "--metricity-dsn",
    envvar="PYDIS_METRICITY_DSN",
    metavar="DSN",
    help="Check SQL on this Metricity database (e.g. a read replica) instead of a throwaway PostgreSQL. "
    "Also read from $PYDIS_METRICITY_DSN; prefer that for DSNs holding a password.",
)
@click.option("--prometheus-url", metavar="URL", help="Check PromQL on this Prometheus instead of a local one.")
@click.option("--graphite-url", metavar="URL", help="Check Graphite targets on this Graphite instead of a local one.")
@click.option("--no-engines", is_flag=True, help="Schemas and lint rules only; start no query engine.")
@click.option(
    "--execute",
    is_flag=True,
    help="Also run every SQL query on sample data (read-only): runtime errors and wrong result shapes fail.",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the sample data --execute generates (same seed, same rows within the hour).",
)
@click.pass_context
def validate_command(
    ctx: click.Context,
    selectors: tuple[str, ...],
    output_format: str,
    strict: bool,
    metricity_dsn: str | None,
    prometheus_url: str | None,
    graphite_url: str | None,
    no_engines: bool,
    execute: bool,
    seed: int,
) -> None:
    """Check definitions: Grafana schemas, lint rules (see `pydis-dash rules`), and every query on the
    engine that runs it (PostgreSQL, Prometheus, Graphite).

    SELECTORS narrow the check: a definition file or folder, KIND/UID, or a uid glob.
    Exit 0 when clean, 1 on errors (warnings too with --strict), 3 when an engine cannot start.

    \b
    Examples:
      pydis-dash validate
      pydis-dash validate dashboards/community/channels.py --no-engines
      pydis-dash validate --format github --strict
      pydis-dash validate --execute           # SQL run on each data source's sample data too
    """
    root = project_root(ctx)
    try:
        lint = load_lint_config(root)
        resources = _load(root, selectors)
        context = _datasources(root) if selectors else []
        options = ValidateOptions(
            strict=strict,
            engines=not no_engines,
            metricity_dsn=metricity_dsn,
            prometheus_url=prometheus_url,
            graphite_url=graphite_url,
            lint=lint,
            execute=execute,
            samples=sample_generators(root) if execute else {},
            sample=SampleContext(seed=seed, now=sample_now()),
        )
        report = validate(resources, options, context=context)
    except PydisDashError as error:
        fail(error)
    click.echo(format_report(report, output_format))
    sys.exit(int(report.exit_code))


def _load(root: Path, selectors: Sequence[str]) -> list[Resource]:
    # Imported here: the pipeline imports every authoring module, which `rules` does not need.
    from pydis_dash.pipeline import load_resources

    return load_resources(root, selectors)


def _datasources(root: Path) -> list[Resource]:
    """The project's data sources, which selected dashboards refer to (the selection leaves them out)."""
    if not (root / "datasources").is_dir():
        return []
    return [r for r in _load(root, [str(root / "datasources")]) if r.kind is Kind.GRAFANA_DATASOURCE]
