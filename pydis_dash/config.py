"""Named environments (``prod``, ``staging``...) that ``diff`` and ``deploy`` talk to.

Read from ``pydis-dash.toml`` (top-level ``[environments.<name>]`` or ``[tool.pydis-dash...]``) when it
exists, else from ``[tool.pydis-dash.environments.<name>]`` in ``pyproject.toml``. Secrets are never in
these files: only the *names* of the environment variables holding them.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.redact import remember_secret

CONFIG_FILES = ("pydis-dash.toml", "pyproject.toml")


class ConfigError(EnvironmentProblem):
    """The configuration file is missing, malformed or names an unknown environment (exit 3)."""


@dataclass(frozen=True)
class Environment:
    """One deploy target: URLs, the names of the variables holding credentials, TLS settings."""

    name: str
    grafana_url: str | None = None
    grafana_token_env: str | None = None
    metabase_url: str | None = None
    metabase_api_key_env: str | None = None
    metabase_user_env: str | None = None
    metabase_password_env: str | None = None
    #: A PEM bundle to verify the servers' certificates with (relative to the project root).
    ca_bundle: str | None = None
    #: Allow plain ``http://`` to a non-loopback host. Tokens then cross the network in clear text.
    allow_insecure_http: bool = False
    #: Connect and read timeouts in seconds.
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    #: How often an idempotent request is retried (connection errors, 429, 502, 503, 504).
    retries: int = 4
    #: Alerting resources stay editable in Grafana's UI (``X-Disable-Provenance`` on writes).
    #: Off by default: UI edits to code-owned alerts would be overwritten by the next deploy.
    alerts_editable_in_ui: bool = False

    def secret(self, variable: str | None, what: str) -> str:
        """The value of environment variable ``variable``, masked in all output from now on; ConfigError
        naming it (never its value) when it is not set."""
        if not variable:
            raise ConfigError(f"environment {self.name!r}: no variable configured for the {what}")
        value = os.environ.get(variable)
        if not value:
            raise ConfigError(f"environment {self.name!r}: ${variable} (the {what}) is not set")
        remember_secret(value)
        return value

    def grafana_token(self) -> str:
        """The Grafana service-account token, read from ``grafana_token_env``."""
        return self.secret(self.grafana_token_env, "Grafana service-account token")

    def checked_url(self, url: str | None, what: str) -> str:
        """``url`` without a trailing slash, after refusing plain http to a non-loopback host."""
        if not url:
            raise ConfigError(f"environment {self.name!r} has no {what} URL")
        parts = urlsplit(url)
        if "@" in parts.netloc:
            # user:password@ would end up in every message that names the server (and requests would
            # send it as Basic auth in place of the token), so it is refused without echoing the URL.
            raise ConfigError(
                f"environment {self.name!r}: the {what} URL must not contain credentials (user:password@); "
                "name the environment variable holding them instead"
            )
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"environment {self.name!r}: {what} URL {url!r} must be http(s)://host[:port]")
        if parts.scheme == "http" and not self.allow_insecure_http and not _is_loopback(parts.hostname):
            raise ConfigError(
                f"environment {self.name!r}: refusing plain http to {parts.hostname} (the token would "
                "be sent unencrypted); use https, or set allow_insecure_http = true"
            )
        return url.rstrip("/")

    def verify(self, project_dir: Path) -> str | bool:
        """The ``verify`` argument for requests: the CA bundle path, or True (system store)."""
        if not self.ca_bundle:
            return True
        path = Path(self.ca_bundle)
        path = path if path.is_absolute() else project_dir / path
        if not path.is_file():
            raise ConfigError(f"environment {self.name!r}: ca_bundle {str(path)!r} does not exist")
        return str(path)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Config:
    """All environments of a project and where they were read from."""

    path: Path | None
    environments: Mapping[str, Environment]
    default_environment: str | None = None

    def environment(self, name: str | None) -> Environment:
        """The environment called ``name``, or the default one when ``name`` is None."""
        where = f" in {self.path}" if self.path else ""
        if not self.environments:
            raise ConfigError(f"no environments configured{where} (add [tool.pydis-dash.environments.<name>])")
        if name is None:
            name = self.default_environment
            if name is None:
                if len(self.environments) != 1:
                    raise ConfigError(f"choose an environment with --env: {', '.join(sorted(self.environments))}")
                name = next(iter(self.environments))
        if name not in self.environments:
            known = ", ".join(sorted(self.environments))
            raise ConfigError(f"unknown environment {name!r}{where}; known: {known}")
        return self.environments[name]


_FIELDS = {f.name: f for f in fields(Environment) if f.name != "name"}
# Field annotations are strings (postponed evaluation); everything not listed here is an optional str.
_TYPES: dict[str, type | tuple[type, ...]] = {"bool": bool, "float": (int, float), "int": int}


def load_config(project_dir: Path) -> Config:
    """Read the environments of the project in ``project_dir``."""
    for filename in CONFIG_FILES:
        path = project_dir / filename
        if not path.is_file():
            continue
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
        section = document.get("tool", {}).get("pydis-dash")
        if section is None and filename == "pydis-dash.toml":
            section = document
        if section is None:
            continue
        return _parse(path, section)
    return Config(None, {})


def _parse(path: Path, section: Mapping[str, Any]) -> Config:
    environments: dict[str, Environment] = {}
    raw_envs = section.get("environments", {})
    if not isinstance(raw_envs, dict):
        raise ConfigError(f"{path}: 'environments' must be a table of tables")
    for name, table in raw_envs.items():
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: environments.{name} must be a table")
        values: dict[str, Any] = {}
        for key, value in table.items():
            spec = _FIELDS.get(key)
            if spec is None:
                raise ConfigError(f"{path}: environments.{name}: unknown key {key!r}; known: {', '.join(_FIELDS)}")
            expected: type | tuple[type, ...] = _TYPES.get(str(spec.type), str)
            if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
                raise ConfigError(f"{path}: environments.{name}.{key} has the wrong type ({type(value).__name__})")
            values[key] = value
        environments[name] = Environment(name=name, **values)
    default = section.get("default_environment")
    if default is not None and default not in environments:
        raise ConfigError(f"{path}: default_environment {default!r} is not a configured environment")
    return Config(path, environments, default)
