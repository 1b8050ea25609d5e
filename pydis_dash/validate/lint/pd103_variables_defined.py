"""PD103: every template variable a query uses is defined."""

from __future__ import annotations

from collections.abc import Iterable

from pydis_dash.model import Kind
from pydis_dash.validate.dashboard_json import referenced_variables, variable_names
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.base import LintContext, PanelNode, Rule, register
from pydis_dash.validate.queries import Query, TemplateSyntax


@register
class VariablesDefined(Rule):
    """An undefined ``$var`` is sent to the data source literally: a syntax error or, worse, a query
    that silently matches nothing."""

    id = "PD103"
    rationale = "Every template variable used in a query (or panel repeat) is defined on the dashboard."

    def check_query(self, ctx: LintContext, query: Query) -> Iterable[Finding]:
        """Grafana-syntax queries: each ``$var``/``${var}``/``[[var]]`` names a defined variable."""
        if query.syntax is not TemplateSyntax.GRAFANA:
            return
        defined = {variable.name for variable in query.variables}
        for name in referenced_variables(query.text):
            if name in defined:
                continue
            if query.resource.kind is Kind.GRAFANA_RULE_GROUP:
                message = f"${name}: alert rules have no template variables; write the value in the query"
            else:
                message = f"variable ${name} is not defined on this dashboard"
            yield self.finding(query.resource, query.json_path, message, panel=query.panel, ref_id=query.ref_id)

    def check_panel(self, ctx: LintContext, panel: PanelNode) -> Iterable[Finding]:
        """A panel (or row) repeated over a variable needs that variable."""
        repeat = panel.panel.get("repeat")
        if isinstance(repeat, str) and repeat and repeat not in variable_names(panel.dashboard.body):
            yield self.finding(
                panel.dashboard,
                panel.pointer + "/repeat",
                f"panel repeats over variable ${repeat}, which is not defined on this dashboard",
                panel=panel.title,
            )
