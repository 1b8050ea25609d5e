"""The Metabase provider: one client, the collection and card handlers, and how config builds it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydis_dash.config import Environment
from pydis_dash.errors import EnvironmentProblem
from pydis_dash.providers.base import Handler
from pydis_dash.providers.metabase.cards import CardHandler
from pydis_dash.providers.metabase.client import MetabaseClient, MetabaseError
from pydis_dash.providers.metabase.collections import CollectionHandler, CollectionIndex
from pydis_dash.providers.metabase.listing import CardListing
from pydis_dash.providers.metabase.lock import MetabaseDeployLock
from pydis_dash.providers.metabase.metadata import MetadataCatalog
from pydis_dash.providers.metabase.release import describe
from pydis_dash.providers.server_info import ServerInfo


class MetabaseProvider:
    """Saved questions and their collections on one Metabase instance."""

    target = "metabase"

    def __init__(self, client: MetabaseClient, environment: str) -> None:
        self.client = client
        self.environment = environment
        self.collections = CollectionIndex(client)
        self.catalog = MetadataCatalog(client)
        self.listing = CardListing(client)
        self._server_info: ServerInfo | None = None
        self.handlers: Sequence[Handler] = [
            CollectionHandler(self.collections, self.listing),
            CardHandler(client, self.collections, self.catalog, self.listing),
        ]

    def check_access(self) -> None:
        """``GET /api/user/current``: fails fast on a wrong key or an unreachable server."""
        try:
            self.client.current_user()
        except MetabaseError as error:
            raise EnvironmentProblem(f"{self.environment}: {error}") from None

    def begin_plan(self) -> None:
        """Forget the collections, cards and metadata read by an earlier plan."""
        self.collections.forget()
        self.catalog.forget()
        self.listing.forget()

    def server_info(self) -> ServerInfo:
        """The version ``/api/session/properties`` reports (read once per run)."""
        if self._server_info is None:
            self._server_info = describe(self.client.version_tag())
        return self._server_info

    def enable_dry_run(self) -> None:
        """From now on the client refuses every write."""
        self.client.enable_dry_run()

    def deploy_lock(self) -> MetabaseDeployLock:
        """The instance's deploy lock: ``deploy`` holds it from before planning until the last write,
        so that two deploys at once cannot both create the same cards and collections."""
        return MetabaseDeployLock(self.client, self.environment)


def from_environment(environment: Environment, project_dir: Path, concurrency: int = 8) -> MetabaseProvider:
    """Build the provider from a configured environment, reading credentials from its variables.

    ``concurrency`` sizes the connection pool so that every apply worker has a connection.

    An API key (``metabase_api_key_env``) is preferred; otherwise ``metabase_user_env`` and
    ``metabase_password_env`` name the variables of a username/password login.
    """
    url = environment.checked_url(environment.metabase_url, "Metabase")
    api_key = username = password = None
    if environment.metabase_api_key_env or not (environment.metabase_user_env or environment.metabase_password_env):
        api_key = environment.secret(environment.metabase_api_key_env, "Metabase API key")
    else:
        username = environment.secret(environment.metabase_user_env, "Metabase username")
        password = environment.secret(environment.metabase_password_env, "Metabase password")
    client = MetabaseClient(
        url,
        api_key=api_key,
        username=username,
        password=password,
        environment=environment.name,
        timeout=(environment.connect_timeout, environment.read_timeout),
        verify=environment.verify(project_dir),
        retries=environment.retries,
        pool_size=max(concurrency, 1),
    )
    return MetabaseProvider(client, environment.name)
