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

from pydis_dash.conventions.alerting import is_managed_uid
from pydis_dash.model import Kind, Ref, Resource
from pydis_dash.providers.base import Drift, LiveResource, PlanOptions
from pydis_dash.providers.grafana.alerting import (
    BASE,
    CONTACT_POINT_DIGEST_SETTING,
    ProvisioningHandler,
    contact_point_digest,
    normalize_contact_point,
    segment,
    shown_contact_point,
    stored_contact_point_digest,
)
from pydis_dash.providers.grafana.common import secret_notes, secrets_to_send

if TYPE_CHECKING:
    from pydis_dash.apply import ApplyContext
    from pydis_dash.plan import Change


class ContactPointHandler(ProvisioningHandler):
    """``grafana-contact-point`` resources; body is Grafana's ``EmbeddedContactPoint`` with placeholders
    for secrets."""

    kind = Kind.GRAFANA_CONTACT_POINT
    stage = 4

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        """Every contact point, compared without the secrets the desired ones declare."""
        secrets = {r.ref.uid: frozenset(r.secret_env) for r in desired}
        live: dict[str, LiveResource] = {}
        for item in self.ctx.client.get_list(f"{BASE}/contact-points"):
            uid = str(item.get("uid") or "")
            settings = item.get("settings") or {}
            secret_fields = secrets.get(uid, frozenset())
            stored = stored_contact_point_digest(item)
            live[uid] = LiveResource(
                ref=Ref(Kind.GRAFANA_CONTACT_POINT, uid),
                title=str(item.get("name") or uid),
                state=normalize_contact_point(item, secret_fields) if uid in secrets else shown_contact_point(item),
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
        """Why the write sends secrets (variable names only): a create, a rotation, or one not set in
        Grafana (which forces an update of an otherwise unchanged contact point). Every write sends them
        all anyway (see the module docstring)."""
        missing = secrets_to_send(
            resource, live, options.rotate_secrets, lambda item, name: name in item.detail.get("settingsSet", ())
        )
        return secret_notes(resource, live, options.rotate_secrets, missing)

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        """POST the contact point with its secrets (202)."""
        self.write("POST", f"{BASE}/contact-points", self._body(change, ctx))
        return None

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        """PUT the contact point with its secrets (202)."""
        path = f"{BASE}/contact-points/{segment(change.ref.uid)}"
        self.write("PUT", path, self._body(change, ctx))
        return None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        """DELETE the contact point; already gone counts as done (Grafana refuses one still routed to)."""
        return self.delete_path(f"{BASE}/contact-points/{segment(change.ref.uid)}")

    @staticmethod
    def _body(change: Change, ctx: ApplyContext) -> dict[str, Any]:
        resource = change.desired()
        settings = dict(resource.body.get("settings") or {})
        settings[CONTACT_POINT_DIGEST_SETTING] = contact_point_digest(resource.body, frozenset(resource.secret_env))
        for name, variable in resource.secret_env.items():
            settings[name] = ctx.secret(variable)
        return {**resource.body, "settings": settings}
