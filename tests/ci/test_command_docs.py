"""Every command is documented: a section of docs/commands.md naming each of its options, and a row of
the README's command table. Command and option names come from the CLI itself, so a new one without
docs fails here."""

from __future__ import annotations

import re
from pathlib import Path

import click

from pydis_dash.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMANDS_DOC = REPO_ROOT / "docs" / "commands.md"


def sections(markdown: str) -> dict[str, str]:
    """``### `pydis-dash NAME ...``` sections of ``markdown``, by command name, up to the next heading."""
    found = {}
    for match in re.finditer(r"^### `pydis-dash (\S+)[^`]*`\n(.*?)(?=^#)", markdown + "\n#", re.MULTILINE | re.DOTALL):
        found[match[1].rstrip("`")] = match[0]
    return found


def option_names(command: click.Command) -> set[str]:
    """Every option a user can type for ``command`` (long and short forms), help excepted."""
    return {
        name
        for param in command.params
        if isinstance(param, click.Option) and "--help" not in param.opts
        for name in param.opts + param.secondary_opts
    }


def commands() -> dict[str, click.Command]:
    """Every command ``pydis-dash --help`` lists, by name (asked as click asks: some load lazily)."""
    ctx = click.Context(main)
    found = {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    return {name: command for name, command in found.items() if command is not None}


def undocumented(markdown: str) -> dict[str, set[str]]:
    """Command -> what the doc lacks of it: ``{"<section>"}`` for a missing section, else its options."""
    documented = sections(markdown)
    missing: dict[str, set[str]] = {}
    for name, command in commands().items():
        section = documented.get(name)
        if section is None:
            missing[name] = {"<section>"}
            continue
        absent = {option for option in option_names(command) if not re.search(rf"`[^`]*{re.escape(option)}\b", section)}
        if absent:
            missing[name] = absent
    return missing


def test_every_command_and_option_is_in_the_commands_doc() -> None:
    assert set(commands()) >= {"build", "render", "list", "validate", "rules", "preview", "diff", "deploy"}
    assert undocumented(COMMANDS_DOC.read_text()) == {}


def test_a_command_or_option_missing_from_the_doc_is_reported() -> None:
    text = COMMANDS_DOC.read_text()
    without_render = re.sub(r"^### `pydis-dash render.*?(?=^###)", "", text, flags=re.MULTILINE | re.DOTALL)
    without_out = text.replace("`--out PLAN.json`", "the plan file option").replace("[--out PLAN.json] ", "")
    assert undocumented(without_render) == {"render": {"<section>"}}
    assert undocumented(without_out) == {"diff": {"--out"}}


def test_the_readme_table_lists_every_command() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    listed = set(re.findall(r"^\| `pydis-dash (\S+?)[` ]", readme, flags=re.MULTILINE))
    assert listed == set(commands())
