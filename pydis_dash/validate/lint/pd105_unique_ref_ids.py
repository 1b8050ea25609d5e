"""PD105: refIds are unique within a panel."""

from __future__ import annotations

from collections.abc import Iterable

from pydis_dash.validate.dashboard_json import iter_targets
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.base import LintContext, PanelNode, Rule, register


@register
class UniqueRefIds(Rule):
    """Grafana keys a panel's query results, transformations and overrides by refId: with two queries
    ``A`` one result replaces the other."""

    id = "PD105"
    rationale = "The refIds of a panel's queries are unique (results, transformations and overrides use them)."

    def check_panel(self, ctx: LintContext, panel: PanelNode) -> Iterable[Finding]:
        """Report every target repeating an earlier target's refId."""
        seen: dict[str, int] = {}
        for index, target in iter_targets(panel.panel):
            ref_id = target.get("refId")
            if not isinstance(ref_id, str):
                continue
            if ref_id in seen:
                yield self.finding(
                    panel.dashboard,
                    f"{panel.pointer}/targets/{index}/refId",
                    f"refId {ref_id!r} is also used by target {seen[ref_id]} of this panel",
                    panel=panel.title,
                    ref_id=ref_id,
                )
            else:
                seen[ref_id] = index
