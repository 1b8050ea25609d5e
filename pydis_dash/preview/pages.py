"""The preview pages, made server-side from Jinja2 templates; the server and the static export share it.

Every page has a file-like path (``index.html``, ``grafana-dashboard/<uid>.html``) and links relatively,
so the exported folder browses the same from disk as the server does over HTTP. The only difference
between a served page and an exported one is the live-reload ``<meta>`` carrying the build version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import jinja2

from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.plan import canonical_json
from pydis_dash.preview.chart_spec import question_chart_spec
from pydis_dash.preview.dashboard_view import GRID_COLUMNS, ROW_HEIGHT_PX, dashboard_view
from pydis_dash.preview.diff_view import change_view
from pydis_dash.preview.question_view import question_view
from pydis_dash.preview.rule_view import rule_group_view
from pydis_dash.preview.snapshot import Snapshot

INDEX = "index.html"
STATIC_DIR = "static"
#: Files under ``templates/`` served (and exported) as they are, under ``static/``.
STATIC_FILES = {
    "preview.css": "text/css; charset=utf-8",
    "preview.js": "text/javascript; charset=utf-8",
    "charts.js": "text/javascript; charset=utf-8",
    "uPlot.iife.min.js": "text/javascript; charset=utf-8",
    "uPlot.min.css": "text/css; charset=utf-8",
    "uPlot.LICENSE": "text/plain; charset=utf-8",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Page:
    """A rendered page and the HTTP status it is served with."""

    path: str
    html: str
    status: int = 200


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pydis_dash.preview", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(GRID_COLUMNS=GRID_COLUMNS, ROW_HEIGHT_PX=ROW_HEIGHT_PX, page_path=page_path)
    return env


def page_path(ref: Ref) -> str:
    """The page of one resource: ``<kind>/<uid>.html``, with characters unsafe in file names escaped."""
    safe = _UNSAFE.sub(lambda m: f"~{ord(m.group()):x}", ref.uid)
    return f"{ref.kind.value}/{safe}.html"


def page_paths(snapshot: Snapshot) -> list[str]:
    """Every page of a build: the index, then one per resource."""
    return [INDEX] + [page_path(resource.ref) for resource in snapshot.resources]


def static_file(name: str) -> bytes | None:
    """The bytes of a static file (CSS, JS), None for any other name."""
    if name not in STATIC_FILES:
        return None
    return files("pydis_dash.preview").joinpath("templates", name).read_bytes()


def page_for_path(snapshot: Snapshot, path: str, version: int | None = None) -> Page:
    """The page at ``path`` (``""`` is the index); a 404 page naming the path when there is none.

    ``version`` is the build version for live reload (None in a static export).
    """
    path = path.lstrip("/") or INDEX
    if path == INDEX:
        return Page(path, index_html(snapshot, version))
    for resource in snapshot.resources:
        if page_path(resource.ref) == path:
            return Page(path, resource_html(snapshot, resource, version))
    return Page(path, _from_template("missing.html", snapshot, version, root="../" * path.count("/"), path=path), 404)


def index_html(snapshot: Snapshot, version: int | None = None) -> str:
    """The index: every resource with its kind, container, source and validation status."""
    rows = [
        {
            "resource": r,
            "status": snapshot.status_of(r.ref),
            "change": snapshot.change_for(r.ref),
            "href": page_path(r.ref),
        }
        for r in snapshot.resources
    ]
    return _from_template("index.html", snapshot, version, root="", rows=rows, findings=snapshot.findings_for(None))


def resource_html(snapshot: Snapshot, resource: Resource, version: int | None = None) -> str:
    """The page of one resource, by kind: dashboard, question, rule group, or the generic page."""
    findings = snapshot.findings_for(resource.ref)
    change = snapshot.change_for(resource.ref)
    context: dict[str, Any] = {
        "resource": resource,
        "status": snapshot.status_of(resource.ref),
        "change": change_view(change) if change else None,
        "raw_json": canonical_json(resource.body),
        "findings": findings,
    }
    if resource.kind is Kind.GRAFANA_DASHBOARD:
        return _from_template(
            "dashboard.html",
            snapshot,
            version,
            root="../",
            view=dashboard_view(resource, findings, snapshot.frames_for(resource.ref)),
            **context,
        )
    if resource.kind is Kind.METABASE_QUESTION:
        frames = snapshot.frames_for(resource.ref)
        chart = question_chart_spec(resource.body, frames.get("", ())) if frames is not None else None
        question = question_view(resource, findings)
        return _from_template("question.html", snapshot, version, root="../", view=question, chart=chart, **context)
    if resource.kind is Kind.GRAFANA_RULE_GROUP:
        view = rule_group_view(resource, findings, _policy(snapshot), snapshot.frames_for(resource.ref))
        return _from_template("rule_group.html", snapshot, version, root="../", view=view, **context)
    contents = [r for r in snapshot.resources if resource.ref in r.depends_on]
    return _from_template("resource.html", snapshot, version, root="../", contents=contents, **context)


def _policy(snapshot: Snapshot) -> Mapping[str, Any] | None:
    """The project's notification policy tree, if it defines one."""
    for resource in snapshot.resources:
        if resource.kind is Kind.GRAFANA_NOTIFICATION_POLICY:
            return resource.body
    return None


def _from_template(template: str, snapshot: Snapshot, version: int | None, **context: Any) -> str:
    return _environment().get_template(template).render(snapshot=snapshot, version=version, **context)
