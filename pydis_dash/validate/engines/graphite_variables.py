"""Turn a Graphite target as written in a dashboard into the target Grafana would send to Graphite.

Grafana's Graphite data source does three things before ``/render``: it replaces template variables
(multi-value ones as a ``{a,b}`` glob), rewrites quoted minute intervals (``'5m'`` becomes ``'5min'``,
since Graphite reads ``m`` as nothing), and replaces ``#A`` with the target of query ``A`` of the same
panel. The validator does the same with sample values, so Graphite sees what it will see in production.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from urllib.parse import quote

from pydis_dash.validate.queries import Variable

# Grafana's templateSrv variable pattern: $var | [[var:fmt]] | ${var.field:fmt}
VARIABLE_RE = re.compile(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.[^:^}]+)?(?::([^}]+))?\}")
# Grafana's graphite datasource: intervalFormatFixRegex and its nested-series regex.
QUOTED_MINUTES_RE = re.compile(r"'(\d+)m'", re.IGNORECASE)
REFERENCE_RE = re.compile(r"#([A-Z])")

# Built-in variables as Grafana fills them for the engine's ``from=-1h`` window (1h over ~60 points).
RANGE_SECONDS = 3600
BUILTINS: Mapping[str, str] = {
    "__interval": "1m",
    "__interval_ms": "60000",
    "__rate_interval": "4m",
    "__range": "1h",
    "__range_s": str(RANGE_SECONDS),
    "__range_ms": str(RANGE_SECONDS * 1000),
}
ALL_VALUES = {"$__all", "All", "*"}
DEFAULT_INTERVAL = "1h"


def sample_value(variable: Variable) -> str:
    """The value substituted for a variable: its sample, ``*`` for "All" or when no sample is known."""
    if variable.sample is not None and variable.sample not in ALL_VALUES:
        return variable.sample
    if variable.type == "interval" and variable.sample is None:
        return DEFAULT_INTERVAL
    return "*"


def format_value(value: str, fmt: str | None) -> str:
    """Apply a Grafana format (``${var:fmt}``) to one value; unknown formats leave it as is."""
    wildcard = value == "*"
    if fmt == "regex":
        return ".*" if wildcard else re.sub(r"[\\^$*+?.()|{}\[\]/]", lambda m: "\\" + m.group(), value)
    if fmt == "doublequote":
        return f'"{value}"'
    if fmt in ("singlequote", "sqlstring"):
        return "'" + value.replace("'", "''") + "'"
    if fmt == "json":
        return json.dumps(value)
    if fmt == "percentencode":
        return quote(value, safe="")
    return value  # glob (Graphite's default), raw, text, csv, pipe, distributed, lucene


def expand_variables(text: str, variables: Sequence[Variable]) -> str:
    """Replace ``$var``, ``${var:fmt}``, ``[[var]]`` and built-ins; unknown names stay, as in Grafana."""
    by_name = {variable.name: variable for variable in variables}

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(4)
        fmt = match.group(3) or match.group(5)
        if name in by_name:
            return format_value(sample_value(by_name[name]), fmt)
        if name in BUILTINS:
            return format_value(BUILTINS[name], fmt)
        return match.group()

    return VARIABLE_RE.sub(replace, text)


def fix_interval_format(text: str) -> str:
    """Grafana's rewrite of quoted intervals: ``'5m'`` -> ``'5min'``, ``'5M'`` -> ``'5mon'``."""
    return QUOTED_MINUTES_RE.sub(lambda m: m.group().replace("m", "min", 1).replace("M", "mon", 1), text)


def resolve_references(text: str, siblings: Mapping[str, str]) -> str:
    """Replace ``#A`` with query A's (already expanded) target; unknown letters stay as written."""
    return REFERENCE_RE.sub(lambda m: siblings.get(m.group(1), m.group()), text)


def prepare_target(text: str, variables: Sequence[Variable]) -> str:
    """Variables expanded and intervals fixed, in Grafana's order (references are resolved after)."""
    return fix_interval_format(expand_variables(text, variables))
