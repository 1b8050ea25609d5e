"""Python Discord's own authoring shortcuts, shared by the dashboards and alerts of this project.

Panel helpers bound to the community's data sources (``metricity``, ``site_db``, ``prometheus``,
``graphite``: uids as in ``datasources/``), and its dashboard variables. The bot's statsd metrics are in
:mod:`_pydis.bot`. Definition files import this package as ``_pydis`` from any folder.
"""

from __future__ import annotations

from pydis_dash.grafana import graphite as graphite_panels
from pydis_dash.grafana import prometheus as prometheus_panels
from pydis_dash.grafana import sql
from pydis_dash.grafana.variables import Variable, query

METRICITY = "metricity"
SITE_DB = "site-db"
PROMETHEUS = "prometheus"
GRAPHITE = "graphite"

metricity = sql(METRICITY)
site_db = sql(SITE_DB)
prometheus = prometheus_panels(PROMETHEUS)
graphite = graphite_panels(GRAPHITE)


def metricity_channel(name: str = "channel", *, multi: bool = False, include_all: bool = False) -> Variable:
    """Public (non-staff, not deleted) Discord channels, shown by name, valued by id."""
    return query(
        name,
        METRICITY,
        "SELECT name AS __text, id AS __value FROM channels WHERE NOT is_staff AND NOT deleted ORDER BY name",
        label="Channel",
        multi=multi,
        include_all=include_all,
        sample=("python-general", "267624335836053506"),
    )


def metricity_category(name: str = "category", *, multi: bool = False, include_all: bool = False) -> Variable:
    """Public Discord categories, shown by name, valued by id."""
    return query(
        name,
        METRICITY,
        "SELECT DISTINCT c.name AS __text, c.id AS __value FROM categories c "
        "JOIN channels ch ON ch.category_id = c.id WHERE NOT ch.is_staff AND NOT c.deleted ORDER BY 1",
        label="Category",
        multi=multi,
        include_all=include_all,
        sample=("Python Help System", "1035199133436354600"),
    )


def bot_command(name: str = "command", *, multi: bool = True, include_all: bool = True) -> Variable:
    """The bot's commands, from the Graphite metric tree (``stats_counts.bot.commands.*``)."""
    return query(
        name, GRAPHITE, "stats_counts.bot.commands.*", label="Command", multi=multi,
        include_all=include_all, sample=("help", "help"),
    )  # fmt: skip


def bot_tag(name: str = "tag", *, multi: bool = True, include_all: bool = False) -> Variable:
    """The bot's tags, from the Graphite metric tree (``stats_counts.bot.tags.usages.*``)."""
    return query(
        name, GRAPHITE, "stats_counts.bot.tags.usages.*", label="Tag", multi=multi,
        include_all=include_all, sample=("pep8", "pep8"),
    )  # fmt: skip


def site_view(name: str = "view", *, multi: bool = True, include_all: bool = True) -> Variable:
    """The site's Django views, from django-prometheus's latency histogram labels."""
    return query(
        name,
        PROMETHEUS,
        "label_values(django_http_requests_latency_seconds_by_view_method_count, view)",
        label="View",
        multi=multi,
        include_all=include_all,
        sample=("home:home", "home:home"),
    )
