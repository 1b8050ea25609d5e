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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from pydis_dash.validate.engines.grafana_template import (
    GLOBAL_VARIABLES,
    REFERENCE,
    Reference,
    Scope,
    apply_format,
    custom_all_value,
    interval_variables,
    sample_or_default,
    stands_for_all,
    time_variables,
)
from pydis_dash.validate.engines.promql_lexer import TokenKind, tokenize
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
    if not _may_refer(text):
        return text  # most expressions: no need to work out the built-ins' values
    scope = Scope(variables, builtin_variables(settings or IntervalSettings()))
    pieces: list[str] = []
    last = 0
    for reference, context in _references(text):
        pieces.append(text[last : reference.start])
        pieces.append(_replacement(reference, context, scope))
        last = reference.end
    pieces.append(text[last:])
    return "".join(pieces)


def undefined_references(text: str, variables: Sequence[Variable]) -> list[str]:
    """References outside strings to names that are neither defined variables nor built-ins.

    Those stay in the expression as written, so Prometheus rejects it; naming them explains why.
    (Inside strings they are left alone: ``$1`` in ``label_replace`` is Prometheus' own syntax.)
    """
    scope = Scope(variables, builtin_variables(IntervalSettings()))
    outside_strings = (reference for reference, context in _references(text) if context is not Context.STRING)
    return [reference.text for reference in scope.undefined(outside_strings)]


def _may_refer(text: str) -> bool:
    """False when ``text`` cannot hold a template reference: every form starts with ``$`` or ``[[``."""
    return "$" in text or "[[" in text


def _references(text: str) -> list[tuple[Reference, Context]]:
    """Every template reference in ``text`` with its context, in order."""
    if not _may_refer(text):
        return []  # no need to tokenize (most expressions)
    found: list[tuple[Reference, Context]] = []
    bracket_depth = 0
    previous_word = ""
    for token in tokenize(text):
        if token.kind is TokenKind.LEFT_BRACKET:
            bracket_depth += 1
        elif token.kind is TokenKind.RIGHT_BRACKET:
            bracket_depth = max(0, bracket_depth - 1)
        elif token.kind is TokenKind.TEMPLATE:
            match = REFERENCE.match(text, token.start)
            assert match is not None  # the lexer's TEMPLATE token uses the same pattern
            in_range = bracket_depth > 0 or previous_word == "offset"
            found.append((Reference.from_match(match), Context.DURATION if in_range else Context.EXPRESSION))
        elif token.kind in (TokenKind.STRING, TokenKind.ERROR):
            for match in REFERENCE.finditer(text, token.start, token.end):
                found.append((Reference.from_match(match), Context.STRING))
        previous_word = token.text.lower() if token.kind is TokenKind.IDENTIFIER else ""
    return found


def _replacement(reference: Reference, context: Context, scope: Scope) -> str:
    builtin = scope.builtin(reference.name)
    if builtin is not None:
        return builtin if reference.format is None else apply_format(builtin, reference.format, reference.name)
    variable = scope.variable(reference.name)
    if variable is None:
        return reference.text  # Grafana leaves unknown references as written
    verbatim = custom_all_value(variable, reference.format)
    if verbatim is not None:
        return verbatim
    values = sample_values(variable, context)
    if (reference.format is None or reference.format == "regex") and _all_value(values, variable):
        return values[0]  # a custom "All" value is inserted as written
    if reference.format is None:
        return _prometheus_default_format(values, variable)
    value = list(values) if variable.multi or len(values) > 1 else values[0]
    return apply_format(value, reference.format, variable.name)


def builtin_variables(settings: IntervalSettings) -> dict[str, str]:
    """Grafana's built-ins with the values the Prometheus data source substitutes for ``settings``."""
    return {
        **interval_variables(
            timedelta(seconds=settings.interval_s),
            timedelta(seconds=settings.range_s),
            timedelta(seconds=settings.rate_interval_s),
            duration=lambda delta: format_duration(int(delta.total_seconds())),
        ),
        # The Prometheus backend writes the range in seconds ("3600s"), not in the largest unit.
        "__range": f"{settings.range_s}s",
        "__rate_interval_ms": str(settings.rate_interval_s * 1000),
        # Grafana's query builder writes $__auto for a range it picks itself: the rate interval.
        "__auto": format_duration(settings.rate_interval_s),
        **time_variables(
            datetime.fromtimestamp(settings.at - settings.range_s, UTC), datetime.fromtimestamp(settings.at, UTC)
        ),
        **GLOBAL_VARIABLES,
    }


def format_duration(seconds: int) -> str:
    """A duration as Grafana prints intervals: the largest whole unit (``90s``, ``2m``, ``1h``)."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


ALL_REGEX = ".*"  # the usual custom "All" value of a Prometheus variable
_TYPE_SAMPLES = {"interval": "5m", "number": "1", "datasource": "prometheus"}


def sample_values(variable: Variable, context: Context) -> list[str]:
    """The values substituted for a variable: its sample, or a default that fits where it is used.

    Without a sample, a multi-value variable gets two values so the alternation Grafana builds is
    really exercised; an "All" selection gets ``.*`` (the usual custom "All" value).
    """
    if variable.selected is not None:
        return list(variable.selected)
    if stands_for_all(variable):
        return [ALL_REGEX]
    if variable.sample is None and context is Context.DURATION:
        return [_TYPE_SAMPLES["interval"]]
    if variable.sample is None and variable.multi and variable.type not in _TYPE_SAMPLES:
        return [f"{variable.name}1", f"{variable.name}2"]
    return [sample_or_default(variable, _TYPE_SAMPLES, variable.name)]


def _all_value(values: Sequence[str], variable: Variable) -> bool:
    return variable.selected is None and stands_for_all(variable) and list(values) == [ALL_REGEX]


def _prometheus_default_format(values: Sequence[str], variable: Variable) -> str:
    # Grafana's PrometheusDatasource.interpolateQueryExpr.
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
