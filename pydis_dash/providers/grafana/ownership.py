"""How pydis-dash marks what it owns in Grafana, so ``deploy --prune`` deletes only its own resources.

Each marker is stored in a field Grafana returns unchanged on every read, on every version we support:

* **dashboards**: the tag ``pydis-dash`` (tags are free text; search returns them, so one paged search
  tells managed from unmanaged without opening any dashboard);
* **data sources**: ``jsonData.pydisDashManaged = true`` (``jsonData`` is free-form JSON that Grafana
  and its plugins keep verbatim; unknown keys are ignored by the plugins);
* **folders**: the uid prefix ``pydis-dash-``. Folders have no free field that survives the round trip
  (``description`` is not returned by ``GET /api/folders/:uid``), and a uid cannot be changed, so the
  folder uids the renderer emits (``pydis_dash.folders.folder_uid``) must carry this prefix.

A resource without its marker is *unmanaged*: never modified or deleted, and listed separately by
``diff``. If code declares a uid that exists unmanaged, ``deploy`` refuses it unless ``--force``
(which adopts it: the marker is added, except for folders whose uid lacks the prefix).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydis_dash.folders import OWNED_PREFIX
from pydis_dash.revision import MESSAGE_PREFIX

DASHBOARD_TAG = "pydis-dash"
DATASOURCE_MARKER = "pydisDashManaged"
FOLDER_UID_PREFIX = OWNED_PREFIX  # render gives every folder uid this prefix (pydis_dash/folders.py)


def is_managed_folder(uid: str) -> bool:
    """A folder is managed when its uid carries the prefix."""
    return uid.startswith(FOLDER_UID_PREFIX)


def is_managed_dashboard(tags: Any) -> bool:
    """A dashboard is managed when it carries the tag."""
    return isinstance(tags, list) and DASHBOARD_TAG in tags


def is_managed_datasource(json_data: Any) -> bool:
    """A data source is managed when its ``jsonData`` carries the marker."""
    return isinstance(json_data, Mapping) and json_data.get(DATASOURCE_MARKER) is True


def with_dashboard_marker(model: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a dashboard model with the ownership tag added."""
    tags = [t for t in model.get("tags") or [] if t != DASHBOARD_TAG]
    return {**model, "tags": [*tags, DASHBOARD_TAG]}


def with_datasource_marker(body: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a data source body with the marker in ``jsonData``."""
    return {**body, "jsonData": {**(body.get("jsonData") or {}), DATASOURCE_MARKER: True}}


def is_our_version_message(message: Any) -> bool:
    """True for the message pydis-dash writes into each dashboard version it saves; anything else in
    the latest version means someone else saved it (drift)."""
    return isinstance(message, str) and message.startswith(MESSAGE_PREFIX + " ")
