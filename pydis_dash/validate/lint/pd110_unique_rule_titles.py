"""PD110: alert rule titles are unique within a folder, and rule uids are unique everywhere."""

from __future__ import annotations

from collections.abc import Iterable

from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.alerting import RuleNode, rule_nodes
from pydis_dash.validate.lint.base import LintContext, Rule, register


@register
class UniqueRuleTitles(Rule):
    """A rule's title is its ``alertname`` in every notification and silence; Grafana refuses a second rule
    with the same title in a folder, and two rules with one uid overwrite each other on every deploy."""

    id = "PD110"
    rationale = "Alert rule titles are unique within a folder, and rule uids are unique (Grafana refuses both)."

    def check_project(self, ctx: LintContext) -> Iterable[Finding]:
        """Report each rule reusing an earlier rule's (folder, title) or uid."""
        by_title: dict[tuple[str, str], RuleNode] = {}
        by_uid: dict[str, RuleNode] = {}
        for node in rule_nodes(ctx.resources):
            folder = node.rule.get("folderUID") or node.group.body.get("folderUid")
            title = node.title
            if isinstance(folder, str) and title is not None:
                # Case-insensitive: "Postgres down" beside "postgres down" is the same alert to a reader.
                first = by_title.setdefault((folder, title.casefold()), node)
                if first is not node:
                    where = f"folder {node.group.container or folder!r}"
                    yield self.finding(
                        node.group,
                        f"{node.pointer}/title",
                        f"rule title {title!r} is also used in {where} by {_describe(first)}",
                        panel=title,
                    )
            uid = node.rule.get("uid")
            if isinstance(uid, str):
                first = by_uid.setdefault(uid, node)
                if first is not node:
                    yield self.finding(
                        node.group,
                        f"{node.pointer}/uid",
                        f"rule uid {uid!r} is also used by {_describe(first)}",
                        panel=title,
                    )


def _describe(node: RuleNode) -> str:
    return f"rule {node.title!r} of group {node.group.title!r} ({node.group.location_of(node.pointer)})"
