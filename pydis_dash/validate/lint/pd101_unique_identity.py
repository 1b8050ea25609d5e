"""PD101: dashboard uids are unique, and so are dashboard titles within a folder."""

from __future__ import annotations

from collections.abc import Iterable

from pydis_dash.model import Resource
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.base import LintContext, Rule, register


@register
class UniqueDashboardIdentity(Rule):
    """Two dashboards with one uid overwrite each other on deploy; two with one title in a folder are
    refused by Grafana ("a dashboard with the same name in the folder already exists")."""

    id = "PD101"
    rationale = "Dashboard uids are unique, and so are titles within a folder (Grafana refuses duplicates)."

    def check_project(self, ctx: LintContext) -> Iterable[Finding]:
        """Report each dashboard that reuses an earlier dashboard's uid or (folder, title)."""
        by_uid: dict[str, Resource] = {}
        by_title: dict[tuple[str | None, str], Resource] = {}
        for dashboard in ctx.dashboards:
            uid = dashboard.body.get("uid")
            uid = uid if isinstance(uid, str) else dashboard.ref.uid
            first = by_uid.setdefault(uid, dashboard)
            if first is not dashboard:
                message = f"dashboard uid {uid!r} is also used by the dashboard at {first.source}"
                yield self.finding(dashboard, "/uid", message)
            title = dashboard.body.get("title")
            if not isinstance(title, str):
                continue
            # Compared case-insensitively: Grafana on MySQL does, and "Bot" beside "bot" misleads anyway.
            first = by_title.setdefault((dashboard.container, title.casefold()), dashboard)
            if first is not dashboard:
                folder = f"folder {dashboard.container!r}" if dashboard.container else "the General folder"
                other = f"dashboard {first.ref.uid!r} ({first.source})"
                message = f"title {title!r} is also used in {folder} by {other}"
                yield self.finding(dashboard, "/title", message)
