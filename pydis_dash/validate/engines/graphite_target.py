"""A parser for Graphite render targets, faithful to graphite-web 1.1's grammar (``render/grammar.py``).

Two reasons to parse targets ourselves although Graphite checks them: Graphite parses without
requiring the whole string to match, so ``sumSeries(a.b`` silently renders the path ``sumSeries``;
and the metric path patterns inside a target are needed to say *which* pattern matches nothing.

Grammar (whitespace may separate tokens, never the characters of one path or number)::

    target     := expression
    expression := (call | path) ("|" call)*
    call       := NAME "(" [arg ("," arg)* ("," NAME "=" arg)*] ")"
    arg        := true | false | number | none | string | inf | expression
    path       := element ("." element)*
    element    := (CHARS | "\\" SYMBOL | "{" CHARS ("," CHARS)* "}")+

``CHARS`` are printable ASCII characters other than ``(){},.'"\\|`` (so ``*``, ``[0-9]``, ``-`` and
``$`` belong to paths). A number counts only when ``,``, ``)`` or the end follows it.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

SYMBOLS = "(){},.'\"\\|"
METRIC_CHARS = frozenset(c for c in string.printable if c not in string.whitespace and c not in SYMBOLS)
# pyparsing's Keyword: the word must not run on into these characters.
KEYWORD_CHARS = frozenset(string.ascii_letters + string.digits + "_$")
KEYWORDS = {"true": "boolean", "false": "boolean", "none": "none", "inf": "infinity"}
WHITESPACE = " \t\r\n"
ESCAPABLE = frozenset(SYMBOLS + "=")

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NUMBER_RE = re.compile(r"-?\d+(?:\.\d+)?(?:[eE]-?\d+)?")
# pyparsing's quotedString: backslash escapes and doubled quotes, no line breaks.
STRING_RE = re.compile(
    r'"(?:[^"\n\r\\]|""|\\(?:[^x]|x[0-9a-fA-F]+))*"' + r"|'(?:[^'\n\r\\]|''|\\(?:[^x]|x[0-9a-fA-F]+))*'"
)


class TargetSyntaxError(ValueError):
    """The target is not valid Graphite; ``column`` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.message = message
        self.column = column


@dataclass(frozen=True)
class Path:
    """A metric path pattern such as ``stats_counts.bot.commands.*`` or ``a.{b,c}.d[0-9]``.

    ``text`` is the pattern Graphite looks up: backslash escapes are removed (``a\\(b`` is ``a(b``).
    """

    text: str
    column: int


@dataclass(frozen=True)
class Literal:
    """A constant argument: ``kind`` is ``string``, ``number``, ``boolean``, ``none`` or ``infinity``."""

    kind: str
    text: str


@dataclass(frozen=True)
class Call:
    """A function call; a piped call (``a.b | f(1)``) is stored as ``f(a.b, 1)``, as Graphite runs it."""

    name: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...]
    column: int


Node = Path | Literal | Call


def parse_target(text: str) -> Node:
    """Parse a whole target; :class:`TargetSyntaxError` names the first column that does not fit."""
    parser = _Parser(text)
    node = parser.expression()
    parser.skip_whitespace()
    if parser.pos < len(text):
        parser.fail(f"unexpected {_describe(text, parser.pos)}")
    return node


def path_patterns(node: Node) -> list[str]:
    """Every metric path pattern in a parsed target, in order of appearance, without repeats."""
    found: dict[str, None] = {}

    def walk(current: Node) -> None:
        if isinstance(current, Path):
            found.setdefault(current.text)
        elif isinstance(current, Call):
            for arg in current.args:
                walk(arg)
            for _, value in current.kwargs:
                walk(value)

    walk(node)
    return list(found)


def _describe(text: str, pos: int) -> str:
    return f"{text[pos]!r}" if pos < len(text) else "end of target"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> None:
        raise TargetSyntaxError(message, self.pos + 1)

    def skip_whitespace(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in WHITESPACE:
            self.pos += 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        self.skip_whitespace()
        if self.peek() != char:
            self.fail(f"expected {char!r}, found {_describe(self.text, self.pos)}")
        self.pos += 1

    def expression(self) -> Node:
        self.skip_whitespace()
        node = self.call_or_path()
        while True:
            save = self.pos
            self.skip_whitespace()
            if self.peek() != "|":
                self.pos = save
                return node
            self.pos += 1
            self.skip_whitespace()
            piped = self.call()
            if piped is None:
                self.fail(f"expected a function call after '|', found {_describe(self.text, self.pos)}")
                raise AssertionError  # unreachable: fail() raises
            node = Call(piped.name, (node, *piped.args), piped.kwargs, piped.column)

    def call_or_path(self) -> Node:
        call = self.call()
        return call if call is not None else self.path()

    def name_before(self, char: str) -> str | None:
        """A name followed by ``char`` (whitespace between), both consumed; else ``None``, position unchanged."""
        start = self.pos
        match = NAME_RE.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()
            self.skip_whitespace()
            if self.peek() == char:
                self.pos += 1
                return match.group()
        self.pos = start
        return None

    def call(self) -> Call | None:
        """A call when a name and ``(`` follow; otherwise ``None`` with the position unchanged."""
        start = self.pos
        name = self.name_before("(")
        if name is None:
            return None
        args: list[Node] = []
        kwargs: list[tuple[str, Node]] = []
        self.skip_whitespace()
        if self.peek() != ")":
            while True:
                self.skip_whitespace()
                keyword = self.name_before("=")  # ``name =`` starts a keyword argument
                if keyword is not None:
                    if not args:
                        # graphite-web's grammar only accepts keyword arguments after a positional one.
                        self.fail(f"keyword argument {keyword!r} needs a positional argument before it")
                    kwargs.append((keyword, self.arg()))
                elif kwargs:
                    self.fail("positional argument after keyword arguments")
                else:
                    args.append(self.arg())
                self.skip_whitespace()
                if self.peek() != ",":
                    break
                self.pos += 1
        self.expect(")")
        return Call(name, tuple(args), tuple(kwargs), start + 1)

    def arg(self) -> Node:
        self.skip_whitespace()
        start = self.pos
        if self.peek() == "":
            self.fail("expected an argument, found end of target")
        word = NAME_RE.match(self.text, self.pos)
        if word is not None and word.group().lower() in KEYWORDS and not self._runs_on(word.end()):
            self.pos = word.end()
            return Literal(KEYWORDS[word.group().lower()], word.group())
        number = NUMBER_RE.match(self.text, self.pos)
        if number is not None and self._number_ends(number.end()):
            self.pos = number.end()
            return Literal("number", number.group())
        quoted = STRING_RE.match(self.text, self.pos)
        if quoted is not None:
            self.pos = quoted.end()
            return Literal("string", quoted.group())
        if self.peek() in ("'", '"'):
            self.fail("unterminated string")
        if self.peek() in (",", ")"):
            self.fail(f"expected an argument, found {_describe(self.text, start)}")
        return self.expression()

    def _runs_on(self, end: int) -> bool:
        return end < len(self.text) and self.text[end] in KEYWORD_CHARS

    def _number_ends(self, end: int) -> bool:
        rest = self.text[end:].lstrip(WHITESPACE)
        return rest == "" or rest[0] in ",)" or self.text[end : end + 1] == "\n"

    def path(self) -> Path:
        """A path expression; escapes are dropped from its text, as graphite-web does."""
        start = self.pos
        pieces: list[str] = []
        self.element(pieces)
        while self.peek() == ".":
            self.pos += 1
            pieces.append(".")
            self.element(pieces)
        return Path("".join(pieces), start + 1)

    def element(self, pieces: list[str]) -> None:
        start = self.pos
        while True:
            if self.peek() == "{":
                self.enumeration(pieces)
            elif not self.partial(pieces):
                break
        if self.pos == start:
            self.fail(f"expected a metric path, found {_describe(self.text, self.pos)}")

    def enumeration(self, pieces: list[str]) -> None:
        self.pos += 1
        pieces.append("{")
        while True:
            if not self.partial(pieces):
                self.fail(f"expected a name inside '{{...}}', found {_describe(self.text, self.pos)}")
            char = self.peek()
            if char in (",", "}"):
                pieces.append(char)
                self.pos += 1
                if char == "}":
                    return
                continue
            self.fail(f"expected ',' or '}}' in '{{...}}', found {_describe(self.text, self.pos)}")

    def partial(self, pieces: list[str]) -> bool:
        """Consume metric characters and escapes (kept unescaped); ``False`` when there were none."""
        start = self.pos
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in METRIC_CHARS:
                pieces.append(char)
                self.pos += 1
            elif char == "\\" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] in ESCAPABLE:
                pieces.append(self.text[self.pos + 1])
                self.pos += 2
            else:
                break
        return self.pos > start
