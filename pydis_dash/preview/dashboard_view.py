"""A Grafana dashboard as the preview page draws it: panels on the 24-column grid, rows, variables.

Panels are placed exactly where Grafana puts them: ``x/24`` of the grid's width from the left, ``y``
grid rows of :data:`ROW_HEIGHT_PX` from the top, ``w/24`` wide and ``h`` rows high. Panels inside a
collapsed row are drawn in a grid of their own under the dashboard (Grafana hides them until the row is
opened), shifted up so the row's first line is at the top, and keep their real gridPos in data attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from pydis_dash.model import Resource, json_pointer
from pydis_dash.plan import canonical_json
from pydis_dash.preview.chart_spec import chart_spec
from pydis_dash.preview.fragments import (
    QueryView,
    ThresholdView,
    assign_findings,
    datasource_label,
    datasource_type,
    query_view,
    thresholds,
)
from pydis_dash.preview.highlight import highlight
from pydis_dash.preview.panel_data import PanelFrames
from pydis_dash.validate.datasources import language_of
from pydis_dash.validate.findings import Finding

GRID_COLUMNS = 24
#: Height of one grid row in the preview, in CSS pixels (Grafana: 30 px cells plus 8 px margins).
ROW_HEIGHT_PX = 38


@dataclass(frozen=True)
class PanelView:
    """One panel (or row) with its position and everything the page says about it."""

    pointer: str
    anchor: str
    panel_id: Any
    title: str
    type: str
    x: int
    y: int
    w: int
    h: int
    is_row: bool
    collapsed: bool
    description: str
    unit: str | None
    datasource: str | None
    thresholds: tuple[ThresholdView, ...]
    queries: tuple[QueryView, ...]
    findings: tuple[Finding, ...]
    raw_json: str
    nested: int = 0
    chart: Markup | None = None

    def style(self, y_offset: int = 0) -> str:
        """The box's absolute position: percentages across, pixels down."""
        return (
            f"left: {self.x * 100 / GRID_COLUMNS:.6f}%; width: {self.w * 100 / GRID_COLUMNS:.6f}%; "
            f"top: {(self.y - y_offset) * ROW_HEIGHT_PX}px; height: {self.h * ROW_HEIGHT_PX}px"
        )

    @property
    def worst(self) -> str:
        """``error``, ``warning`` or ``""``: the CSS class of the box's findings badge."""
        severities = {f.severity.value for f in self.findings}
        return "error" if "error" in severities else "warning" if severities else ""


@dataclass(frozen=True)
class GridView:
    """Panels drawn on one grid: the dashboard's, or a collapsed row's."""

    title: str | None
    panels: tuple[PanelView, ...]
    y_offset: int

    @property
    def height_px(self) -> int:
        """The grid's height: down to the lowest panel's bottom edge."""
        bottom = max((p.y + p.h for p in self.panels), default=self.y_offset)
        return (bottom - self.y_offset) * ROW_HEIGHT_PX


@dataclass(frozen=True)
class VariableView:
    """One template variable: its name, type, options and (for query variables) its query."""

    pointer: str
    name: str
    label: str
    type: str
    multi: bool
    include_all: bool
    current: str
    options: tuple[str, ...]
    query: Markup | None
    datasource: str | None
    hidden: bool
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class DashboardView:
    """Everything the dashboard page shows."""

    grid: GridView
    collapsed_rows: tuple[GridView, ...]
    panels: tuple[PanelView, ...]
    unplaced: tuple[PanelView, ...]
    variables: tuple[VariableView, ...]
    findings: tuple[Finding, ...]
    tags: tuple[str, ...]
    time: str
    description: str


def dashboard_view(resource: Resource, findings: Sequence[Finding], frames: PanelFrames | None = None) -> DashboardView:
    """Lay out a dashboard resource's panels and attach each finding to its panel or variable.

    With ``frames`` (the panels' query results on sample data, by panel pointer), each panel of a
    drawn type carries the spec of its chart; without, boxes show their query text.
    """
    body = resource.body
    raw_panels = _panels(body)
    variables = _variables(body)
    pointers = [pointer for pointer, _, _ in raw_panels] + [pointer for pointer, _ in variables]
    pointers += [child for _, _, children in raw_panels for child, _ in children]
    owned, rest = assign_findings(findings, pointers)
    top: list[PanelView] = []
    unplaced: list[PanelView] = []
    collapsed: list[GridView] = []
    for pointer, panel, children in raw_panels:
        view = _with_chart(_panel_view(pointer, panel, owned.get(pointer, ()), len(children)), panel, frames)
        if view is None:
            unplaced.append(_unplaced(pointer, panel, owned.get(pointer, ())))
            continue
        top.append(view)
        if children:
            inner = [_with_chart(_panel_view(p, c, owned.get(p, ()), 0), c, frames) for p, c in children]
            placed = tuple(v for v in inner if v is not None)
            collapsed.append(GridView(view.title, placed, view.y + view.h))
    all_panels = tuple(top) + tuple(p for grid in collapsed for p in grid.panels)
    return DashboardView(
        grid=GridView(None, tuple(top), 0),
        collapsed_rows=tuple(collapsed),
        panels=all_panels,
        unplaced=tuple(unplaced),
        variables=tuple(_variable_view(p, v, owned.get(p, ())) for p, v in variables),
        findings=rest,
        tags=tuple(str(t) for t in body.get("tags", ()) if isinstance(t, str)),
        time=_time_range(body.get("time")),
        description=str(body.get("description") or ""),
    )


PanelEntry = tuple[str, Mapping[str, Any], list[tuple[str, Mapping[str, Any]]]]


def _panels(body: Mapping[str, Any]) -> list[PanelEntry]:
    """Top-level panels with their pointers, each with the panels a collapsed row holds."""
    entries: list[PanelEntry] = []
    panels = body.get("panels")
    for index, panel in enumerate(panels if isinstance(panels, list) else ()):
        if not isinstance(panel, Mapping):
            continue
        pointer = json_pointer("panels", index)
        nested = panel.get("panels") if panel.get("type") == "row" else None
        children = [
            (json_pointer("panels", index, "panels", i), child)
            for i, child in enumerate(nested if isinstance(nested, list) else ())
            if isinstance(child, Mapping)
        ]
        entries.append((pointer, panel, children))
    return entries


def _grid_pos(panel: Mapping[str, Any]) -> tuple[int, int, int, int] | None:
    pos = panel.get("gridPos")
    if not isinstance(pos, Mapping):
        return None
    values = [pos.get(key) for key in ("x", "y", "w", "h")]
    numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    if len(numbers) != 4:
        return None
    x, y, w, h = numbers
    return x, y, w, h


def _panel_view(pointer: str, panel: Mapping[str, Any], findings: tuple[Finding, ...], nested: int) -> PanelView | None:
    position = _grid_pos(panel)
    if position is None:
        return None
    x, y, w, h = position
    return _view(pointer, panel, findings, nested, x, y, w, h)


def _with_chart(view: PanelView | None, panel: Mapping[str, Any], frames: PanelFrames | None) -> PanelView | None:
    if view is None or frames is None or view.is_row:
        return view
    return replace(view, chart=chart_spec(panel, frames.get(view.pointer, ())))


def _unplaced(pointer: str, panel: Mapping[str, Any], findings: tuple[Finding, ...]) -> PanelView:
    return _view(pointer, panel, findings, 0, 0, 0, 0, 0)


def _view(
    pointer: str,
    panel: Mapping[str, Any],
    findings: tuple[Finding, ...],
    nested: int,
    x: int,
    y: int,
    w: int,
    h: int,
) -> PanelView:
    is_row = panel.get("type") == "row"
    field_config = panel.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, Mapping) else None
    defaults = defaults if isinstance(defaults, Mapping) else {}
    targets = panel.get("targets")
    queries = [
        query_view(target, panel.get("datasource"), index)
        for index, target in enumerate(targets if isinstance(targets, list) else ())
        if isinstance(target, Mapping)
    ]
    unit = defaults.get("unit")
    return PanelView(
        pointer=pointer,
        anchor="panel" + pointer.replace("/", "-"),
        panel_id=panel.get("id"),
        title=str(panel.get("title") or ("(untitled row)" if is_row else "(untitled panel)")),
        type=str(panel.get("type") or "?"),
        x=x,
        y=y,
        w=w,
        h=h,
        is_row=is_row,
        collapsed=bool(panel.get("collapsed")),
        description=str(panel.get("description") or ""),
        unit=unit if isinstance(unit, str) and unit else None,
        datasource=None if is_row and not panel.get("datasource") else datasource_label(panel.get("datasource")),
        thresholds=thresholds(defaults),
        queries=tuple(q for q in queries if q is not None),
        findings=findings,
        raw_json=canonical_json(panel),
        nested=nested,
    )


def _variables(body: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    templating = body.get("templating")
    entries = templating.get("list") if isinstance(templating, Mapping) else None
    return [
        (json_pointer("templating", "list", index), variable)
        for index, variable in enumerate(entries if isinstance(entries, list) else ())
        if isinstance(variable, Mapping)
    ]


def _variable_view(pointer: str, variable: Mapping[str, Any], findings: tuple[Finding, ...]) -> VariableView:
    kind = str(variable.get("type") or "?")
    query = variable.get("query")
    if isinstance(query, Mapping):  # newer models keep the query text in an object
        query = next((query[k] for k in ("rawSql", "query", "expr", "target") if isinstance(query.get(k), str)), None)
    query_html = None
    if kind == "query" and isinstance(query, str) and query:
        query_html = highlight(query, language_of(datasource_type(variable.get("datasource"))))
    return VariableView(
        pointer=pointer,
        name=str(variable.get("name") or "?"),
        label=str(variable.get("label") or variable.get("name") or ""),
        type=kind,
        multi=bool(variable.get("multi")),
        include_all=bool(variable.get("includeAll")),
        current=_current(variable.get("current")),
        options=_options(variable, kind, query),
        query=query_html,
        datasource=datasource_label(variable.get("datasource")) if kind in ("query", "adhoc") else None,
        hidden=variable.get("hide") == 2,
        findings=findings,
    )


def _options(variable: Mapping[str, Any], kind: str, query: Any) -> tuple[str, ...]:
    """Options as Grafana lists them; custom/interval variables spell them in ``query`` too."""
    options = variable.get("options")
    if isinstance(options, list) and options:
        return tuple(_option_text(o) for o in options)
    if kind in ("custom", "interval") and isinstance(query, str):
        return tuple(part.strip() for part in query.split(",") if part.strip())
    if kind == "textbox" and isinstance(query, str) and query:
        return (query,)
    return ()


def _option_text(option: Any) -> str:
    if isinstance(option, Mapping):
        text, value = option.get("text"), option.get("value")
        return f"{text} = {value}" if text != value and value is not None else str(text)
    return str(option)


def _current(current: Any) -> str:
    if not isinstance(current, Mapping):
        return ""
    text = current.get("text")
    if isinstance(text, list):
        return ", ".join(str(t) for t in text)
    return str(text) if text is not None else ""


def _time_range(time: Any) -> str:
    if isinstance(time, Mapping) and time.get("from") and time.get("to"):
        return f"{time['from']} to {time['to']}"
    return ""
