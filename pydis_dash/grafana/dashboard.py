"""``Dashboard`` and ``Row``: a dashboard reads like an outline of what it shows."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import attr
import grafanalib.core as gl

from pydis_dash.argtypes import dataclass_problem
from pydis_dash.definition import Definition, RenderContext, caller_location, is_valid_uid
from pydis_dash.errors import DefinitionError
from pydis_dash.folders import folder_path, folder_resources
from pydis_dash.grafana.panels import Panel
from pydis_dash.model import Kind, Ref, Resource, SourceLocation, json_pointer
from pydis_dash.render.layout import GRID_COLUMNS, GridPos, LayoutItem, bottom, place
from pydis_dash.render.modernize import modernize_dashboard, resolve_ref
from pydis_dash.render.plain import JSON_SCALARS, deep_merge, to_plain


@dataclass(frozen=True)
class Row:
    """A titled row of panels; ``collapsed`` rows hide their panels until opened.

    ``extra`` is merged into the row's JSON (``repeat``, an ``id`` kept from an imported dashboard).
    """

    title: str
    panels: Sequence[Panel | Any]
    collapsed: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)
    defined_at: SourceLocation = field(default_factory=caller_location)

    def __post_init__(self) -> None:
        problem = dataclass_problem(self, skip=frozenset({"panels"})) or _panels_problem(self.panels)
        if problem:
            raise DefinitionError(problem, self.defined_at, f"row {self.title!r}")


@dataclass(frozen=True)
class Dashboard(Definition):
    """A Grafana dashboard: panels outside rows come first, then each row in order.

    ``folder`` is a ``/``-separated folder path (created as needed). ``folder_uid`` instead names an
    existing folder pydis-dash does not manage (made in the UI) by its uid: the dashboard stays in it and
    the folder is neither created nor changed (``pydis-dash import`` writes it for a dashboard in such a
    folder, so adopting the dashboard does not move it). ``lint_ignore`` maps lint rule ids to the
    reason they do not apply here. ``extra`` is merged into the rendered JSON last.
    """

    uid: str
    title: str
    folder: str | None = None
    folder_uid: str | None = None
    rows: Sequence[Row] = ()
    panels: Sequence[Panel | Any] = ()
    variables: Sequence[Any] = ()
    description: str = ""
    tags: Sequence[str] = ()
    time: tuple[str, str] = ("now-7d", "now")
    refresh: str = ""
    timezone: str = "utc"
    links: Sequence[Mapping[str, Any]] = ()
    lint_ignore: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        wrong_type = dataclass_problem(self, skip=frozenset({"uid", "rows", "panels", "variables"}))
        if wrong_type:
            raise DefinitionError(wrong_type, self.defined_at, self.identity)
        if not is_valid_uid(self.uid):
            raise DefinitionError(
                "uid must be 1-40 characters of letters, digits, '-' and '_'", self.defined_at, self.identity
            )
        if not self.title.strip():
            raise DefinitionError("title must not be empty", self.defined_at, self.identity)
        if self.folder_uid is not None and (self.folder or not is_valid_uid(self.folder_uid)):
            raise DefinitionError(
                "folder_uid must be a folder uid (1-40 letters, digits, '-' and '_') and comes without folder=",
                self.defined_at,
                self.identity,
            )
        problem = (
            _items_problem("rows", self.rows, lambda row: isinstance(row, Row), "Row(title, [panels])")
            or _panels_problem(self.panels)
            or _items_problem("variables", self.variables, _renders, "variables.query(...), variables.custom(...)")
        )
        if problem:
            raise DefinitionError(problem, self.defined_at, self.identity)

    @property
    def identity(self) -> str:
        """``dashboard 'uid'``."""
        return f"dashboard {self.uid!r}"

    def render(self, ctx: RenderContext) -> list[Resource]:
        """The dashboard (current Grafana model) and the folders it lives in."""
        source = ctx.relative(self.defined_at)
        panels, anchors = self._layout(ctx)
        legacy = gl.Dashboard(
            title=self.title,
            uid=self.uid,
            description=self.description,
            tags=list(self.tags),
            panels=panels,
            templating=gl.Templating(list=list(self.variables)),
            time=gl.Time(*self.time),
            timezone=self.timezone,
            refresh=self.refresh or None,
            links=list(self.links),
            graphTooltip=1,  # shared crosshair: the community compares series across panels
        )
        datasources = ctx.datasources
        body = modernize_dashboard(
            to_plain(legacy, drop_none=True), lambda value: resolve_ref(value, datasources), none_free=True
        )
        body = deep_merge(body, self.extra)
        resources = folder_resources(self.folder, source) if self.folder else []
        folder_ref = resources[-1].ref if resources else None
        if self.folder_uid:  # an existing folder: depended on (the dashboard is written into it), not rendered
            folder_ref = Ref(Kind.GRAFANA_FOLDER, self.folder_uid)
        resources.append(
            Resource(
                ref=Ref(Kind.GRAFANA_DASHBOARD, self.uid),
                title=self.title,
                body=body,
                source=source,
                container=folder_path(self.folder) if self.folder else None,
                anchors={ptr: ctx.relative(loc) for ptr, loc in anchors.items()},
                depends_on=((folder_ref,) if folder_ref else ()) + _datasources_used(body, datasources),
                lint_exclusions=dict(self.lint_ignore),
            )
        )
        return resources

    def _layout(self, ctx: RenderContext) -> tuple[list[Any], dict[str, SourceLocation]]:
        """grafanalib panels with gridPos set, and JSON pointer -> defining line for each."""
        out: list[Any] = []
        anchors: dict[str, SourceLocation] = {}
        top = self._place(list(self.panels), out, anchors, top=0, nested_in=None, known=ctx.datasources)
        for row in self.rows:
            row_index = len(out)
            anchors[json_pointer("panels", row_index)] = row.defined_at
            row_panel = gl.RowPanel(
                title=row.title, collapsed=row.collapsed, gridPos=gl.GridPos(1, 24, 0, top), extraJson=dict(row.extra)
            )
            out.append(row_panel)
            top += 1
            if row.collapsed:
                # Hidden panels keep the places they take when the row opens; the next row follows
                # directly, as Grafana stores a collapsed row (opening it pushes what follows down).
                children: list[Any] = []
                self._place(list(row.panels), children, anchors, top=top, nested_in=row_index, known=ctx.datasources)
                row_panel.panels = children
            else:
                top = self._place(list(row.panels), out, anchors, top=top, nested_in=None, known=ctx.datasources)
        return out, anchors

    def _place(
        self,
        items: list[Panel | Any],
        out: list[Any],
        anchors: dict[str, SourceLocation],
        top: int,
        nested_in: int | None,
        known: Mapping[str, Mapping[str, str]],
    ) -> int:
        specs = [item if isinstance(item, Panel) else _wrap_raw(item, self.defined_at) for item in items]
        for spec in specs:
            _check_size(spec)
            _check_source(spec, known)
        positions = place([LayoutItem(*spec.size, pinned=spec.grid_pos) for spec in specs], top=top)
        for spec, pos in zip(specs, positions, strict=True):
            placed = _with_grid_pos(spec.panel, gl.GridPos(h=pos.h, w=pos.w, x=pos.x, y=pos.y))
            if nested_in is None:
                anchors[json_pointer("panels", len(out))] = spec.defined_at
            else:
                anchors[json_pointer("panels", nested_in, "panels", len(out))] = spec.defined_at
            out.append(placed)
        return bottom(positions, top)


def _datasources_used(body: Mapping[str, Any], known: Mapping[str, dict[str, str]]) -> tuple[Ref, ...]:
    """Data sources the dashboard references (panels, targets, variables), so they deploy first."""
    uids: set[str] = set()

    def visit(node: Any) -> None:
        # Bodies are plain JSON (dicts and lists exactly): exact type tests, no ABC checks per value,
        # and no call for a scalar (most of a body).
        kind = type(node)
        if kind is dict:
            ref = node.get("datasource")
            if type(ref) is dict and isinstance(ref.get("uid"), str) and ref["uid"] in known:
                uids.add(known[ref["uid"]]["uid"])
            children: Iterable[Any] = node.values()
        elif kind is list:
            children = node
        elif isinstance(node, Mapping | list):  # a subclass (never produced by rendering today)
            children = [dict(node) if isinstance(node, Mapping) else list(node)]
        else:
            return
        for value in children:
            if type(value) not in JSON_SCALARS:
                visit(value)

    visit(body)
    return tuple(Ref(Kind.GRAFANA_DATASOURCE, uid) for uid in sorted(uids))


def _renders(value: object) -> bool:
    """Our objects and grafanalib's alike render through ``to_json_data``."""
    return callable(getattr(value, "to_json_data", None))


def _items_problem(what: str, items: object, accepts: Callable[[object], bool], expected: str) -> str | None:
    """Why ``items`` is not a list of what ``accepts`` takes (naming the first stray), or None."""
    if not isinstance(items, list | tuple):
        return f"{what} must be a list of {expected}: put it in [...]"
    strays = [item for item in items if not accepts(item)]
    return f"{what} must be a list of {expected}, not {type(strays[0]).__name__}" if strays else None


def _panels_problem(panels: object) -> str | None:
    return _items_problem(
        "panels", panels, lambda p: isinstance(p, Panel) or _renders(p), 'panels (sql("uid").stat(...), ...)'
    )


def _check_size(spec: Panel) -> None:
    """A width or height the grid cannot hold is an error at the panel's line (pinned ones are kept)."""
    width, height = spec.size
    if spec.grid_pos is None and not (1 <= width <= GRID_COLUMNS and height >= 1):
        raise DefinitionError(
            f"size {width}x{height} does not fit the {GRID_COLUMNS}-column grid (width 1-{GRID_COLUMNS}, height 1+)",
            spec.defined_at,
            f"panel {getattr(spec.panel, 'title', '')!r}",
        )


def _check_source(spec: Panel, known: Mapping[str, Mapping[str, str]]) -> None:
    """A data source a helper named must be one of the project's, of a type the helper can query."""
    problem = spec.source.problem(known) if spec.source is not None else None
    if problem:
        raise DefinitionError(problem, spec.defined_at, f"panel {getattr(spec.panel, 'title', '')!r}")


def _with_grid_pos(panel: Any, grid_pos: gl.GridPos) -> Any:
    """A copy of the grafanalib panel at ``grid_pos``: the author's object keeps its own (relative)
    gridPos, so rendering twice is stable. A shallow copy with the one field set, as ``attr.evolve``
    gives, without running every field's validator again (a third of placing a panel); anything
    else goes through ``attr.evolve`` and its errors."""
    if attr.has(type(panel)) and hasattr(panel, "gridPos"):
        placed = copy.copy(panel)
        object.__setattr__(placed, "gridPos", grid_pos)  # frozen attrs classes (RawJson) too
        return placed
    return attr.evolve(panel, gridPos=grid_pos)


def _wrap_raw(panel: Any, fallback: SourceLocation) -> Panel:
    """A raw grafanalib panel: keep its gridPos if it has one, else size it from the legacy ``span``."""
    grid = getattr(panel, "gridPos", None)
    if grid is not None:
        return Panel(panel, grid_pos=GridPos(grid.x, grid.y, grid.w, grid.h), defined_at=fallback)
    span = getattr(panel, "span", None)
    return Panel(panel, width=min(24, int(span) * 2) if span else None, defined_at=fallback)
