"""Turn a Graphite target as written in a dashboard into the target Grafana would send to Graphite.

Grafana's Graphite data source does three things before ``/render``: it replaces template variables
(multi-value ones as a ``{a,b}`` glob), rewrites quoted minute intervals (``'5m'`` becomes ``'5min'``,
since Graphite reads ``m`` as nothing), and replaces ``#A`` with the target of query ``A`` of the same
panel. The validator does the same with sample values, so Graphite sees what it will see in production.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta

from pydis_dash.validate.engines.grafana_template import (
    GLOBAL_VARIABLES,
    REFERENCE,
    Reference,
    Scope,
    apply_format,
    chosen_selection,
    custom_all_value,
    interval_variables,
    sample_or_default,
    stands_for_all,
)
from pydis_dash.validate.queries import Variable

# Grafana's graphite datasource: intervalFormatFixRegex and its nested-series regex.
QUOTED_MINUTES_RE = re.compile(r"'(\d+)m'", re.IGNORECASE)
REFERENCE_RE = re.compile(r"#([A-Z])")

# Built-in variables as Grafana fills them for the engine's ``from=-1h`` window (1h over ~60 points).
BUILTINS: Mapping[str, str] = {
    **interval_variables(timedelta(minutes=1), timedelta(hours=1), rate_interval=timedelta(minutes=4)),
    **GLOBAL_VARIABLES,
}
WILDCARD = "*"  # what "All" (and a variable without a sample) stands for in a Graphite path
_TYPE_SAMPLES = {"interval": "1h"}


def sample_value(variable: Variable) -> str:
    """The value substituted for a variable: its selection (several values as a ``{a,b}`` glob, as
    Grafana's Graphite data source writes them), else its sample, ``*`` for "All" or when no sample is known."""
    if variable.selected is not None:
        values = list(dict.fromkeys(variable.selected))
        return values[0] if len(values) == 1 else "{" + ",".join(values) + "}"
    if stands_for_all(variable):
        return WILDCARD
    return sample_or_default(variable, _TYPE_SAMPLES, WILDCARD)


def format_value(value: str, fmt: str | None, name: str = "") -> str:
    """Apply a Grafana format (``${var:fmt}``) to one value; without one, Graphite's glob leaves it as is."""
    if fmt is None:
        return value
    if value == WILDCARD and fmt == "regex":
        return ".*"  # the wildcard means "anything", which a regex says as .*
    return apply_format(value, fmt, name)


def expand_variables(text: str, variables: Sequence[Variable]) -> str:
    """Replace ``$var``, ``${var:fmt}``, ``[[var]]`` and built-ins; unknown names stay, as in Grafana."""
    scope = Scope(variables, BUILTINS)

    def replace(match: re.Match[str]) -> str:
        reference = Reference.from_match(match)
        builtin = scope.builtin(reference.name)
        if builtin is not None:
            return format_value(builtin, reference.format, reference.name)
        variable = scope.variable(reference.name)
        if variable is not None:
            verbatim = custom_all_value(variable, reference.format)
            if verbatim is not None:
                return verbatim
            if variable.selected is not None and reference.format is not None:
                return apply_format(chosen_selection(variable) or "", reference.format, reference.name)
            return format_value(sample_value(variable), reference.format, reference.name)
        return reference.text

    return REFERENCE.sub(replace, text)


def fix_interval_format(text: str) -> str:
    """Grafana's rewrite of quoted intervals: ``'5m'`` -> ``'5min'``, ``'5M'`` -> ``'5mon'``."""
    return QUOTED_MINUTES_RE.sub(lambda m: m.group().replace("m", "min", 1).replace("M", "mon", 1), text)


def resolve_references(text: str, siblings: Mapping[str, str]) -> str:
    """Replace ``#A`` with query A's (already expanded) target; unknown letters stay as written."""
    return REFERENCE_RE.sub(lambda m: siblings.get(m.group(1), m.group()), text)


def prepare_target(text: str, variables: Sequence[Variable]) -> str:
    """Variables expanded and intervals fixed, in Grafana's order (references are resolved after)."""
    return fix_interval_format(expand_variables(text, variables))
