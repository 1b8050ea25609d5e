"""What the Grafana server of a run is and which dashboard API to use with it, discovered once per run.

Two cheap reads, both answered by every supported release (see ``docs/compatibility.md``):

* ``GET /api/health`` -> ``{"version": "12.1.1", ...}`` (no authentication needed);
* ``GET /apis/dashboard.grafana.app`` -> the served versions of the Kubernetes-style dashboard API and
  the preferred one; 404 where the group is not served (Grafana 11 and older).

The choice: the legacy ``/api/dashboards`` API where no ``dashboard.grafana.app`` exists (it is
lossless there: no dashboard can be stored as schema v2); otherwise ``dashboard.grafana.app`` through
its stable v1 version (``v1`` from Grafana 13, ``v1beta1`` in 12), because only that API reports how a
dashboard is stored and reads or replaces a schema v2 dashboard without converting it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.providers.grafana.client import GrafanaApiError, GrafanaClient, NotFound

log = logging.getLogger(__name__)

DASHBOARD_GROUP = "dashboard.grafana.app"
#: Versions of the group that serve the classic (v1) model, most stable first.
V1_VERSIONS = ("v1", "v1beta1", "v0alpha1")
#: Versions that serve the schema v2 model natively, most stable first.
V2_VERSIONS = ("v2", "v2beta1", "v2alpha1")


@dataclass(frozen=True)
class GrafanaCapabilities:
    """The server's version and the dashboard API paths picked for it."""

    #: ``/api/health``'s version, None when the server did not say.
    version: str | None
    #: Served versions of ``dashboard.grafana.app`` (empty: not served).
    dashboard_versions: tuple[str, ...] = ()
    #: The namespace of the organisation the token belongs to (``default`` is org 1 on-premises).
    namespace: str = "default"

    @property
    def v1_api(self) -> str | None:
        """The ``dashboard.grafana.app`` version used for classic dashboards, or None (legacy API)."""
        return _first_served(V1_VERSIONS, self.dashboard_versions)

    @property
    def v2_api(self) -> str | None:
        """The version that reads schema v2 dashboards natively, or None where v2 cannot exist."""
        return _first_served(V2_VERSIONS, self.dashboard_versions)

    def dashboards_path(self, api_version: str) -> str:
        """The collection path of dashboards through ``api_version``."""
        return f"/apis/{DASHBOARD_GROUP}/{api_version}/namespaces/{self.namespace}/dashboards"

    def describe(self) -> str:
        """One line for ``diff``: the version and how dashboards are read and written."""
        name = f"Grafana {self.version}" if self.version else "Grafana (version not reported)"
        if self.v1_api is None:
            return f"{name}: dashboards through /api/dashboards ({DASHBOARD_GROUP} not served)"
        v2 = f"; schema v2 dashboards read through {self.v2_api}" if self.v2_api else ""
        return f"{name}: dashboards through {DASHBOARD_GROUP}/{self.v1_api}{v2}"

    def to_json(self) -> dict[str, Any]:
        """JSON form for ``diff --format json``."""
        return {
            "target": "grafana",
            "version": self.version,
            "dashboardApi": f"{DASHBOARD_GROUP}/{self.v1_api}" if self.v1_api else "/api/dashboards",
            "schemaV2Api": f"{DASHBOARD_GROUP}/{self.v2_api}" if self.v2_api else None,
        }


def _first_served(preference: Sequence[str], served: Sequence[str]) -> str | None:
    return next((version for version in preference if version in served), None)


def discover(client: GrafanaClient) -> GrafanaCapabilities:
    """Ask the server (two GETs, retried like every read).

    Only a 404 (or a proxy's 401/403) on the dashboard group means "use the legacy API": any other error
    fails the plan rather than silently picking an API that may down-convert schema v2 dashboards. A
    missing or failing ``/api/health`` only leaves the version unknown.
    """
    return GrafanaCapabilities(_health_version(client), _served_dashboard_versions(client))


def _health_version(client: GrafanaClient) -> str | None:
    try:
        health = client.get("/api/health")
    except GrafanaApiError:
        return None
    version = health.get("version") if isinstance(health, Mapping) else None
    return str(version) if version else None


def _served_dashboard_versions(client: GrafanaClient) -> tuple[str, ...]:
    try:
        group = client.get(f"/apis/{DASHBOARD_GROUP}")
    except NotFound:  # not served: Grafana 11 and older
        return ()
    except EnvironmentProblem:
        # 401/403 here, after the token passed check_access: a proxy in front of Grafana blocking /apis.
        # The legacy API still works; a schema v2 dashboard is then found through the legacy read's 406.
        log.warning("GET /apis/%s was refused; using the legacy dashboard API", DASHBOARD_GROUP)
        return ()
    if not isinstance(group, Mapping):
        return ()
    entries = [v for v in group.get("versions") or [] if isinstance(v, Mapping)]
    return tuple(str(v["version"]) for v in entries if v.get("version"))


class CapabilitiesCache:
    """Discovers on first use and keeps the answer for the run (handlers read it from many threads)."""

    def __init__(self, client: GrafanaClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._value: GrafanaCapabilities | None = None

    def get(self) -> GrafanaCapabilities:
        """The server's capabilities (two requests the first time, none after)."""
        with self._lock:
            if self._value is None:
                self._value = discover(self._client)
            return self._value

    def known(self) -> GrafanaCapabilities | None:
        """What was discovered, if anything yet (for output that must not cause a request)."""
        return self._value
