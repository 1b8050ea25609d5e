"""The tool knows nothing of one community: no Python Discord uid, database, table or metric name in
``pydis_dash/`` outside docstrings and comments.

The names are read from the project's own definitions (``datasources/``: data source uids and names,
databases, Metabase databases, the tables of each schema, the Prometheus series and Graphite paths; the
bot's statsd catalogue in ``dashboards/_pydis/``), so a name added to the project is covered too. Every
string literal of the package that is not a docstring is searched for them, as whole words.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from bundled_sources import DATASOURCES, GRAPHITE_METRICS, PROMETHEUS_SERIES, SQL_SCHEMAS, pydis_bot

from pydis_dash.grafana.bot import BotMetric

PACKAGE = Path(__file__).resolve().parents[2] / "pydis_dash"
# What every installation has, so the tool may name it: the products (Python Discord names two data
# sources after them, which are also Grafana's plugin ids) and Prometheus' own scrape metric.
UNIVERSAL = {"prometheus", "Prometheus", "graphite", "Graphite", "up"}


def community_names() -> set[str]:
    """Every name that belongs to Python Discord's definitions, not to the tool."""
    names: set[str] = set()
    for path in DATASOURCES.glob("*.yaml"):
        source = yaml.safe_load(path.read_text())
        names |= {source["uid"], source["name"]}
        names |= {source[key] for key in ("database", "metabase_database") if source.get(key)}
        names |= set((source.get("secrets") or {}).values())  # environment variable names
        names |= {source["check"]["live_url_env"]} if source.get("check", {}).get("live_url_env") else set()
    for schema in SQL_SCHEMAS.values():
        names |= set(re.findall(r"CREATE TABLE (?:public\.)?\"?(\w+)", schema.read_text()))
    names |= set(re.findall(r"^\w+ (\w+)\{", PROMETHEUS_SERIES.read_text(), flags=re.MULTILINE))
    for line in GRAPHITE_METRICS.read_text().splitlines():
        if line and not line.startswith("#"):
            names.add(".".join(line.split(".")[:3]))  # stats_counts.bot.commands: the tree's first levels
    bot = pydis_bot()
    names |= {metric.name for metric in vars(bot).values() if isinstance(metric, BotMetric)}
    names |= {name for _, name, _ in bot.STATSD_EXPORTER_MAPPINGS}
    return names - UNIVERSAL


def string_literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every string constant in a module that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_the_names_cover_the_communitys_definitions() -> None:
    names = community_names()
    # A sample of each kind, so a broken reader cannot make the search below vacuous.
    assert {"metricity", "site-db", "pysite", "Metricity", "api_infraction", "messages"} <= names
    assert {"PYDIS_METRICITY_DSN", "PYDIS_METRICITY_DB_PASSWORD"} <= names
    assert {"bot_command_calls", "django_http_requests_total_by_view_transport_method_total", "help.claimed"} <= names


def test_no_community_name_in_the_package_outside_docstrings() -> None:
    patterns = {name: re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-])") for name in community_names()}
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {name!r} in {text[:60]!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, text in string_literals(path)
        for name, pattern in patterns.items()
        if pattern.search(text)
    ]
    assert found == []
