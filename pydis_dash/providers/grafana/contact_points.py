"""Contact points: ``/api/v1/provisioning/contact-points``.

Live state: one ``GET`` lists them all, secure settings redacted. Managed contact points have a uid with
pydis-dash's prefix. Secrets (``Resource.secret_env``) are read from the environment and sent with every
create and update: Grafana's PUT replaces the integration, and sending them keeps that independent of
how a Grafana version merges omitted secure settings. They are never compared (they cannot be read
back); a secret missing in Grafana, or ``--rotate-secrets``, forces an update.

Drift: each write stores the digest of the compared form in the settings (see
:mod:`pydis_dash.providers.grafana.alerting`); a managed contact point whose settings no longer match it
was edited outside pydis-dash. Grafana keeps no history of contact points, so there is no who or when,
and an edit of a secret alone cannot be seen (secrets are never compared, and code rewrites them anyway).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydis_dash.alerts.identity import is_managed_uid
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import Drift, Handler, LiveResource, PlanOptions
from pydis_dash.providers.grafana.alerting import (
    BASE,
    CONTACT_POINT_DIGEST_SETTING,
    contact_point_digest,
    disable_provenance_of,
    normalize_contact_point,
    segment,
    send,
    stored_contact_point_digest,
)
from pydis_dash.providers.grafana.client import NotFound
from pydis_dash.providers.grafana.common import GrafanaContext

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class ContactPointHandler(Handler):
    """``grafana-contact-point`` resources; body is Grafana's ``EmbeddedContactPoint`` with placeholders
    for secrets."""

    kind = Kind.GRAFANA_CONTACT_POINT
    stage = 4

    def __init__(self, ctx: GrafanaContext, *, disable_provenance: bool | None = None) -> None:
        self.ctx = ctx
        self.disable_provenance = disable_provenance_of(ctx, disable_provenance)

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """Every contact point, compared without the secrets the desired ones declare."""
        secrets = {r.ref.uid: frozenset(r.secret_env) for r in desired}
        live: dict[str, LiveResource] = {}
        for item in self.ctx.client.get(f"{BASE}/contact-points") or []:
            uid = str(item.get("uid") or "")
            settings = item.get("settings") or {}
            secret_fields = secrets.get(uid, frozenset())
            stored = stored_contact_point_digest(item)
            live[uid] = LiveResource(
                ref=Ref(Kind.GRAFANA_CONTACT_POINT, uid),
                title=str(item.get("name") or uid),
                state=normalize_contact_point(item, secret_fields),
                managed=is_managed_uid(uid),
                live_id=uid,
                detail={
                    # Which settings hold a value: secure ones come back as [REDACTED], others (a webhook
                    # URL in some versions) in clear; either way the secret is set.
                    "settingsSet": frozenset(k for k, v in settings.items() if v not in (None, "")),
                    # No digest (written before digests) proves nothing.
                    "edited": stored is not None and contact_point_digest(item, secret_fields) != stored,
                },
            )
        return live

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        """The contact point without its secret settings."""
        return normalize_contact_point(resource.body, frozenset(resource.secret_env))

    def drift(self, resource: Resource, live: LiveResource) -> Drift | None:
        """Drift when the settings no longer match the digest pydis-dash wrote into them."""
        return Drift("changed outside pydis-dash") if live.detail.get("edited") else None

    def update_reasons(self, resource: Resource, live: LiveResource | None, options: PlanOptions) -> list[str]:
        """Which secrets the write sends (variable names only), and why an unchanged one is rewritten."""
        names = sorted(resource.secret_env)
        if live is None:
            return [f"secret {name!r} from ${resource.secret_env[name]} is sent on create" for name in names]
        if options.rotate_secrets:
            return [f"secret {name!r} is rotated from ${resource.secret_env[name]}" for name in names]
        is_set = live.detail.get("settingsSet", frozenset())
        missing = [name for name in names if name not in is_set]
        return [
            f"secret {name!r} is not set in Grafana; it is sent from ${resource.secret_env[name]}" for name in missing
        ]

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """POST the contact point with its secrets (202)."""
        send(self.ctx.client, "POST", f"{BASE}/contact-points", self._body(change, ctx), self.disable_provenance)
        return None

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """PUT the contact point with its secrets (202)."""
        path = f"{BASE}/contact-points/{segment(change.ref.uid)}"
        send(self.ctx.client, "PUT", path, self._body(change, ctx), self.disable_provenance)
        return None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """DELETE the contact point; already gone counts as done (Grafana refuses one still routed to)."""
        try:
            send(
                self.ctx.client,
                "DELETE",
                f"{BASE}/contact-points/{segment(change.ref.uid)}",
                None,
                self.disable_provenance,
            )
        except NotFound:
            return "already gone"
        return None

    @staticmethod
    def _body(change: Change, ctx: ApplyContext) -> dict[str, Any]:
        assert change.resource is not None
        resource = change.resource
        settings = dict(resource.body.get("settings") or {})
        settings[CONTACT_POINT_DIGEST_SETTING] = contact_point_digest(resource.body, frozenset(resource.secret_env))
        for name, variable in resource.secret_env.items():
            settings[name] = ctx.secret(variable)
        return {**resource.body, "settings": settings}
