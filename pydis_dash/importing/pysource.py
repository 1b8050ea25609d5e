"""Readable Python source from JSON values: literals, calls, a module, formatted by ruff.

Strings longer than a line are split into implicitly concatenated pieces (at line breaks, then at
spaces) so the generated file passes ``ruff check`` (line length) as well as ``ruff format --check``.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.errors import EnvironmentProblem

_PIECE = 72  # characters of a string per source line: fits the 120-column limit at any sane indent


@dataclass(frozen=True)
class Code:
    """Python source text inserted as is (a name, a call) where a literal would otherwise go."""

    text: str


def literal(value: Any) -> str:
    """Python source for a JSON value (``True``/``None`` for JSON's ``true``/``null``)."""
    if isinstance(value, Code):
        return value.text
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        # Sorted keys, as in the built JSON: the generated text does not depend on dict order.
        return "{" + ", ".join(f"{literal(k)}: {literal(value[k])}" for k in sorted(value, key=str)) + "}"
    if isinstance(value, tuple):
        return "(" + ", ".join(literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return repr(value)


def call(function: str, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None) -> Code:
    """``function(arg, ..., key=value, ...)`` with every value written by :func:`literal`."""
    parts = [literal(arg) for arg in args] + [f"{key}={literal(value)}" for key, value in (kwargs or {}).items()]
    return Code(f"{function}({', '.join(parts)})")


def _quoted(text: str) -> str:
    # Double quotes, as ruff format writes them; JSON's escapes are valid Python escapes.
    return json.dumps(text, ensure_ascii=False)


def _string(text: str) -> str:
    if len(text) <= _PIECE:
        return _quoted(text)
    pieces: list[str] = []
    for line in text.splitlines(keepends=True):
        while len(line) > _PIECE:
            # Break after a space, else after punctuation (queries without spaces), else anywhere.
            cut = max(line.rfind(mark, _PIECE // 2, _PIECE) for mark in (" ", ",", "|", ")", "}"))
            cut = cut + 1 if cut > 0 else _PIECE
            pieces.append(line[:cut])
            line = line[cut:]
        if line:
            pieces.append(line)
    if len(pieces) == 1:
        return _quoted(text)
    return "(" + " ".join(_quoted(piece) for piece in pieces) + ")"


@dataclass
class Module:
    """A generated definition file: a header comment, imports, then assignments."""

    header: list[str] = field(default_factory=list)
    imports: dict[str, set[str]] = field(default_factory=dict)  # module -> names
    statements: list[str] = field(default_factory=list)

    def use(self, module: str, name: str) -> str:
        """Import ``name`` from ``module``; returns the name to write."""
        self.imports.setdefault(module, set()).add(name)
        return name

    def source(self) -> str:
        """The module's text (not yet formatted)."""
        lines = [f"# {line}" if line else "#" for entry in self.header for line in _wrap(entry)]
        lines.append("")
        for module in sorted(self.imports):
            lines.append(f"from {module} import {', '.join(sorted(self.imports[module], key=_import_order))}")
        lines.append("")
        lines.append("\n\n".join(self.statements))
        return "\n".join(lines).strip() + "\n"


def _import_order(name: str) -> tuple[int, str]:
    # ruff's isort order within one import: CONSTANTS, Classes, functions.
    if name.isupper():
        return 0, name
    return (1 if name[:1].isupper() else 2), name


def _wrap(entry: str) -> list[str]:
    if not entry:
        return [""]
    indent = "  " if entry.startswith("- ") else ""
    return textwrap.wrap(entry, 110, subsequent_indent=indent + "  ", break_long_words=True) or [""]


def format_source(text: str, path: Path, project_root: Path) -> str:
    """``text`` formatted by ``ruff format`` with the project's settings (as ``path`` would be)."""
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    try:
        done = subprocess.run(
            [find_ruff_bin(), "format", "--stdin-filename", str(path), "-"],
            input=text,
            capture_output=True,
            text=True,
            cwd=project_root,
            check=False,
        )
    except OSError as exc:
        raise EnvironmentProblem(f"cannot run ruff to format generated code: {exc}") from None
    if done.returncode != 0:
        raise EnvironmentProblem(f"ruff could not format generated {path.name}: {done.stderr.strip()}")
    return done.stdout
