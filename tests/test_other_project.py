"""A project that is not Python Discord's builds and validates with the public API and config alone.

Its data sources declare how they are checked (a PostgreSQL with its own schema, a Prometheus with its
own series, no Graphite); nothing in the package is edited. And adding a data source to Python
Discord's project is one file plus its schema: validate then checks a dashboard's SQL against it.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

from click.testing import CliRunner

from pydis_dash.cli import main

REPO_ROOT = Path(__file__).resolve().parents[1]

SHOP = {
    "datasources/shop.yaml": """
        # The shop's orders database.
        uid: shop
        name: Shop
        type: grafana-postgresql-datasource
        url: shop-db:5432
        database: shop
        metabase_database: Shop
        check:
          engine: postgres
          schema: shop/schema.sql
    """,
    "datasources/shop/schema.sql": """
        CREATE TABLE orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL, status text, total numeric);
    """,
    "datasources/metrics.yaml": """
        uid: metrics
        name: Metrics
        type: prometheus
        url: http://metrics:9090
        check:
          engine: prometheus
          schema: metrics/series.txt
    """,
    "datasources/metrics/series.txt": """
        @labels job="shop" instance="10.0.0.1:8000|10.0.0.2:8000"
        counter shop_orders_total{status="paid|refunded"}
        gauge shop_basket_items{} range=0..40
    """,
    "dashboards/sales.py": """
        from pydis_dash.grafana import Dashboard, Row, prometheus, sql

        orders = sql("shop")

        dashboard = Dashboard(uid="sales", title="Sales", folder="Shop", rows=[Row("Orders", [
            orders.timeseries(
                "Orders per day",
                "SELECT $__timeGroupAlias(placed_at, '1d'), count(*) AS orders FROM orders"
                " WHERE $__timeFilter(placed_at) GROUP BY 1 ORDER BY 1",
            ),
            orders.stat("Revenue", "SELECT sum(total) AS revenue FROM orders WHERE status = 'paid'"),
            prometheus("Metrics").timeseries(
                "Paid orders", 'sum(rate(shop_orders_total{status="paid"}[$__rate_interval]))', legend="paid"
            ),
        ])])
    """,
    "alerts/orders.py": """
        from pydis_dash.alerts import RuleGroup, prometheus_rule

        group = RuleGroup(folder="Shop", name="orders", interval="1m", rules=[
            prometheus_rule("No orders", 'sum(increase(shop_orders_total[1h]))', below=1, severity="page"),
        ])
    """,
    "dashboards/metabase/refunds.py": """
        from pydis_dash.metabase import Question

        refunds = Question(key="refunds", name="Refunds", collection="Shop", database="shop",
                           sql="SELECT id, total FROM orders WHERE status = 'refunded'")
    """,
}


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(content).lstrip())
    return root


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--project", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def test_another_communitys_project_builds(tmp_path: Path) -> None:
    root = write(tmp_path / "shop", SHOP)
    code, out, err = run(root, "build", "--out", str(tmp_path / "out"))
    assert code == 0, out + err
    dashboard = json.loads((tmp_path / "out/grafana-dashboard/sales.json").read_text())
    sources = [panel["datasource"] for panel in dashboard["panels"] if panel["type"] != "row"]
    assert sources == [
        {"type": "grafana-postgresql-datasource", "uid": "shop"},
        {"type": "grafana-postgresql-datasource", "uid": "shop"},
        {"type": "prometheus", "uid": "metrics"},
    ]
    [group] = (tmp_path / "out/grafana-rule-group").iterdir()
    rule = json.loads(group.read_text())["rules"][0]
    assert rule["data"][0]["datasourceUid"] == "metrics"  # the project's only Prometheus
    question = json.loads((tmp_path / "out/metabase-question/refunds.json").read_text())
    assert question["dataset_query"]["database"] == "Shop"


def test_another_communitys_project_validates_on_its_own_schema_and_series(tmp_path: Path) -> None:
    root = write(tmp_path / "shop", SHOP)
    code, out, err = run(root, "validate", "--format", "json")
    assert code == 0, out + err
    report = json.loads(out)
    assert report["findings"] == []
    assert report["summary"]["queries"] == {"sql": 3, "promql": 2}
    assert report["summary"]["engines"] == ["sql", "promql"]
    # The same queries, broken against the project's own schema and series: each engine says so.
    (root / "dashboards/sales.py").write_text(
        (root / "dashboards/sales.py")
        .read_text()
        .replace("sum(total)", "sum(totl)")
        .replace("shop_orders_total{", "shop_order_total{")
    )
    code, out, _ = run(root, "validate", "--format", "json", "--strict")
    assert code == 1
    messages = sorted((f["rule"], f["message"]) for f in json.loads(out)["findings"])
    assert [rule for rule, _ in messages] == ["PROMQL", "SQL"]
    assert 'column "totl" does not exist' in messages[1][1]
    assert "shop_order_total" in messages[0][1]


def test_a_second_postgresql_source_is_one_file_plus_its_schema(tmp_path: Path) -> None:
    root = tmp_path / "pydis"
    shutil.copytree(REPO_ROOT / "datasources", root / "datasources")
    write(
        root,
        {
            "datasources/warehouse.yaml": """
                uid: warehouse
                name: Warehouse
                type: grafana-postgresql-datasource
                url: warehouse:5432
                check:
                  engine: postgres
                  schema: warehouse/schema.sql
            """,
            "datasources/warehouse/schema.sql": "CREATE TABLE stock (sku text, quantity integer);\n",
            "dashboards/stock.py": """
                from pydis_dash.grafana import Dashboard, Row, sql

                dashboard = Dashboard(uid="stock", title="Stock", rows=[Row("Stock", [
                    sql("warehouse").table("Low stock", "SELECT sku, quantity FROM stock WHERE quantity < 5"),
                    sql("warehouse").table("Typo", "SELECT sku, qty FROM stock"),
                    sql("metricity").table("Wrong database", "SELECT sku FROM stock"),
                ])])
            """,
        },
    )
    code, out, err = run(root, "validate", "dashboards/stock.py", "--format", "json")
    assert code == 1, out + err
    findings = [(f["panel"], f["message"]) for f in json.loads(out)["findings"] if f["rule"] == "SQL"]
    assert [panel for panel, _ in findings] == ["Typo", "Wrong database"]
    assert 'column "qty" does not exist' in findings[0][1]
    assert 'relation "stock" does not exist' in findings[1][1]  # Metricity's schema has no such table
