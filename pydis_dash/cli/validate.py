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
    "--engine-url",
    "engine_urls",
    multiple=True,
    metavar="UID=URL",
    callback=lambda ctx, param, values: parse_engine_urls(values),
    help="Check the queries of data source UID on this live engine (a PostgreSQL DSN, a Prometheus or "
    "Graphite URL) instead of a throwaway one. Repeatable. A data source's check live_url_env names an "
    "environment variable doing the same; prefer that for URLs holding a password.",
)
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
    engine_urls: dict[str, str],
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
            engine_urls=engine_urls,
            lint=lint,
            execute=execute,
            sample=SampleContext(seed=seed, now=sample_now()),
        )
        report = validate(resources, options, context=context)
    except PydisDashError as error:
        fail(error)
    click.echo(format_report(report, output_format))
    sys.exit(int(report.exit_code))


def parse_engine_urls(values: Sequence[str]) -> dict[str, str]:
    """``UID=URL`` options as a mapping; a value without ``=`` is a usage error (never echoed: it may be
    a DSN with a password)."""
    urls: dict[str, str] = {}
    for value in values:
        uid, sep, url = value.partition("=")
        if not sep or not uid.strip() or not url.strip():
            raise click.BadParameter("expected UID=URL, e.g. --engine-url metricity=postgresql://replica/metricity")
        urls[uid.strip()] = url.strip()
    return urls


def _load(root: Path, selectors: Sequence[str]) -> list[Resource]:
    # Imported here: the pipeline imports every authoring module, which `rules` does not need.
    from pydis_dash.pipeline import load_resources

    return load_resources(root, selectors)


def _datasources(root: Path) -> list[Resource]:
    """The project's data sources, which selected dashboards refer to (the selection leaves them out)."""
    if not (root / "datasources").is_dir():
        return []
    return [r for r in _load(root, [str(root / "datasources")]) if r.kind is Kind.GRAFANA_DATASOURCE]
