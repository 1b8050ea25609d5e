"""Generated definition trees: N dashboards of 20 panels, written for pydis-dash and for grafanalib.

Both trees describe the same dashboards (same titles, queries, units, sizes); grafanalib has no
layout, so its tree carries the grid positions pydis-dash computes (the peer gets layout for free).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from _harness import REPO_ROOT

PANELS_PER_DASHBOARD = 20
ROWS = 4
GROUPS = 10  # dashboards are spread over this many folders


@dataclass(frozen=True)
class PanelSpec:
    """One panel of a generated dashboard."""

    kind: str  # "stat" or "timeseries"
    title: str
    expr: str
    unit: str
    legend: str


def dashboard_panels(index: int) -> list[list[PanelSpec]]:
    """The rows of dashboard ``index``: per row two stats then three time series."""
    rows = []
    for row in range(ROWS):
        panels = []
        for slot in range(PANELS_PER_DASHBOARD // ROWS):
            job = f"job{index % 37}"
            if slot < 2:
                expr = f'sum(rate(http_requests_total{{job="{job}", code=~"{slot + 2}.."}}[5m]))'
                panels.append(PanelSpec("stat", f"Requests {row}.{slot}", expr, "reqps", ""))
            else:
                expr = (
                    f"histogram_quantile(0.{slot + 4}, sum by (le, handler) "
                    f'(rate(http_request_duration_seconds_bucket{{job="{job}"}}[$__rate_interval])))'
                )
                panels.append(PanelSpec("timeseries", f"Latency {row}.{slot}", expr, "s", "{{handler}}"))
        rows.append(panels)
    return rows


def uid(index: int) -> str:
    """The generated dashboard's uid."""
    return f"bench-{index:04d}"


def _pydis_panel(spec: PanelSpec) -> str:
    legend = f", legend={spec.legend!r}" if spec.legend else ""
    return f"PROM.{spec.kind}({spec.title!r}, {spec.expr!r}, unit={spec.unit!r}{legend})"


def pydis_dashboard_source(index: int) -> str:
    """One pydis-dash definition file."""
    rows = []
    for number, panels in enumerate(dashboard_panels(index)):
        body = "".join(f"\n            {_pydis_panel(p)}," for p in panels)
        rows.append(f'        Row("Row {number}", [{body}\n        ])')
    rows_text = ",\n".join(rows)
    return (
        "from pydis_dash.grafana import Dashboard, Row, prometheus\n\n"
        'PROM = prometheus("prometheus")\n\n'
        "dashboard = Dashboard(\n"
        f'    uid="{uid(index)}",\n'
        f'    title="Bench dashboard {index}",\n'
        f'    folder="Bench/Group {index % GROUPS}",\n'
        '    tags=["bench"],\n'
        "    rows=[\n"
        f"{rows_text},\n"
        "    ],\n"
        ")\n"
    )


# The generated project's one data source: no secret, no engine check (build and deploy benchmarks
# measure dashboards; the validation trees below use the repo's checked data sources).
_BENCH_DATASOURCE = """uid: prometheus
name: Prometheus
type: prometheus
url: http://prometheus.invalid:9090
"""


def write_pydis_tree(root: Path, count: int) -> Path:
    """A pydis-dash project of ``count`` dashboards under ``root`` and its one Prometheus data source."""
    (root / "datasources").mkdir(parents=True, exist_ok=True)
    (root / "datasources" / "prometheus.yaml").write_text(_BENCH_DATASOURCE, encoding="utf-8")
    folder = root / "dashboards" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (folder / f"d{index:04d}.py").write_text(pydis_dashboard_source(index), encoding="utf-8")
    return root


_SIZES = {"stat": (6, 4), "timeseries": (12, 8)}


def _grafanalib_panel(spec: PanelSpec, x: int, y: int) -> str:
    w, h = _SIZES[spec.kind]
    cls = "Stat" if spec.kind == "stat" else "TimeSeries"
    legend = f", legendFormat={spec.legend!r}" if spec.legend else ""
    unit = "format" if spec.kind == "stat" else "unit"  # grafanalib's Stat names its unit `format`
    return (
        f"{cls}(title={spec.title!r}, dataSource=PROM, {unit}={spec.unit!r}, "
        f"targets=[Target(expr={spec.expr!r}, refId='A'{legend})], gridPos=GridPos(h={h}, w={w}, x={x}, y={y}))"
    )


def grafanalib_dashboard_source(index: int) -> str:
    """The same dashboard for grafanalib's ``generate-dashboards`` (positions computed here)."""
    lines = []
    y = 0
    for number, panels in enumerate(dashboard_panels(index)):
        lines.append(f"RowPanel(title='Row {number}', gridPos=GridPos(h=1, w=24, x=0, y={y}))")
        y += 1
        x, row_height = 0, 0
        for spec in panels:
            w, h = _SIZES[spec.kind]
            if x + w > 24:
                x, y, row_height = 0, y + row_height, 0
            lines.append(_grafanalib_panel(spec, x, y))
            x += w
            row_height = max(row_height, h)
        y += row_height
    panels_text = ",\n        ".join(lines)
    return (
        "from grafanalib.core import Dashboard, GridPos, RowPanel, Stat, Target, TimeSeries\n\n"
        "PROM = {'type': 'prometheus', 'uid': 'prometheus'}\n\n"
        "dashboard = Dashboard(\n"
        f"    uid='{uid(index)}',\n"
        f"    title='Bench dashboard {index}',\n"
        "    tags=['bench'],\n"
        "    panels=[\n"
        f"        {panels_text},\n"
        "    ],\n"
        ").auto_panel_ids()\n"
    )


def write_grafanalib_tree(root: Path, count: int) -> list[Path]:
    """``count`` grafanalib ``*.dashboard.py`` files under ``root``; returns their paths."""
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = root / f"d{index:04d}.dashboard.py"
        path.write_text(grafanalib_dashboard_source(index), encoding="utf-8")
        paths.append(path)
    return paths


# Queries every validation engine can check against the schemas and series pydis-dash seeds; each
# panel's query is distinct (a per-panel constant), so no engine can skip a repeat.
_VALIDATION_QUERIES = {
    "metricity": (
        "table",
        "SELECT c.name, count(*) AS messages FROM messages m JOIN channels c ON c.id = m.channel_id "
        "WHERE m.author_id = '{n}' GROUP BY 1 ORDER BY 2 DESC",
    ),
    "prometheus": (
        "timeseries",
        'sum by (method) (rate(django_http_requests_total_by_method_total{{job="site"}}[5m])) > {n}',
    ),
}


def validation_query(store: str, number: int) -> str:
    """The ``number``-th distinct query for ``store`` (``metricity`` or ``prometheus``)."""
    return _VALIDATION_QUERIES[store][1].format(n=number)


def write_validation_tree(root: Path, store: str, queries: int) -> Path:
    """A project (with the repo's data sources) whose dashboards hold ``queries`` panels on ``store``."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO_ROOT / "datasources", root / "datasources", dirs_exist_ok=True)
    folder = root / "dashboards" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    kind = _VALIDATION_QUERIES[store][0]
    helper = "sql" if store == "metricity" else "prometheus"
    for first in range(0, queries, PANELS_PER_DASHBOARD):
        panels = "".join(
            f"\n    source.{kind}({f'Panel {n}'!r}, {validation_query(store, n)!r}),"
            for n in range(first, min(first + PANELS_PER_DASHBOARD, queries))
        )
        (folder / f"q{first:05d}.py").write_text(
            f"from pydis_dash.grafana import Dashboard, {helper}\n\nsource = {helper}({store!r})\n\n"
            f'dashboard = Dashboard(uid="bench-q{first}", title="Queries from {first}", panels=[{panels}\n])\n',
            encoding="utf-8",
        )
    return root
