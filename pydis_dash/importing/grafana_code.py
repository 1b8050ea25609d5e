"""A Grafana dashboard (already in pydis-dash's model) as a definition file, verified by building it.

The code is written in passes: first the readable form (helpers, rows, automatic layout where it
reproduces the positions); then it is built, each panel compared with the expected JSON, and what a
helper did not produce is added as ``options=``/``field_config=``/``extra=`` (or the panel becomes a
``raw_panel`` when a merge cannot express it). The last pass must build to exactly the expected JSON
after the deploy plan's normalisation; otherwise the differences are reported, never hidden.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.errors import DefinitionError
from pydis_dash.importing.jsondiff import changes, residual
from pydis_dash.importing.panel_code import (
    AUTHORING_MODULE,
    PanelCode,
    express_panel,
    layout_hint,
    row_call,
    variable_call,
)
from pydis_dash.importing.pysource import Code, Module, call, format_source
from pydis_dash.importing.verify import build_generated
from pydis_dash.model import Kind, Resource
from pydis_dash.providers.grafana.normalize import normalize_dashboard
from pydis_dash.render.layout import GridPos, LayoutItem, place
from pydis_dash.render.plain import deep_merge

_PASSES = 4
# Dashboard arguments written from the model; everything else found by comparing goes to extra=.
_DASHBOARD_ARGS = ("uid", "title", "description", "tags", "time", "refresh", "timezone", "links")
_BUILDER_DEFAULTS: dict[str, Any] = {"time": {"from": "now-7d", "to": "now"}, "timezone": "utc", "description": ""}
_SQL_INLINE_LIMIT = 80


@dataclass
class Section:
    """Panels outside rows (``row`` None), or one row and its panels."""

    row: dict[str, Any] | None
    panels: list[PanelCode]
    top: int
    row_residual: dict[str, Any] = field(default_factory=dict)


@dataclass
class GeneratedDashboard:
    """The generated files (project-relative path -> text) and what building them left different."""

    files: dict[Path, str]
    remaining: list[str]
    raw_panels: int
    helper_panels: int


def generate_dashboard(
    model: Mapping[str, Any],
    placement: Mapping[str, str],
    path: Path,
    project_root: Path,
    header: list[str],
    project_uids: frozenset[str],
) -> GeneratedDashboard:
    """The definition file at ``path`` (project-relative) building ``model``, plus its ``.sql`` files.

    ``placement`` is the ``Dashboard`` argument placing it: ``{"folder": path}``, ``{"folder_uid": uid}``
    for a folder pydis-dash does not own, or nothing for the root folder."""
    sections = _sections(model, project_uids)
    dashboard_residual: dict[str, Any] = {}
    expected = normalize_dashboard(model)
    files: dict[Path, str] = {}
    remaining: list[str] = []
    for _ in range(_PASSES):
        files = _render_files(model, placement, sections, dashboard_residual, path, project_root, header)
        built = _built_dashboard(build_generated(project_root, files), str(model["uid"]))
        if normalize_dashboard(built) == expected:
            remaining = []
            break
        dashboard_residual = _refine(model, built, sections, dashboard_residual)
        remaining = changes(expected, normalize_dashboard(built))
    helpers = sum(1 for s in sections for p in s.panels if p.helper)
    raws = sum(1 for s in sections for p in s.panels if not p.helper)
    return GeneratedDashboard(files, remaining, raws, helpers)


def _sections(model: Mapping[str, Any], project_uids: frozenset[str]) -> list[Section]:
    sections = [Section(None, [], 0)]
    for panel in model.get("panels", []):
        if panel.get("type") == "row":
            children = [express_panel(child, project_uids) for child in panel.get("panels", [])]
            sections.append(Section(panel, children, panel["gridPos"]["y"] + 1))
        elif sections[-1].row is not None and sections[-1].row.get("collapsed"):
            raise DefinitionError(f"panel {panel.get('title', '')!r} follows a collapsed row outside it")
        else:
            sections[-1].panels.append(express_panel(panel, project_uids))
    for section in sections:
        _lay_out(section)
    return sections


def _lay_out(section: Section) -> None:
    """Automatic layout with size hints when it gives the same places, else every panel pinned."""
    grids = [p.panel["gridPos"] for p in section.panels]
    items = [LayoutItem(g["w"], g["h"]) for g in grids]
    wanted = [GridPos(g["x"], g["y"], g["w"], g["h"]) for g in grids]
    automatic = all(1 <= g["w"] <= 24 and g["h"] >= 1 for g in grids) and place(items, top=section.top) == wanted
    for panel, grid in zip(section.panels, grids, strict=True):
        if automatic:
            panel.layout = layout_hint(str(panel.panel.get("type")), grid["w"], grid["h"])
        else:
            panel.layout = {"grid_pos": (grid["x"], grid["y"] - section.top, grid["w"], grid["h"])}


def _render_files(
    model: Mapping[str, Any],
    placement: Mapping[str, str],
    sections: list[Section],
    dashboard_residual: Mapping[str, Any],
    path: Path,
    project_root: Path,
    header: list[str],
) -> dict[Path, str]:
    module = Module(header=list(header))
    sql_files: dict[Path, str] = {}

    def write_sql(title: str, sql: str) -> str:
        if (len(sql) <= _SQL_INLINE_LIMIT and "\n" not in sql) or sql != sql.strip():
            return sql
        for existing, text in sql_files.items():
            if text == sql + "\n":
                return existing.name
        stem = _slug(title) or "query"
        name = f"{stem}.sql"
        counter = 2
        while path.parent / name in sql_files:
            name = f"{stem}_{counter}.sql"
            counter += 1
        sql_files[path.parent / name] = sql + "\n"
        return name

    kwargs: dict[str, Any] = {}
    for key in _DASHBOARD_ARGS:
        value = model.get(key)
        if key == "time" and isinstance(value, Mapping):
            value = (value.get("from"), value.get("to"))
            if value == ("now-7d", "now"):
                continue
        if value is None or value == _BUILDER_DEFAULTS.get(key, []) or (value == "" and key not in _BUILDER_DEFAULTS):
            continue
        kwargs[key] = value
        if key == "title":
            kwargs.update(placement)
    variables = [variable_call(module, v) for v in model.get("templating", {}).get("list", [])]
    if variables:
        kwargs["variables"] = variables
    top = sections[0]
    if top.panels:
        kwargs["panels"] = [p.source(module, write_sql) for p in top.panels]
    rows = [
        row_call(
            module,
            str(s.row.get("title", "")),
            [p.source(module, write_sql) for p in s.panels],
            bool(s.row.get("collapsed")),
            s.row_residual,
        )
        for s in sections[1:]
        if s.row is not None
    ]
    if rows:
        kwargs["rows"] = rows
    if dashboard_residual:
        kwargs["extra"] = dict(dashboard_residual)
    dashboard = call(module.use(AUTHORING_MODULE, "Dashboard"), [], kwargs)
    module.statements.append(f"dashboard = {dashboard.text}")
    text = format_source(module.source(), path, project_root)
    return {path: text, **sql_files}


def _built_dashboard(resources: list[Resource], uid: str) -> dict[str, Any]:
    for resource in resources:
        if resource.kind == Kind.GRAFANA_DASHBOARD and resource.ref.uid == uid:
            return dict(resource.body)
    raise DefinitionError(f"the generated code builds no dashboard {uid!r}")


def _refine(
    model: Mapping[str, Any], built: Mapping[str, Any], sections: list[Section], dashboard_residual: dict[str, Any]
) -> dict[str, Any]:
    """Add what the last build missed: per panel (or make it raw), per row, then the dashboard."""
    # Compared as the plan compares them: what Grafana itself rewrites on save is not a difference.
    model, built = normalize_dashboard(model), normalize_dashboard(built)
    built_panels = _flatten(built.get("panels", []))
    expected_panels = _flatten(model.get("panels", []))
    codes: list[PanelCode | Section] = []
    for section in sections:
        if section.row is not None:
            codes.append(section)
        codes.extend(section.panels)
    for code, want, have in zip(codes, expected_panels, built_panels, strict=False):
        if isinstance(code, Section):
            extra = residual(_without_children(want), _without_children(have))
            if extra is None:
                raise DefinitionError(f"row {want.get('title', '')!r} cannot be written with Row(...)")
            code.row_residual = {**code.row_residual, **extra}
            continue
        extra = residual(want, have)
        if extra is None or {"targets", "type", "datasource", "gridPos"} & set(extra):
            if code.helper is None and extra is not None:
                code.residual = {**code.residual, **extra}
            else:
                code.make_raw()
        elif extra:
            code.residual = deep_merge(code.residual, extra)
    top_want = {k: v for k, v in model.items() if k != "panels"}
    top_have = {k: v for k, v in built.items() if k != "panels"}
    extra = residual(top_want, top_have)
    if extra is None:
        raise DefinitionError("the dashboard's fields cannot be written with Dashboard(...)")
    return deep_merge(dashboard_residual, extra)


def _flatten(panels: list[Any]) -> list[dict[str, Any]]:
    return [item for panel in panels for item in (panel, *panel.get("panels", []))]


def _without_children(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "panels"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:40]


def module_path(folder: str | None, title: str, uid: str) -> Path:
    """``dashboards/<folder>/<title>.py`` in snake case (the uid when the title has no letters)."""
    parts = [_slug(part) for part in (folder or "").split("/") if _slug(part)]
    stem = _slug(title) or _slug(uid) or "dashboard"
    if stem[0].isdigit():
        stem = f"dashboard_{stem}"
    return Path("dashboards", *parts, f"{stem}.py")


__all__ = ["Code", "GeneratedDashboard", "generate_dashboard", "module_path"]
