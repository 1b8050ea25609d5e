"""Turn a templated SQL query into the plain SQL its server would receive, with typed sample values.

Grafana queries go through the same two steps as in Grafana: the frontend replaces template variables
(``$var``, ``${var:fmt}``, ``[[var]]``, built-ins like ``$__interval``) the way its SQL data sources
format them, then the PostgreSQL backend expands its macros (``$__timeFilter(col)``, ...) into the SQL
they produce in ``pkg/tsdb/grafana-postgresql-datasource/macros.go``, so result types are what
production sees. Metabase queries get ``{{tag}}`` values by declared type (field filters become the
predicate Metabase generates) and one variant per combination of ``[[ optional ]]`` clauses worth
checking.

Everything here is pure: text in, :class:`Expansion` out. Every expanded variant keeps a map back to
the original text, so an error position reported by PostgreSQL can be shown on the author's line.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pydis_dash.validate.engines.grafana_template import (
    GLOBAL_VARIABLES,
    REFERENCE,
    Reference,
    Scope,
    Value,
    apply_format,
    chosen_selection,
    custom_all_value,
    interval_variables,
    is_known_format,
    sample_or_default,
    selection,
    split_format,
    sql_string,
    time_variables,
)
from pydis_dash.validate.findings import Severity
from pydis_dash.validate.queries import TemplateSyntax, Variable

# ---------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ExpandProblem:
    """Something wrong with the template itself (unknown variable, bad macro, undeclared tag).

    ``position`` is a 0-based offset into the original query text, when known.
    """

    message: str
    severity: Severity = Severity.ERROR
    position: int | None = None


@dataclass(frozen=True)
class Variant:
    """One plain-SQL version of a query; ``label`` says which optional clauses it has ("" if only one)."""

    text: str
    label: str = ""
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)
    _origins: tuple[tuple[int, bool], ...] = field(default=(), repr=False, compare=False)
    _parent: Variant | None = field(default=None, repr=False, compare=False)

    def original_offset(self, position: int) -> int:
        """Map an offset in ``text`` to the offset in the original query it came from.

        Text copied from the original maps 1:1; text produced by a substitution maps to the start of
        what it replaced.
        """
        pos = position
        if self._starts:
            i = max(bisect.bisect_right(self._starts, pos) - 1, 0)
            origin, copied = self._origins[i]
            pos = origin + (pos - self._starts[i]) if copied else origin
        return self._parent.original_offset(pos) if self._parent is not None else pos


@dataclass(frozen=True)
class Expansion:
    """All variants to check, and the template problems found while expanding."""

    variants: tuple[Variant, ...]
    problems: tuple[ExpandProblem, ...] = ()

    @property
    def checkable(self) -> bool:
        """False when an error makes the expanded SQL meaningless (don't send it to the server)."""
        return not any(p.severity is Severity.ERROR for p in self.problems)


@dataclass(frozen=True)
class SampleTime:
    """The dashboard time range and interval substituted for time macros."""

    start: datetime = datetime(2024, 1, 1, tzinfo=UTC)
    end: datetime = datetime(2024, 1, 2, tzinfo=UTC)
    interval: timedelta = timedelta(minutes=1)


SAMPLE_TIME = SampleTime()


# ---------------------------------------------------------------------------------------------------
# Building text with a map back to its source


class _Builder:
    """Accumulates output text, remembering for each piece where in the source it came from."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._starts: list[int] = []
        self._origins: list[tuple[int, bool]] = []
        self._length = 0

    def copy(self, text: str, source_offset: int) -> None:
        self._add(text, source_offset, copied=True)

    def substitute(self, text: str, source_offset: int) -> None:
        self._add(text, source_offset, copied=False)

    def _add(self, text: str, source_offset: int, *, copied: bool) -> None:
        if not text:
            return
        self._starts.append(self._length)
        self._origins.append((source_offset, copied))
        self._parts.append(text)
        self._length += len(text)

    def build(self, label: str = "", parent: Variant | None = None) -> Variant:
        return Variant("".join(self._parts), label, tuple(self._starts), tuple(self._origins), parent)


_Replacer = Callable[["re.Match[str]"], str | None]


def _replace(source: Variant, pattern: re.Pattern[str], replacer: _Replacer) -> Variant:
    """Like ``pattern.sub`` on ``source.text``, keeping the offset map; ``None`` keeps the match as is."""
    builder, last = _Builder(), 0
    for match in pattern.finditer(source.text):
        replacement = replacer(match)
        if replacement is None:
            continue
        builder.copy(source.text[last : match.start()], last)
        builder.substitute(replacement, match.start())
        last = match.end()
    if last == 0:
        return source
    builder.copy(source.text[last:], last)
    return builder.build(source.label, parent=source)


def expand(
    text: str,
    syntax: TemplateSyntax,
    variables: Sequence[Variable] = (),
    *,
    column_types: Mapping[str, str] | None = None,
    time: SampleTime = SAMPLE_TIME,
) -> Expansion:
    """Expand a query written in ``syntax``; see :func:`expand_grafana` and :func:`expand_metabase`."""
    if syntax is TemplateSyntax.METABASE:
        return expand_metabase(text, variables, column_types=column_types or {}, time=time)
    return expand_grafana(text, variables, time=time)


# ---------------------------------------------------------------------------------------------------
# Grafana


# The backend's macro pattern: `$name(args)` with no nested parentheses.
_GRAFANA_MACRO = re.compile(r"\$(?P<name>[_a-zA-Z0-9]+)\((?P<args>[^)]*)\)")

DEFAULT_SAMPLE = "1"
"""Sample for a variable without one: a number-like string, as most Metabase/Grafana ids are."""

# A data source variable's value is a data source name; any name-like text checks the same.
_TYPE_SAMPLES = {"interval": "1m", "datasource": "datasource"}


def grafana_sample_values(variable: Variable) -> Value:
    """The value a Grafana variable takes while checking: a string, or a list for multi/include-all.

    Lists hold two values so that a query only correct for a single selection (``= $var``) fails.
    """
    chosen = chosen_selection(variable)
    if chosen is not None:
        return chosen
    return selection(sample_or_default(variable, _TYPE_SAMPLES, DEFAULT_SAMPLE), variable)


def _builtin_values(time: SampleTime) -> dict[str, str]:
    return {
        **interval_variables(
            time.interval, time.end - time.start, rate_interval=max(time.interval * 4, timedelta(minutes=1))
        ),
        **time_variables(time.start, time.end),
        **GLOBAL_VARIABLES,
    }


def _not_a_variable(text: str, reference: Reference) -> bool:
    """An unknown ``$name`` that is SQL, not a template variable: a positional parameter (``$1``), a
    dollar-quote tag (``$tag$``, also the ``$`` closing one after its body), an identifier containing
    ``$``, or a ``$__macro(`` call."""
    if reference.name.isdigit():
        return True
    if not reference.plain:
        return False
    before = text[reference.start - 1 : reference.start]
    after = text[reference.end : reference.end + 1]
    part_of_word = before != "" and (before.isalnum() or before in "_$")
    return after == "$" or part_of_word or (reference.name.startswith("__") and after == "(")


def _sql_datasource_default(value: Value, variable: Variable | None) -> str:
    """Grafana's SqlDatasource.interpolateVariable: the format used when none is written."""
    if isinstance(value, list):
        return ",".join(sql_string(v) for v in value)
    if variable is not None and (variable.multi or variable.include_all):
        return sql_string(value)
    return value.replace("'", "''")


def expand_grafana(text: str, variables: Sequence[Variable] = (), *, time: SampleTime = SAMPLE_TIME) -> Expansion:
    """Expand Grafana template variables, then the PostgreSQL data source's macros.

    Unknown variables and macros, bad macro arguments and unknown formats are reported as problems.
    """
    problems: list[ExpandProblem] = []
    builtins = _builtin_values(time)
    scope = Scope(variables, builtins)

    def replace(match: re.Match[str]) -> str | None:
        reference = Reference.from_match(match)
        builtin = scope.builtin(reference.name)
        if builtin is not None:
            return _format(builtin, None, reference)
        variable = scope.variable(reference.name)
        if variable is not None:
            verbatim = custom_all_value(variable, reference.format)
            return verbatim if verbatim is not None else _format(grafana_sample_values(variable), variable, reference)
        if not _not_a_variable(text, reference):
            problems.append(ExpandProblem(f"unknown template variable '{reference.text}'", position=reference.start))
        return None

    def _format(value: Value, variable: Variable | None, reference: Reference) -> str:
        if reference.format is None:
            return _sql_datasource_default(value, variable)
        if not is_known_format(reference.format):
            fmt_id = split_format(reference.format)[0]
            problems.append(
                ExpandProblem(
                    f"unknown format ':{fmt_id}' in '{reference.text}' (Grafana falls back to :glob)",
                    Severity.WARNING,
                    reference.start,
                )
            )
        return apply_format(value, reference.format, reference.name)

    source = Variant(text)
    frontend = _replace(source, REFERENCE, replace)
    backend = _expand_grafana_macros(frontend, time, builtins, problems)
    return Expansion((backend,), tuple(problems))


def _expand_grafana_macros(
    source: Variant, time: SampleTime, builtins: Mapping[str, str], problems: list[ExpandProblem]
) -> Variant:
    """The backend step: global substitutions (sqleng.Interpolate), then the postgres macro engine."""
    start, end = time.start.astimezone(UTC), time.end.astimezone(UTC)
    # In this order: ``$__interval_ms`` must be tried before its prefix ``$__interval``.
    global_values = {
        "$__interval_ms": builtins["__interval_ms"],
        "$__interval": builtins["__interval"],
        "$__unixEpochFrom()": str(int(start.timestamp())),
        "$__unixEpochTo()": str(int(end.timestamp())),
    }
    globals_pattern = re.compile("|".join(re.escape(g) for g in global_values))
    source = _replace(source, globals_pattern, lambda m: global_values[m.group(0)])
    sql = source.text

    def macro(match: re.Match[str]) -> str | None:
        name = match.group("name")
        # Grafana's pre-5.3 compatibility: `$__timeGroup(...)` directly followed by ',' gets an alias.
        # It looks up the *first* occurrence of the same macro text, and so do we.
        if name == "__timeGroup":
            first = sql.find(match.group(0)) + len(match.group(0))
            if sql[first : first + 1] == ",":
                name = "__timeGroupAlias"
        args = [a.strip(" ") for a in match.group("args").split(",")]
        try:
            return _macro(name, args, start, end)
        except _MacroError as exc:
            problems.append(ExpandProblem(str(exc), position=source.original_offset(match.start())))
            return "macro_error()"

    return _replace(source, _GRAFANA_MACRO, macro)


class _MacroError(ValueError):
    pass


def _rfc3339(moment: datetime) -> str:
    """Go's time.RFC3339Nano for a UTC time: fraction without trailing zeros, ``Z`` suffix."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += ("." + f"{moment.microsecond:06d}").rstrip("0")
    return text + "Z"


def _go_number(value: float) -> str:
    """Go's ``%v`` for a float64 (shortest form, no trailing ``.0``)."""
    return str(int(value)) if value.is_integer() else repr(value)


_INTERVAL_UNITS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
    "w": 604800.0,
    "M": 2592000.0,
    "y": 31536000.0,
}
_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|M|y)")


def parse_interval(text: str) -> float:
    """Seconds in a Grafana interval (``5m``, ``1h30m``, ``2d``, ``100ms``); ValueError if invalid."""
    text = text.strip("'")
    pos, total = 0, 0.0
    while pos < len(text):
        match = _INTERVAL.match(text, pos)
        if match is None:
            raise ValueError(text)
        total += float(match.group(1)) * _INTERVAL_UNITS[match.group(2)]
        pos = match.end()
    if not text:
        raise ValueError(text)
    return total


def _group_interval(name: str, args: list[str]) -> float:
    if len(args) < 2:
        raise _MacroError(f"macro {name} needs time column and interval and optional fill value")
    try:
        seconds = parse_interval(args[1])
    except ValueError:
        raise _MacroError(f"error parsing interval {args[1]}") from None
    if len(args) == 3:
        fill = args[2].strip()
        if fill.upper() not in ("NULL", "PREVIOUS"):
            try:
                float(fill)
            except ValueError:
                raise _MacroError(f"error parsing fill value {fill}") from None
    return seconds


def _macro(name: str, args: list[str], start: datetime, end: datetime) -> str:
    """The SQL Grafana's postgres macro engine produces (non-TimescaleDB)."""
    column = args[0] if args and args[0] else None

    def need_column() -> str:
        if column is None:
            raise _MacroError(f"missing time column argument for macro {name}")
        return column

    match name:
        case "__time":
            return f'{need_column()} AS "time"'
        case "__timeEpoch":
            return f'extract(epoch from {need_column()}) as "time"'
        case "__timeFilter":
            return f"{need_column()} BETWEEN '{_rfc3339(start)}' AND '{_rfc3339(end)}'"
        case "__timeFrom":
            return f"'{_rfc3339(start)}'"
        case "__timeTo":
            return f"'{_rfc3339(end)}'"
        case "__timeGroup" | "__timeGroupAlias":
            seconds = _go_number(_group_interval(name.removesuffix("Alias"), args))
            sql = f"floor(extract(epoch from {args[0]})/{seconds})*{seconds}"
            return sql + (' AS "time"' if name.endswith("Alias") else "")
        case "__unixEpochFilter":
            col = need_column()
            return f"{col} >= {int(start.timestamp())} AND {col} <= {int(end.timestamp())}"
        case "__unixEpochNanoFilter":
            col = need_column()
            return f"{col} >= {_nanos(start)} AND {col} <= {_nanos(end)}"
        case "__unixEpochNanoFrom":
            return str(_nanos(start))
        case "__unixEpochNanoTo":
            return str(_nanos(end))
        case "__unixEpochGroup" | "__unixEpochGroupAlias":
            seconds = _go_number(_group_interval(name.removesuffix("Alias"), args))
            sql = f"floor(({args[0]})/{seconds})*{seconds}"
            return sql + (' AS "time"' if name.endswith("Alias") else "")
    raise _MacroError(f'unknown macro "{name}"')


def _nanos(moment: datetime) -> int:
    return int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000


# ---------------------------------------------------------------------------------------------------
# Metabase


_METABASE_TAG = re.compile(r"\{\{\s*(?P<body>.*?)\s*\}\}", re.DOTALL)
_METABASE_OPTIONAL = re.compile(r"\[\[(?P<body>.*?)\]\]", re.DOTALL)
_MAX_SINGLE_CLAUSE_VARIANTS = 6

TEMPORAL_TYPES = frozenset({"timestamp without time zone", "timestamp with time zone", "date"})
NUMERIC_TYPES = frozenset({"smallint", "integer", "bigint", "numeric", "real", "double precision"})


def _metabase_literal(variable: Variable, time: SampleTime) -> str | None:
    """The SQL Metabase substitutes for a non-field-filter tag, or None for an unsupported type."""
    sample = variable.sample
    match variable.type:
        case "text":
            values = [sample if sample is not None else "sample"]
            if variable.multi:
                values *= 2
            return ", ".join(sql_string(v) for v in values)
        case "number":
            return sample if sample is not None else DEFAULT_SAMPLE
        case "date":
            return f"DATE {sql_string(sample or time.start.date().isoformat())}"
        case "boolean":
            return "TRUE" if (sample or "true").lower() in ("true", "1", "yes") else "FALSE"
    return None


def _field_filter(
    variable: Variable, column_types: Mapping[str, str], time: SampleTime
) -> tuple[str | None, str | None]:
    """The predicate Metabase generates for a field filter: ``(sql, None)`` or ``(None, problem)``."""
    if not variable.field:
        return None, f"field filter {{{{{variable.name}}}}} is not bound to a column (table.column)"
    parts = variable.field.split(".")
    if len(parts) == 2:
        parts = ["public", *parts]
    if len(parts) != 3 or not all(parts):
        return None, f"field filter {{{{{variable.name}}}}}: '{variable.field}' is not table.column"
    key = ".".join(parts)
    column_type = column_types.get(key)
    if column_type is None:
        return (
            None,
            f"field filter {{{{{variable.name}}}}} is bound to {variable.field}, which does not exist",
        )
    identifier = ".".join('"' + p.replace('"', '""') + '"' for p in parts)
    sample = variable.sample
    if column_type in TEMPORAL_TYPES:
        cast = "DATE" if column_type == "date" else "TIMESTAMP"
        fmt = "%Y-%m-%d" if column_type == "date" else "%Y-%m-%d %H:%M:%S"
        low, high = time.start.strftime(fmt), time.end.strftime(fmt)
        return f"{identifier} >= {cast} '{low}' AND {identifier} < {cast} '{high}'", None
    if column_type in NUMERIC_TYPES:
        value = sample if sample is not None else DEFAULT_SAMPLE
    elif column_type == "boolean":
        value = "TRUE"
    else:
        value = sql_string(sample if sample is not None else "sample")
    if variable.multi:
        return f"{identifier} IN ({value}, {value})", None
    return f"{identifier} = {value}", None


def expand_metabase(
    text: str,
    variables: Sequence[Variable] = (),
    *,
    column_types: Mapping[str, str] | None = None,
    time: SampleTime = SAMPLE_TIME,
) -> Expansion:
    """Expand Metabase ``{{tags}}`` and produce the ``[[ optional ]]`` clause variants.

    ``column_types`` maps ``schema.table.column`` to PostgreSQL type names (``information_schema``
    ``data_type``), used to build field-filter predicates. Variants: every clause in, every clause out,
    and (up to a few clauses) each clause alone.
    """
    problems: list[ExpandProblem] = []
    by_name = {v.name: v for v in variables}
    columns = column_types or {}
    substitutions: dict[int, str] = {}  # tag start -> SQL, shared by every variant
    tags: dict[int, int] = {}  # tag start -> tag end
    sql_elsewhere = False  # a snippet or a card reference: part of the SQL is not in this text

    for match in _METABASE_TAG.finditer(text):
        body = match.group("body")
        tags[match.start()] = match.end()
        if body.startswith("snippet:") or body.startswith("#"):
            kind = "snippet" if body.startswith("snippet:") else "saved question reference"
            sql_elsewhere = True
            problems.append(
                ExpandProblem(
                    f"{{{{{body}}}}} is a {kind}; pydis-dash cannot check it, so the query is not checked",
                    Severity.WARNING,
                    match.start(),
                )
            )
            continue
        variable = by_name.get(body)
        if variable is None:
            problems.append(ExpandProblem(f"tag {{{{{body}}}}} is used but not declared", position=match.start()))
            continue
        if variable.type == "dimension":
            sql, problem = _field_filter(variable, columns, time)
        else:
            sql = _metabase_literal(variable, time)
            problem = None if sql is not None else f"tag {{{{{body}}}}} has unsupported type '{variable.type}'"
        if problem is not None or sql is None:
            problems.append(ExpandProblem(problem or "", position=match.start()))
            continue
        substitutions[match.start()] = sql

    if sql_elsewhere:
        # Snippets and card references: the SQL is elsewhere; a warning says so, and nothing is checked.
        return Expansion((), tuple(problems))
    clauses = [(m.start(), m.end()) for m in _METABASE_OPTIONAL.finditer(text)]
    variants = [
        _metabase_variant(text, clauses, included, tags, substitutions, label)
        for included, label in _clause_selections(text, clauses)
    ]
    return Expansion(tuple(variants), tuple(problems))


def _clause_selections(text: str, clauses: list[tuple[int, int]]) -> Iterable[tuple[frozenset[int], str]]:
    count = len(clauses)
    if count == 0:
        yield frozenset(), ""
        return
    yield frozenset(range(count)), "with every optional clause"
    yield frozenset(), "without optional clauses"
    if 1 < count <= _MAX_SINGLE_CLAUSE_VARIANTS:
        for i, (start, end) in enumerate(clauses):
            snippet = " ".join(text[start:end].split())
            if len(snippet) > 40:
                snippet = snippet[:37] + "...]]"
            yield frozenset({i}), f"with only optional clause {snippet}"


def _metabase_variant(
    text: str,
    clauses: list[tuple[int, int]],
    included: frozenset[int],
    tags: Mapping[int, int],
    substitutions: Mapping[int, str],
    label: str,
) -> Variant:
    builder, pos = _Builder(), 0

    def emit(until: int) -> None:
        nonlocal pos
        while pos < until:
            tag_start = min((t for t in tags if pos <= t < until), default=None)
            if tag_start is None:
                builder.copy(text[pos:until], pos)
                pos = until
                return
            builder.copy(text[pos:tag_start], pos)
            builder.substitute(substitutions.get(tag_start, text[tag_start : tags[tag_start]]), tag_start)
            pos = tags[tag_start]

    for index, (start, end) in enumerate(clauses):
        emit(start)
        if index in included:
            pos = start + 2  # drop "[["
            emit(end - 2)
        pos = end
    emit(len(text))
    return builder.build(label)
