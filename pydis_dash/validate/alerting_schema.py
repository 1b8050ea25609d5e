"""Schema checks for the alerting kinds :mod:`pydis_dash.validate.schema` does not cover: contact points
(``alerting.jsonschema.json#/definitions/ContactPoint``) and the notification policy tree
(``#/definitions/NotificationPolicy``). Rule groups are checked by ``schema.check_schemas`` already.

Mute timings are not checked: the shipped schema's ``TimeInterval`` (date-time ``from``/``to``, weekday
ranges as numbers) describes another shape than the provisioning API's ``MuteTimeInterval``
(``start_time``/``end_time`` as ``HH:MM``, weekdays as names), which is what pydis-dash sends.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydis_dash.model import Kind, Resource, json_pointer
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.schema import schema_errors, schema_finding, shorten

_SCHEMA_FILE = "alerting.jsonschema.json"
_DEFINITIONS = {
    Kind.GRAFANA_CONTACT_POINT: ("ContactPoint", "contact point"),
    Kind.GRAFANA_NOTIFICATION_POLICY: ("NotificationPolicy", "notification policy"),
}


def check_alerting_schemas(resources: Iterable[Resource]) -> list[Finding]:
    """SCHEMA findings for every contact point and notification policy in ``resources``.

    Messages are jsonschema's own: these shapes have no ``oneOf`` branches for ``schema`` to pick from.
    """
    findings: list[Finding] = []
    for resource in resources:
        entry = _DEFINITIONS.get(resource.kind)
        if entry is None:
            continue
        definition, what = entry
        for error in schema_errors(_SCHEMA_FILE, definition, resource.body):
            pointer = json_pointer(*error.absolute_path)
            findings.append(schema_finding(resource, pointer, f"{what} {pointer or '/'}: {shorten(error.message)}"))
    return findings
