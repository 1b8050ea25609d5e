"""PD106: a panel's gridPos fits Grafana's 24-column grid."""

from __future__ import annotations

from collections.abc import Iterable

from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.base import LintContext, PanelNode, Rule, register
from pydis_dash.validate.lint.grid import GRID_COLUMNS, grid_rect


@register
class GridWidth(Rule):
    """Grafana's grid has 24 columns; a panel reaching past them is squeezed or moved on load, so the
    dashboard never looks as written and the next save changes it."""

    id = "PD106"
    rationale = "Every panel's gridPos lies within the 24 grid columns (x >= 0, w >= 1, x + w <= 24)."

    def check_panel(self, ctx: LintContext, panel: PanelNode) -> Iterable[Finding]:
        """Report a gridPos starting left of column 0, narrower than 1 or ending past column 24."""
        rect = grid_rect(panel.panel)
        if rect is None:
            return
        problem = None
        if rect.x < 0:
            problem = f"gridPos x={rect.x} is left of the grid (x must be >= 0)"
        elif rect.w < 1 or rect.h < 1:
            problem = f"gridPos w={rect.w} h={rect.h}: a panel must be at least 1 wide and 1 high"
        elif rect.x + rect.w > GRID_COLUMNS:
            problem = f"gridPos x={rect.x} w={rect.w} ends at column {rect.x + rect.w}, past the {GRID_COLUMNS} columns"
        if problem:
            yield self.finding(panel.dashboard, panel.pointer + "/gridPos", problem, panel=panel.title)
