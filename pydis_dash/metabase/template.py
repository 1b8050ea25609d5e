"""Reading Metabase's native-query template syntax: ``{{variable}}`` and ``[[ optional clauses ]]``.

Metabase substitutes ``{{name}}`` with the value of the template tag ``name``; a clause in ``[[ ... ]]``
is dropped when a variable inside it has no value. ``{{snippet: name}}`` and ``{{#123-name}}``
(snippets and saved-question references) are Metabase features pydis-dash does not manage: they point at
objects by server-side ids, so a definition using them could not be deployed to a fresh instance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Metabase's own parser accepts any text between the braces; we accept identifiers only so that a typo
# such as ``{{ user id }}`` is reported instead of silently becoming a tag named "user id".
_TAG = re.compile(r"\{\{\s*(?P<inner>[^{}]*?)\s*\}\}")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class TagUse:
    """One ``{{...}}`` in the SQL: its inner text, its 1-based line in the SQL, and whether it is optional."""

    name: str
    line: int
    optional: bool


class TemplateSyntaxError(ValueError):
    """The SQL's template syntax is broken (unbalanced ``[[``/``]]``, unsupported tag)."""


def tag_uses(sql: str) -> list[TagUse]:
    """Every ``{{...}}`` in ``sql`` in order of appearance.

    Raises :class:`TemplateSyntaxError` for unbalanced optional clauses, snippets, card references and
    names that are not identifiers.
    """
    optional_spans = _optional_spans(sql)
    uses = []
    for match in _TAG.finditer(sql):
        inner = match.group("inner")
        line = sql.count("\n", 0, match.start()) + 1
        if inner.lower().startswith("snippet:"):
            raise TemplateSyntaxError(
                f"line {line}: snippets ({{{{{inner}}}}}) are not supported; put the SQL in the question"
            )
        if inner.startswith("#"):
            raise TemplateSyntaxError(f"line {line}: saved-question references ({{{{{inner}}}}}) are not supported")
        if not IDENTIFIER.fullmatch(inner):
            raise TemplateSyntaxError(
                f"line {line}: {{{{{inner}}}}} is not a valid variable name (letters, digits and _ only)"
            )
        optional = any(start <= match.start() < end for start, end in optional_spans)
        uses.append(TagUse(inner, line, optional))
    return uses


def variable_names(sql: str) -> list[str]:
    """Distinct variable names used in ``sql``, in order of first appearance."""
    return list(dict.fromkeys(use.name for use in tag_uses(sql)))


def _optional_spans(sql: str) -> list[tuple[int, int]]:
    """Character ranges of ``[[ ... ]]`` clauses; Metabase does not nest them, neither do we."""
    spans = []
    start: int | None = None
    index = 0
    while index < len(sql):
        pair = sql[index : index + 2]
        if pair == "[[":
            if start is not None:
                line = _line(sql, index)
                raise TemplateSyntaxError(f"line {line}: optional clauses [[ ]] cannot be nested")
            start = index
            index += 2
        elif pair == "]]" and start is not None:
            spans.append((start, index + 2))
            start = None
            index += 2
        else:
            index += 1
    if start is not None:
        raise TemplateSyntaxError(f"line {_line(sql, start)}: optional clause [[ is never closed with ]]")
    return spans


def _line(sql: str, index: int) -> int:
    return sql.count("\n", 0, index) + 1
