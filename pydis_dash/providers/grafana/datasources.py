"""Data sources: ``/api/datasources``.

Live state: one ``GET /api/datasources`` lists them all (with ``jsonData``, so the ownership marker is
visible); each desired one that exists is read with ``GET /api/datasources/uid/:uid`` for the fields
the list lacks, its ``version`` and ``secureJsonFields``.

Secrets (``secureJsonData``) come from the environment variables named in ``Resource.secret_env``.
They are sent on create, when ``secureJsonFields`` shows one is not set, and for every secret with
``--rotate-secrets``; never otherwise (Grafana keeps stored secrets that an update omits).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import LiveResource, PlanOptions, ResourceError
from pydis_dash.providers.grafana import ownership
from pydis_dash.providers.grafana.client import NotFound
from pydis_dash.providers.grafana.common import GrafanaHandler, secret_notes, secrets_to_send
from pydis_dash.providers.grafana.normalize import normalize_datasource

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class DatasourceHandler(GrafanaHandler):
    """``grafana-datasource`` resources; body is Grafana's data source JSON without secrets."""

    kind = Kind.GRAFANA_DATASOURCE
    stage = 1

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """The list, then the full record of each desired data source that exists."""
        listed = {str(item.get("uid")): item for item in self.ctx.client.get_list("/api/datasources")}
        live = {uid: _live(item, full=False) for uid, item in listed.items()}
        wanted = [r.ref.uid for r in desired if r.ref.uid in listed]
        for found in self.ctx.parallel(self._read, wanted):
            if found is not None:
                live[found.ref.uid] = found
        return live

    def _read(self, uid: str) -> LiveResource | None:
        try:
            return _live(self.ctx.client.get_object(f"/api/datasources/uid/{uid}"), full=True)
        except NotFound:  # deleted between the list and this read
            return None

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """The definition's fields plus the ownership marker, normalised (no secrets, ever)."""
        return normalize_datasource(ownership.with_datasource_marker(resource.body))

    def update_reasons(self, resource: Resource, live: LiveResource | None, options: PlanOptions) -> list[str]:
        """Which secrets the write will send, and why (names of variables only)."""
        secrets = _secrets_to_send(resource, live, options.rotate_secrets)
        return secret_notes(resource, live, options.rotate_secrets, secrets)

    # --- writes -------------------------------------------------------------------------------------

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """POST /api/datasources with every secret (409 if the uid or name exists)."""
        resource = change.desired()
        body = self._body(resource, _secrets_to_send(resource, None, ctx.rotate_secrets), ctx)
        self.ctx.client.post("/api/datasources", body)
        return None

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """PUT /api/datasources/uid/:uid with the planned version (409 if someone updated it since)."""
        resource = change.desired()
        if change.live_version is None:
            raise ResourceError("data source version unknown; cannot update safely")
        secrets = _secrets_to_send(resource, change.live, ctx.rotate_secrets)
        body = self._body(resource, secrets, ctx) | {"version": change.live_version}
        self.ctx.client.put(f"/api/datasources/uid/{change.ref.uid}", body)
        return f"secrets sent: {', '.join(secrets)}" if secrets else None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """DELETE /api/datasources/uid/:uid; already gone counts as done."""
        return self.delete_path(f"/api/datasources/uid/{change.ref.uid}")

    @staticmethod
    def _body(resource: Resource, secrets: Sequence[str], ctx: ApplyContext) -> dict[str, Any]:
        body = ownership.with_datasource_marker({k: v for k, v in resource.body.items() if k != "secureJsonData"})
        if secrets:
            body["secureJsonData"] = {name: ctx.secret(resource.secret_env[name]) for name in secrets}
        return body


def _secrets_to_send(resource: Resource, live: LiveResource | None, rotate: bool) -> list[str]:
    """``secureJsonFields`` (full reads only) says which secrets hold a value."""
    return secrets_to_send(
        resource, live, rotate, lambda item, name: bool((item.detail.get("secureJsonFields") or {}).get(name))
    )


def _live(item: Mapping[str, Any], *, full: bool) -> LiveResource:
    uid = str(item.get("uid") or "")
    return LiveResource(
        ref=Ref(Kind.GRAFANA_DATASOURCE, uid),
        title=str(item.get("name") or uid),
        state=normalize_datasource(item),
        managed=ownership.is_managed_datasource(item.get("jsonData")),
        live_id=str(item["id"]) if item.get("id") is not None else None,
        version=item.get("version") if full else None,
        # secureJsonFields says which secrets hold a value; only the full record has it.
        detail={"secureJsonFields": dict(item.get("secureJsonFields") or {})} if full else {},
    )
