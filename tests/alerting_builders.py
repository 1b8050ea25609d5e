"""Rendered alerting resources for the alert tests: built with the authoring API, so they are what a
project would produce; ``lint`` runs one rule over them (plus the standard data sources)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from validate_builders import datasources

from pydis_dash.alerts import NotificationPolicy, Route, RuleGroup, discord_contact_point, prometheus_rule
from pydis_dash.definition import Definition
from pydis_dash.model import Resource
from pydis_dash.pipeline import render_all
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.base import run_lint

ROOT = Path(__file__).resolve().parent.parent


def render(*definitions: Definition) -> list[Resource]:
    """Render definitions as the pipeline does (folders included, duplicates refused)."""
    return render_all(ROOT, definitions)


def lint(rule_id: str, *definitions: Definition, resources: Sequence[Resource] = ()) -> list[Finding]:
    """Findings of one lint rule over the rendered definitions and extra ``resources``."""
    everything = [*render(*definitions), *resources, *datasources()]
    return [f for f in run_lint(everything) if f.rule == rule_id]


def rule(title: str = "Site down", severity: str | None = "page", **options: Any) -> Any:
    """A Prometheus rule with a threshold, on a data source given by reference (these projects define none)."""
    options.setdefault("datasource", {"type": "prometheus", "uid": "prometheus"})
    return prometheus_rule(title, expr="up", below=1, severity=severity, **options)


def group(*rules: Any, folder: str = "Site", name: str = "site", interval: str = "1m") -> RuleGroup:
    """A rule group of ``rules`` (one default rule when none)."""
    return RuleGroup(folder=folder, name=name, interval=interval, rules=list(rules) or [rule()])


def contact_points(*names: str) -> list[Definition]:
    """Discord contact points with those names."""
    return [discord_contact_point(name, url_env="HOOK_" + str(i)) for i, name in enumerate(names)]


def policy(receiver: str = "low", routes: Sequence[Route] = ()) -> NotificationPolicy:
    """A policy tree; by default page -> on-call, low -> low."""
    if not routes:
        routes = [
            Route(match={"severity": "page"}, receiver="on-call"),
            Route(match={"severity": "low"}, receiver="low"),
        ]
    return NotificationPolicy(receiver=receiver, routes=list(routes))


def where(definition: Any) -> str:
    """``file:line`` of an authoring object, relative to the repo, as findings print it."""
    location = definition.defined_at
    return f"{location.path.resolve().relative_to(ROOT)}:{location.line}"
