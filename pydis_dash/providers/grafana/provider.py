"""The Grafana provider: a client plus one handler per resource kind.

To manage a new kind (alert rule groups, contact points...), write a handler module and add its class
to :data:`HANDLERS`: that is the only registration.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pydis_dash.config import Environment
from pydis_dash.errors import EnvironmentProblem
from pydis_dash.providers.base import Handler, ResourceError
from pydis_dash.providers.grafana.client import GrafanaClient, TransportError
from pydis_dash.providers.grafana.common import GrafanaContext
from pydis_dash.providers.grafana.contact_points import ContactPointHandler
from pydis_dash.providers.grafana.dashboard_store import DashboardStore, store_for
from pydis_dash.providers.grafana.dashboards import DashboardHandler
from pydis_dash.providers.grafana.datasources import DatasourceHandler
from pydis_dash.providers.grafana.folders import FolderHandler
from pydis_dash.providers.grafana.mute_timings import MuteTimingHandler
from pydis_dash.providers.grafana.notification_policy import NotificationPolicyHandler
from pydis_dash.providers.grafana.rule_groups import RuleGroupHandler
from pydis_dash.providers.grafana.search import SearchIndex
from pydis_dash.providers.server_info import ServerInfo

# Each handler class takes the shared GrafanaContext; the order is only for reading, apply orders by stage.
HANDLERS: list[Callable[[GrafanaContext], Handler]] = [
    FolderHandler,
    DatasourceHandler,
    DashboardHandler,
    RuleGroupHandler,
    ContactPointHandler,
    MuteTimingHandler,
    NotificationPolicyHandler,
]


class GrafanaProvider:
    """Grafana in one environment."""

    target = "grafana"

    def __init__(self, client: GrafanaClient, *, concurrency: int = 8, disable_provenance: bool = False) -> None:
        self.client = client
        self.environment = client.environment
        self.search = SearchIndex(client)
        self.context = GrafanaContext(client, self.search, concurrency, disable_provenance=disable_provenance)
        self.handlers: Sequence[Handler] = [handler_type(self.context) for handler_type in HANDLERS]

    def check_access(self) -> None:
        """One authenticated search; 401/403 raise EnvironmentProblem from the client, and so does any
        other failure here (unreachable, or a URL that does not answer like Grafana's API)."""
        try:
            self.client.get("/api/search", {"limit": 1})
        except TransportError as exc:
            raise EnvironmentProblem(f"environment {self.environment!r}: cannot reach Grafana: {exc}") from exc
        except ResourceError as exc:
            raise EnvironmentProblem(
                f"environment {self.environment!r}: Grafana at {self.client.base_url} answered GET /api/search "
                f"with {exc}"
            ) from exc

    def enable_dry_run(self) -> None:
        """No write request can reach Grafana after this."""
        self.client.enable_dry_run()

    def begin_plan(self) -> None:
        """Forget the search listing of an earlier plan."""
        self.search.clear()

    def dashboard_store(self) -> DashboardStore:
        """Dashboards read and written through the API this server supports best (for import and pull)."""
        return store_for(self.client, self.context.capabilities.get())

    def server_info(self) -> ServerInfo:
        """Grafana's version and the dashboard API picked for it (discovered once per run)."""
        capabilities = self.context.capabilities.get()
        return ServerInfo("grafana", capabilities.describe(), capabilities.to_json())


def from_environment(env: Environment, project_dir: Path, concurrency: int) -> GrafanaProvider:
    """The provider for ``env`` (factory registered in :mod:`pydis_dash.providers.registry`)."""
    client = GrafanaClient.from_environment(env, project_dir, pool_size=max(concurrency, 1) + 2)
    return GrafanaProvider(client, concurrency=concurrency, disable_provenance=env.alerts_editable_in_ui)
