"""A Grafana alert rule group as the preview page shows it: per rule its queries, condition, ``for``,
labels and where its notifications are routed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from pydis_dash.alerts.durations import format_duration
from pydis_dash.alerts.rules import EXPRESSION_UID
from pydis_dash.model import Resource, json_pointer
from pydis_dash.plan import canonical_json
from pydis_dash.preview.chart_spec import rule_chart_spec
from pydis_dash.preview.fragments import QueryView, assign_findings, query_view
from pydis_dash.preview.panel_data import PanelFrames
from pydis_dash.preview.routing import routes_for
from pydis_dash.validate.findings import Finding


@dataclass(frozen=True)
class StepView:
    """One entry of a rule's ``data``: a data-source query, or a server-side expression."""

    ref_id: str
    query: QueryView | None
    expression: str | None
    is_condition: bool


@dataclass(frozen=True)
class RuleView:
    """One alert rule."""

    pointer: str
    anchor: str
    title: str
    uid: str
    condition: str
    pending_for: str
    no_data: str
    exec_error: str
    paused: bool
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    routes: tuple[str, ...]
    steps: tuple[StepView, ...]
    findings: tuple[Finding, ...]
    raw_json: str
    chart: Markup | None = None


@dataclass(frozen=True)
class RuleGroupView:
    """Everything the rule group page shows."""

    title: str
    folder: str
    interval: str
    rules: tuple[RuleView, ...]
    findings: tuple[Finding, ...]


def rule_group_view(
    resource: Resource,
    findings: Sequence[Finding],
    policy: Mapping[str, Any] | None,
    frames: PanelFrames | None = None,
) -> RuleGroupView:
    """The page content of a ``grafana-rule-group`` resource; ``policy`` is the project's policy tree.

    With ``frames`` (the rules' query results on sample data, by rule pointer), each rule carries the
    chart of its queries with its threshold drawn as a line.
    """
    body = resource.body
    rules = [(json_pointer("rules", i), r) for i, r in enumerate(body.get("rules") or ()) if isinstance(r, Mapping)]
    owned, rest = assign_findings(findings, [pointer for pointer, _ in rules])
    folder = resource.container or str(body.get("folderUid") or body.get("folderUID") or "")
    return RuleGroupView(
        title=str(body.get("title") or resource.title),
        folder=folder,
        interval=_interval(body.get("interval")),
        rules=tuple(_with_chart(_rule(p, r, owned.get(p, ()), policy, folder), r, frames) for p, r in rules),
        findings=rest,
    )


def _interval(value: Any) -> str:
    """Grafana's interval in seconds, written as authors write it (``90`` -> ``1m30s``)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return format_duration(value)
    return str(value or "")


def _rule(
    pointer: str,
    rule: Mapping[str, Any],
    findings: tuple[Finding, ...],
    policy: Mapping[str, Any] | None,
    folder: str,
) -> RuleView:
    condition = str(rule.get("condition") or "")
    labels = {str(k): str(v) for k, v in (rule.get("labels") or {}).items()}
    title = str(rule.get("title") or "(untitled rule)")
    settings = rule.get("notification_settings")
    routes: tuple[str, ...]
    if isinstance(settings, Mapping) and settings.get("receiver"):
        routes = (f"{settings['receiver']} (notification settings on the rule)",)
    else:
        routing_labels = {"alertname": title, "grafana_folder": folder, **labels}
        routes = tuple(routes_for(routing_labels, policy)) or ("(no notification policy in this project)",)
    annotations = rule.get("annotations") or {}
    return RuleView(
        pointer=pointer,
        anchor="rule" + pointer.replace("/", "-"),
        title=title,
        uid=str(rule.get("uid") or ""),
        condition=condition,
        pending_for=str(rule.get("for") or "0s"),
        no_data=str(rule.get("noDataState") or ""),
        exec_error=str(rule.get("execErrState") or ""),
        paused=bool(rule.get("isPaused")),
        labels=tuple(sorted(labels.items())),
        annotations=tuple(sorted((str(k), str(v)) for k, v in annotations.items())),
        routes=routes,
        steps=tuple(
            _step(data, index, condition)
            for index, data in enumerate(rule.get("data") or ())
            if isinstance(data, Mapping)
        ),
        findings=findings,
        raw_json=canonical_json(rule),
    )


def _with_chart(view: RuleView, rule: Mapping[str, Any], frames: PanelFrames | None) -> RuleView:
    if frames is None:
        return view
    return replace(view, chart=rule_chart_spec(frames.get(view.pointer, ()), threshold_of(rule)))


def threshold_of(rule: Mapping[str, Any]) -> float | None:
    """The value the rule's condition compares with (its threshold expression's first parameter)."""
    for data in rule.get("data") or ():
        model = data.get("model") if isinstance(data, Mapping) else None
        if not isinstance(model, Mapping) or model.get("type") not in ("threshold", "classic_conditions"):
            continue
        for condition in model.get("conditions") or ():
            evaluator = condition.get("evaluator") if isinstance(condition, Mapping) else None
            params = evaluator.get("params") if isinstance(evaluator, Mapping) else None
            if isinstance(params, list) and params and isinstance(params[0], int | float):
                return float(params[0])
    return None


def _step(data: Mapping[str, Any], index: int, condition: str) -> StepView:
    ref_id = str(data.get("refId") or "")
    model = data.get("model")
    model = model if isinstance(model, Mapping) else {}
    uid = data.get("datasourceUid")
    if uid == EXPRESSION_UID:
        return StepView(ref_id, None, _expression(model), ref_id == condition)
    datasource = model.get("datasource") or ({"uid": uid} if uid else None)
    return StepView(ref_id, query_view(model, datasource, index), None, ref_id == condition)


def _expression(model: Mapping[str, Any]) -> str:
    """A server-side expression in one line: ``threshold: $B > 5``, ``reduce(last): $A``, ``math: $A * 2``."""
    kind = str(model.get("type") or "expression")
    expression = str(model.get("expression") or "")
    if kind == "reduce":
        return f"reduce({model.get('reducer', '?')}): ${expression}"
    if kind in ("threshold", "classic_conditions"):
        evaluators = []
        for condition in model.get("conditions") or ():
            evaluator = condition.get("evaluator") if isinstance(condition, Mapping) else None
            if isinstance(evaluator, Mapping):
                evaluators.append(_evaluator(evaluator))
        subject = f"${expression} " if expression else ""
        return f"{kind}: {subject}{'; '.join(evaluators)}".rstrip()
    return f"{kind}: {expression}"


_OPERATORS = {"gt": ">", "lt": "<", "eq": "==", "ne": "!=", "gte": ">=", "lte": "<="}


def _evaluator(evaluator: Mapping[str, Any]) -> str:
    kind = str(evaluator.get("type") or "?")
    params = evaluator.get("params")
    params = params if isinstance(params, list) else []
    if kind in _OPERATORS and len(params) >= 1:
        return f"{_OPERATORS[kind]} {params[0]}"
    return f"{kind} {', '.join(str(p) for p in params)}".strip()
