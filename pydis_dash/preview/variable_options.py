"""A query variable's options from its query's results, as Grafana makes them: the variable's ``regex``
filters and extracts, duplicates go, then ``sort`` orders them.

Grafana (``metricNamesToVariableValues`` in its variables code) keeps a result only when the regex
matches it; a named group ``value`` or ``text`` (or else the first capture group) becomes the option;
with the ``g`` flag every match of a result is an option. The regex is a JavaScript one: ``/re/flags``,
or a bare pattern matched whole. Sorting follows Grafana's ``VariableSort`` numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

_SLASHED = re.compile(r"^/(.*?)/(g?i?m?y?s?)$", re.DOTALL)
# JavaScript's named groups and back-references, in Python's spelling; lookbehinds are left alone.
_NAMED_GROUP = re.compile(r"(?<!\\)\(\?<(?![=!])")
_NAMED_REFERENCE = re.compile(r"\\k<(\w+)>")
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}
_FIRST_NUMBER = re.compile(r".*?(\d+)")
_DIGITS = re.compile(r"(\d+)")


class VariableRegexError(ValueError):
    """The variable's regex is not one JavaScript (and so Grafana) would accept."""


def js_regex(text: str) -> tuple[re.Pattern[str], bool]:
    """Grafana's ``stringToJsRegex`` in Python: the pattern and whether it is global (``/.../g``)."""
    if not text.startswith("/"):
        return _compile(f"^{text}$", 0, text), False
    match = _SLASHED.match(text)
    if match is None:
        raise VariableRegexError(f"'{text}' is not a valid regular expression")
    flags = 0
    for letter in match.group(2):
        flags |= _FLAGS.get(letter, 0)
    return _compile(match.group(1), flags, text), "g" in match.group(2)


def _compile(pattern: str, flags: int, original: str) -> re.Pattern[str]:
    python = _NAMED_REFERENCE.sub(r"(?P=\1)", _NAMED_GROUP.sub("(?P<", pattern))
    try:
        return re.compile(python, flags)
    except re.error as error:
        raise VariableRegexError(f"'{original}' is not a valid regular expression: {error}") from None


def variable_options(results: Sequence[str], regex: Any = None, sort: Any = 0) -> list[str]:
    """The option values a variable offers for its query's ``results``, filtered and extracted by
    ``regex``, without duplicates, in ``sort`` order. Raises :class:`VariableRegexError`."""
    options: list[str] = []
    if isinstance(regex, str) and regex:
        pattern, is_global = js_regex(regex)
        for result in results:
            options.extend(_extracted(result, pattern, is_global))
    else:
        options = list(results)
    return _sorted(list(dict.fromkeys(options)), sort)


def _extracted(result: str, pattern: re.Pattern[str], is_global: bool) -> list[str]:
    """What one result contributes: nothing when the regex misses it, else the named group ``value``
    (or ``text``), else the first capture group of each match, else the result itself."""
    matches = _matches(result, pattern, is_global)
    if not matches:
        return []
    for name in ("value", "text"):
        named = next((m.group(name) for m in matches if name in pattern.groupindex and m.group(name)), None)
        if named:
            return [named]
    if pattern.groups == 0:
        return [result]
    firsts = [m.group(1) for m in matches if m.group(1) is not None]
    return firsts if len(matches) > 1 else firsts[:1]


def _matches(result: str, pattern: re.Pattern[str], is_global: bool) -> list[re.Match[str]]:
    if not is_global:
        found = pattern.search(result)
        return [found] if found else []
    matches: list[re.Match[str]] = []
    for match in pattern.finditer(result):
        matches.append(match)
        if match.group(0) == "":  # JavaScript's exec loop stops after an empty match
            break
    return matches


def _sorted(options: list[str], sort: Any) -> list[str]:
    """Grafana's ``sortVariableValues``: 1/2 alphabetical, 3/4 by the first number, 5/6 alphabetical
    ignoring case, 7/8 natural (numbers compared as numbers); even numbers descending; 0 as found."""
    keys: dict[int, Callable[[str], Any]] = {1: str, 3: _first_number, 5: str.lower, 7: _natural}
    order = sort if isinstance(sort, int) and not isinstance(sort, bool) else 0
    key = keys.get(order - 1 + order % 2) if order > 0 else None
    if key is None:
        return options
    ordered = sorted(options, key=key)
    return ordered[::-1] if order % 2 == 0 else ordered


def _first_number(option: str) -> int:
    match = _FIRST_NUMBER.match(option)
    return int(match.group(1)) if match else -1


def _natural(option: str) -> tuple[tuple[int, int | str], ...]:
    parts = _DIGITS.split(option.lower())
    return tuple((0, int(part)) if index % 2 else (1, part) for index, part in enumerate(parts) if part)
