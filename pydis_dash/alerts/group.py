"""``RuleGroup``: alert rules evaluated together, at one interval, in one Grafana folder.

Grafana's provisioning API writes a group as a whole (``PUT .../folder/:folderUid/rule-groups/:group``),
so a group is one resource: adding, changing or removing a rule changes exactly its group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pydis_dash.alerts.rules import MAX_TITLE, AlertRule
from pydis_dash.conventions.alerting import BASE_INTERVAL, rule_group_uid
from pydis_dash.conventions.durations import duration_problem, parse_duration
from pydis_dash.definition import Definition, RenderContext
from pydis_dash.errors import DefinitionError
from pydis_dash.folders import folder_path, folder_resources, folder_uid, split_path
from pydis_dash.model import Kind, Ref, Resource, json_pointer


@dataclass(frozen=True)
class RuleGroup(Definition):
    """Alert ``rules`` in group ``name`` of folder ``folder`` (a ``/``-separated path, created as needed),
    evaluated every ``interval`` (``"1m"``). ``lint_ignore`` maps lint rule ids to the reason they do not
    apply to this group.
    """

    folder: str
    name: str
    interval: str
    rules: Sequence[AlertRule]
    lint_ignore: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise DefinitionError(problem, self.defined_at, self.identity)

    def _problem(self) -> str | None:
        if not split_path(self.folder):
            return "folder must name a folder: Grafana keeps every alert rule in one"
        if not self.name.strip() or len(self.name) > MAX_TITLE:
            return f"name must be 1-{MAX_TITLE} characters"
        problem = duration_problem("interval", self.interval)
        if problem:
            return problem
        seconds = parse_duration(self.interval)
        if seconds <= 0 or seconds % BASE_INTERVAL:
            tick = f"{BASE_INTERVAL}s (Grafana's scheduler tick)"
            return f"interval must be a positive multiple of {tick}, not {self.interval!r}"
        if not isinstance(self.rules, list | tuple):
            return "rules must be a list of rules: put it in [...]"
        if not self.rules:
            return "a rule group needs at least one rule"
        strays = [type(rule).__name__ for rule in self.rules if not isinstance(rule, AlertRule)]
        if strays:
            return f"rules must be built with prometheus_rule, graphite_rule or sql_rule, not {', '.join(strays)}"
        return None

    @property
    def identity(self) -> str:
        """``rule group 'Folder/name'``."""
        return f"rule group {self.folder + '/' + self.name!r}"

    @property
    def folder_uid(self) -> str:
        """The uid of the folder the group is deployed into."""
        return folder_uid(self.folder)

    @property
    def uid(self) -> str:
        """The pydis-dash uid of the group (``<folder uid>.<group slug>``)."""
        return rule_group_uid(self.folder_uid, self.name)

    def render(self, ctx: RenderContext) -> list[Resource]:
        """The folders (parents first) and the group's ``AlertRuleGroup`` JSON."""
        source = ctx.relative(self.defined_at)
        resources = folder_resources(self.folder, source)
        path = folder_path(self.folder)
        folder_uid_ = self.folder_uid
        body = {
            "title": self.name,
            "folderUid": folder_uid_,
            "interval": parse_duration(self.interval),
            "rules": [rule.render(path, folder_uid_, self.name, ctx.datasources) for rule in self.rules],
        }
        anchors = {json_pointer("rules", index): ctx.relative(rule.defined_at) for index, rule in enumerate(self.rules)}
        resources.append(
            Resource(
                ref=Ref(Kind.GRAFANA_RULE_GROUP, self.uid),
                title=self.name,
                body=body,
                source=source,
                container=path,
                anchors=anchors,
                depends_on=(resources[-1].ref,),
                lint_exclusions=dict(self.lint_ignore),
            )
        )
        return resources
