"""Grafana's template syntax as every query engine sees it: references, formats, built-ins, samples.

Grafana's frontend replaces template variables the same way whatever the data source (``templateSrv``
with the format registry, ``public/app/features/templating/formatRegistry.ts``); only what a data
source does with a value *without* an explicit format, and its own macros, differ. This module owns
the shared part, so the SQL, PromQL and Graphite expansions keep only what is really theirs:

- :data:`REFERENCE` / :class:`Reference`: ``$var``, ``${var}``, ``${var.field}``, ``${var:format}``,
  ``[[var]]`` and ``[[var:format]]`` (Grafana's ``variableRegex``);
- :func:`apply_format`: the format registry (``${var:csv}``, ``${var:regex}``, ...);
- :func:`interval_variables`, :func:`time_variables`, :data:`GLOBAL_VARIABLES`: the built-ins;
- :func:`chosen_selection`, :func:`custom_all_value`: a concrete selection (the preview's current values).
- :func:`stands_for_all`, :func:`sample_or_default`, :func:`selection`: sample values from a
  :class:`~pydis_dash.validate.queries.Variable`;
- :class:`Scope`: resolving names to variables or built-ins, and listing undefined references.

A value is a :data:`Value`: a string for a single selection, a list for a multi-value or "All" one,
as Grafana hands them to formatters.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydis_dash.validate.queries import Variable

# Grafana's variableRegex: $var | [[var:fmt]] | ${var.field:fmt}.
REFERENCE = re.compile(
    r"\$(?P<plain>\w+)"
    r"|\[\[(?P<bracket>\w+?)(?::(?P<bracket_format>\w+))?\]\]"
    r"|\$\{(?P<braced>\w+)(?:\.(?P<field>[^:^}]+))?(?::(?P<braced_format>[^}]+))?\}"
)

Value = str | list[str]
"""A variable's value as formats receive it: a string, or a list for multi-value and "All"."""


@dataclass(frozen=True)
class Reference:
    """One variable reference in a query: where it is, the name, and the optional field and format."""

    text: str
    name: str
    start: int
    end: int
    format: str | None = None
    field: str | None = None
    plain: bool = False  # written ``$name`` (the only form that can be confused with other syntax)

    @classmethod
    def from_match(cls, match: re.Match[str]) -> Reference:
        """The reference a :data:`REFERENCE` match stands for."""
        name = match.group("plain") or match.group("bracket") or match.group("braced")
        return cls(
            text=match.group(),
            name=name,
            start=match.start(),
            end=match.end(),
            format=match.group("bracket_format") or match.group("braced_format"),
            field=match.group("field"),
            plain=match.group("plain") is not None,
        )


def references(text: str, start: int = 0, end: int | None = None) -> Iterator[Reference]:
    """Every reference in ``text[start:end]``, in order (offsets are into ``text``)."""
    for match in REFERENCE.finditer(text, start, len(text) if end is None else end):
        yield Reference.from_match(match)


# ---------------------------------------------------------------------------------------------------
# Formats (formatRegistry.ts)


def escape_regex(value: str) -> str:
    """Grafana's ``escapeRegex``: a backslash before every regex metacharacter (and ``/``)."""
    return re.sub(r"[\\^$*+?.()|{}\[\]/]", lambda m: "\\" + m.group(), value)


def _join(value: Value, separator: str = ",") -> str:
    return value if isinstance(value, str) else separator.join(value)


def _each(value: Value, fn: Callable[[str], str], separator: str = ",") -> str:
    return fn(value) if isinstance(value, str) else separator.join(fn(v) for v in value)


def _single(value: Value) -> str | None:
    """The one value of a string or a one-element list (formats treat both alike), else None."""
    if isinstance(value, str):
        return value
    return value[0] if len(value) == 1 else None


def sql_string(value: str) -> str:
    """A SQL string literal: single quotes, embedded ones doubled (the ``sqlstring`` format)."""
    return "'" + value.replace("'", "''") + "'"


def _regex(value: Value) -> str:
    single = _single(value)
    return escape_regex(single) if single is not None else "(" + "|".join(escape_regex(v) for v in value) + ")"


def _glob(value: Value) -> str:
    single = _single(value)
    return single if single is not None else "{" + ",".join(value) + "}"


def _lucene(value: Value) -> str:
    single = _single(value)
    return single if single is not None else "(" + " OR ".join(f'"{v}"' for v in value) + ")"


def _distributed(value: Value, name: str) -> str:
    if isinstance(value, str):
        return value
    return ",".join(v if i == 0 else f"{name}={v}" for i, v in enumerate(value))


def _date(value: Value, args: Sequence[str]) -> str:
    """``${__from:date:seconds}`` and friends: ``ms`` (default epoch ms), ``seconds``, ISO otherwise."""
    text = _join(value)
    arg = args[0] if args else "iso"
    if arg == "ms":
        return text
    millis = int(text) if text.lstrip("-").isdigit() else 0
    if arg == "seconds":
        return str(millis // 1000)  # moment's unix(): whole seconds, rounded down
    # ISO for "iso" and for moment.js patterns we don't emulate: still a valid timestamp.
    moment = datetime.fromtimestamp(millis / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _html(value: Value) -> str:
    return _join(value, ", ").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_Formatter = Callable[[Value, str, Sequence[str]], str]

FORMATS: Mapping[str, _Formatter] = {
    "raw": lambda v, name, args: _join(v),
    "csv": lambda v, name, args: _join(v),
    "pipe": lambda v, name, args: _join(v, "|"),
    "text": lambda v, name, args: _join(v, " + "),
    "sqlstring": lambda v, name, args: _each(v, sql_string),
    "singlequote": lambda v, name, args: _each(v, lambda s: "'" + s.replace("'", "\\'") + "'"),
    "doublequote": lambda v, name, args: _each(v, lambda s: '"' + s.replace('"', '\\"') + '"'),
    "json": lambda v, name, args: json.dumps(v, separators=(",", ":")),
    "glob": lambda v, name, args: _glob(v),
    "regex": lambda v, name, args: _regex(v),
    "lucene": lambda v, name, args: _lucene(v),
    "distributed": lambda v, name, args: _distributed(v, name),
    "percentencode": lambda v, name, args: urllib.parse.quote(_glob(v), safe="-_.~"),
    "queryparam": lambda v, name, args: _each(v, lambda s: f"var-{name}={urllib.parse.quote(s, safe='-_.~')}", "&"),
    "html": lambda v, name, args: _html(v),
    "date": lambda v, name, args: _date(v, args),
}
"""Grafana's format registry: format id -> formatter(value, variable name, format arguments)."""

FALLBACK_FORMAT = "glob"
"""What Grafana uses for a format it does not know."""


def split_format(fmt: str) -> tuple[str, list[str]]:
    """``date:seconds`` -> (``date``, [``seconds``]): a format id and its arguments."""
    fmt_id, *args = fmt.split(":")
    return fmt_id, args


def is_known_format(fmt: str) -> bool:
    """Whether Grafana's registry has this format (arguments after ``:`` are ignored)."""
    return split_format(fmt)[0] in FORMATS


def apply_format(value: Value, fmt: str, name: str) -> str:
    """``value`` of the variable ``name`` written as ``${name:fmt}``; unknown formats fall back to glob."""
    fmt_id, args = split_format(fmt)
    return FORMATS.get(fmt_id, FORMATS[FALLBACK_FORMAT])(value, name, args)


# ---------------------------------------------------------------------------------------------------
# Built-in variables


def format_interval(delta: timedelta) -> str:
    """Grafana's gtime.FormatInterval: the largest whole unit (``1m``, ``30s``, ``1d``, ``2h``)."""
    ms = int(delta.total_seconds() * 1000)
    for unit, size in (
        ("y", 31536000000),
        ("w", 604800000),
        ("d", 86400000),
        ("h", 3600000),
        ("m", 60000),
        ("s", 1000),
    ):
        if ms >= size:
            return f"{ms // size}{unit}"
    return f"{ms}ms"


def _millis(delta: timedelta) -> int:
    return int(delta.total_seconds() * 1000)


def interval_variables(
    interval: timedelta,
    span: timedelta,
    rate_interval: timedelta,
    duration: Callable[[timedelta], str] = format_interval,
) -> dict[str, str]:
    """``$__interval``, ``$__rate_interval`` and ``$__range`` (with their ``_ms``/``_s`` forms).

    ``duration`` prints the duration forms; engines whose data source prints them differently pass
    their own.
    """
    return {
        "__interval": duration(interval),
        "__interval_ms": str(_millis(interval)),
        "__rate_interval": duration(rate_interval),
        "__range": duration(span),
        "__range_s": str(int(span.total_seconds())),
        "__range_ms": str(_millis(span)),
    }


def time_variables(start: datetime, end: datetime) -> dict[str, str]:
    """``$__from`` and ``$__to``: epoch milliseconds (``${__from:date...}`` formats them further)."""
    return {"__from": str(int(start.timestamp() * 1000)), "__to": str(int(end.timestamp() * 1000))}


GLOBAL_VARIABLES: Mapping[str, str] = {
    "__dashboard": "dashboard",
    "__user": "admin",  # ${__user.login} and friends: the field is not modelled
    "__org": "1",
    "__timezone": "utc",
}
"""Grafana's other global variables, with the values a validation run stands for."""


# ---------------------------------------------------------------------------------------------------
# Sample values

ALL_MARKERS = frozenset({"$__all", "All", "*"})
"""Samples that mean "All" (Grafana's ``$__all`` value, its ``All`` text, a ``*`` glob)."""


def stands_for_all(variable: Variable) -> bool:
    """Whether the variable's sample is an "All" selection: an All marker, or include-all with none."""
    if variable.sample is None:
        return variable.include_all
    return variable.sample in ALL_MARKERS


def sample_or_default(variable: Variable, by_type: Mapping[str, str], fallback: str) -> str:
    """The variable's sample, else the engine's default for its type, else ``fallback``."""
    if variable.sample is not None:
        return variable.sample
    return by_type.get(variable.type, fallback)


ALL = "$__all"
"""Grafana's value for an "All" selection."""


def chosen_selection(variable: Variable) -> Value | None:
    """A concrete selection's value as Grafana hands it to a formatter (a list for a multi-value or
    include-all variable); None when the variable has none (checking with samples)."""
    if variable.selected is None:
        return None
    values = list(variable.selected)
    return values if variable.multi or variable.include_all or len(values) != 1 else values[0]


def custom_all_value(variable: Variable, fmt: str | None) -> str | None:
    """The custom "All" value when "All" is selected and no format is written: Grafana inserts it as
    written, unformatted (TemplateSrv skips formatting custom all values); None otherwise."""
    if variable.selected == (ALL,) and variable.all_value is not None and fmt is None:
        return variable.all_value
    return None


def selection(value: str, variable: Variable) -> Value:
    """What Grafana would hand a formatter: a multi-value or include-all variable gets a list.

    The list holds the value twice, so that a query only correct for one selection (``= $var``)
    fails while checking.
    """
    return [value, value] if variable.multi or variable.include_all else value


# ---------------------------------------------------------------------------------------------------
# Names in scope


class Scope:
    """The names a query can use: its dashboard's variables and the built-ins its engine provides.

    Built-ins win over variables of the same name: Grafana reserves names starting with ``__``.
    """

    def __init__(self, variables: Iterable[Variable], builtins: Mapping[str, str]) -> None:
        self._variables = {variable.name: variable for variable in variables}
        self._builtins = builtins

    def builtin(self, name: str) -> str | None:
        """The built-in's value, or None if ``name`` is not a built-in."""
        return self._builtins.get(name)

    def variable(self, name: str) -> Variable | None:
        """The dashboard variable called ``name`` (None for built-ins and unknown names)."""
        return None if name in self._builtins else self._variables.get(name)

    def defines(self, name: str) -> bool:
        """Whether ``name`` is a built-in or a variable."""
        return name in self._builtins or name in self._variables

    def undefined(self, found: Iterable[Reference]) -> list[Reference]:
        """The references to names this scope does not define, first occurrence of each text only."""
        seen: dict[str, Reference] = {}
        for reference in found:
            if not self.defines(reference.name):
                seen.setdefault(reference.text, reference)
        return list(seen.values())
