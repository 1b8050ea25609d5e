"""In-place edits of definition files with libcst: one call (found where it starts) gets keywords set or
removed and positional arguments replaced; everything else in the file stays as written.

:class:`SourceCalls` reads a definition file once and tells, for the call starting at a place, the
literal value of each argument (:data:`OPAQUE` for an expression that is not a literal, such as a shared
constant: ``pull`` never overwrites those) and where the calls inside a list argument start (the
variables of a question).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from pydis_dash.importing.pysource import literal


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: The argument is not given in the call.
ABSENT: Any = _Marker("ABSENT")
#: The argument is an expression that is not a literal (a name, a call, an f-string...).
OPAQUE: Any = _Marker("OPAQUE")

Position = tuple[int, int | None]
"""Where a call starts: its line, and its column (``None``: the outermost call starting on the line)."""


@dataclass
class CallEdit:
    """Changes to the call starting at ``line`` (and ``column``, when several calls start on that line):
    ``keywords`` set (added or replaced) to Python values, ``removed`` keywords dropped, positional
    argument ``index`` replaced (``positional``)."""

    line: int
    column: int | None = None
    keywords: dict[str, Any] = field(default_factory=dict)
    positional: dict[int, Any] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)

    @property
    def position(self) -> Position:
        """Where the edited call starts."""
        return (self.line, self.column)


@dataclass(frozen=True)
class CallSite:
    """One call as written: what it calls, its arguments' literal values (:data:`OPAQUE` otherwise), and
    for each list or tuple argument, where the calls among its elements start (``None`` for others)."""

    position: Position
    function: str  # the called expression as written: ``Question``, ``sql("metricity").stat``
    positional: list[Any]
    keywords: dict[str, Any]
    items: dict[str | int, list[Position | None]]

    def value(self, name: str, index: int | None = None) -> Any:
        """The argument ``name`` (passed by keyword, or positional ``index``), :data:`ABSENT` if not given."""
        if name in self.keywords:
            return self.keywords[name]
        if index is not None and index < len(self.positional):
            return self.positional[index]
        return ABSENT

    def elements(self, name: str, index: int | None = None) -> list[Position | None] | None:
        """Where the calls inside list argument ``name`` (or positional ``index``) start; None if not a list."""
        if name in self.items:
            return self.items[name]
        if index is not None and index in self.items and name not in self.keywords:
            return self.items[index]
        return None


class SourceCalls:
    """A definition file parsed once: its calls by start position, and edits applied to it."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._wrapper = MetadataWrapper(cst.parse_module(source))
        self._module = self._wrapper.module
        self._positions: Mapping[cst.CSTNode, CodeRange] = self._wrapper.resolve(PositionProvider)
        self._calls: dict[int, list[cst.Call]] = {}
        for node, where in self._positions.items():
            if isinstance(node, cst.Call):
                self._calls.setdefault(where.start.line, []).append(node)

    def _find(self, line: int, column: int | None) -> cst.Call | None:
        calls = [c for c in self._calls.get(line, []) if column in (None, self._positions[c].start.column)]
        if not calls:
            return None
        # The outermost call starting there: ``sql("metricity").stat(...)`` rather than ``sql("metricity")``.
        return max(calls, key=lambda call: (self._positions[call].end.line, self._positions[call].end.column))

    def call_site(self, line: int, column: int | None = None) -> CallSite | None:
        """The arguments of the call starting at ``line`` (and ``column``), None when no call starts there."""
        node = self._find(line, column)
        if node is None:
            return None
        positional: list[Any] = []
        keywords: dict[str, Any] = {}
        items: dict[str | int, list[Position | None]] = {}
        for arg in node.args:
            if arg.star:
                continue
            slot: str | int = arg.keyword.value if arg.keyword is not None else len(positional)
            value = self._literal(arg.value)
            if arg.keyword is not None:
                keywords[arg.keyword.value] = value
            else:
                positional.append(value)
            if isinstance(arg.value, cst.List | cst.Tuple):
                items[slot] = [self._start(element.value) for element in arg.value.elements]
        start = self._positions[node].start
        function = self._module.code_for_node(node.func)
        return CallSite((start.line, start.column), function, positional, keywords, items)

    def _start(self, node: cst.BaseExpression) -> Position | None:
        if not isinstance(node, cst.Call):
            return None
        start = self._positions[node].start
        return (start.line, start.column)

    def _literal(self, node: cst.BaseExpression) -> Any:
        try:
            return ast.literal_eval(self._module.code_for_node(node).strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return OPAQUE

    def apply(self, edits: Sequence[CallEdit]) -> tuple[str, list[Position]]:
        """The source with ``edits`` applied, and the positions of edits whose call was not found."""
        targets: dict[int, CallEdit] = {}
        missing: list[Position] = []
        for edit in edits:
            node = self._find(edit.line, edit.column)
            if node is None:
                missing.append(edit.position)
            else:
                targets[id(node)] = edit
        module = self._module.visit(_Editor(targets))
        return module.code, missing


class _Editor(cst.CSTTransformer):
    def __init__(self, targets: Mapping[int, CallEdit]) -> None:
        super().__init__()
        self.targets = targets

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        edit = self.targets.get(id(original_node))
        if edit is None:
            return updated_node
        args = [a for a in updated_node.args if not (a.keyword and a.keyword.value in edit.removed)]
        if len(args) < len(updated_node.args) and args:
            args[-1] = args[-1].with_changes(comma=updated_node.args[-1].comma)
        positional = [i for i, arg in enumerate(args) if arg.keyword is None and not arg.star]
        for index, value in edit.positional.items():
            slot = positional[index]
            args[slot] = args[slot].with_changes(value=_expression(value))
        for name, value in edit.keywords.items():
            found = next((i for i, arg in enumerate(args) if arg.keyword and arg.keyword.value == name), None)
            if found is not None:
                args[found] = args[found].with_changes(value=_expression(value))
            else:
                args.append(cst.Arg(value=_expression(value), keyword=cst.Name(name), equal=_EQUAL))
                _separate(args)
        return updated_node.with_changes(args=args)


def _separate(args: list[cst.Arg]) -> None:
    """Give the argument before the new last one the comma layout the call uses.

    One argument per line (a magic trailing comma before ``)``): the new argument takes the old last
    comma (newline and the bracket's indent) and the old last argument the comma of the one before it
    (newline and the arguments' indent). On one line: ``, `` between them.
    """
    if len(args) < 2:
        return
    previous = args[-2]
    if isinstance(previous.comma, cst.Comma) and isinstance(
        previous.comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        inner = args[-3].comma if len(args) >= 3 and isinstance(args[-3].comma, cst.Comma) else previous.comma
        args[-1] = args[-1].with_changes(comma=previous.comma)
        args[-2] = previous.with_changes(comma=inner)
    else:
        args[-2] = previous.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))


_EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _expression(value: Any) -> cst.BaseExpression:
    return cst.parse_expression(literal(value))
