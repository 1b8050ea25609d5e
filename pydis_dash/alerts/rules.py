"""Alert rules: a query, a threshold, and what to say and whom to tell when it is crossed.

    prometheus_rule("Site p95 latency high", expr="histogram_quantile(0.95, ...)", above=1.0,
                    for_="15m", severity="low", summary="p95 latency above 1 s for 15 minutes")

Each rule renders to Grafana's ``ProvisionedAlertRule``: the query as ``A`` (on its data source), then two
server-side expressions, ``B`` reducing each series of ``A`` to one number and ``C`` comparing that
number with the threshold; ``C`` is the rule's condition. Authors never write ``refId``s or uids.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydis_dash.conventions.alerting import EXPRESSION_UID, is_valid_uid, rule_uid
from pydis_dash.conventions.durations import canonical_duration, duration_problem, parse_duration
from pydis_dash.datasource_ref import SourceName, UnresolvedSource
from pydis_dash.definition import caller_location
from pydis_dash.errors import DefinitionError
from pydis_dash.grafana.queries import read_sql
from pydis_dash.model import SourceLocation
from pydis_dash.render.plain import deep_merge

#: Grafana's ``orgID`` for every rule: pydis-dash deploys into the token's organisation, the first.
ORG_ID = 1
#: The data source uid Grafana uses for server-side expressions.
_EXPRESSION_DATASOURCE = {"type": EXPRESSION_UID, "uid": EXPRESSION_UID}
# Grafana fills these into every query model it stores; rendering them keeps desired == live.
_MODEL_DEFAULTS = {"intervalMs": 1000, "maxDataPoints": 43200}

NO_DATA_STATES = ("NoData", "Alerting", "OK", "KeepLast")
EXEC_ERR_STATES = ("Error", "Alerting", "OK", "KeepLast")
#: Reducers of Grafana's reduce expression.
REDUCERS = ("last", "mean", "min", "max", "sum", "count")
#: Grafana's longest rule title and rule group name.
MAX_TITLE = 190
# Keyword options every rule helper accepts (besides its query and threshold).
_OPTIONS = frozenset(
    {
        "for_",
        "severity",
        "summary",
        "description",
        "runbook_url",
        "labels",
        "annotations",
        "also_notify",
        "no_data_state",
        "exec_err_state",
        "uid",
        "live_uid",
        "reducer",
        "lookback",
        "paused",
        "extra",
    }
)


@dataclass(frozen=True)
class Threshold:
    """The comparison of expression ``C``: ``gt`` (above) or ``lt`` (below) a value."""

    kind: str
    value: float


@dataclass(frozen=True)
class AlertRule:
    """One alert rule of a :class:`~pydis_dash.alerts.RuleGroup`; build it with :func:`prometheus_rule`,
    :func:`graphite_rule` or :func:`sql_rule`.

    ``datasource`` is the data source ``query`` (the query model without ``refId``) runs on: a
    ``{"type", "uid"}`` reference, or a :class:`~pydis_dash.datasource_ref.SourceName` resolved when the
    group renders. ``lookback`` is how far back the query reads (``relativeTimeRange``); ``reducer``
    turns each series into one number before the threshold. ``extra`` is merged into the rendered rule last:
    anything the helpers do not cover (e.g. ``notification_settings``).
    """

    title: str
    datasource: Mapping[str, str] | SourceName
    query: Mapping[str, Any]
    threshold: Threshold
    for_: str = "5m"
    severity: str | None = None
    summary: str = ""
    description: str = ""
    runbook_url: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    no_data_state: str = "NoData"
    exec_err_state: str = "Error"
    uid: str | None = None
    live_uid: str | None = None
    reducer: str = "last"
    lookback: str = "10m"
    paused: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)
    defined_at: SourceLocation = field(default_factory=caller_location)

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise DefinitionError(problem, self.defined_at, f"alert rule {self.title!r}")

    def _problem(self) -> str | None:
        if not self.title.strip() or len(self.title) > MAX_TITLE:
            return f"title must be 1-{MAX_TITLE} characters"
        problem = duration_problem("for_", self.for_) or duration_problem("lookback", self.lookback)
        if problem:
            return problem
        if parse_duration(self.lookback) == 0:
            return "lookback must be longer than 0s: the query needs a time range to read"
        if self.no_data_state not in NO_DATA_STATES:
            return f"no_data_state must be one of {', '.join(NO_DATA_STATES)}, not {self.no_data_state!r}"
        if self.exec_err_state not in EXEC_ERR_STATES:
            return f"exec_err_state must be one of {', '.join(EXEC_ERR_STATES)}, not {self.exec_err_state!r}"
        if self.reducer not in REDUCERS:
            return f"reducer must be one of {', '.join(REDUCERS)}, not {self.reducer!r}"
        for what, mapping in (("labels", self.labels), ("annotations", self.annotations)):
            if not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
                return f"{what} must map strings to strings"
        if self.uid is not None and not is_valid_uid(rule_uid("", "", "", self.uid)):
            return "uid must be letters, digits, '-' and '_', at most 29 characters (pydis-dash adds 'pydis-dash-')"
        if self.live_uid is not None and (self.uid is not None or not is_valid_uid(self.live_uid)):
            return "live_uid must be an existing rule's uid (letters, digits, '-' and '_'), and comes without uid="
        return None

    @property
    def all_labels(self) -> dict[str, str]:
        """The rule's labels, ``severity`` included."""
        labels = dict(self.labels)
        if self.severity is not None:
            labels["severity"] = self.severity
        return labels

    def render(
        self, folder: str, folder_uid: str, group: str, known: Mapping[str, Mapping[str, str]] | None = None
    ) -> dict[str, Any]:
        """The ``ProvisionedAlertRule`` JSON for this rule in ``group`` of folder ``folder`` (path).

        ``known`` maps the project's data source names and uids to references (a named data source
        resolves against it); an unknown one is a :class:`DefinitionError` at the rule's line.
        """
        annotations = dict(self.annotations)
        for key, value in (
            ("summary", self.summary),
            ("description", self.description),
            ("runbook_url", self.runbook_url),
        ):
            if value:
                annotations[key] = value
        rule: dict[str, Any] = {
            "uid": self.live_uid or rule_uid(folder, group, self.title, self.uid),
            "title": self.title,
            "condition": "C",
            "data": self._data(self._datasource(known or {})),
            "for": canonical_duration(self.for_),
            "labels": self.all_labels,
            "annotations": annotations,
            "noDataState": self.no_data_state,
            "execErrState": self.exec_err_state,
            "isPaused": self.paused,
            "folderUID": folder_uid,
            "ruleGroup": group,
            "orgID": ORG_ID,
        }
        return deep_merge(rule, self.extra)

    def _datasource(self, known: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
        if not isinstance(self.datasource, SourceName):
            return dict(self.datasource)
        try:
            return self.datasource.resolve(known)
        except UnresolvedSource as exc:
            raise DefinitionError(str(exc), self.defined_at, f"alert rule {self.title!r}") from None

    def _data(self, datasource: Mapping[str, str]) -> list[dict[str, Any]]:
        query = {
            "refId": "A",
            "queryType": "",
            "relativeTimeRange": {"from": parse_duration(self.lookback), "to": 0},
            "datasourceUid": datasource["uid"],
            "model": {**_MODEL_DEFAULTS, **self.query, "datasource": dict(datasource), "refId": "A"},
        }
        reduce = _expression("B", {"type": "reduce", "expression": "A", "reducer": self.reducer})
        threshold = _expression(
            "C",
            {
                "type": "threshold",
                "expression": "B",
                "conditions": [{"evaluator": {"type": self.threshold.kind, "params": [self.threshold.value]}}],
            },
        )
        return [query, reduce, threshold]


def _expression(ref_id: str, model: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "refId": ref_id,
        "queryType": "",
        # Grafana returns a zero range for expressions (they read their inputs, not a data source).
        "relativeTimeRange": {"from": 0, "to": 0},
        "datasourceUid": EXPRESSION_UID,
        "model": {**_MODEL_DEFAULTS, **model, "datasource": dict(_EXPRESSION_DATASOURCE), "refId": ref_id},
    }


def threshold_of(above: float | None, below: float | None, where: SourceLocation, title: str) -> Threshold:
    """The :class:`Threshold` for exactly one of ``above``/``below``; a DefinitionError otherwise."""
    if (above is None) == (below is None):
        raise DefinitionError("give exactly one of above= or below=", where, f"alert rule {title!r}")
    kind, value = ("gt", above) if above is not None else ("lt", below)
    assert value is not None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise DefinitionError(f"threshold must be a finite number, not {value!r}", where, f"alert rule {title!r}")
    return Threshold(kind, float(value))


# Plugin ids each rule helper queries (Grafana renamed its PostgreSQL plugin; both ids are accepted).
_PROMQL_TYPES = frozenset({"prometheus"})
_GRAPHITE_TYPES = frozenset({"graphite"})
_SQL_TYPES = frozenset({"grafana-postgresql-datasource", "postgres"})

DatasourceArg = Mapping[str, str] | str | None


def _source(datasource: DatasourceArg, helper: str, plugin_types: frozenset[str]) -> Mapping[str, str] | SourceName:
    """A reference as given, or the name (None: the only data source of ``plugin_types``) to resolve."""
    if isinstance(datasource, Mapping):
        return datasource
    return SourceName(datasource, helper, plugin_types)


def _rule(
    title: str,
    datasource: Mapping[str, str] | SourceName,
    query: Mapping[str, Any],
    above: float | None,
    below: float | None,
    options: dict[str, Any],
    where: SourceLocation,
) -> AlertRule:
    unknown = sorted(set(options) - _OPTIONS)
    if unknown:
        raise DefinitionError(
            f"unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(_OPTIONS))}",
            where,
            f"alert rule {title!r}",
        )
    labels = dict(options.pop("labels", None) or {})
    also_notify = options.pop("also_notify", None)
    if also_notify is not None:
        labels["additional_destination"] = also_notify
    return AlertRule(
        title=title,
        datasource=datasource if isinstance(datasource, SourceName) else dict(datasource),
        query=query,
        threshold=threshold_of(above, below, where, title),
        labels=labels,
        defined_at=where,
        **options,
    )


def prometheus_rule(
    title: str,
    expr: str,
    *,
    above: float | None = None,
    below: float | None = None,
    datasource: DatasourceArg = None,
    **options: Any,
) -> AlertRule:
    """A rule on a PromQL expression, evaluated as an instant query; fires per series crossing the threshold.

    ``datasource`` names the data source (uid or name, or a ``{"type", "uid"}`` reference); left out,
    it is the project's only Prometheus data source. ``options``: ``for_``, ``severity``, ``summary``,
    ``description``, ``runbook_url``, ``labels``, ``annotations``, ``also_notify`` (sets the
    ``additional_destination`` label), ``no_data_state``, ``exec_err_state``, ``uid``, ``live_uid`` (an
    existing rule's uid, kept as is: ``pydis-dash import`` writes it for a rule it adopts), ``reducer``,
    ``lookback``, ``paused``, ``extra``.
    """
    query = {"editorMode": "code", "expr": expr, "instant": True, "range": False}
    return _rule(
        title,
        _source(datasource, "prometheus_rule", _PROMQL_TYPES),
        query,
        above,
        below,
        dict(options),
        caller_location(),
    )


def graphite_rule(
    title: str,
    target: str,
    *,
    above: float | None = None,
    below: float | None = None,
    datasource: DatasourceArg = None,
    **options: Any,
) -> AlertRule:
    """A rule on a Graphite target; each series is reduced (``reducer``, default ``last``) over ``lookback``.

    ``options`` as for :func:`prometheus_rule`.
    """
    query = {"target": target, "textEditor": True}
    return _rule(
        title,
        _source(datasource, "graphite_rule", _GRAPHITE_TYPES),
        query,
        above,
        below,
        dict(options),
        caller_location(),
    )


def sql_rule(
    title: str,
    sql: str,
    *,
    above: float | None = None,
    below: float | None = None,
    datasource: DatasourceArg = None,
    **options: Any,
) -> AlertRule:
    """A rule on a SQL query (or a ``.sql`` file beside the definition) returning numbers.

    The query runs as a table: each row is one alert instance, its text columns become labels and its
    numeric column is compared with the threshold. ``$__timeFilter(column)`` limits it to ``lookback``.
    ``options`` as for :func:`prometheus_rule`.
    """
    where = caller_location()
    sql = read_sql(sql, where.path.parent, f"alert rule {title!r}")
    query = {"editorMode": "code", "format": "table", "rawQuery": True, "rawSql": sql}
    return _rule(title, _source(datasource, "sql_rule", _SQL_TYPES), query, above, below, dict(options), where)
