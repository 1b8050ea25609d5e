"""Project-wide lint settings: ``[tool.pydis-dash.lint]`` in ``pyproject.toml`` or ``pydis-dash.toml``.

    [tool.pydis-dash.lint]
    disable = ["PD104"]   # rule ids switched off for the whole project

``pydis-dash.toml`` may also write the table as plain ``[lint]``. When both files configure lint,
``pydis-dash.toml`` wins (it exists only for pydis-dash, so it is the more deliberate choice).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydis_dash.errors import DefinitionError
from pydis_dash.model import SourceLocation
from pydis_dash.validate.lint.base import rule_ids


@dataclass(frozen=True)
class LintConfig:
    """Rule ids disabled for the whole project."""

    disable: frozenset[str] = frozenset()


def load_lint_config(project_dir: Path) -> LintConfig:
    """Read the lint table of the project's config; an empty config when there is none.

    Raises :class:`DefinitionError` for unreadable TOML, a malformed table or an unknown rule id.
    """
    for name, keys in (
        ("pydis-dash.toml", (("lint",), ("tool", "pydis-dash", "lint"))),
        ("pyproject.toml", (("tool", "pydis-dash", "lint"),)),
    ):
        path = project_dir / name
        if not path.is_file():
            continue
        data = _read(path)
        for key_path in keys:
            table = _dig(data, key_path)
            if table is not None:
                return _parse(table, path, ".".join(key_path))
    return LintConfig()


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise DefinitionError(f"invalid TOML: {error}", SourceLocation(path)) from None
    except OSError as error:
        raise DefinitionError(f"cannot read: {error}", SourceLocation(path)) from None


def _dig(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    node: Any = data
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _parse(table: Any, path: Path, where: str) -> LintConfig:
    location = SourceLocation(path)
    if not isinstance(table, dict):
        raise DefinitionError(f"[{where}] must be a table", location)
    unknown_keys = set(table) - {"disable"}
    if unknown_keys:
        raise DefinitionError(f"[{where}]: unknown setting(s) {', '.join(sorted(unknown_keys))}", location)
    disable = table.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(item, str) for item in disable):
        raise DefinitionError(f'[{where}] disable must be a list of rule ids like "PD104"', location)
    known = rule_ids()
    unknown = sorted(set(disable) - known)
    if unknown:
        raise DefinitionError(
            f"[{where}] disable names unknown rule(s) {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))} (see `pydis-dash rules`)",
            location,
        )
    return LintConfig(disable=frozenset(disable))
