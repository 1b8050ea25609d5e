"""Query extraction: rendered resources -> engine-neutral queries."""

from __future__ import annotations

from pathlib import Path

from validate_builders import (
    GRAPHITE,
    METRICITY,
    PROMETHEUS,
    TIME_SQL,
    dashboard,
    datasources,
    graphite_target,
    panel,
    prom_target,
    query_variable,
    row,
    sql_target,
)

from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.validate.datasources import DatasourceCatalog
from pydis_dash.validate.extract import dashboard_variables, extract_queries
from pydis_dash.validate.queries import Language, ResultShape, TemplateSyntax, Variable


def _queries(*resources: Resource):  # type: ignore[no-untyped-def]
    return extract_queries([*resources, *datasources()])


def test_targets_of_top_level_and_collapsed_panels_with_shapes() -> None:
    board = dashboard(
        [
            panel("Series", targets=[sql_target(TIME_SQL)]),
            panel("Stat", "stat", targets=[sql_target("SELECT 1", fmt="table")], grid=(12, 0, 12, 8)),
            row("Row", 8, [panel("Inner table", "table", datasource=PROMETHEUS, targets=[prom_target("up", "B")])]),
        ]
    )
    assert [(q.json_path, q.language, q.shape, q.panel, q.ref_id, q.datasource_uid) for q in _queries(board)] == [
        ("/panels/0/targets/0/rawSql", Language.SQL, ResultShape.TIME_SERIES, "Series", "A", "metricity"),
        ("/panels/1/targets/0/rawSql", Language.SQL, ResultShape.SINGLE_VALUE, "Stat", "A", "metricity"),
        ("/panels/2/panels/0/targets/0/expr", Language.PROMQL, ResultShape.TABLE, "Inner table", "B", "prometheus"),
    ]


def test_language_from_panel_datasource_from_uid_only_or_from_target_field() -> None:
    board = dashboard(
        [
            panel("Uid only", datasource={"uid": "graphite"}, targets=[{"refId": "A", "target": "a.b"}]),
            panel("Default data source", datasource=None, targets=[{"refId": "A", "expr": "up"}], grid=(12, 0, 12, 8)),
            panel(
                "Mixed",
                datasource={"type": "datasource", "uid": "-- Mixed --"},
                targets=[graphite_target("c.d"), sql_target(TIME_SQL, "B")],
                grid=(0, 8, 24, 8),
            ),
        ]
    )
    assert [(q.language, q.datasource_uid, q.text) for q in _queries(board)] == [
        (Language.GRAPHITE, "graphite", "a.b"),
        (Language.PROMQL, None, "up"),
        (Language.GRAPHITE, "graphite", "c.d"),
        (Language.SQL, "metricity", TIME_SQL),
    ]


def test_datasource_variable_resolves_to_its_plugin_and_current_value() -> None:
    ds_var = {"type": "datasource", "name": "ds", "query": "prometheus", "current": {"value": "prometheus"}}
    board = dashboard(
        [panel("Up", datasource={"uid": "${ds}"}, targets=[{"refId": "A", "expr": "up"}])], variables=[ds_var]
    )
    [query] = _queries(board)
    assert (query.language, query.datasource_uid) == (Language.PROMQL, "prometheus")


def test_variables_and_their_samples() -> None:
    variables = [
        query_variable(
            "channel", "SELECT id FROM channels", multi=True, includeAll=True, current={"value": ["$__all"]}
        ),
        query_variable("picked", "SELECT 1", current={"text": "general", "value": ["267", "268"]}),
        {"type": "custom", "name": "size", "query": "small : 5,big : 50"},
        {"type": "custom", "name": "words", "query": "a\\,b,c"},
        {"type": "interval", "name": "step", "query": "1h,6h,1d"},
        {"type": "textbox", "name": "user", "query": "123"},
        {"type": "constant", "name": "job", "query": "site"},
    ]
    assert dashboard_variables(dashboard([], variables=variables).body) == (
        Variable("channel", "query", multi=True, include_all=True, sample=None),
        Variable("picked", "query", sample="267"),
        Variable("size", "custom", sample="5"),
        Variable("words", "custom", sample="a,b"),
        Variable("step", "interval", sample="1h"),
        Variable("user", "textbox", sample="123"),
        Variable("job", "constant", sample="site"),
    )


def test_variable_queries_per_language() -> None:
    variables = [
        query_variable("channel", "SELECT id FROM channels"),
        query_variable("view", 'label_values(django_http_requests_total{job="site"}, view)', PROMETHEUS),
        query_variable("job", "label_values(job)", PROMETHEUS),
        query_variable("res", "query_result(topk(5, up))", PROMETHEUS),
        query_variable("cmd", "stats_counts.bot.commands.*", GRAPHITE),
        query_variable("obj", "ignored", METRICITY) | {"query": {"rawSql": "SELECT 2", "refId": "x"}},
    ]
    queries = _queries(dashboard([], variables=variables))
    assert [(q.json_path, q.language, q.text, q.shape) for q in queries] == [
        ("/templating/list/0/query", Language.SQL, "SELECT id FROM channels", ResultShape.TABLE),
        ("/templating/list/1/query", Language.PROMQL, 'django_http_requests_total{job="site"}', ResultShape.TABLE),
        ("/templating/list/3/query", Language.PROMQL, "topk(5, up)", ResultShape.TABLE),
        ("/templating/list/4/query", Language.GRAPHITE, "stats_counts.bot.commands.*", ResultShape.TABLE),
        ("/templating/list/5/query/rawSql", Language.SQL, "SELECT 2", ResultShape.TABLE),
    ]
    assert all(q.syntax is TemplateSyntax.GRAFANA and len(q.variables) == 6 for q in queries)


def test_alert_rule_queries_skip_expressions() -> None:
    group = Resource(
        ref=Ref(Kind.GRAFANA_RULE_GROUP, "db/postgres"),
        title="postgres",
        body={
            "rules": [
                {
                    "title": "Deadlocks",
                    "data": [
                        {
                            "refId": "A",
                            "datasourceUid": "prometheus",
                            "model": {"expr": "increase(pg_stat_database_deadlocks[1m])"},
                        },
                        {
                            "refId": "B",
                            "datasourceUid": "metricity",
                            "model": {"rawSql": "SELECT 1", "format": "table"},
                        },
                        {"refId": "C", "datasourceUid": "__expr__", "model": {"type": "threshold", "expression": "A"}},
                    ],
                }
            ]
        },
        source=SourceLocation(Path("alerts/db.py"), 1),
    )
    assert [(q.json_path, q.language, q.panel, q.ref_id, q.datasource_uid) for q in _queries(group)] == [
        ("/rules/0/data/0/model/expr", Language.PROMQL, "Deadlocks", "A", "prometheus"),
        ("/rules/0/data/1/model/rawSql", Language.SQL, "Deadlocks", "B", "metricity"),
    ]


def test_metabase_question_with_tags() -> None:
    tags = {
        "user_id": {
            "id": "u",
            "name": "user_id",
            "display-name": "User",
            "type": "text",
            "required": True,
            "default": None,
        },
        "top": {"id": "t", "name": "top", "display-name": "Top", "type": "number", "default": 10},
        "staff": {"id": "s", "name": "staff", "display-name": "Staff", "type": "boolean", "default": False},
        "channel": {
            "id": "c",
            "name": "channel",
            "display-name": "Channel",
            "type": "dimension",
            "dimension": ["field", "channels.name", None],
            "widget-type": "string/=",
        },
    }
    question = Resource(
        ref=Ref(Kind.METABASE_QUESTION, "nominee-channels"),
        title="Channels a nominee frequents",
        body={
            "dataset_query": {
                "type": "native",
                "database": "Metricity",
                "native": {"query": "SELECT 1 WHERE {{channel}} [[AND x = {{user_id}}]]", "template-tags": tags},
            }
        },
        source=SourceLocation(Path("dashboards/metabase/q.py"), 3),
    )
    # No renderer hint: the data source is the one whose metabase_database the question names.
    metricity = Resource(
        ref=Ref(Kind.GRAFANA_DATASOURCE, "metricity"),
        title="Metricity",
        body={"uid": "metricity", "name": "Metricity", "type": "grafana-postgresql-datasource"},
        source=SourceLocation(Path("datasources/metricity.yaml")),
        metabase_database="METRICITY",
    )
    [query] = extract_queries([question], DatasourceCatalog([metricity]))
    assert (query.json_path, query.syntax, query.datasource_uid, query.panel) == (
        "/dataset_query/native/query",
        TemplateSyntax.METABASE,
        "metricity",
        "Channels a nominee frequents",
    )
    assert query.variables == (
        Variable("user_id", "text", required=True),
        Variable("top", "number", sample="10"),
        Variable("staff", "boolean", sample="false"),
        Variable("channel", "dimension", field="channels.name"),
    )
