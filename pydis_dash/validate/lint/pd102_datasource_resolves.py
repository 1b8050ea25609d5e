"""PD102: every data source reference resolves to a defined data source of a compatible type."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydis_dash.model import Resource, json_pointer
from pydis_dash.validate.dashboard_json import DatasourceRef, datasource_ref, template_variables
from pydis_dash.validate.datasources import BUILTIN_UIDS, canonical_type, language_of
from pydis_dash.validate.extract import TEXT_KEYS
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.alerting import rule_nodes
from pydis_dash.validate.lint.base import LintContext, PanelNode, Rule, TargetNode, register


@register
class DatasourceResolves(Rule):
    """A reference to an undefined data source shows "data source not found" on every panel using it;
    one whose type differs from the defined data source sends the query to the wrong plugin."""

    id = "PD102"
    rationale = "Each data source reference names a defined data source (or datasource variable) of its type."

    def check_dashboard(self, ctx: LintContext, dashboard: Resource) -> Iterable[Finding]:
        """Data sources of query variables and annotations."""
        for pointer, variable in template_variables(dashboard.body):
            if variable.get("type") == "query":
                yield from self._check(ctx, dashboard, pointer + "/datasource", variable.get("datasource"))
        annotations = dashboard.body.get("annotations")
        items = annotations.get("list") if isinstance(annotations, Mapping) else None
        for index, annotation in enumerate(items if isinstance(items, list) else []):
            if isinstance(annotation, Mapping):
                pointer = json_pointer("annotations", "list", index, "datasource")
                yield from self._check(ctx, dashboard, pointer, annotation.get("datasource"))

    def check_panel(self, ctx: LintContext, panel: PanelNode) -> Iterable[Finding]:
        """The panel's own data source."""
        value = panel.panel.get("datasource")
        yield from self._check(ctx, panel.dashboard, panel.pointer + "/datasource", value, panel=panel.title)

    def check_target(self, ctx: LintContext, target: TargetNode) -> Iterable[Finding]:
        """The target's data source, and that the target's query field fits that data source."""
        dashboard = target.panel.dashboard
        value = target.target.get("datasource")
        panel, ref_id = target.panel.title, target.ref_id
        pointer = target.pointer + "/datasource"
        yield from self._check(ctx, dashboard, pointer, value, panel=panel, ref_id=ref_id)
        ref = datasource_ref(value) or datasource_ref(target.panel.panel.get("datasource"))
        resolved = ctx.datasources.resolve(ref, dashboard.body)
        language = language_of(resolved.type) if resolved is not None else None
        if resolved is None or language is None:
            return
        if any(isinstance(target.target.get(key), str) for key in TEXT_KEYS[language]):
            return
        for other, keys in TEXT_KEYS.items():
            key = next((k for k in keys if isinstance(target.target.get(k), str)), None)
            if other is not language and key is not None:
                name = resolved.uid or (ref.uid if ref else None)
                yield self.finding(
                    dashboard,
                    f"{target.pointer}/{key}",
                    f"target has a {other.value} query ({key}) but its data source {name!r} is "
                    f"{resolved.type} ({language.value})",
                    panel=panel,
                    ref_id=ref_id,
                )
                return

    def check_project(self, ctx: LintContext) -> Iterable[Finding]:
        """Data sources of alert rule queries (``rules[].data[].datasourceUid``)."""
        for node in rule_nodes(ctx.resources):
            data = node.rule.get("data")
            for data_index, query in enumerate(data if isinstance(data, list) else []):
                uid = query.get("datasourceUid") if isinstance(query, Mapping) else None
                if not isinstance(uid, str):
                    continue
                ref_id = query.get("refId")
                yield from self._check(
                    ctx,
                    node.group,
                    f"{node.pointer}/data/{data_index}/datasourceUid",
                    {"uid": uid},
                    panel=node.title,
                    ref_id=ref_id if isinstance(ref_id, str) else None,
                    variables_allowed=False,
                )

    def _check(
        self,
        ctx: LintContext,
        resource: Resource,
        pointer: str,
        value: Any,
        *,
        panel: str | None = None,
        ref_id: str | None = None,
        variables_allowed: bool = True,
    ) -> Iterator[Finding]:
        ref = datasource_ref(value)
        if ref is None or ref.uid in BUILTIN_UIDS:
            return
        if ref.variable and not variables_allowed:
            problem: str | None = f"alert rules cannot use template variables; {ref.uid!r} must be a uid"
        elif ref.variable:
            problem = _variable_problem(ref, resource.body)
        else:
            problem = _defined_problem(ctx, ref)
        if problem:
            yield self.finding(resource, pointer, problem, panel=panel, ref_id=ref_id)


def _defined_problem(ctx: LintContext, ref: DatasourceRef) -> str | None:
    defined = ctx.datasources.lookup(ref)
    if defined is None:
        known = ", ".join(sorted(ctx.datasources.by_uid)) or "none"
        return f"data source {ref.uid!r} is not defined (defined: {known})"
    defined_type = defined.get("type")
    if ref.type and isinstance(defined_type, str) and not _same_type(ref.type, defined_type):
        return f"data source {ref.uid!r} is of type {defined_type!r}, but the reference says {ref.type!r}"
    return None


def _variable_problem(ref: DatasourceRef, body: Mapping[str, Any]) -> str | None:
    for _, variable in template_variables(body):
        if variable.get("name") != ref.variable:
            continue
        if variable.get("type") != "datasource":
            return f"{ref.uid} is a {variable.get('type')} variable, not a data source variable"
        plugin = variable.get("query")
        if ref.type and isinstance(plugin, str) and not _same_type(ref.type, plugin):
            return f"data source variable {ref.uid} offers {plugin!r} data sources, not {ref.type!r}"
        return None
    return f"data source variable {ref.uid} is not defined (add a template variable of type datasource)"


def _same_type(a: str, b: str) -> bool:
    return canonical_type(a) == canonical_type(b)
