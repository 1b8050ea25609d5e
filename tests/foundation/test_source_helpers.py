"""Query helpers named after a data source (``sql("uid")``) and the data source check settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pydis_dash.datasource import DataSource
from pydis_dash.errors import DefinitionError
from pydis_dash.model import Kind, Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.source_check import CheckEngine, SourceCheck
from pydis_dash.validate.runner import ValidateOptions, validate

MakeProject = Callable[[dict[str, str]], Path]

NAMED = """
from pydis_dash.grafana import Dashboard, Row, graphite, prometheus, sql

dashboard = Dashboard(uid="named", title="Named", rows=[Row("R", [
    sql("metricity").timeseries("By uid", "SELECT now() AS time, 1 AS value"),
    sql("Site database").table("By name", "SELECT 1 AS one"),
    prometheus("prometheus").stat("Up", "up", legend="{{job}}"),
    graphite("Graphite").timeseries("Commands", "stats_counts.bot.commands.*"),
])])
"""


def _by_uid(project: Path) -> dict[str, Resource]:
    return {resource.ref.uid: resource for resource in load_resources(project)}


def test_helpers_resolve_uids_and_names_to_references(make_project: MakeProject) -> None:
    dashboard = _by_uid(make_project({"dashboards/named.py": NAMED}))["named"]
    sources = {p["title"]: p["datasource"] for p in dashboard.body["panels"] if p["type"] != "row"}
    assert sources == {
        "By uid": {"type": "grafana-postgresql-datasource", "uid": "metricity"},
        "By name": {"type": "grafana-postgresql-datasource", "uid": "site-db"},
        "Up": {"type": "prometheus", "uid": "prometheus"},
        "Commands": {"type": "graphite", "uid": "graphite"},
    }
    assert [str(ref) for ref in dashboard.depends_on] == [
        "grafana-datasource/graphite",
        "grafana-datasource/metricity",
        "grafana-datasource/prometheus",
        "grafana-datasource/site-db",
    ]


ON_VARIABLES = """
from pydis_dash.grafana import Dashboard, graphite, prometheus, raw_variable, sql

dashboard = Dashboard(uid="any-env", title="Any environment", variables=[
    raw_variable({"name": "ds", "type": "datasource", "query": "prometheus"}),
    raw_variable({"name": "pg", "type": "datasource", "query": "grafana-postgresql-datasource"}),
    raw_variable({"name": "gr", "type": "datasource", "query": "graphite"}),
], panels=[
    prometheus("${ds}").stat("Up", "up"),
    sql("$pg").table("One", "SELECT 1 AS one"),
    graphite("[[gr]]").timeseries("Commands", "stats_counts.bot.commands.*"),
])
"""


def test_a_data_source_variable_is_kept_with_the_helpers_plugin(make_project: MakeProject) -> None:
    project = make_project({"dashboards/any_env.py": ON_VARIABLES})
    dashboard = _by_uid(project)["any-env"]
    panels = dashboard.body["panels"]
    assert [(p["datasource"], [t["datasource"] for t in p["targets"]]) for p in panels] == [
        ({"type": "prometheus", "uid": "${ds}"}, [{"type": "prometheus", "uid": "${ds}"}]),
        (
            {"type": "grafana-postgresql-datasource", "uid": "$pg"},
            [{"type": "grafana-postgresql-datasource", "uid": "$pg"}],
        ),
        ({"type": "graphite", "uid": "[[gr]]"}, [{"type": "graphite", "uid": "[[gr]]"}]),
    ]
    assert dashboard.depends_on == ()  # no project data source: whichever one is chosen on the dashboard
    report = validate([dashboard], ValidateOptions(engines=False), context=load_resources(project))
    assert [f"{f.rule}: {f.message}" for f in report.errors] == []


def test_a_project_helper_package_binds_sources_once_for_every_folder(make_project: MakeProject) -> None:
    project = make_project(
        {
            "dashboards/_shop/__init__.py": 'from pydis_dash.grafana import sql\n\norders = sql("metricity")\n',
            "dashboards/deep/inside/sales.py": """
            from _shop import orders

            from pydis_dash.grafana import Dashboard, Row

            dashboard = Dashboard(uid="sales", title="Sales", rows=[Row("R", [
                orders.stat("Orders", "SELECT 1 AS n"),
            ])])
            """,
        }
    )
    sales = _by_uid(project)["sales"]
    assert sales.body["panels"][1]["datasource"] == {"type": "grafana-postgresql-datasource", "uid": "metricity"}
    # The panel's line is where the author called the helper, not the helper package.
    assert str(sales.location_of("/panels/1")) == "dashboards/deep/inside/sales.py:6"


def test_helper_packages_are_imported_afresh_on_each_load(make_project: MakeProject) -> None:
    first = make_project({"dashboards/_shop/__init__.py": "TITLE = 'first'\n", "dashboards/a.py": DASHBOARD_OF_TITLE})
    assert _by_uid(first)["t"].title == "first"
    (first / "dashboards/_shop/__init__.py").write_text("TITLE = 'second'\n")
    assert _by_uid(first)["t"].title == "second"


DASHBOARD_OF_TITLE = """
from _shop import TITLE

from pydis_dash.grafana import Dashboard

dashboard = Dashboard(uid="t", title=TITLE)
"""


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            'sql("nope")',
            "unknown data source 'nope' in sql(...) (known uids: graphite, metricity, prometheus, site-db)",
        ),
        ('sql("prometheus")', "data source 'prometheus' is of type 'prometheus', which sql(...) cannot query"),
        ("sql", 'name the data source first: sql("uid").stat(...)'),
    ],
)
def test_bad_data_source_is_an_error_at_the_panel_line(make_project: MakeProject, call: str, message: str) -> None:
    source = f"""
    from pydis_dash.grafana import Dashboard, Row, sql

    dashboard = Dashboard(uid="bad", title="Bad", rows=[Row("R", [
        {call}.stat("Count", "SELECT 1"),
    ])])
    """
    project = make_project({"dashboards/bad.py": source})
    with pytest.raises(DefinitionError) as caught:
        load_resources(project)
    assert str(caught.value) == f"dashboards/bad.py:4: panel 'Count': {message}"


def test_yaml_check_settings_are_resolved_beside_the_file(make_project: MakeProject) -> None:
    project = make_project(
        {
            "datasources/shop.yaml": """
            uid: shop
            name: Shop
            type: grafana-postgresql-datasource
            url: shop-db:5432
            database: shop
            metabase_database: Shop analytics
            check:
              engine: postgres
              schema: shop/schema.sql
              live_url_env: SHOP_DSN
            """,
            "datasources/shop/schema.sql": "CREATE TABLE orders (id int);\n",
        }
    )
    shop = _by_uid(project)["shop"]
    assert shop.kind is Kind.GRAFANA_DATASOURCE
    assert shop.metabase_database == "Shop analytics"
    assert shop.check == SourceCheck(
        engine=CheckEngine.POSTGRES,
        schema=(project / "datasources/shop/schema.sql").resolve(),
        live_url_env="SHOP_DSN",
    )
    # Neither setting is sent to Grafana.
    assert "check" not in shop.body and "metabase_database" not in shop.body


@pytest.mark.parametrize(
    ("check", "message"),
    [
        ("{engine: mysql}", "check engine must be one of postgres, prometheus, graphite, not 'mysql'"),
        ("{engine: prometheus}", "check engine 'prometheus' cannot run 'grafana-postgresql-datasource' queries"),
        ("{engine: postgres, schema: missing.sql}", "check schema file"),
        ("{engine: postgres, live_url_env: 'postgres://u:p@h/db'}", "live_url_env must name an environment variable"),
        ("{engine: postgres, colour: red}", "unknown check setting(s): colour"),
    ],
)
def test_bad_check_settings_name_the_file_and_source(make_project: MakeProject, check: str, message: str) -> None:
    source = f"uid: shop\nname: Shop\ntype: grafana-postgresql-datasource\nurl: shop:5432\ncheck: {check}\n"
    project = make_project({"datasources/shop.yaml": source})
    with pytest.raises(DefinitionError) as caught:
        load_resources(project)
    assert str(caught.value).startswith("datasources/shop.yaml: shop: ")
    assert message in str(caught.value)
    assert "u:p@h" not in str(caught.value)


def test_python_data_source_takes_the_same_settings(make_project: MakeProject) -> None:
    project = make_project(
        {
            "datasources/metrics.py": """
            from pydis_dash.datasource import DataSource
            from pydis_dash.source_check import SourceCheck

            metrics = DataSource(
                uid="metrics",
                name="Metrics",
                type="prometheus",
                url="http://metrics:9090",
                check=SourceCheck(engine="prometheus", schema="metrics/series.txt"),
            )
            """,
            "datasources/metrics/series.txt": "up\n",
        }
    )
    check = _by_uid(project)["metrics"].check
    assert check == SourceCheck(CheckEngine.PROMETHEUS, schema=(project / "datasources/metrics/series.txt").resolve())


def test_python_check_mapping_with_a_bad_engine_is_an_error_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match=r"test_source_helpers.py:\d+: datasource 'm': check engine must be"):
        DataSource(uid="m", name="M", type="prometheus", url="http://m", check={"engine": "loki"})


def test_question_names_its_data_source_or_metabase_database(make_project: MakeProject) -> None:
    question = """
    from pydis_dash.metabase import Question

    by_uid = Question(key="by-uid", name="A", collection=None, database="metricity", sql="SELECT 1")
    by_name = Question(key="by-db-name", name="B", collection=None, database="METRICITY", sql="SELECT 1")
    unknown = Question(key="other", name="C", collection=None, database="Sample Database", sql="SELECT 1")
    """
    resources = _by_uid(make_project({"dashboards/metabase/q.py": question}))
    for key in ("by-uid", "by-db-name"):
        body = resources[key].body
        assert body["dataset_query"]["database"] == "Metricity"
        assert body["pydis-dash"]["datasource_uid"] == "metricity"
    other = resources["other"].body
    assert other["dataset_query"]["database"] == "Sample Database"
    assert "datasource_uid" not in other["pydis-dash"]
