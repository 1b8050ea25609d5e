"""The first wall of the SQL sandbox: accept only one read-only query statement.

PR-authored SQL reaches a real server, so before anything is sent a small lexer (aware of string
literals, ``E''`` escapes, quoted identifiers, dollar quotes and both comment styles, so a ``;`` or a
keyword inside any of them is inert) checks that the text is exactly one ``SELECT``/``WITH``/
``VALUES``/``TABLE`` statement, without data-modifying ``WITH`` parts or ``SELECT ... INTO`` (which
creates a table). The read-only role, the read-only transaction and the statement timeout in
:mod:`pydis_dash.validate.engines.sql` are the walls behind this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ALLOWED_FIRST_WORDS = frozenset({"select", "with", "values", "table"})
_MODIFYING = frozenset({"insert", "update", "delete", "merge"})


@dataclass(frozen=True)
class Token:
    """A lexical token: ``kind`` is word, quoted, string, param, number or punct; ``start`` an offset."""

    kind: str
    text: str
    start: int

    @property
    def word(self) -> str:
        """Lower-cased text for keyword comparisons ("" for non-words)."""
        return self.text.lower() if self.kind == "word" else ""


@dataclass(frozen=True)
class Violation:
    """Why a query may not be sent to the server, and where (0-based offset into the text)."""

    message: str
    position: int


# PostgreSQL's identifier characters: a letter, "_" or any non-ASCII character first; then digits and
# "$" too. Written as negated ASCII sets: the same characters (checked over every code point) as
# [A-Za-z_\u0080-\U0010ffff][\w$\u0080-\U0010ffff]*, whose huge ranges took 12 ms to compile at every start.
_IDENTIFIER_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"
_WORD = re.compile(_IDENTIFIER_START + r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*")
_NUMBER = re.compile(r"\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
_DOLLAR_TAG = re.compile(r"\$(?:" + _IDENTIFIER_START + r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]*)?\$")
_PARAM = re.compile(r"\$\d+")


def _quoted_end(sql: str, pos: int, quote: str, *, backslash: bool = False) -> int:
    """Offset just past the literal starting at ``pos`` (a quote char); doubled quotes escape."""
    i = pos + 1
    while i < len(sql):
        char = sql[i]
        if backslash and char == "\\":
            i += 2
            continue
        if char == quote:
            if sql[i + 1 : i + 2] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return len(sql)


def _block_comment_end(sql: str, pos: int) -> int:
    depth, i = 0, pos
    while i < len(sql):
        if sql.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif sql.startswith("*/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return len(sql)


def tokenize(sql: str) -> list[Token]:
    """Split SQL into tokens, dropping whitespace and comments. Never fails: junk becomes punct."""
    tokens: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        char = sql[i]
        if char.isspace():
            i += 1
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            i = n if newline < 0 else newline + 1
        elif sql.startswith("/*", i):
            i = _block_comment_end(sql, i)
        elif char == "'":
            end = _quoted_end(sql, i, "'")
            tokens.append(Token("string", sql[i:end], i))
            i = end
        elif char == '"':
            end = _quoted_end(sql, i, '"')
            tokens.append(Token("quoted", sql[i:end], i))
            i = end
        elif char == "$" and (param := _PARAM.match(sql, i)):
            tokens.append(Token("param", param.group(0), i))
            i = param.end()
        elif char == "$" and (tag := _DOLLAR_TAG.match(sql, i)):
            close = sql.find(tag.group(0), tag.end())
            end = n if close < 0 else close + len(tag.group(0))
            tokens.append(Token("string", sql[i:end], i))
            i = end
        elif word := _WORD.match(sql, i):
            after = word.end()
            # E'...' strings take backslash escapes, so \' does not end them.
            if word.group(0) in ("E", "e") and sql[after : after + 1] == "'":
                end = _quoted_end(sql, after, "'", backslash=True)
                tokens.append(Token("string", sql[i:end], i))
                i = end
                continue
            tokens.append(Token("word", word.group(0), i))
            i = after
        elif number := _NUMBER.match(sql, i):
            tokens.append(Token("number", number.group(0), i))
            i = number.end()
        else:
            tokens.append(Token("punct", char, i))
            i += 1
    return tokens


def check_single_select(sql: str) -> Violation | None:
    """``None`` if ``sql`` is one read-only query statement, else the first reason it is not."""
    tokens = tokenize(sql)
    statements: list[list[Token]] = [[]]
    for token in tokens:
        if token.kind == "punct" and token.text == ";":
            statements.append([])
        else:
            statements[-1].append(token)
    statements = [s for s in statements if s]
    if not statements:
        return Violation("the query is empty", 0)
    if len(statements) > 1:
        return Violation("only a single statement is allowed; a second statement follows ';'", statements[1][0].start)
    statement = statements[0]
    first = next((t for t in statement if not (t.kind == "punct" and t.text == "(")), statement[0])
    if first.word not in ALLOWED_FIRST_WORDS:
        return Violation(f"only SELECT, WITH, VALUES or TABLE queries are allowed, not '{first.text}'", first.start)
    return _modifying_cte(statement) or _select_into(statement)


def _modifying_cte(tokens: list[Token]) -> Violation | None:
    """``name AS [NOT] [MATERIALIZED] ( INSERT|UPDATE|DELETE|MERGE`` inside a WITH."""
    for index, token in enumerate(tokens):
        if token.word != "as":
            continue
        j = index + 1
        if j < len(tokens) and tokens[j].word == "not":
            j += 1
        if j < len(tokens) and tokens[j].word == "materialized":
            j += 1
        if j + 1 < len(tokens) and tokens[j].text == "(" and tokens[j + 1].word in _MODIFYING:
            verb = tokens[j + 1]
            return Violation(f"data-modifying statement ({verb.text.upper()}) inside WITH is not allowed", verb.start)
    return None


def _select_into(tokens: list[Token]) -> Violation | None:
    """A top-level ``INTO``: ``SELECT ... INTO t`` creates table ``t``."""
    depth = 0
    for token in tokens:
        if token.kind == "punct" and token.text in "()":
            depth += 1 if token.text == "(" else -1
        elif depth <= 0 and token.word == "into":
            return Violation("SELECT ... INTO creates a table and is not allowed", token.start)
    return None
