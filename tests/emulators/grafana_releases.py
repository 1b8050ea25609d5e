"""The Grafana release lines the emulator can play, each shaped to that release's published API.

Sources (see ``docs/compatibility.md`` for the table and links):

* ``/api/health`` answers ``{"commit", "database", "version"}`` on every release (no authentication);
* the versions list ``GET /api/dashboards/uid/:uid/versions`` is a JSON array up to 11.5 and
  ``{"versions": [...], "continueToken": "..."}`` from 11.6 (grafana/grafana#104556);
* ``dashboard.grafana.app`` is served from Grafana 12.0 (``v0alpha1``, ``v1beta1``, ``v2alpha1``,
  ``v2beta1``; preferred ``v1beta1``) and gains ``v1`` and ``v2`` in 13.0 (preferred ``v1``), with
  ``GET /apis/<group>`` discovery naming the served and preferred versions (Grafana docs "API
  structure", grafana/grafana#121425);
* with the new layouts (the ``dashboardNewLayouts`` toggle in 12.x, the default from 13.0) a dashboard
  saved in the UI is stored as schema v2; in 12.x the legacy ``GET /api/dashboards/uid/:uid`` of such a
  dashboard answers 406 naming the v2 path (esnet/gdg#467), in 13.x it answers a lossy down-conversion
  (grafana/mcp-grafana#937) and ``?apiVersion=`` picks the shape (grafana/grafana#120842).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GrafanaRelease:
    """What one release line serves; the emulator branches on these facts, never on a test's needs."""

    name: str
    #: What ``/api/health`` reports.
    build: str
    major: int
    #: Served versions of ``dashboard.grafana.app`` (empty: the group is not served), preferred first.
    dashboard_api: tuple[str, ...] = ()
    #: The v2 version the UI stores a new-layout dashboard as.
    v2_storage: str = "v2beta1"
    #: A dashboard saved in the UI is stored as schema v2 (new layouts on).
    new_layouts: bool = False
    #: The legacy GET of a v2-stored dashboard converts it, losing what v1 cannot hold (else 406).
    legacy_get_converts_v2: bool = False
    #: The versions list is ``{"versions", "continueToken"}`` (else a bare array).
    versions_object: bool = False
    #: The versions list is read from unified storage like a Kubernetes list: a page may hold fewer
    #: entries than ``limit`` (even none) while a ``continueToken`` says more follow.
    versions_short_pages: bool = False
    #: ``GET /apis`` answers an APIGroupList (the aggregated API server exists).
    apis_discovery: bool = False

    @property
    def has_k8s_dashboards(self) -> bool:
        """Whether ``dashboard.grafana.app`` is served."""
        return bool(self.dashboard_api)


_V12_API = ("v1beta1", "v0alpha1", "v2alpha1", "v2beta1")
_V13_API = ("v1", "v1beta1", "v0alpha1", "v2", "v2beta1", "v2alpha1")

RELEASES: dict[str, GrafanaRelease] = {
    release.name: release
    for release in (
        GrafanaRelease("9.5", "9.5.21", 9),
        GrafanaRelease("10.4", "10.4.19", 10, apis_discovery=True),
        GrafanaRelease("11.6", "11.6.4", 11, versions_object=True, apis_discovery=True),
        GrafanaRelease(
            "12.1",
            "12.1.1",
            12,
            _V12_API,
            v2_storage="v2alpha1",
            versions_object=True,
            versions_short_pages=True,
            apis_discovery=True,
        ),
        GrafanaRelease(
            "12.1-new-layouts",
            "12.1.1",
            12,
            _V12_API,
            v2_storage="v2alpha1",
            new_layouts=True,
            versions_object=True,
            versions_short_pages=True,
            apis_discovery=True,
        ),
        GrafanaRelease(
            "13.0",
            "13.0.1",
            13,
            _V13_API,
            v2_storage="v2beta1",
            new_layouts=True,
            legacy_get_converts_v2=True,
            versions_object=True,
            versions_short_pages=True,
            apis_discovery=True,
        ),
    )
}

#: The release lines the deploy suite runs against (9.5 is kept only for the tests written for it).
SUPPORTED = ("10.4", "11.6", "12.1", "12.1-new-layouts", "13.0")
#: Those that can hold a v2-stored dashboard.
WITH_SCHEMA_V2 = ("12.1", "12.1-new-layouts", "13.0")

#: The integer modes older tests pass (``version=9|11|12``).
_BY_MAJOR = {9: "9.5", 10: "10.4", 11: "11.6", 12: "12.1", 13: "13.0"}


def release_for(version: int | str) -> GrafanaRelease:
    """The release named ``version`` ("12.1-new-layouts") or the line of a major version (12)."""
    name = _BY_MAJOR[version] if isinstance(version, int) else version
    return RELEASES[name]
