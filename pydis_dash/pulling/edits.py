"""In-place edits of definition files with libcst: one call (found by its first line) gets a keyword,
a positional argument or a string literal changed; everything else in the file stays as written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from pydis_dash.importing.pysource import literal


@dataclass
class CallEdit:
    """Changes to the call starting on ``line``: ``keywords`` set (added or replaced) to Python values,
    positional argument ``index`` replaced (``positional``)."""

    line: int
    keywords: dict[str, Any] = field(default_factory=dict)
    positional: dict[int, Any] = field(default_factory=dict)


class _Editor(cst.CSTTransformer):
    def __init__(self, edits: Mapping[int, CallEdit], positions: Mapping[cst.CSTNode, Any]) -> None:
        super().__init__()
        self.edits = dict(edits)
        self.positions = positions
        self.targets: dict[int, int] = {}  # id(original call) -> line, the outermost call per line
        self.applied: set[int] = set()

    def visit_Call(self, node: cst.Call) -> bool:
        line = self.positions[node].start.line
        if line in self.edits and line not in self.targets.values():
            self.targets[id(node)] = line
        return True

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        line = self.targets.get(id(original_node))
        if line is None:
            return updated_node
        edit = self.edits[line]
        self.applied.add(line)
        args = list(updated_node.args)
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


def apply_edits(source: str, edits: Sequence[CallEdit]) -> tuple[str, list[int]]:
    """``source`` with ``edits`` applied, and the lines of edits whose call was not found."""
    by_line = {edit.line: edit for edit in edits}
    wrapper = MetadataWrapper(cst.parse_module(source))
    editor = _Editor(by_line, wrapper.resolve(PositionProvider))
    module = wrapper.visit(editor)
    return module.code, sorted(set(by_line) - editor.applied)


def call_arguments(source: str, line: int) -> tuple[list[str | None], dict[str, str | None]] | None:
    """The string-literal values of the call starting on ``line`` (positional, keyword), None for other
    expressions; None when no call starts there."""
    wrapper = MetadataWrapper(cst.parse_module(source))
    positions = wrapper.resolve(PositionProvider)
    calls = [node for node in positions if isinstance(node, cst.Call) and positions[node].start.line == line]
    if not calls:
        return None
    # The outermost call on the line: ``sql("metricity").stat(...)`` rather than ``sql("metricity")``.
    node = max(calls, key=lambda call: (positions[call].end.line, positions[call].end.column))
    positional = [_string(arg.value) for arg in node.args if arg.keyword is None and not arg.star]
    keywords = {arg.keyword.value: _string(arg.value) for arg in node.args if arg.keyword is not None}
    return positional, keywords


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.FormattedString):
        return None
    return None
