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
from pydis_dash.definition import Definition, RenderContext, is_valid_uid
from pydis_dash.errors import DefinitionError
from pydis_dash.folders import folder_path, folder_resources, folder_uid, split_path
from pydis_dash.model import Kind, Ref, Resource, json_pointer


@dataclass(frozen=True)
class RuleGroup(Definition):
    """Alert ``rules`` in group ``name`` of folder ``folder`` (a ``/``-separated path, created as needed),
    evaluated every ``interval`` (``"1m"``). ``folder_uid`` instead keeps the group in an existing folder
    pydis-dash does not manage (made in the UI), named by its uid and never created or changed; ``folder``
    then only names it (``pydis-dash import`` writes both for a group it adopts). ``lint_ignore`` maps
    lint rule ids to the reason they do not apply to this group.
    """

    folder: str
    name: str
    interval: str
    rules: Sequence[AlertRule]
    lint_ignore: Mapping[str, str] = field(default_factory=dict)
    folder_uid: str | None = None

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise DefinitionError(problem, self.defined_at, self.identity)

    def _problem(self) -> str | None:
        if not split_path(self.folder):
            return "folder must name a folder: Grafana keeps every alert rule in one"
        if self.folder_uid is not None and not is_valid_uid(self.folder_uid):
            return "folder_uid must be a folder uid: 1-40 letters, digits, '-' and '_'"
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
    def deployed_folder_uid(self) -> str:
        """The uid of the folder the group is deployed into."""
        return self.folder_uid or folder_uid(self.folder)

    @property
    def uid(self) -> str:
        """The pydis-dash uid of the group (``<folder uid>.<group slug>``)."""
        return rule_group_uid(self.deployed_folder_uid, self.name)

    def render(self, ctx: RenderContext) -> list[Resource]:
        """The folders (parents first) and the group's ``AlertRuleGroup`` JSON."""
        source = ctx.relative(self.defined_at)
        # An existing folder (``folder_uid``) is depended on, not rendered.
        resources = [] if self.folder_uid else folder_resources(self.folder, source)
        folder_ref = Ref(Kind.GRAFANA_FOLDER, self.folder_uid) if self.folder_uid else resources[-1].ref
        path = folder_path(self.folder)
        folder_uid_ = self.deployed_folder_uid
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
                depends_on=(folder_ref,),
                lint_exclusions=dict(self.lint_ignore),
            )
        )
        return resources
