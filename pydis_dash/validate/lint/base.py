"""The lint framework: the :class:`Rule` base class, the registry, and the walker that feeds rules.

A rule is one class in one module ``pd1xx_<name>.py`` of this package, registered with
:func:`register`. It declares an ``id``, a one-line ``rationale`` and a ``severity``, and overrides the
hooks for the nodes it looks at; the walker calls each hook once per node:

- :meth:`Rule.check_project`: once, with every resource (uniqueness across dashboards);
- :meth:`Rule.check_dashboard`: each dashboard;
- :meth:`Rule.check_panel`: each panel of each dashboard (rows and their collapsed panels too);
- :meth:`Rule.check_target`: each target of each panel;
- :meth:`Rule.check_query`: each query extracted for the engines (dashboards, alert rules, questions).

Rules are disabled per project (``[tool.pydis-dash.lint] disable = [...]``, see
:mod:`pydis_dash.validate.lint.config`) and per resource (``Resource.lint_exclusions``, each with a reason).
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from pydis_dash.model import Kind, Resource
from pydis_dash.validate.dashboard_json import iter_panels, iter_targets, panel_title
from pydis_dash.validate.datasources import DatasourceCatalog
from pydis_dash.validate.extract import extract_queries
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.queries import Query

# Findings about the exclusions themselves (a missing reason, an unknown rule id).
EXCLUSION_RULE = "LINT"


@dataclass(frozen=True)
class LintContext:
    """Everything a rule may look at besides the node it is given."""

    resources: Sequence[Resource]
    datasources: DatasourceCatalog

    @property
    def dashboards(self) -> list[Resource]:
        """The dashboard resources, in input order."""
        return [r for r in self.resources if r.kind is Kind.GRAFANA_DASHBOARD]


@dataclass(frozen=True)
class PanelNode:
    """One panel of one dashboard; ``row`` is the collapsed row holding it, if any."""

    dashboard: Resource
    pointer: str
    panel: Mapping[str, Any]
    row: Mapping[str, Any] | None = None

    @property
    def title(self) -> str | None:
        """The panel's title."""
        return panel_title(self.panel)


@dataclass(frozen=True)
class TargetNode:
    """One target (query) of one panel."""

    panel: PanelNode
    index: int
    target: Mapping[str, Any]

    @property
    def pointer(self) -> str:
        """JSON pointer of the target in the dashboard."""
        return f"{self.panel.pointer}/targets/{self.index}"

    @property
    def ref_id(self) -> str | None:
        """The target's refId, when it has one."""
        ref_id = self.target.get("refId")
        return ref_id if isinstance(ref_id, str) else None


class Rule:
    """Base of every lint rule. Subclasses set the class attributes and override some hooks."""

    id: ClassVar[str]
    rationale: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR

    def check_project(self, ctx: LintContext) -> Iterable[Finding]:
        """Findings that need every resource at once."""
        return ()

    def check_dashboard(self, ctx: LintContext, dashboard: Resource) -> Iterable[Finding]:
        """Findings about one dashboard as a whole."""
        return ()

    def check_panel(self, ctx: LintContext, panel: PanelNode) -> Iterable[Finding]:
        """Findings about one panel."""
        return ()

    def check_target(self, ctx: LintContext, target: TargetNode) -> Iterable[Finding]:
        """Findings about one panel target."""
        return ()

    def check_query(self, ctx: LintContext, query: Query) -> Iterable[Finding]:
        """Findings about one extracted query (panel target, variable query, alert rule, question)."""
        return ()

    def finding(
        self,
        resource: Resource,
        pointer: str,
        message: str,
        *,
        panel: str | None = None,
        ref_id: str | None = None,
    ) -> Finding:
        """A finding of this rule at ``pointer`` in ``resource``, located at the definition's line."""
        return Finding.at(resource, pointer, self.id, self.severity, message, panel=panel, ref_id=ref_id)


_REGISTRY: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    """Class decorator adding a rule to the registry; ids must be unique."""
    if rule.id in _REGISTRY and _REGISTRY[rule.id] is not rule:
        raise ValueError(f"lint rule id {rule.id} registered twice")
    _REGISTRY[rule.id] = rule
    return rule


def all_rules() -> list[type[Rule]]:
    """Every rule, sorted by id (importing each ``pd*`` module of this package once)."""
    _import_rule_modules()
    return [_REGISTRY[rule_id] for rule_id in sorted(_REGISTRY)]


def rule_ids() -> frozenset[str]:
    """The ids of every registered rule."""
    return frozenset(rule.id for rule in all_rules())


@functools.cache
def _import_rule_modules() -> None:
    # Once per process: listing the package is not free, and rule_ids() is asked per run and per config.
    package = importlib.import_module("pydis_dash.validate.lint")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("pd"):
            importlib.import_module(f"{package.__name__}.{module.name}")


def run_lint(
    resources: Sequence[Resource],
    disabled: Collection[str] = (),
    queries: Sequence[Query] | None = None,
    context: Sequence[Resource] | None = None,
    catalog: DatasourceCatalog | None = None,
) -> list[Finding]:
    """Run every enabled rule over ``resources``; drop findings a resource excludes.

    ``queries`` are the extracted queries and ``catalog`` the data sources of ``context`` (both made
    here when not given, so the runner can share them with the engines). ``context`` is every resource
    rules may compare against (default: ``resources``); findings are kept only for ``resources``.
    """
    everything = list(context) if context is not None else list(resources)
    catalog = catalog if catalog is not None else DatasourceCatalog(everything)
    ctx = LintContext(resources=everything, datasources=catalog)
    rules = [rule() for rule in all_rules() if rule.id not in disabled]
    if queries is None:
        queries = extract_queries(resources, catalog)
    selected = {resource.ref for resource in resources}
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check_project(ctx))
    for dashboard in (r for r in resources if r.kind is Kind.GRAFANA_DASHBOARD):
        for rule in rules:
            findings.extend(rule.check_dashboard(ctx, dashboard))
        for node in panel_nodes(dashboard):
            for rule in rules:
                findings.extend(rule.check_panel(ctx, node))
            for index, target in iter_targets(node.panel):
                target_node = TargetNode(node, index, target)
                for rule in rules:
                    findings.extend(rule.check_target(ctx, target_node))
    for query in queries:
        for rule in rules:
            findings.extend(rule.check_query(ctx, query))
    # Only exclusions with a reason count; one without is itself reported (see exclusion_findings).
    excluded: dict[object, set[str]] = {
        r.ref: {rule_id for rule_id, why in r.lint_exclusions.items() if _has_reason(why)} for r in resources
    }
    kept = [f for f in findings if f.ref in selected and f.rule not in excluded.get(f.ref, set())]
    return kept + exclusion_findings(resources)


def panel_nodes(dashboard: Resource) -> list[PanelNode]:
    """Every panel of a dashboard as a :class:`PanelNode`, knowing the row a collapsed panel sits in."""
    nodes = []
    row: tuple[str, Mapping[str, Any]] | None = None
    for pointer, panel in iter_panels(dashboard.body):
        if panel.get("type") == "row":
            row = (pointer, panel)
            nodes.append(PanelNode(dashboard, pointer, panel))
        else:
            inside = row is not None and pointer.startswith(row[0] + "/panels/")
            nodes.append(PanelNode(dashboard, pointer, panel, row[1] if inside and row else None))
    return nodes


def _has_reason(reason: object) -> bool:
    return isinstance(reason, str) and bool(reason.strip())


def exclusion_findings(resources: Iterable[Resource]) -> list[Finding]:
    """Errors for exclusions without a reason or naming a rule that does not exist."""
    known = rule_ids()
    findings = []
    for resource in resources:
        for rule_id, reason in resource.lint_exclusions.items():
            problem = None
            if rule_id not in known:
                problem = f"lint exclusion names unknown rule {rule_id!r} (known: {', '.join(sorted(known))})"
            elif not _has_reason(reason):
                problem = f"lint exclusion of {rule_id} needs a reason"
            if problem:
                findings.append(
                    Finding(
                        rule=EXCLUSION_RULE,
                        severity=Severity.ERROR,
                        message=problem,
                        ref=resource.ref,
                        location=resource.source,
                    )
                )
    return findings
