"""Schema checks: rendered resources against Grafana's own JSON schemas (grafana-foundation-sdk).

Dashboards are checked against ``dashboard.jsonschema.json``; each panel's ``options`` against its
plugin's ``#/definitions/Options`` and ``fieldConfig.defaults.custom`` against ``#/definitions/FieldConfig``
(when the plugin defines one); alert rule groups against ``alerting.jsonschema.json#/definitions/RuleGroup``.
The schemas are used unmodified (see ``pydis_dash/schemas/grafana/SOURCES.md``); each is loaded and
compiled once per process.

Every check is asked twice at most: first of ``jsonschema_rs`` (compiled Rust, ~200x faster: a
dashboard in tens of microseconds), which only says valid or not; only an instance it rejects (or one
holding something other than plain JSON values, where the two libraries' type rules differ) goes to
``jsonschema``, whose errors make the messages. Valid definitions, nearly all of them, never pay for
the slow walk; invalid ones get exactly the findings they always got.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from pydis_dash.model import Kind, Resource, json_pointer
from pydis_dash.validate.dashboard_json import iter_panels, panel_title
from pydis_dash.validate.findings import Finding, Severity

if TYPE_CHECKING:  # jsonschema (and its referencing registry) is imported only when an instance is invalid
    from jsonschema import Draft7Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

RULE = "SCHEMA"

_DASHBOARD = ("dashboard.jsonschema.json", "Dashboard")
_RULE_GROUP = ("alerting.jsonschema.json", "RuleGroup")

# Instances quoted in messages are cut to this length: a whole panel in an error line helps nobody.
_MAX_QUOTE = 80


def check_schemas(resources_: Iterable[Resource]) -> list[Finding]:
    """Schema findings for every dashboard and alert rule group; other kinds have no schema here."""
    findings: list[Finding] = []
    for resource in resources_:
        findings.extend(check_resource(resource))
    return findings


def check_resource(resource: Resource) -> list[Finding]:
    """Schema findings for one resource (empty for kinds without a schema)."""
    if resource.kind is Kind.GRAFANA_DASHBOARD:
        return _check_dashboard(resource)
    if resource.kind is Kind.GRAFANA_RULE_GROUP:
        return list(_findings(resource, _RULE_GROUP, resource.body, "", "alert rule group"))
    return []


@functools.cache
def panel_plugins() -> frozenset[str]:
    """Panel types whose ``options`` are checked: every plugin schema shipped in ``schemas/grafana``."""
    schemas = _schemas()
    return frozenset(name for name, schema in schemas.items() if "Options" in schema.get("definitions", {}))


def _check_dashboard(resource: Resource) -> list[Finding]:
    body = resource.body
    # Walked once: every panel's options and field config are parts of a plain body, plain themselves.
    plain = _plain_json(body)
    findings = list(_findings(resource, _DASHBOARD, body, "", "dashboard", plain=plain))
    plugins = panel_plugins()
    for pointer, panel in iter_panels(body):
        panel_type = panel.get("type")
        if panel_type not in plugins:
            continue
        title = panel_title(panel)
        options = panel.get("options")
        if isinstance(options, Mapping):
            findings.extend(
                _findings(
                    resource,
                    (f"{panel_type}.jsonschema.json", "Options"),
                    options,
                    pointer + "/options",
                    f"{panel_type} options",
                    panel=title,
                    plain=plain,
                )
            )
        custom = _custom_field_config(panel)
        if custom is not None and "FieldConfig" in _schemas()[panel_type].get("definitions", {}):
            findings.extend(
                _findings(
                    resource,
                    (f"{panel_type}.jsonschema.json", "FieldConfig"),
                    custom,
                    pointer + "/fieldConfig/defaults/custom",
                    f"{panel_type} field config",
                    panel=title,
                    plain=plain,
                )
            )
    return findings


def _custom_field_config(panel: Mapping[str, Any]) -> Mapping[str, Any] | None:
    field_config = panel.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, Mapping) else None
    custom = defaults.get("custom") if isinstance(defaults, Mapping) else None
    return custom if isinstance(custom, Mapping) else None


def _findings(
    resource: Resource,
    schema: tuple[str, str],
    instance: Any,
    base_pointer: str,
    what: str,
    panel: str | None = None,
    plain: bool | None = None,
) -> Iterator[Finding]:
    errors = schema_errors(*schema, instance, plain=plain)
    leaves = [leaf for error in errors for leaf in _leaf_errors(error)]
    # A value outside an enum of strings fails ``type`` too; the enum's message alone says it all.
    listed = {tuple(leaf.absolute_path) for leaf in leaves if leaf.validator in ("enum", "const")}
    for leaf in leaves:
        if leaf.validator == "type" and tuple(leaf.absolute_path) in listed:
            continue
        pointer = base_pointer + json_pointer(*leaf.absolute_path)
        where_panel = panel if panel is not None else _where_panelat(resource.body, pointer)
        yield schema_finding(resource, pointer, f"{what} {pointer or '/'}: {_describe(leaf)}", panel=where_panel)


def schema_finding(resource: Resource, pointer: str, message: str, panel: str | None = None) -> Finding:
    """A SCHEMA error at ``pointer`` in ``resource``, located at the definition's line."""
    return Finding.at(resource, pointer, RULE, Severity.ERROR, message, panel=panel)


def schema_errors(file_name: str, definition: str, instance: Any, plain: bool | None = None) -> list[ValidationError]:
    """The errors of ``instance`` against one definition of a shipped schema file, in document order.

    Empty at once when the compiled validator accepts ``instance`` and it holds only plain JSON values
    (dict, list, str, int, float, bool, None: where both libraries agree on every type); otherwise
    ``jsonschema`` walks it for the errors. ``plain`` says whether it is plain JSON, when already known
    (None: walk it to find out).
    """
    if plain is None:
        plain = _plain_json(instance)
    if plain and _fast_validator(file_name, definition).is_valid(instance):
        return []
    return sorted_errors(_validator(file_name, definition), instance)


def sorted_errors(validator: Draft7Validator, instance: Any) -> list[ValidationError]:
    """The validation errors of ``instance``, in document order (by path)."""
    return sorted(validator.iter_errors(instance), key=lambda e: [str(p) for p in e.absolute_path])


def shorten(message: str) -> str:
    """jsonschema's message, cut to 200 characters (it may quote a whole panel)."""
    return message if len(message) <= 200 else message[:197] + "..."


def _leaf_errors(error: ValidationError) -> list[ValidationError]:
    """The errors worth showing for one error.

    ``oneOf``/``anyOf`` failures (a dashboard panel is ``oneOf(Panel, RowPanel)``) only say "not valid under
    any of the given schemas". We pick the branch the author evidently meant: not one whose discriminator
    (a ``const``/``enum`` on a direct property, like ``type: "row"``) failed, then the one with fewest
    unexpected keys, then the one with fewest errors; its errors are shown, recursively.
    """
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)

    def score(item: tuple[int, list[ValidationError]]) -> tuple[bool, int, int, int]:
        index, subs = item
        wrong_kind = any(s.validator in ("const", "enum") and len(s.relative_path) == 1 for s in subs)
        # Unexpected keys on the object itself mean "this is another shape" (a row's ``panels`` and
        # ``collapsed`` are unexpected on a Panel), so such a branch is a worse guess than one with errors
        # in values.
        wrong_shape = sum(1 for s in subs if s.validator == "additionalProperties" and not s.relative_path)
        return wrong_kind, wrong_shape, len(subs), index

    _, chosen = min(branches.items(), key=score)
    leaves: list[ValidationError] = []
    for sub in sorted(chosen, key=lambda e: [str(p) for p in e.absolute_path]):
        leaves.extend(_leaf_errors(sub))
    return leaves


def _describe(error: ValidationError) -> str:
    """A short message; jsonschema's own quotes the whole instance, which may be a whole panel."""
    if error.validator == "type":
        return f"expected {error.validator_value}, got {_json_type(error.instance)} {_quote(error.instance)}"
    if error.validator == "enum":
        allowed = ", ".join(json.dumps(v) for v in list(error.validator_value))  # type: ignore[arg-type]
        return f"{_quote(error.instance)} is not one of {allowed}"
    if error.validator == "const":
        return f"expected {json.dumps(error.validator_value)}, got {_quote(error.instance)}"
    return shorten(error.message)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _quote(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 3] + "..."


def _where_panelat(body: Mapping[str, Any], pointer: str) -> str | None:
    """Title of the innermost panel containing ``pointer``, if the pointer is inside a panel."""
    title = None
    for panel_pointer, panel in iter_panels(body):
        if pointer == panel_pointer or pointer.startswith(panel_pointer + "/"):
            title = panel_title(panel)
    return title


@functools.cache
def _schemas() -> dict[str, dict[str, Any]]:
    """Every shipped schema, keyed by panel type / file stem (``stat``, ``dashboard``, ...)."""
    folder = resources.files("pydis_dash") / "schemas" / "grafana"
    schemas = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".jsonschema.json"):
            schemas[entry.name.removesuffix(".jsonschema.json")] = json.loads(entry.read_text("utf-8"))
    _correct(schemas)
    return schemas


def _correct(schemas: dict[str, dict[str, Any]]) -> None:
    """Where the SDK's generated schemas reject what Grafana itself saves, follow Grafana's CUE kinds.

    * ``MatcherConfig.options`` and ``DynamicConfigValue.value`` are ``_`` (any value) in Grafana:
      ``byName`` matchers carry a string, an override's ``unit`` a string, ``color`` an object. The
      generator rendered them as objects.
    * ``TableCellOptions`` is a union discriminated by ``type``, but every member's ``type`` allows any
      display mode, so ``{"type": "auto"}`` (every table Grafana 10+ saves) matches several members of
      the generated ``oneOf``; any member matching is what the union means.
    * ``VariableModel.query`` is a string or any object: data source plugins keep their own query
      object there (Prometheus: ``{"query": ..., "refId": ...}``, strings inside).
    * ``TableFooterOptions.fields``: the table panel writes ``""`` for "all fields" (its default).
    """
    for schema in schemas.values():
        definitions = schema.get("definitions", {})
        for name, field in (("MatcherConfig", "options"), ("DynamicConfigValue", "value")):
            anything = definitions.get(name, {}).get("properties", {}).get(field)
            if isinstance(anything, dict):
                anything.pop("type", None)
                anything.pop("additionalProperties", None)
        query = definitions.get("VariableModel", {}).get("properties", {}).get("query")
        if isinstance(query, dict):
            query["oneOf"] = [{"type": "string"}, {"type": "object"}]
        footer = definitions.get("TableFooterOptions", {}).get("properties", {}).get("fields")
        if isinstance(footer, dict) and "type" in footer:
            footer.clear()
            footer["anyOf"] = [{"type": "array", "items": {"type": "string"}}, {"const": ""}]
        cell = definitions.get("TableCellOptions")
        if isinstance(cell, dict) and "oneOf" in cell:
            cell["anyOf"] = cell.pop("oneOf")


@functools.cache
def _registry() -> Registry[Any]:
    """All shipped schemas, addressable by file name, so ``$ref``s across them resolve."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT7

    pairs: Sequence[tuple[str, Any]] = [
        (f"{name}.jsonschema.json", DRAFT7.create_resource(schema)) for name, schema in _schemas().items()
    ]
    return Registry().with_resources(pairs).crawl()


@functools.cache
def _validator(file_name: str, definition: str) -> Draft7Validator:
    """jsonschema's validator for one definition of one schema file (cached: compiled once per process)."""
    from jsonschema import Draft7Validator

    return Draft7Validator({"$ref": f"{file_name}#/definitions/{definition}"}, registry=_registry())


@functools.cache
def _fast_validator(file_name: str, definition: str) -> jsonschema_rs.Draft7Validator:
    """The compiled (Rust) validator for the same definition; formats unchecked, as ``jsonschema`` does
    without a format checker. Every ``$ref`` in the shipped schemas is local to its file."""
    definitions = _schemas()[file_name.removesuffix(".jsonschema.json")].get("definitions", {})
    return jsonschema_rs.Draft7Validator(
        {"$ref": f"#/definitions/{definition}", "definitions": definitions}, validate_formats=False
    )


_JSON_SCALARS = (str, int, float, bool, type(None))


def _plain_json(value: Any) -> bool:
    """True when ``value`` is made only of dicts with string keys, lists and JSON scalars (exact types:
    ``jsonschema`` takes a tuple for no array and a non-dict mapping for no object, ``jsonschema_rs``
    converts both)."""
    kind = type(value)
    if kind is dict:
        return all(type(key) is str and _plain_json(item) for key, item in value.items())
    if kind is list:
        return all(_plain_json(item) for item in value)
    return kind in _JSON_SCALARS
