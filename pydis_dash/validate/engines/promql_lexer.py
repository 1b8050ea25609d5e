"""A light PromQL lexer, enough to find the metric names an expression selects.

Prometheus itself checks syntax and types (see :mod:`pydis_dash.validate.engines.prometheus`); this
lexer only has to tell metric names apart from function names, keywords, label names and Grafana
template references, so that a selector naming no known metric can be reported with suggestions.
It is lenient: text Prometheus would reject (an unterminated string, a stray character) becomes an
``ERROR`` token instead of an exception, because Prometheus reports the real error.

Grafana template references (``$var``, ``${var:fmt}``, ``[[var]]``) are tokens of their own, so the
raw query text can be lexed before variables are expanded: a name glued to a reference
(``${prefix}_requests_total``) is not a literal metric name and is not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from pydis_dash.validate.engines.grafana_template import REFERENCE


class TokenKind(StrEnum):
    """What a token is; punctuation keeps its own text in :attr:`Token.text`."""

    IDENTIFIER = "identifier"
    STRING = "string"
    NUMBER = "number"
    DURATION = "duration"
    OPERATOR = "operator"  # arithmetic, comparison and matcher operators, ``@``, ``:`` in subqueries
    LEFT_PAREN = "("
    RIGHT_PAREN = ")"
    LEFT_BRACE = "{"
    RIGHT_BRACE = "}"
    LEFT_BRACKET = "["
    RIGHT_BRACKET = "]"
    COMMA = ","
    TEMPLATE = "template"  # a Grafana variable or macro reference
    COMMENT = "comment"
    ERROR = "error"


@dataclass(frozen=True)
class Token:
    """One token: its kind, its exact text, and its offset in the expression."""

    kind: TokenKind
    text: str
    start: int

    @property
    def end(self) -> int:
        """Offset just after the token."""
        return self.start + len(self.text)


# Keywords of the PromQL grammar (matched case-insensitively, as Prometheus does).
AGGREGATION_OPERATORS = frozenset(
    {
        "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
        "bottomk", "topk", "quantile", "limitk", "limit_ratio",
    }
)  # fmt: skip
GROUPING_KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
OTHER_KEYWORDS = frozenset({"and", "or", "unless", "atan2", "bool", "offset"})
KEYWORDS = AGGREGATION_OPERATORS | GROUPING_KEYWORDS | OTHER_KEYWORDS
_NUMBER_WORDS = frozenset({"inf", "nan"})

_DURATION = re.compile(r"(?:\d+(?:ms|[smhdwy]))+(?![A-Za-z0-9_])")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_IDENTIFIER_IN_BRACKETS = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # ':' is the subquery separator there
_OPERATORS = ("==", "!=", "<=", ">=", "=~", "!~", "+", "-", "*", "/", "%", "^", "<", ">", "=", "@", ":")
_PUNCTUATION = {
    "(": TokenKind.LEFT_PAREN,
    ")": TokenKind.RIGHT_PAREN,
    "{": TokenKind.LEFT_BRACE,
    "}": TokenKind.RIGHT_BRACE,
    "[": TokenKind.LEFT_BRACKET,
    "]": TokenKind.RIGHT_BRACKET,
    ",": TokenKind.COMMA,
}


def tokenize(expression: str) -> list[Token]:
    """Split a PromQL expression (possibly holding Grafana template references) into tokens."""
    return list(_tokens(expression))


@lru_cache(maxsize=4096)
def _cached_tokens(expression: str) -> tuple[Token, ...]:
    # A check lexes each expression twice (its metric names, whether it can share a request): once is enough.
    return tuple(_tokens(expression))


_CLOSERS = {
    TokenKind.RIGHT_PAREN: TokenKind.LEFT_PAREN,
    TokenKind.RIGHT_BRACE: TokenKind.LEFT_BRACE,
    TokenKind.RIGHT_BRACKET: TokenKind.LEFT_BRACKET,
}
_OPENERS = frozenset(_CLOSERS.values())


def self_contained(expression: str) -> bool:
    """Whether the expression is whole on its own: it has tokens, every bracket it opens it closes (in
    order), every string is closed, and nothing is left unlexed or unexpanded.

    Only such an expression can be put between parentheses beside others in one query
    (:mod:`~pydis_dash.validate.engines.prometheus`): text like ``a) or (b`` parses there but not alone.
    """
    open_kinds: list[TokenKind] = []
    tokens = _cached_tokens(expression)
    for token in tokens:
        if token.kind in (TokenKind.ERROR, TokenKind.TEMPLATE):
            return False
        if token.kind in _OPENERS:
            open_kinds.append(token.kind)
        elif token.kind in _CLOSERS and (not open_kinds or open_kinds.pop() is not _CLOSERS[token.kind]):
            return False
    return not open_kinds and any(token.kind is not TokenKind.COMMENT for token in tokens)


def _tokens(text: str) -> Iterator[Token]:
    pos = 0
    bracket_depth = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
            continue
        token = _next_token(text, pos, in_brackets=bracket_depth > 0)
        if token.kind is TokenKind.LEFT_BRACKET:
            bracket_depth += 1
        elif token.kind is TokenKind.RIGHT_BRACKET:
            bracket_depth = max(0, bracket_depth - 1)
        yield token
        pos = token.end


def _next_token(text: str, pos: int, *, in_brackets: bool) -> Token:
    char = text[pos]
    template = REFERENCE.match(text, pos)
    if template:
        return Token(TokenKind.TEMPLATE, template.group(), pos)
    if char == "#":
        end = text.find("\n", pos)
        return Token(TokenKind.COMMENT, text[pos : len(text) if end < 0 else end], pos)
    if char in "\"'`":
        end, closed = _scan_string(text, pos)
        return Token(TokenKind.STRING if closed else TokenKind.ERROR, text[pos:end], pos)
    if char.isdigit() or (char == "." and pos + 1 < len(text) and text[pos + 1].isdigit()):
        duration = _DURATION.match(text, pos)
        if duration:
            return Token(TokenKind.DURATION, duration.group(), pos)
        number = _NUMBER.match(text, pos)
        assert number is not None  # a digit or ".digit" always starts a number
        return Token(TokenKind.NUMBER, number.group(), pos)
    identifier = (_IDENTIFIER_IN_BRACKETS if in_brackets else _IDENTIFIER).match(text, pos)
    if identifier:
        word = identifier.group()
        kind = TokenKind.NUMBER if word.lower() in _NUMBER_WORDS else TokenKind.IDENTIFIER
        return Token(kind, word, pos)
    if char in _PUNCTUATION:
        return Token(_PUNCTUATION[char], char, pos)
    for operator in _OPERATORS:
        if text.startswith(operator, pos):
            return Token(TokenKind.OPERATOR, operator, pos)
    return Token(TokenKind.ERROR, char, pos)


def _scan_string(text: str, pos: int) -> tuple[int, bool]:
    """Offset just after the string starting at ``pos``, and whether its closing quote was found."""
    quote = text[pos]
    index = pos + 1
    while index < len(text):
        if text[index] == "\\" and quote != "`":  # backquoted strings are raw
            index += 2
        elif text[index] == quote:
            return index + 1, True
        elif text[index] == "\n" and quote != "`":
            return index, False  # Prometheus: unterminated quoted string
        else:
            index += 1
    return len(text), False


def string_value(token: Token) -> str:
    """The value of a STRING token: quotes removed, common escapes resolved (raw for backquotes)."""
    body = token.text[1:-1]
    if token.text[0] == "`":
        return body
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), body)


@dataclass(frozen=True)
class MetricReference:
    """A literal metric name in an expression and where it starts."""

    name: str
    start: int


def metric_references(expression: str) -> list[MetricReference]:
    """Every literal metric name the expression selects, in order of appearance.

    Names built from template references (``${prefix}_total``, ``$metric``) are left out: they
    cannot be known before variables are expanded, and their expanded form depends on samples.
    ``{__name__="foo"}`` counts as a reference to ``foo``.
    """
    tokens = [t for t in _cached_tokens(expression) if t.kind is not TokenKind.COMMENT]
    found: list[MetricReference] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind is TokenKind.LEFT_BRACE:
            close = _matching(tokens, index, TokenKind.LEFT_BRACE, TokenKind.RIGHT_BRACE)
            found.extend(_names_from_matchers(tokens[index + 1 : close]))
            index = close + 1
            continue
        if token.kind is TokenKind.IDENTIFIER:
            word = token.text.lower()
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            opens_paren = following is not None and following.kind is TokenKind.LEFT_PAREN
            if word in GROUPING_KEYWORDS and opens_paren:
                # by (...), on (...), group_left (...): label names, not metrics.
                index = _matching(tokens, index + 1, TokenKind.LEFT_PAREN, TokenKind.RIGHT_PAREN) + 1
                continue
            if word not in KEYWORDS and not opens_paren and not _glued_to_template(tokens, index):
                found.append(MetricReference(token.text, token.start))
        index += 1
    return found


def metric_names(expression: str) -> list[str]:
    """The distinct literal metric names of :func:`metric_references`, in order of appearance."""
    return list(dict.fromkeys(ref.name for ref in metric_references(expression)))


def _matching(tokens: Sequence[Token], open_index: int, opener: TokenKind, closer: TokenKind) -> int:
    """Index of the token closing the one at ``open_index`` (last index when unclosed)."""
    depth = 0
    for index in range(open_index, len(tokens)):
        if tokens[index].kind is opener:
            depth += 1
        elif tokens[index].kind is closer:
            depth -= 1
            if depth == 0:
                return index
    return len(tokens) - 1


def _names_from_matchers(tokens: Sequence[Token]) -> list[MetricReference]:
    names = []
    for index in range(len(tokens) - 2):
        label, operator, value = tokens[index : index + 3]
        if (
            label.kind is TokenKind.IDENTIFIER
            and label.text == "__name__"
            and operator.text == "="
            and value.kind is TokenKind.STRING
            and not REFERENCE.search(value.text)
        ):
            names.append(MetricReference(string_value(value), value.start + 1))
    return names


def _glued_to_template(tokens: Sequence[Token], index: int) -> bool:
    token = tokens[index]
    before = tokens[index - 1] if index > 0 else None
    after = tokens[index + 1] if index + 1 < len(tokens) else None
    return bool(
        (before and before.kind is TokenKind.TEMPLATE and before.end == token.start)
        or (after and after.kind is TokenKind.TEMPLATE and after.start == token.end)
    )
