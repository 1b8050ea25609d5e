"""Builders of rendered resources for the validate tests (schema, lint, extraction, runner, CLI).

Dashboards come out schema-valid (options from the renderer's plugin defaults) and anchored: the
dashboard is defined at ``dashboards/test.py:1`` and panel ``i`` at line ``10 + i``, so tests can assert
the exact ``file:line`` of a finding.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydis_dash.model import Kind, Ref, Resource, SourceLocation, json_pointer
from pydis_dash.render.panel_defaults import default_custom, default_options
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.base import run_lint

DASHBOARD_FILE = Path("dashboards/test.py")
METRICITY = {"type": "grafana-postgresql-datasource", "uid": "metricity"}
PROMETHEUS = {"type": "prometheus", "uid": "prometheus"}
GRAPHITE = {"type": "graphite", "uid": "graphite"}


def panel_line(index: int) -> int:
    """The line the builder anchors top-level panel ``index`` at."""
    return 10 + index


def datasources() -> list[Resource]:
    """The three data sources the bundled definitions use."""
    return [
        Resource(
            ref=Ref(Kind.GRAFANA_DATASOURCE, ds["uid"]),
            title=ds["uid"],
            body={"uid": ds["uid"], "type": ds["type"], "name": ds["uid"].capitalize(), "access": "proxy"},
            source=SourceLocation(Path(f"datasources/{ds['uid']}.yaml"), 1),
        )
        for ds in (METRICITY, PROMETHEUS, GRAPHITE)
    ]


def sql_target(sql: str, ref_id: str = "A", fmt: str = "time_series") -> dict[str, Any]:
    """A PostgreSQL target."""
    return {"refId": ref_id, "datasource": METRICITY, "rawSql": sql, "format": fmt, "editorMode": "code"}


def prom_target(expr: str, ref_id: str = "A") -> dict[str, Any]:
    """A Prometheus target."""
    return {"refId": ref_id, "datasource": PROMETHEUS, "expr": expr}


def graphite_target(target: str, ref_id: str = "A") -> dict[str, Any]:
    """A Graphite target."""
    return {"refId": ref_id, "datasource": GRAPHITE, "target": target}


TIME_SQL = "SELECT $__timeGroupAlias(created_at, $__interval), count(*) AS messages FROM messages GROUP BY 1"


def panel(
    title: str,
    panel_type: str = "timeseries",
    targets: Sequence[Mapping[str, Any]] | None = None,
    grid: tuple[int, int, int, int] = (0, 0, 12, 8),
    datasource: Mapping[str, Any] | None = METRICITY,
    unit: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A schema-valid panel; ``grid`` is ``(x, y, w, h)``."""
    x, y, w, h = grid
    defaults: dict[str, Any] = {"custom": default_custom(panel_type)} if default_custom(panel_type) else {}
    if unit is not None:
        defaults["unit"] = unit
    body: dict[str, Any] = {
        "type": panel_type,
        "title": title,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "options": default_options(panel_type),
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "targets": list(targets) if targets is not None else [sql_target(TIME_SQL)],
    }
    if datasource is not None:
        body["datasource"] = dict(datasource)
    body.update(extra)
    return body


def row(title: str, y: int, panels: Sequence[Mapping[str, Any]] = (), collapsed: bool = True) -> dict[str, Any]:
    """A row; a collapsed row holds its panels."""
    return {
        "type": "row",
        "title": title,
        "id": 100 + y,
        "collapsed": collapsed,
        "gridPos": {"x": 0, "y": y, "w": 24, "h": 1},
        "panels": list(panels),
    }


def query_variable(name: str, query: str, datasource: Mapping[str, Any] = METRICITY, **extra: Any) -> dict[str, Any]:
    """A query template variable."""
    return {"type": "query", "name": name, "datasource": dict(datasource), "query": query, **extra}


def dashboard(
    panels: Sequence[Mapping[str, Any]] = (),
    uid: str = "test",
    title: str = "Test",
    variables: Sequence[Mapping[str, Any]] = (),
    container: str | None = "Community",
    lint_exclusions: Mapping[str, str] | None = None,
    **extra: Any,
) -> Resource:
    """A dashboard resource at ``dashboards/test.py:1`` with panel ``i`` anchored at ``10 + i``."""
    body: dict[str, Any] = {
        "uid": uid,
        "title": title,
        "schemaVersion": 39,
        "editable": True,
        "time": {"from": "now-7d", "to": "now"},
        "templating": {"list": [dict(v) for v in variables]},
        "annotations": {"list": []},
        "panels": [dict(p) for p in panels],
        **extra,
    }
    anchors = {json_pointer("panels", i): SourceLocation(DASHBOARD_FILE, panel_line(i)) for i in range(len(panels))}
    return Resource(
        ref=Ref(Kind.GRAFANA_DASHBOARD, uid),
        title=title,
        body=body,
        source=SourceLocation(DASHBOARD_FILE, 1),
        container=container,
        anchors=anchors,
        lint_exclusions=dict(lint_exclusions or {}),
    )


def lint_findings(rule_id: str, *resources: Resource, with_datasources: bool = True) -> list[Finding]:
    """Findings of one rule for ``resources`` (plus the standard data sources)."""
    everything = [*resources, *(datasources() if with_datasources else [])]
    return [f for f in run_lint(everything) if f.rule == rule_id]
