"""Data source definitions: Python objects or YAML files in ``datasources/``.

Secrets (passwords, tokens) are never written in a definition: a definition names the environment
variable that holds each one, and only ``deploy`` reads it.

A data source also says how its queries are checked (``check:``, see :mod:`pydis_dash.source_check`)
and, when Metabase reads the same database, that database's name in Metabase (``metabase_database``).
Files beside a data source (its schema, series list, sample data) live in a folder named after it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from pydis_dash.argtypes import dataclass_problem
from pydis_dash.definition import Definition, RenderContext, is_valid_uid, secret_env_problem
from pydis_dash.errors import DefinitionError
from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.source_check import CheckSettingsError, SourceCheck, parse_check

# Grafana's secureJsonData fields that data source plugins read (password, header values, keys).
_SECURE_FIELD = re.compile(r"password|basicAuthPassword|tlsClientKey|secretKey|privateKey|httpHeaderValue\d+")
_YAML_KEYS = {
    "uid",
    "name",
    "type",
    "url",
    "access",
    "user",
    "database",
    "jsonData",
    "secrets",
    "isDefault",
    "metabase_database",
    "check",
}


@dataclass(frozen=True)
class DataSource(Definition):
    """A Grafana data source with a stable ``uid`` that dashboards reference.

    ``secrets`` maps a ``secureJsonData`` field (``password``, ``basicAuthPassword``...) to the name of
    the environment variable holding it, e.g. ``{"password": "PYDIS_METRICITY_DB_PASSWORD"}``.
    ``metabase_database`` is the name Metabase gives the same database, when it has one: questions may
    name the data source instead. ``check`` (a :class:`~pydis_dash.source_check.SourceCheck` or a
    mapping with the same keys) says how ``validate`` checks its queries; relative paths are taken
    from the defining file's folder.
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
    metabase_database: str | None = None
    check: SourceCheck | Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        problem = (
            dataclass_problem(self, skip=frozenset({"uid", "secrets", "json_data"}))
            or _problem(self.uid, self.secrets, self.json_data, self.url)
            or _metabase_problem(self.metabase_database)
        )
        if problem:
            raise DefinitionError(problem, self.defined_at, self.identity)
        if self.check is not None:
            try:
                check = parse_check(self.check, self.defined_at.path.parent, self.type)
            except CheckSettingsError as exc:
                raise DefinitionError(str(exc), self.defined_at, self.identity) from None
            object.__setattr__(self, "check", check)

    @property
    def source_check(self) -> SourceCheck | None:
        """The resolved check settings (``check`` after construction), or None."""
        return self.check if isinstance(self.check, SourceCheck) else None

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
                metabase_database=self.metabase_database,
                check=self.source_check,
            )
        ]


def _problem(uid: str, secrets: Mapping[str, Any], json_data: Mapping[str, Any], url: str) -> str | None:
    """Why a data source is not valid, or None (shared by Python and YAML definitions).

    Secrets only as environment variable names: none written into ``jsonData`` or the URL (neither is
    encrypted by Grafana, and both are in ``build`` output).
    """
    if not is_valid_uid(uid):
        return "uid must be 1-40 characters of letters, digits, '-' and '_'"
    try:
        password = urlsplit(url).password
    except ValueError:
        return f"url {url!r} is not a valid URL"
    if password is not None:
        return "url must not hold a password: name its environment variable in secrets (password) instead"
    leaked = sorted(str(key) for key in json_data if _SECURE_FIELD.fullmatch(str(key)))
    if leaked:
        return f"jsonData {leaked[0]!r} is a secret: name its environment variable in secrets instead"
    return secret_env_problem(secrets)


class _NoAliasLoader(yaml.SafeLoader):
    """PyYAML's safe loader without aliases: a data source needs none, and nested aliases expand
    exponentially (a "billion laughs" file of a few hundred bytes takes gigabytes and minutes)."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in data source YAML; write the value out", event.start_mark
            )
        node: yaml.Node | None = super().compose_node(parent, index)
        return node


def _metabase_problem(name: object) -> str | None:
    if name is None or (isinstance(name, str) and name.strip()):
        return None
    return "metabase_database must be the database's name in Metabase, e.g. 'Analytics'"


def load_yaml_datasources(path: Path) -> list[DataSource]:
    """Read one YAML file holding a data source mapping or a list of them (aliases refused)."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_NoAliasLoader)
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
    json_data = entry.get("jsonData") or {}
    if not isinstance(json_data, Mapping):
        raise DefinitionError("`jsonData` must be a mapping of settings", where, entry.get("uid"))
    problem = _problem(str(entry["uid"]), secrets, json_data, str(entry["url"])) or _metabase_problem(
        entry.get("metabase_database")
    )
    if problem:
        raise DefinitionError(problem, where, entry.get("uid"))
    check = None
    if entry.get("check") is not None:
        try:
            check = parse_check(entry["check"], path.parent, str(entry["type"]))
        except CheckSettingsError as exc:
            raise DefinitionError(str(exc), where, entry.get("uid")) from None
    source = DataSource(
        uid=str(entry["uid"]),
        name=str(entry["name"]),
        type=str(entry["type"]),
        url=str(entry["url"]),
        access=str(entry.get("access", "proxy")),
        user=entry.get("user"),
        database=entry.get("database"),
        json_data=dict(json_data),
        secrets=dict(secrets),
        is_default=bool(entry.get("isDefault", False)),
        metabase_database=entry.get("metabase_database"),
        check=check,
    )
    object.__setattr__(source, "defined_at", where)
    return source
