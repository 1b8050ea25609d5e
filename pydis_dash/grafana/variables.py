"""Dashboard template variables. A project's own (its channels, its views) live in its helper module.

Each variable carries a realistic ``current`` value: Grafana shows it before the first refresh, and
``validate`` substitutes it into queries to check them on the real engines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Variable:
    """One entry of ``templating.list`` in Grafana's current model."""

    name: str
    type: str
    label: str | None = None
    query: Any = None
    datasource: Mapping[str, str] | str | None = None  # a reference, or a data source's uid or name
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
            # A uid or name stays a string: rendering resolves it against the project's data sources.
            data["datasource"] = self.datasource if isinstance(self.datasource, str) else dict(self.datasource)
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
    datasource: Mapping[str, str] | str,
    query_text: str,
    *,
    label: str | None = None,
    multi: bool = False,
    include_all: bool = False,
    sample: tuple[str, str] | None = None,
    regex: str | None = None,
) -> Variable:
    """A variable whose options come from a query on ``datasource`` (uid or name), refreshed when the time
    range changes."""
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
