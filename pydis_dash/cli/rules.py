"""``rules``: list every lint rule ``validate`` runs, with its id, severity and rationale."""

from __future__ import annotations

import click

from pydis_dash.cli.app import main
from pydis_dash.validate.lint.base import all_rules


@main.command("rules")
def rules_command() -> None:
    """List the lint rules (disable some with [tool.pydis-dash.lint] disable = ["PD104"]).

    \b
    Example:
      pydis-dash rules
    """
    for rule in all_rules():
        click.echo(f"{rule.id}  {rule.severity.value:<7}  {rule.rationale}")
    click.echo("\nDetails, best practice and exceptions: docs/rules.md")
