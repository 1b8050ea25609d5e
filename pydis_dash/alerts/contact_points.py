"""Contact points: where notifications go (a webhook, an email address list, a Discord channel webhook).

Webhook URLs and passwords are secrets: a definition names the environment variable holding each one
(``url_env="PYDIS_ONCALL_WEBHOOK_URL"``). The rendered JSON holds only the placeholder
``$__env{PYDIS_ONCALL_WEBHOOK_URL}`` and ``Resource.secret_env`` maps the setting to the variable; only
``deploy`` reads the value, when it writes the contact point.

    oncall = discord_contact_point("devops on-call", url_env="PYDIS_DEVOPS_ONCALL_DISCORD_WEBHOOK")
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydis_dash.conventions.alerting import contact_point_uid
from pydis_dash.definition import Definition, RenderContext, caller_location, secret_env_problem
from pydis_dash.errors import DefinitionError
from pydis_dash.model import Kind, Ref, Resource


def secret_placeholder(env_name: str) -> str:
    """What a secret setting holds in rendered JSON: ``$__env{NAME}`` (the variable's name, never its value)."""
    return "$__env{" + env_name + "}"


# Settings Grafana keeps encrypted (secure settings) in the integrations authors use: passwords, tokens,
# API keys, and the URLs of integrations whose URL carries the token. Written in `settings` they would
# land in the repo, in `build` output and in CI logs.
_SECRET_SETTING = re.compile(r"(?i).*(password|token|secret|api_?key|credentials|integration_?key|user_?key).*")
_URL_IS_SECRET = frozenset({"discord", "slack", "googlechat", "teams", "victorops"})


def _secret_settings(integration: str, settings: Mapping[str, Any]) -> set[str]:
    found = {key for key in settings if _SECRET_SETTING.fullmatch(str(key))}
    if integration in _URL_IS_SECRET and "url" in settings:
        found.add("url")
    return found


@dataclass(frozen=True)
class ContactPoint(Definition):
    """One integration of the contact point ``name`` (policies route to names; one name may hold several
    integrations, e.g. a Discord webhook and an email).

    ``settings`` are Grafana's settings for ``type`` without secrets; ``secrets`` maps each secret setting
    (``url``, ``password``...) to the environment variable holding it.
    """

    name: str
    type: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    disable_resolve_message: bool = False

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise DefinitionError("name must not be empty", self.defined_at, self.identity)
        if not re.match(r"^[a-z][a-z0-9_-]*$", self.type):
            raise DefinitionError(
                f"type {self.type!r} is not a Grafana integration type", self.defined_at, self.identity
            )
        problem = secret_env_problem(self.secrets)
        if problem:
            raise DefinitionError(problem, self.defined_at, self.identity)
        leaked = sorted(set(self.settings) & (set(self.secrets) | _secret_settings(self.type, self.settings)))
        if leaked:
            raise DefinitionError(
                f"{leaked[0]!r} is a secret: give it only as an environment variable name (secrets=)",
                self.defined_at,
                self.identity,
            )

    @property
    def identity(self) -> str:
        """``contact point 'name' (type)``."""
        return f"contact point {self.name!r} ({self.type})"

    @property
    def uid(self) -> str:
        """Derived from the name and type, with pydis-dash's ownership prefix."""
        return contact_point_uid(self.name, self.type)

    def render(self, ctx: RenderContext) -> list[Resource]:
        """One ``grafana-contact-point`` resource in the shape of Grafana's ``EmbeddedContactPoint``."""
        settings = dict(self.settings)
        for setting, env_name in self.secrets.items():
            settings[setting] = secret_placeholder(env_name)
        body = {
            "uid": self.uid,
            "name": self.name,
            "type": self.type,
            "settings": settings,
            "disableResolveMessage": self.disable_resolve_message,
        }
        return [
            Resource(
                ref=Ref(Kind.GRAFANA_CONTACT_POINT, self.uid),
                title=self.name,
                body=body,
                source=ctx.relative(self.defined_at),
                secret_env=dict(self.secrets),
            )
        ]


def _optional(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def webhook_contact_point(
    name: str,
    *,
    url_env: str,
    http_method: str = "POST",
    username: str | None = None,
    password_env: str | None = None,
    authorization_scheme: str | None = None,
    authorization_credentials_env: str | None = None,
    max_alerts: int | None = None,
    title: str | None = None,
    message: str | None = None,
    disable_resolve_message: bool = False,
) -> ContactPoint:
    """A webhook (Grafana posts its JSON payload); the URL, a basic-auth password or an authorization
    header's credentials come from environment variables."""
    if http_method not in ("POST", "PUT"):
        raise DefinitionError(
            f"http_method must be POST or PUT, not {http_method!r}", caller_location(), f"contact point {name!r}"
        )
    settings = _optional(
        httpMethod=http_method,
        username=username,
        authorization_scheme=authorization_scheme,
        maxAlerts=max_alerts,
        title=title,
        message=message,
    )
    secrets = _optional(url=url_env, password=password_env, authorization_credentials=authorization_credentials_env)
    return ContactPoint(name, "webhook", settings, secrets, disable_resolve_message)


def email_contact_point(
    name: str,
    *,
    addresses: Sequence[str],
    single_email: bool = False,
    subject: str | None = None,
    message: str | None = None,
    disable_resolve_message: bool = False,
) -> ContactPoint:
    """Email to ``addresses`` (sent through Grafana's SMTP settings); ``single_email`` sends one mail to all."""
    if isinstance(addresses, str) or not addresses or not all("@" in a for a in addresses):
        raise DefinitionError(
            "addresses must be a non-empty list of email addresses", caller_location(), f"contact point {name!r}"
        )
    settings = _optional(addresses=";".join(addresses), singleEmail=single_email, subject=subject, message=message)
    return ContactPoint(name, "email", settings, {}, disable_resolve_message)


def discord_contact_point(
    name: str,
    *,
    url_env: str,
    title: str | None = None,
    message: str | None = None,
    avatar_url: str | None = None,
    use_discord_username: bool = False,
    disable_resolve_message: bool = False,
) -> ContactPoint:
    """A Discord channel webhook; its URL (which holds the webhook's token) comes from ``url_env``."""
    settings = _optional(title=title, message=message, avatar_url=avatar_url, use_discord_username=use_discord_username)
    return ContactPoint(name, "discord", settings, {"url": url_env}, disable_resolve_message)
