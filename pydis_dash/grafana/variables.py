"""Dashboard template variables, generic and community-specific.

Each variable carries a realistic ``current`` value: Grafana shows it before the first refresh, and
``validate`` substitutes it into queries to check them on the real engines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydis_dash.grafana.stores import GRAPHITE, METRICITY, PROMETHEUS


@dataclass(frozen=True)
class Variable:
    """One entry of ``templating.list`` in Grafana's current model."""

    name: str
    type: str
    label: str | None = None
    query: Any = None
    datasource: Mapping[str, str] | None = None
    multi: bool = False
    include_all: bool = False
    current: tuple[str, str] | None = None  # (text, value)
    options: Sequence[str] = ()
    refresh: int | None = None
    sort: int | None = None
    regex: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json_data(self) -> dict[str, Any]:
        """Grafana's ``VariableModel``."""
        data: dict[str, Any] = {"name": self.name, "type": self.type, "hide": 0}
        if self.label:
            data["label"] = self.label
        if self.query is not None:
            data["query"] = self.query
            if isinstance(self.query, str) and self.type == "query":
                data["definition"] = self.query
        if self.datasource is not None:
            data["datasource"] = dict(self.datasource)
        if self.type in {"query", "custom", "datasource"}:
            data["multi"] = self.multi
            data["includeAll"] = self.include_all
        if self.current is not None:
            text, value = self.current
            data["current"] = {"selected": False, "text": text, "value": value}
        if self.options:
            data["options"] = [
                {"selected": index == 0, "text": option, "value": option} for index, option in enumerate(self.options)
            ]
        optional: dict[str, int | str | None] = {
            "refresh": self.refresh,
            "sort": self.sort,
            "regex": self.regex,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        data.update(self.extra)
        return data


def query(
    name: str,
    datasource: Mapping[str, str],
    query_text: str,
    *,
    label: str | None = None,
    multi: bool = False,
    include_all: bool = False,
    sample: tuple[str, str] | None = None,
    regex: str | None = None,
) -> Variable:
    """A variable whose options come from a query (refreshed when the time range changes)."""
    return Variable(
        name, "query", label=label, query=query_text, datasource=datasource, multi=multi,
        include_all=include_all, current=sample, refresh=2, sort=1, regex=regex,
    )  # fmt: skip


def custom(name: str, values: Sequence[str], *, label: str | None = None, multi: bool = False) -> Variable:
    """A fixed list of values."""
    return Variable(
        name, "custom", label=label, query=",".join(values), multi=multi, options=values,
        current=(values[0], values[0]) if values else None,
    )  # fmt: skip


def textbox(name: str, default: str, *, label: str | None = None) -> Variable:
    """A free-text box (e.g. a user id staff paste in)."""
    return Variable(name, "textbox", label=label, query=default, current=(default, default))


def interval(name: str, values: Sequence[str] = ("1h", "6h", "1d", "7d"), *, label: str | None = None) -> Variable:
    """A bucket size choice, used as ``$__timeGroup(col, $bucket)``-style grouping."""
    return Variable(
        name, "interval", label=label, query=",".join(values), options=values,
        current=(values[0], values[0]), refresh=2,
    )  # fmt: skip


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
