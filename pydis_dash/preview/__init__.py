"""``pydis-dash preview``: see dashboards, questions and alert rules before they ship, no Grafana needed.

    project = LiveProject(Path("."), PreviewOptions())
    project.start()                      # first build, then poll definition files for changes
    server = PreviewServer(project, port=0)
    server.start()                       # pages at server.url, reloading after each rebuild

    export_site(Path("."), Path("preview-html"))   # the same pages as static files

See ``docs/preview.md``.
"""

from __future__ import annotations

from pydis_dash.preview.export import export_site, write_site
from pydis_dash.preview.pages import page_for_path, page_path, page_paths
from pydis_dash.preview.server import PreviewServer
from pydis_dash.preview.snapshot import PlanSource, PreviewOptions, Snapshot, build_snapshot
from pydis_dash.preview.watch import LiveProject

__all__ = [
    "LiveProject",
    "PlanSource",
    "PreviewOptions",
    "PreviewServer",
    "Snapshot",
    "build_snapshot",
    "export_site",
    "page_for_path",
    "page_path",
    "page_paths",
    "write_site",
]
