"""Schema checks for the alerting kinds :mod:`pydis_dash.validate.schema` does not cover: contact points
(``alerting.jsonschema.json#/definitions/ContactPoint``) and the notification policy tree
(``#/definitions/NotificationPolicy``). Rule groups are checked by ``schema.check_schemas`` already.

Mute timings are not checked: the shipped schema's ``TimeInterval`` (date-time ``from``/``to``, weekday
ranges as numbers) describes another shape than the provisioning API's ``MuteTimeInterval``
(``start_time``/``end_time`` as ``HH:MM``, weekdays as names), which is what pydis-dash sends.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from importlib import resources as package_files
from typing import Any

from jsonschema import Draft7Validator

from pydis_dash.model import Kind, Resource, json_pointer
from pydis_dash.validate.findings import Finding, Severity

RULE = "SCHEMA"
_DEFINITIONS = {
    Kind.GRAFANA_CONTACT_POINT: ("ContactPoint", "contact point"),
    Kind.GRAFANA_NOTIFICATION_POLICY: ("NotificationPolicy", "notification policy"),
}


def check_alerting_schemas(resources: Iterable[Resource]) -> list[Finding]:
    """SCHEMA findings for every contact point and notification policy in ``resources``."""
    findings: list[Finding] = []
    for resource in resources:
        entry = _DEFINITIONS.get(resource.kind)
        if entry is None:
            continue
        definition, what = entry
        errors = sorted(
            _validator(definition).iter_errors(resource.body), key=lambda e: [str(p) for p in e.absolute_path]
        )
        for error in errors:
            pointer = json_pointer(*error.absolute_path)
            message = error.message if len(error.message) <= 200 else error.message[:197] + "..."
            findings.append(
                Finding(
                    rule=RULE,
                    severity=Severity.ERROR,
                    message=f"{what} {pointer or '/'}: {message}",
                    ref=resource.ref,
                    location=resource.location_of(pointer),
                    json_path=pointer,
                )
            )
    return findings


@functools.cache
def _schema() -> dict[str, Any]:
    text = (package_files.files("pydis_dash") / "schemas" / "grafana" / "alerting.jsonschema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@functools.cache
def _validator(definition: str) -> Draft7Validator:
    """A validator for one definition of the alerting schema (``$ref``s stay inside the file)."""
    return Draft7Validator({**_schema(), "$ref": f"#/definitions/{definition}"})
