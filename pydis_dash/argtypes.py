"""Author-facing checks of argument types: ``Dashboard(title=123)`` says "option 'title' expects a string,
got int 123" at the author's line, instead of an ``AttributeError`` from deep inside rendering.

The expected types are the annotations the authoring classes and :class:`~pydis_dash.grafana.panels.PanelOptions`
already declare, so the check and the documentation cannot drift apart. Annotations this module cannot
judge (``Any``, protocols, classes it cannot resolve) are accepted as they are.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

_NONE = type(None)


def type_problem(name: str, value: Any, expected: Any) -> str | None:
    """Why ``value`` does not fit ``expected`` (a resolved annotation), worded for the author; or None."""
    if _fits(value, expected):
        return None
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"option {name!r} expects {describe(expected)}, got {type(value).__name__} {shown}"


def dataclass_problem(obj: Any, skip: frozenset[str] = frozenset()) -> str | None:
    """The first field of dataclass instance ``obj`` whose value does not fit its annotation, or None.
    ``skip`` names fields the class checks itself, with a message of its own."""
    hints = _hints(type(obj))
    for field in dataclasses.fields(obj):
        expected = hints.get(field.name)
        if expected is None or not field.init or field.name in skip:
            continue
        problem = type_problem(field.name, getattr(obj, field.name), expected)
        if problem:
            return problem
    return None


def mapping_problem(values: Mapping[str, Any], annotations: Mapping[str, Any]) -> str | None:
    """The first of ``values`` whose value does not fit its annotation in ``annotations`` (a TypedDict's
    resolved hints), or None. Keys without an annotation are someone else's concern."""
    for name, value in values.items():
        expected = annotations.get(name)
        if expected is not None:
            problem = type_problem(name, value, expected)
            if problem:
                return problem
    return None


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """The resolved annotations of ``cls``, once per class."""
    if cls not in _HINTS:
        try:
            _HINTS[cls] = typing.get_type_hints(cls)
        except (NameError, TypeError):  # an annotation naming what only type checkers import: check nothing
            _HINTS[cls] = {}
    return _HINTS[cls]


def _fits(value: Any, expected: Any) -> bool:
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if expected is Any or isinstance(expected, typing.TypeVar):
        return True
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, arg) for arg in args)
    if expected is _NONE or expected is None:
        return value is None
    if expected is bool:
        return isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if origin is typing.Literal:
        return value in args
    if origin is tuple:
        if not isinstance(value, tuple | list):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_fits(item, args[0]) for item in value)
        return len(value) == len(args) and all(_fits(item, arg) for item, arg in zip(value, args, strict=True))
    if origin in (Sequence, list, typing.Sequence):
        if isinstance(value, str | bytes) or not isinstance(value, Sequence):
            return False
        return not args or all(_fits(item, args[0]) for item in value)
    if origin in (Mapping, dict, typing.Mapping):
        return isinstance(value, Mapping)
    if isinstance(expected, type) and not typing.get_args(expected):
        try:
            return isinstance(value, expected)
        except TypeError:  # a protocol or special form isinstance cannot judge
            return True
    return True


def describe(expected: Any) -> str:
    """``a string``, ``a whole number``, ``a list of (number or None, string) pairs``..."""
    origin = typing.get_origin(expected)
    args = typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(dict.fromkeys(describe(arg) for arg in args))
    if expected is _NONE or expected is None:
        return "None"
    names = {str: "a string", int: "a whole number", float: "a number", bool: "True or False"}
    if expected in names:
        return names[expected]
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(arg) for arg in args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"a tuple of {_plural(args[0])}"
        return "a (" + ", ".join(describe(arg).removeprefix("a ").removeprefix("an ") for arg in args) + ") tuple"
    if origin in (Sequence, list, typing.Sequence):
        return f"a list of {_plural(args[0])}" if args else "a list"
    if origin in (Mapping, dict, typing.Mapping):
        return "a mapping (dict)"
    return f"a {getattr(expected, '__name__', str(expected))}"


def _plural(expected: Any) -> str:
    text = describe(expected)
    if text.startswith("a (") and text.endswith(" tuple"):
        return text.removeprefix("a ") + "s"  # (number or None, string) tuples
    return f"({text}) items" if " or " in text else text.removeprefix("a ").removeprefix("an ") + " items"
