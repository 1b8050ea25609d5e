"""PD107: panels do not overlap."""

from __future__ import annotations

from collections.abc import Iterable

from pydis_dash.model import Resource
from pydis_dash.validate.dashboard_json import panel_title
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.base import LintContext, PanelNode, Rule, panel_nodes, register
from pydis_dash.validate.lint.grid import Rect, grid_rect


@register
class NoOverlap(Rule):
    """Grafana pushes overlapping panels down on load: the layout differs from the definition, and the
    next save in the UI rewrites every gridPos below."""

    id = "PD107"
    rationale = "No two panels share a grid cell (Grafana would move one of them on load)."

    def check_dashboard(self, ctx: LintContext, dashboard: Resource) -> Iterable[Finding]:
        """Compare panels laid out together: the top level (rows included), and each collapsed row's panels."""
        groups: dict[int, list[PanelNode]] = {}
        for node in panel_nodes(dashboard):
            groups.setdefault(id(node.row) if node.row is not None else 0, []).append(node)
        for nodes in groups.values():
            placed: list[tuple[PanelNode, Rect]] = []
            for node in nodes:
                rect = grid_rect(node.panel)
                if rect is None:
                    continue
                other = next((p for p, r in placed if r.overlaps(rect)), None)
                if other is not None:
                    other_rect = grid_rect(other.panel)
                    yield self.finding(
                        dashboard,
                        node.pointer + "/gridPos",
                        f"overlaps panel {panel_title(other.panel) or other.pointer!r} ({rect} vs {other_rect})",
                        panel=node.title,
                    )
                placed.append((node, rect))
