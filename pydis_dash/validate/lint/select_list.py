"""The output column names of a SQL query, read statically from its outermost select list.

Not a SQL parser: a tokenizer and a few PostgreSQL naming rules, enough for lint rule PD109 to say
"this time-series query has no ``time`` column" without a database. When the names cannot be known
(``SELECT *``, no select list found) it says so by returning ``None``, and the rule stays quiet.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>--[^\n]*|/\*.*?\*/)
  | (?P<string>[EeBbXxUu]?'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<dollar>\$(?P<tag>[A-Za-z_]\w*)?\$.*?\$(?P=tag)?\$)
  | (?P<macro>\$__\w+)
  | (?P<variable>\$\{[^}]*\}|\$\w+|\[\[[^\]]*\]\])
  | (?P<word>[A-Za-z_][\w$]*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
  | (?P<cast>::)
  | (?P<symbol>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# Words that end the select list at the top level.
_LIST_END = frozenset(
    {
        "from",
        "where",
        "group",
        "having",
        "window",
        "order",
        "limit",
        "offset",
        "fetch",
        "union",
        "intersect",
        "except",
        "into",
        "for",
    }
)

# Macros that expand to an expression aliased ``"time"`` (Grafana's PostgreSQL macro engine).
_TIME_MACROS = frozenset({"$__time", "$__timeepoch", "$__timegroupalias", "$__unixepochgroupalias"})

_RESERVED = frozenset({"as", "and", "or", "not", "is", "null", "in", "like", "between", "end", "then", "else"})


def output_columns(sql: str) -> list[str] | None:
    """Column names of the outermost ``SELECT``, or ``None`` when they cannot be known statically."""
    items = _select_items(_tokens(sql))
    if items is None:
        return None
    names = []
    for item in items:
        name = _item_name(item)
        if name is None:
            return None
        names.append(name)
    return names


def _tokens(sql: str) -> list[tuple[str, str]]:
    tokens = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup or "symbol"
        if kind not in ("space", "comment"):
            tokens.append((kind, match.group(kind)))
    return tokens


def _select_items(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]] | None:
    """The top-level select list split at top-level commas (CTE bodies sit inside parentheses)."""
    depth = 0
    start = None
    for index, (kind, text) in enumerate(tokens):
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0 and kind == "word" and text.lower() == "select":
            start = index + 1
            break
    if start is None:
        return None
    start = _skip_distinct(tokens, start)
    items: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for kind, text in tokens[start:]:
        if depth == 0 and (text == ";" or (kind == "word" and text.lower() in _LIST_END)):
            break
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        if depth == 0 and text == ",":
            items.append([])
            continue
        items[-1].append((kind, text))
    return [item for item in items if item] or None


def _skip_distinct(tokens: list[tuple[str, str]], start: int) -> int:
    if start < len(tokens) and tokens[start][1].lower() == "all":
        return start + 1
    if start < len(tokens) and tokens[start][1].lower() == "distinct":
        start += 1
        if start + 1 < len(tokens) and tokens[start][1].lower() == "on" and tokens[start + 1][1] == "(":
            depth = 0
            for index in range(start + 1, len(tokens)):
                depth += {"(": 1, ")": -1}.get(tokens[index][1], 0)
                if depth == 0:
                    return index + 1
    return start


def _item_name(item: list[tuple[str, str]]) -> str | None:
    """PostgreSQL's name for one select item (``None`` for ``*``: unknown columns)."""
    kinds = [kind for kind, _ in item]
    texts = [text for _, text in item]
    if texts[-1] == "*":
        return None
    if len(item) >= 2 and texts[-2].lower() == "as":
        return _identifier(item[-1])
    if kinds[0] == "macro" and texts[0].lower() in _TIME_MACROS:
        return "time"
    if "::" in texts:
        return _item_name(item[: texts.index("::")]) or None
    if len(item) == 1:
        return _identifier(item[0]) if kinds[0] in ("word", "quoted") else "?column?"
    if all(kind in ("word", "quoted") or text == "." for kind, text in item):
        return _identifier(item[-1])  # qualified column: table.column
    last_kind, last_text = item[-1]
    before = texts[-2]
    alias_like = last_kind in ("word", "quoted") and last_text.lower() not in _RESERVED
    after_expression = before == ")" or kinds[-2] in ("word", "quoted", "number", "string", "macro", "variable")
    if alias_like and after_expression:
        return _identifier(item[-1])  # implicit alias: ``count(*) n``
    if kinds[0] == "word" and len(item) > 1 and texts[1] == "(":
        return texts[0].lower()  # a function call is named after the function
    if kinds[0] == "word" and texts[0].lower() == "case":
        return "case"
    return "?column?"


def _identifier(token: tuple[str, str]) -> str:
    kind, text = token
    if kind == "quoted":
        return text[1:-1].replace('""', '"')
    return text.lower()
