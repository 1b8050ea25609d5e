"""Import alert rule groups (file provisioning or the provisioning API's answer) as ``RuleGroup`` code.

A rule whose condition is pydis-dash's own chain (query ``A``, reduce ``B``, threshold ``C``) on a
project data source becomes ``prometheus_rule``/``graphite_rule``/``sql_rule`` with ``above=``/``below=``;
anything the helpers do not write (notification settings, extra model fields) goes into ``extra=``,
found by building the group and comparing each rule as the deploy plan does. From a file, the rule uids
and folder uid become pydis-dash's (its ownership marker), listed as upgrades. From a live environment
(``live``), the group keeps its identity so that the next deploy adopts it instead of making a copy: each
rule its uid (``live_uid=``) and a folder pydis-dash does not own its uid (``folder_uid=``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydis_dash.conventions.durations import format_duration, parse_duration
from pydis_dash.errors import DefinitionError
from pydis_dash.importing.datasources import DatasourceMapper
from pydis_dash.importing.jsondiff import changes, residual
from pydis_dash.importing.pysource import Code, Module, call, format_source
from pydis_dash.importing.result import ImportedResource
from pydis_dash.importing.verify import build_generated
from pydis_dash.model import Kind, Resource
from pydis_dash.providers.grafana.alerting import normalize_rule_group

AUTHORING_MODULE = "pydis_dash.alerts"
# Data source plugin id -> (rule helper, its query keyword, the model key holding the query).
_HELPERS = {
    "prometheus": ("prometheus_rule", "expr", "expr"),
    "graphite": ("graphite_rule", "target", "target"),
    "grafana-postgresql-datasource": ("sql_rule", "sql", "rawSql"),
    "postgres": ("sql_rule", "sql", "rawSql"),
}
_STANDARD_ANNOTATIONS = ("summary", "description", "runbook_url")
# Fields pydis-dash sets from the group (its folder uid, ownership-prefixed rule uids).
_IDENTITY_FIELDS = ("uid", "folderUID", "ruleGroup", "orgID")
_PASSES = 3


def groups_of(document: Mapping[str, Any]) -> list[tuple[dict[str, Any], str | None]]:
    """(group, folder title) for each group: provisioning files name folders, API answers only their uid."""
    if isinstance(document.get("groups"), list):
        return [(dict(group), group.get("folder")) for group in document["groups"] if isinstance(group, Mapping)]
    return [(dict(document), None)]


def import_rule_group(
    group: Mapping[str, Any],
    folder: str | None,
    origin: str,
    project_root: Path,
    mapper: DatasourceMapper,
    *,
    live: bool = False,
    folder_uid: str | None = None,
) -> ImportedResource:
    """The ``RuleGroup`` definition for one group; raises DefinitionError for rules it cannot express.

    ``live``: the group was read from an environment, and keeps its rule uids (and ``folder_uid``, the
    uid of the folder pydis-dash does not own that holds it) so a deploy adopts it."""
    name = str(group.get("name") or group.get("title") or "")
    folder = folder or str(group.get("folder") or group.get("folderUid") or "")
    if not name or not folder:
        raise DefinitionError(f"{origin}: a rule group needs a name and a folder (pass --folder)")
    interval = group.get("interval")
    seconds = interval if isinstance(interval, int) else parse_duration(str(interval or "1m"))
    rules = [dict(rule) for rule in group.get("rules") or []]
    path = Path("alerts", f"{_slug(folder)}_{_slug(name)}.py")
    upgrades = (
        []
        if live
        else [
            "rule uids become pydis-dash's (prefix 'pydis-dash-', derived from folder, group and title): "
            "how pydis-dash recognises the rules it owns",
            f"folder {folder!r} gets pydis-dash's folder uid",
        ]
    )
    identity = _Identity(
        [str(rule.get("uid") or "") or None for rule in group.get("rules") or []] if live else [], folder_uid
    )
    upgrades.extend(
        f"rule {rule.get('title')!r}: query {query.get('refId')} gains its data source reference in the model "
        "(pydis-dash writes it on every query)"
        for rule in rules
        for query in rule.get("data") or []
        if query.get("datasourceUid") != "__expr__" and "datasource" not in (query.get("model") or {})
    )
    extras: list[dict[str, Any]] = [{} for _ in rules]
    files: dict[Path, str] = {}
    remaining: list[str] = []
    for _ in range(_PASSES):
        files = _render(path, project_root, origin, upgrades, folder, name, seconds, rules, extras, mapper, identity)
        built = _built_group(build_generated(project_root, files))
        expected = _expected(group, built, rules, mapper)
        have = normalize_rule_group(built.body)
        if have == expected:
            remaining = []
            break
        remaining = changes(expected, have)
        for index, (want, got) in enumerate(zip(expected["rules"], have["rules"], strict=True)):
            extra = residual(want, got)
            if extra is None:
                raise DefinitionError(f"{origin}: rule {want.get('title')!r}: cannot be written with a rule helper")
            extras[index] = {**extras[index], **extra}
    return ImportedResource(f"grafana-rule-group/{built.ref.uid}", files, upgrades, remaining, f"{len(rules)} rules")


def _expected(
    group: Mapping[str, Any], built: Resource, rules: list[dict[str, Any]], mapper: DatasourceMapper
) -> dict[str, Any]:
    """The input group as the plan compares it, with pydis-dash's identity fields (listed upgrades)."""
    rendered = built.body["rules"]
    wanted = []
    for rule, mine in zip(rules, rendered, strict=True):
        copy = {key: value for key, value in rule.items() if key not in _IDENTITY_FIELDS}
        copy.update({key: mine[key] for key in _IDENTITY_FIELDS if key in mine})
        copy["data"] = [_mapped_query(query, mapper) for query in copy.get("data") or []]
        wanted.append(copy)
    return normalize_rule_group({**built.body, "rules": wanted})


def _mapped_query(query: Mapping[str, Any], mapper: DatasourceMapper) -> dict[str, Any]:
    result = dict(query)
    uid = result.get("datasourceUid")
    if isinstance(uid, str) and uid != "__expr__":
        ref = mapper.resolve({"uid": uid})
        result["datasourceUid"] = ref.get("uid", uid) if isinstance(ref, Mapping) else uid
        model = dict(result.get("model") or {})
        if "datasource" in model or (isinstance(ref, Mapping) and "type" in ref):
            model["datasource"] = ref
        result["model"] = model
    return result


def _render(
    path: Path,
    project_root: Path,
    origin: str,
    upgrades: list[str],
    folder: str,
    name: str,
    seconds: int,
    rules: list[dict[str, Any]],
    extras: list[dict[str, Any]],
    mapper: DatasourceMapper,
    identity: _Identity,
) -> dict[Path, str]:
    module = Module(
        header=[f"Imported by `pydis-dash import` from {origin}.", "Differences from the input, on purpose:"]
    )
    module.header.extend(f"- {line}" for line in upgrades)
    rule_calls = [
        _rule_call(rule, extra, module, mapper, origin, identity.rule_uid(index))
        for index, (rule, extra) in enumerate(zip(rules, extras, strict=True))
    ]
    arguments: dict[str, Any] = {"folder": folder, "name": name, "interval": format_duration(seconds)}
    if identity.folder_uid:
        arguments["folder_uid"] = identity.folder_uid
    group = call(module.use(AUTHORING_MODULE, "RuleGroup"), [], {**arguments, "rules": rule_calls})
    module.statements.append(f"group = {group.text}")
    return {path: format_source(module.source(), path, project_root)}


def _rule_call(
    rule: Mapping[str, Any],
    extra: Mapping[str, Any],
    module: Module,
    mapper: DatasourceMapper,
    origin: str,
    live_uid: str | None,
) -> Code:
    title = str(rule.get("title", ""))
    data = {str(q.get("refId")): q for q in rule.get("data") or []}
    query, reduce, threshold = data.get("A"), data.get("B"), data.get("C")
    chain = (
        rule.get("condition") == "C"
        and len(data) == 3
        and query is not None
        and (reduce or {}).get("model", {}).get("type") == "reduce"
        and (threshold or {}).get("model", {}).get("type") == "threshold"
    )
    if not chain or query is None or reduce is None or threshold is None:
        raise DefinitionError(f"{origin}: rule {title!r}: only query A -> reduce B -> threshold C rules import yet")
    ref = mapper.resolve({"uid": query.get("datasourceUid")})
    helper = _HELPERS.get(str(ref.get("type") if isinstance(ref, Mapping) else ""))
    if helper is None or not isinstance(ref, Mapping):
        raise DefinitionError(
            f"{origin}: rule {title!r}: data source {query.get('datasourceUid')!r} is not a project one"
        )
    function, keyword, key = helper
    model = query.get("model") or {}
    evaluator = threshold["model"]["conditions"][0]["evaluator"]
    kwargs: dict[str, Any] = {keyword: model.get(key, "")}
    kwargs["above" if evaluator.get("type") == "gt" else "below"] = evaluator["params"][0]
    kwargs["datasource"] = {"type": ref["type"], "uid": ref["uid"]}
    kwargs.update(_rule_options(rule, reduce, query))
    if live_uid:
        kwargs["live_uid"] = live_uid
    if extra:
        kwargs["extra"] = dict(extra)
    return call(module.use(AUTHORING_MODULE, function), [title], kwargs)


def _rule_options(rule: Mapping[str, Any], reduce: Mapping[str, Any], query: Mapping[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if rule.get("for"):
        options["for_"] = str(rule["for"])
    labels = dict(rule.get("labels") or {})
    if "severity" in labels:
        options["severity"] = labels.pop("severity")
    annotations = dict(rule.get("annotations") or {})
    for key in _STANDARD_ANNOTATIONS:
        if key in annotations:
            options[key] = annotations.pop(key)
    if labels:
        options["labels"] = labels
    if annotations:
        options["annotations"] = annotations
    for source, target, default in (
        ("noDataState", "no_data_state", "NoData"),
        ("execErrState", "exec_err_state", "Error"),
    ):
        if rule.get(source, default) != default:
            options[target] = rule[source]
    reducer = reduce["model"].get("reducer", "last")
    if reducer != "last":
        options["reducer"] = reducer
    lookback = (query.get("relativeTimeRange") or {}).get("from")
    if isinstance(lookback, int) and lookback and lookback != 600:
        options["lookback"] = format_duration(lookback)
    if rule.get("isPaused"):
        options["paused"] = True
    return options


@dataclass(frozen=True)
class _Identity:
    """What a live group keeps of its identity: its rules' uids (by position) and its unowned folder's uid."""

    rule_uids: list[str | None]
    folder_uid: str | None

    def rule_uid(self, index: int) -> str | None:
        """The live uid of rule ``index``, or None (pydis-dash derives one)."""
        return self.rule_uids[index] if index < len(self.rule_uids) else None


def _built_group(resources: list[Resource]) -> Resource:
    for resource in resources:
        if resource.kind == Kind.GRAFANA_RULE_GROUP:
            return resource
    raise DefinitionError("the generated code builds no rule group")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "group"
