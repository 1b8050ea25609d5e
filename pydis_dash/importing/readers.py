"""Read an import input file and tell what it holds.

Shapes: a Grafana dashboard (as exported, downloaded from grafana.com, the ``/api/dashboards/uid``
answer, or Grafana 12+'s ``dashboard.grafana.app`` object: see :mod:`.app_platform`), a Metabase card
(``/api/card/:id``), an alert rule group (file provisioning YAML/JSON with ``groups:``, or the
``/api/v1/provisioning/folder/:uid/rule-groups/:group`` answer).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from pydis_dash.errors import DefinitionError
from pydis_dash.importing.app_platform import from_app_platform


class InputKind(StrEnum):
    """What an input file holds."""

    DASHBOARD = "grafana dashboard"
    CARD = "metabase card"
    RULE_GROUPS = "alert rule groups"


@dataclass(frozen=True)
class ImportInput:
    """A parsed input: its kind, the document, where it came from (for messages and headers), and what
    a live instance told about it (``folder``, ``library_panels``, ``collection``, ``databases``,
    ``fields``), which file inputs lack."""

    kind: InputKind
    document: Any
    origin: str
    context: Mapping[str, Any] = field(default_factory=dict)


def read_input(path: Path) -> ImportInput:
    """Parse ``path`` (JSON, or YAML for provisioning files) and classify it; errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(f"cannot read {path}: {exc.strerror}") from None
    try:
        document = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise DefinitionError(
            f"{path}: not valid {'YAML' if path.suffix in ('.yaml', '.yml') else 'JSON'}: {exc}"
        ) from None
    document = from_app_platform(document, str(path))  # a dashboard.grafana.app object (Grafana 12+)
    return ImportInput(classify(document, str(path)), document, path.name)


def classify(document: Any, origin: str) -> InputKind:
    """The kind of ``document``, or a DefinitionError naming ``origin`` when it is none of them."""
    if isinstance(document, Mapping):
        if isinstance(document.get("dashboard"), Mapping) or "panels" in document or "rows" in document:
            return InputKind.DASHBOARD
        if "dataset_query" in document:
            return InputKind.CARD
        if isinstance(document.get("groups"), list) or ("rules" in document and "folderUid" in document):
            return InputKind.RULE_GROUPS
    raise DefinitionError(
        f"{origin}: not a Grafana dashboard (panels/rows), a Metabase card (dataset_query) "
        "or an alert rule group (groups/rules)"
    )
