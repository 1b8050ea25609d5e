"""Import one Grafana dashboard: upgrade it, generate its definition, verify the round trip."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydis_dash.errors import DefinitionError
from pydis_dash.importing.datasources import DatasourceMapper
from pydis_dash.importing.grafana_code import generate_dashboard, module_path
from pydis_dash.importing.grafana_upgrade import upgrade_dashboard
from pydis_dash.importing.result import ImportedResource

_UID = re.compile(r"[^A-Za-z0-9_-]+")


def import_dashboard(
    document: Mapping[str, Any],
    origin: str,
    project_root: Path,
    mapper: DatasourceMapper,
    *,
    folder: str | None = None,
    folder_uid: str | None = None,
    library_panels: Mapping[str, Mapping[str, Any]] | None = None,
) -> ImportedResource:
    """The definition files for ``document``, the upgrades made and anything left over.

    ``folder_uid`` (a live folder pydis-dash does not own) keeps the dashboard in that folder; the file
    still goes under ``folder``'s path."""
    upgraded = upgrade_dashboard(document, mapper, library_panels)
    model = upgraded.model
    if not model.get("title"):
        raise DefinitionError(f"{origin}: the dashboard has no title")
    if not model.get("uid"):
        model["uid"] = _UID.sub("-", str(model["title"]).lower()).strip("-")[:40] or "imported"
        upgraded.upgrades.append(f"uid: none in the input; {model['uid']!r} made from the title")
    chosen_folder = folder if folder is not None else upgraded.folder
    path = module_path(chosen_folder, str(model["title"]), str(model["uid"]))
    header = [f"Imported by `pydis-dash import` from {origin}."]
    if upgraded.upgrades:
        header.append("Differences from the input, on purpose (Grafana's upgrades and pydis-dash's model):")
        header.extend(f"- {line}" for line in upgraded.upgrades)
    uids = frozenset(source.uid for source in mapper.sources)
    placement = {"folder_uid": folder_uid} if folder_uid else {"folder": chosen_folder} if chosen_folder else {}
    generated = generate_dashboard(model, placement, path, project_root, header, uids)
    return ImportedResource(
        what=f"grafana-dashboard/{model['uid']}",
        files=generated.files,
        upgrades=upgraded.upgrades,
        not_reproduced=generated.remaining,
        summary=f"{generated.helper_panels} panels as helpers, {generated.raw_panels} as raw_panel",
    )
