"""Expand Grafana template variables and interval macros in a PromQL expression, as Grafana does.

Grafana replaces ``$var``, ``${var}``, ``${var:format}`` and ``[[var]]`` in the browser (templateSrv
with the Prometheus data source's ``interpolateQueryExpr``), and ``$__interval``,
``$__rate_interval``, ``$__range`` and friends on its backend before the expression reaches
Prometheus. Validation has no browser and no panel width, so it substitutes fixed, typical values:
the point is that the expression Prometheus checks is the one it would really receive.

Escaping follows the Prometheus data source: a single-value variable only gets backslashes and
single quotes escaped; a multi-value or include-all variable gets regex escaping, and several values
become an alternation ``(a|b)``. References to names that are neither defined variables nor built-ins
are left untouched, like Grafana does (``$1`` in ``label_replace`` stays ``$1``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import quote

from pydis_dash.validate.engines.promql_lexer import TEMPLATE_REFERENCE, TokenKind, tokenize
from pydis_dash.validate.queries import Variable


@dataclass(frozen=True)
class IntervalSettings:
    """The dashboard-time values the interval macros stand for during validation.

    ``scrape_s`` is the data source's scrape interval (Grafana's default is 15 s; the seeded TSDB has
    one sample every 30 s). ``at`` is the evaluation time, used by ``$__from``/``$__to``.
    """

    interval_s: int = 30
    scrape_s: int = 30
    range_s: int = 3600
    at: float = 0.0

    @property
    def rate_interval_s(self) -> int:
        """Grafana's ``$__rate_interval``: ``max($__interval + scrape interval, 4 * scrape interval)``."""
        return max(self.interval_s + self.scrape_s, 4 * self.scrape_s)


class Context(StrEnum):
    """Where a reference sits, which decides the default sample for a variable without one."""

    STRING = "string"  # inside a quoted string: a label value
    DURATION = "duration"  # inside [...] or after `offset`: a duration
    EXPRESSION = "expression"  # anywhere else: stands for a name


def expand(text: str, variables: Sequence[Variable], settings: IntervalSettings | None = None) -> str:
    """The expression with every defined variable and built-in macro replaced."""
    settings = settings or IntervalSettings()
    by_name = {variable.name: variable for variable in variables}
    pieces: list[str] = []
    last = 0
    for match, context in _references(text):
        pieces.append(text[last : match.start()])
        pieces.append(_replacement(match, context, by_name, settings))
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def undefined_references(text: str, variables: Sequence[Variable]) -> list[str]:
    """References outside strings to names that are neither defined variables nor built-ins.

    Those stay in the expression as written, so Prometheus rejects it; naming them explains why.
    (Inside strings they are left alone: ``$1`` in ``label_replace`` is Prometheus' own syntax.)
    """
    defined = {variable.name for variable in variables}
    found = []
    for match, context in _references(text):
        name = match.group("plain") or match.group("bracket") or match.group("braced")
        if context is not Context.STRING and name not in defined and _builtin(name, None, IntervalSettings()) is None:
            found.append(match.group())
    return list(dict.fromkeys(found))


def _references(text: str) -> list[tuple[re.Match[str], Context]]:
    """Every template reference in ``text`` with its context, in order."""
    found: list[tuple[re.Match[str], Context]] = []
    bracket_depth = 0
    previous_word = ""
    for token in tokenize(text):
        if token.kind is TokenKind.LEFT_BRACKET:
            bracket_depth += 1
        elif token.kind is TokenKind.RIGHT_BRACKET:
            bracket_depth = max(0, bracket_depth - 1)
        elif token.kind is TokenKind.TEMPLATE:
            match = TEMPLATE_REFERENCE.match(text, token.start)
            assert match is not None  # the lexer produced this token from the same pattern
            in_range = bracket_depth > 0 or previous_word == "offset"
            found.append((match, Context.DURATION if in_range else Context.EXPRESSION))
        elif token.kind in (TokenKind.STRING, TokenKind.ERROR):
            for match in TEMPLATE_REFERENCE.finditer(text, token.start, token.end):
                found.append((match, Context.STRING))
        previous_word = token.text.lower() if token.kind is TokenKind.IDENTIFIER else ""
    return found


def _replacement(
    match: re.Match[str], context: Context, variables: Mapping[str, Variable], settings: IntervalSettings
) -> str:
    name = match.group("plain") or match.group("bracket") or match.group("braced")
    fmt = match.group("bracket_format") or match.group("braced_format")
    builtin = _builtin(name, fmt, settings)
    if builtin is not None:
        return builtin
    variable = variables.get(name)
    if variable is None:
        return match.group()  # Grafana leaves unknown references as written
    values = sample_values(variable, context)
    if fmt is None:
        return _prometheus_default_format(values, variable)
    return _FORMATS.get(fmt, _glob)(values, variable)


def _builtin(name: str, fmt: str | None, settings: IntervalSettings) -> str | None:
    if name in ("__from", "__to"):
        epoch_s = settings.at - settings.range_s if name == "__from" else settings.at
        if fmt == "date:seconds":
            return str(int(epoch_s))
        if fmt in ("date", "date:iso"):
            return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return str(int(epoch_s * 1000))
    values = {
        "__interval": format_duration(settings.interval_s),
        "__interval_ms": str(settings.interval_s * 1000),
        "__rate_interval": format_duration(settings.rate_interval_s),
        "__rate_interval_ms": str(settings.rate_interval_s * 1000),
        # Grafana's query builder writes $__auto for a range it picks itself: the rate interval.
        "__auto": format_duration(settings.rate_interval_s),
        "__range": f"{settings.range_s}s",
        "__range_s": str(settings.range_s),
        "__range_ms": str(settings.range_s * 1000),
    }
    return values.get(name)


def format_duration(seconds: int) -> str:
    """A duration as Grafana prints intervals: the largest whole unit (``90s``, ``2m``, ``1h``)."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def sample_values(variable: Variable, context: Context) -> list[str]:
    """The values substituted for a variable: its sample, or a default that fits where it is used.

    Without a sample, a multi-value variable gets two values so the alternation Grafana builds is
    really exercised; an include-all variable gets ``.*`` (the usual custom "All" value).
    """
    if variable.sample is not None:
        return [variable.sample]
    if variable.include_all:
        return [".*"]
    if variable.type == "interval" or context is Context.DURATION:
        return ["5m"]
    if variable.type == "number":
        return ["1"]
    if variable.type == "datasource":
        return ["prometheus"]
    if variable.multi:
        return [f"{variable.name}1", f"{variable.name}2"]
    return [variable.name]


def _all_value(values: Sequence[str], variable: Variable) -> bool:
    return variable.include_all and variable.sample is None and values == [".*"]


def _prometheus_default_format(values: Sequence[str], variable: Variable) -> str:
    # Grafana's PrometheusDatasource.interpolateQueryExpr.
    if _all_value(values, variable):
        return values[0]  # a custom "All" value is inserted as written
    if not variable.multi and not variable.include_all:
        return prometheus_regular_escape(values[0])
    escaped = [prometheus_special_regex_escape(value) for value in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


def prometheus_regular_escape(value: str) -> str:
    """Grafana's ``prometheusRegularEscape``: ``\\`` -> ``\\\\``, ``'`` -> ``\\\\'``."""
    return value.replace("\\", "\\\\").replace("'", "\\\\'")


def prometheus_special_regex_escape(value: str) -> str:
    """Grafana's ``prometheusSpecialRegexEscape``: regex metacharacters get a double backslash."""
    value = value.replace("\\", "\\\\\\\\")
    return re.sub(r"[$^*{}\[\]'+?.()|]", lambda m: "\\\\" + m.group(), value)


def _regex(values: Sequence[str], variable: Variable) -> str:
    if _all_value(values, variable):
        return values[0]
    escaped = [re.sub(r"[\\^$.|?*+()\[\]{}/]", lambda m: "\\" + m.group(), v) for v in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


def _glob(values: Sequence[str], variable: Variable) -> str:
    return values[0] if len(values) == 1 else "{" + ",".join(values) + "}"


def _quoted(quote_char: str) -> Callable[[Sequence[str], Variable], str]:
    def fmt(values: Sequence[str], variable: Variable) -> str:
        escaped = (v.replace(quote_char, "\\" + quote_char) for v in values)
        return ",".join(f"{quote_char}{v}{quote_char}" for v in escaped)

    return fmt


def _json(values: Sequence[str], variable: Variable) -> str:
    return json.dumps(list(values) if variable.multi or len(values) > 1 else values[0])


_FORMATS: dict[str, Callable[[Sequence[str], Variable], str]] = {
    "regex": _regex,
    "glob": _glob,
    "pipe": lambda values, _: "|".join(values),
    "csv": lambda values, _: ",".join(values),
    "raw": lambda values, _: ",".join(values),
    "text": lambda values, _: " + ".join(values),
    "json": _json,
    "singlequote": _quoted("'"),
    "doublequote": _quoted('"'),
    "sqlstring": lambda values, _: ",".join("'" + v.replace("'", "''") + "'" for v in values),
    "percentencode": lambda values, v: quote(_glob(values, v), safe=""),
    "queryparam": lambda values, v: "&".join(f"var-{v.name}={quote(value, safe='')}" for value in values),
    "distributed": lambda values, v: ",".join([values[0], *(f"{v.name}={value}" for value in values[1:])]),
    "lucene": lambda values, _: values[0] if len(values) == 1 else "(" + " OR ".join(f'"{v}"' for v in values) + ")",
}
