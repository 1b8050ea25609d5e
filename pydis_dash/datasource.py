"""Data source definitions: Python objects or YAML files in ``datasources/``.

Secrets (passwords, tokens) are never written in a definition: a definition names the environment
variable that holds each one, and only ``deploy`` reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pydis_dash.definition import Definition, RenderContext
from pydis_dash.errors import DefinitionError
from pydis_dash.model import Kind, Ref, Resource, SourceLocation

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_YAML_KEYS = {"uid", "name", "type", "url", "access", "user", "database", "jsonData", "secrets", "isDefault"}


@dataclass(frozen=True)
class DataSource(Definition):
    """A Grafana data source with a stable ``uid`` that dashboards reference.

    ``secrets`` maps a ``secureJsonData`` field (``password``, ``basicAuthPassword``...) to the name of
    the environment variable holding it, e.g. ``{"password": "PYDIS_METRICITY_DB_PASSWORD"}``.
    """

    uid: str
    name: str
    type: str
    url: str
    access: str = "proxy"
    user: str | None = None
    database: str | None = None
    json_data: Mapping[str, Any] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)
    is_default: bool = False

    def __post_init__(self) -> None:
        for secret_field, env_name in self.secrets.items():
            if not _ENV_NAME.match(env_name):
                raise DefinitionError(
                    f"secret {secret_field!r} must name an environment variable (UPPER_CASE), "
                    "never hold the secret itself",
                    self.defined_at,
                    self.identity,
                )

    @property
    def identity(self) -> str:
        """``datasource 'uid'``."""
        return f"datasource {self.uid!r}"

    @property
    def ref(self) -> dict[str, str]:
        """The ``{"type", "uid"}`` reference panels and targets use."""
        return {"type": self.type, "uid": self.uid}

    def render(self, ctx: RenderContext) -> list[Resource]:
        """One ``grafana-datasource`` resource; secrets appear only as env-var names."""
        json_data = dict(self.json_data)
        if self.database is not None:
            json_data["database"] = self.database
        body: dict[str, Any] = {
            "uid": self.uid,
            "name": self.name,
            "type": self.type,
            "access": self.access,
            "url": self.url,
            "jsonData": json_data,
            "isDefault": self.is_default,
        }
        if self.user is not None:
            body["user"] = self.user
        return [
            Resource(
                ref=Ref(Kind.GRAFANA_DATASOURCE, self.uid),
                title=self.name,
                body=body,
                source=ctx.relative(self.defined_at),
                secret_env=dict(self.secrets),
            )
        ]


def load_yaml_datasources(path: Path) -> list[DataSource]:
    """Read one YAML file holding a data source mapping or a list of them."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise DefinitionError(f"invalid YAML: {problem}", SourceLocation(path, line)) from None
    entries = document if isinstance(document, list) else [document]
    return [_from_mapping(entry, path, index) for index, entry in enumerate(entries)]


def _from_mapping(entry: Any, path: Path, index: int) -> DataSource:
    where = SourceLocation(path)
    if not isinstance(entry, Mapping):
        raise DefinitionError(f"entry {index} must be a mapping of data source fields", where)
    unknown = sorted(set(entry) - _YAML_KEYS)
    if unknown:
        raise DefinitionError(f"unknown data source field(s): {', '.join(unknown)}", where, entry.get("uid"))
    missing = [key for key in ("uid", "name", "type", "url") if not entry.get(key)]
    if missing:
        raise DefinitionError(f"missing field(s): {', '.join(missing)}", where, entry.get("uid"))
    secrets = entry.get("secrets") or {}
    if not isinstance(secrets, Mapping) or not all(isinstance(v, str) for v in secrets.values()):
        raise DefinitionError("`secrets` maps field names to environment variable names", where)
    for secret_field, env_name in secrets.items():
        if not _ENV_NAME.match(env_name):
            raise DefinitionError(
                f"secret {secret_field!r} must name an environment variable (UPPER_CASE), never hold the secret itself",
                where,
                entry.get("uid"),
            )
    source = DataSource(
        uid=str(entry["uid"]),
        name=str(entry["name"]),
        type=str(entry["type"]),
        url=str(entry["url"]),
        access=str(entry.get("access", "proxy")),
        user=entry.get("user"),
        database=entry.get("database"),
        json_data=dict(entry.get("jsonData") or {}),
        secrets=dict(secrets),
        is_default=bool(entry.get("isDefault", False)),
    )
    object.__setattr__(source, "defined_at", where)
    return source
