"""PD107: panels do not overlap."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydis_dash.model import Resource
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
            for node, rect, other, other_rect in _overlaps(nodes):
                yield self.finding(
                    dashboard,
                    node.pointer + "/gridPos",
                    f"overlaps panel {other.title or other.pointer!r} ({rect} vs {other_rect})",
                    panel=node.title,
                )


def _overlaps(nodes: Iterable[PanelNode]) -> Iterator[tuple[PanelNode, Rect, PanelNode, Rect]]:
    """Each panel overlapping one placed before it, with that first earlier panel (and both rectangles)."""
    placed: list[tuple[PanelNode, Rect]] = []
    for node in nodes:
        rect = grid_rect(node.panel)
        if rect is None:
            continue
        hit = next(((p, r) for p, r in placed if r.overlaps(rect)), None)
        if hit is not None:
            yield node, rect, *hit
        placed.append((node, rect))
