"""View pieces the dashboard, question and alert pages share: queries, thresholds, findings, JSON."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from pydis_dash.preview.highlight import highlight
from pydis_dash.validate.datasources import language_of
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.queries import Language, TemplateSyntax

# Where a query's text lives in a Grafana target (or alert query model), by language.
_TEXT_KEYS: tuple[tuple[str, Language], ...] = (
    ("rawSql", Language.SQL),
    ("expr", Language.PROMQL),
    ("target", Language.GRAPHITE),
)
_SAFE_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-z]+")
_GRAFANA_SHADES = ("super-light-", "light-", "semi-dark-", "dark-")


@dataclass(frozen=True)
class QueryView:
    """One query as shown: its refId, data source, language and highlighted text."""

    ref_id: str
    datasource: str
    language: str
    text: str
    html: Markup
    hidden: bool = False


@dataclass(frozen=True)
class ThresholdView:
    """One threshold step: the value it starts at (``base`` for the first) and its colour."""

    value: str
    colour: str
    css_colour: str


def datasource_label(value: Any) -> str:
    """``uid (type)`` for a ``{"type", "uid"}`` reference, the string itself for a legacy one."""
    if isinstance(value, Mapping):
        uid, plugin = value.get("uid"), value.get("type")
        if uid and plugin:
            return f"{uid} ({plugin})"
        return str(uid or plugin or "default")
    return str(value) if value else "default"


def datasource_type(value: Any) -> str | None:
    """The plugin type of a ``{"type", "uid"}`` reference, if it names one."""
    plugin = value.get("type") if isinstance(value, Mapping) else None
    return plugin if isinstance(plugin, str) else None


def query_view(target: Mapping[str, Any], fallback_datasource: Any, index: int) -> QueryView | None:
    """The query of one Grafana target (or alert query model); None when it holds no query text."""
    datasource = target.get("datasource") or fallback_datasource
    language = language_of(datasource_type(datasource))
    text: str | None = None
    for key, key_language in _TEXT_KEYS:
        value = target.get(key)
        if isinstance(value, str) and (language is None or language is key_language):
            text, language = value, key_language
            break
    if text is None:
        return None
    ref_id = target.get("refId")
    return QueryView(
        ref_id=ref_id if isinstance(ref_id, str) else chr(ord("A") + index % 26),
        datasource=datasource_label(datasource),
        language=language.value if language else "text",
        text=text,
        html=highlight(text, language),
        hidden=bool(target.get("hide")),
    )


def sql_view(text: str, syntax: TemplateSyntax) -> Markup:
    """Highlighted SQL (Metabase questions write variables as ``{{name}}``)."""
    return highlight(text, Language.SQL, syntax)


def thresholds(field_defaults: Mapping[str, Any]) -> tuple[ThresholdView, ...]:
    """The threshold steps of ``fieldConfig.defaults``, base first."""
    config = field_defaults.get("thresholds")
    steps = config.get("steps") if isinstance(config, Mapping) else None
    if not isinstance(steps, list):
        return ()
    views = []
    for step in steps:
        if not isinstance(step, Mapping):
            continue
        value = step.get("value")
        colour = str(step.get("color", ""))
        views.append(
            ThresholdView(
                "base" if value is None else f"{value:g}" if isinstance(value, float) else str(value),
                colour,
                css_colour(colour),
            )
        )
    return tuple(views)


def css_colour(colour: str) -> str:
    """A CSS colour for a Grafana colour name (``dark-red`` -> ``red``); never anything but a name or hex."""
    for shade in _GRAFANA_SHADES:
        if colour.startswith(shade):
            colour = colour[len(shade) :]
            break
    return colour if _SAFE_COLOUR.fullmatch(colour) else "gray"


def assign_findings(
    findings: Iterable[Finding], pointers: Iterable[str]
) -> tuple[dict[str, tuple[Finding, ...]], tuple[Finding, ...]]:
    """Give each finding to the most specific of ``pointers`` it lies at or below.

    Returns the findings per pointer and those that belong to none (shown for the whole resource), so
    a finding at ``/panels/3/panels/1/targets/0`` lands on the collapsed row's second panel, not the row.
    """
    ordered = sorted(set(pointers), key=len, reverse=True)
    owned: dict[str, list[Finding]] = {}
    rest: list[Finding] = []
    for finding in findings:
        path = finding.json_path
        owner = next((p for p in ordered if path == p or path.startswith(p + "/")), None)
        if owner is None:
            rest.append(finding)
        else:
            owned.setdefault(owner, []).append(finding)
    return {pointer: tuple(items) for pointer, items in owned.items()}, tuple(rest)
