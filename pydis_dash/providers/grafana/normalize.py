"""Pure normalisation of Grafana resources, so desired and live states compare equal after a deploy.

Both sides go through the same function. Every dropped or rewritten field says why: either the server
owns it (ids, versions, timestamps), or Grafana fills or rewrites it on save or read, so keeping it
would show a change on every ``diff`` after a deploy or a Grafana upgrade.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson

from pydis_dash.render.plain import JSON_SCALARS, drop_none

# --- dashboards -------------------------------------------------------------------------------------

#: Dashboard fields the server owns.
_DASHBOARD_SERVER_FIELDS = (
    # Row id of the dashboard in this Grafana's database: differs per instance, written into the
    # stored JSON on every save.
    "id",
    # Optimistic-locking counter, incremented on every save. Sent separately (save command) when
    # updating; comparing it would make every saved dashboard look changed.
    "version",
    # Timestamp the frontend sets on in-browser edits; the backend keeps whatever was sent.
    "iteration",
    # Grafana 12+ migrates classic dashboards to the latest schema when reading them, so the number
    # read back may be higher than the one we saved. Real content changes made by a migration still
    # show up in the other fields.
    "schemaVersion",
)

#: Grafana's default ``[dashboards] min_refresh_interval``: a shorter ``refresh`` is rewritten to it
#: on save.
DEFAULT_MIN_REFRESH = "5s"

_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d|w|y)$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def duration_seconds(text: str) -> float | None:
    """Seconds in a Grafana duration such as ``30s`` or ``1m``; None if it is not one."""
    match = _DURATION.match(text.strip())
    if not match:
        return None
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


#: Grafana's defaults for a dashboard link's fields: its frontend fills in the missing ones when it opens a
#: dashboard, so a link saved through the API without them (an import, provisioning) means the same.
LINK_DEFAULTS: Mapping[str, Any] = {
    "asDropdown": False,
    "icon": "external link",
    "includeVars": False,
    "keepTime": False,
    "tags": [],
    "targetBlank": False,
    "tooltip": "",
}


def normalize_dashboard(model: Mapping[str, Any], *, min_refresh: str = DEFAULT_MIN_REFRESH) -> dict[str, Any]:
    """The comparable form of a dashboard model (desired or as returned by GET /api/dashboards/uid).

    Parts of ``model`` the normalisation leaves as they are are shared with it, not copied: neither is
    changed in place afterwards."""
    kept = _without_none_fields(model) if type(model) is dict else drop_none(dict(model))
    result: dict[str, Any] = dict(kept) if kept is model else kept
    for key in _DASHBOARD_SERVER_FIELDS:
        result.pop(key, None)
    if isinstance(result.get("tags"), list):
        # Grafana stores tags as a set (dashboard_tag table; search returns them sorted), so their
        # order carries no meaning.
        result["tags"] = sorted(set(result["tags"]))
    if isinstance(result.get("panels"), list):
        result["panels"] = [_normalize_panel(panel) for panel in result["panels"]]
    if isinstance(result.get("links"), list):
        result["links"] = [{**LINK_DEFAULTS, **link} if isinstance(link, Mapping) else link for link in result["links"]]
    if isinstance(result.get("timepicker"), Mapping):
        result["timepicker"] = _normalize_timepicker(result["timepicker"])
    refresh = result.get("refresh")
    if isinstance(refresh, str) and refresh:
        seconds, minimum = duration_seconds(refresh), duration_seconds(min_refresh)
        if seconds is not None and minimum is not None:
            # Grafana rewrites a refresh below min_refresh_interval to the minimum on save; compare
            # the value that will actually be stored. Equal durations compare equal ("60s" == "1m").
            result["refresh"] = _format_duration(max(seconds, minimum))
    return result


def _without_none_fields(value: Any) -> Any:
    """``value`` without None-valued fields at any depth (as :func:`~pydis_dash.render.plain.drop_none`),
    sharing every dict and list that holds none instead of copying it: a plan normalises every desired
    dashboard, and a copying walk spent 2-3 times as long allocating the ~1,300 values of each."""
    kind = type(value)
    if kind is not dict and kind is not list:
        return value if kind in JSON_SCALARS else drop_none(value)
    copied: Any = None  # a copy of ``value`` once something in it changes
    for key, item in value.items() if kind is dict else enumerate(value):
        if item is None and kind is dict:
            copied = dict(value) if copied is None else copied
            del copied[key]
        elif type(item) not in JSON_SCALARS and (kept := _without_none_fields(item)) is not item:
            copied = kind(value) if copied is None else copied
            copied[key] = kept
    return value if copied is None else copied


def same_dashboard(live: Mapping[str, Any], desired: Mapping[str, Any]) -> bool:
    """True when ``live`` and ``desired`` are the same JSON but for the fields the server owns, so that
    their normalised forms are certainly equal without computing the live one: what a no-op plan finds
    for every dashboard it deployed. Their sorted compact encodings are compared, which tells ``1`` from
    ``1.0`` and ``true`` (Python's ``==`` would not). False whenever it cannot tell (the plan then
    normalises and compares as usual)."""
    try:
        return _model_bytes(live) == _model_bytes(desired)
    except TypeError:  # not plain JSON (a Mapping that is not a dict, integers past 64 bits)
        return False


def _model_bytes(model: Mapping[str, Any]) -> bytes:
    without_server_fields = {key: value for key, value in model.items() if key not in _DASHBOARD_SERVER_FIELDS}
    return orjson.dumps(without_server_fields, option=orjson.OPT_SORT_KEYS)


#: Panel fields Grafana's frontend leaves out of the saved JSON when they hold their default (its
#: ``PanelModel.getSaveModel`` skips defaults): a dashboard saved from the UI drops them.
_PANEL_EMPTY_DEFAULTS = ("links", "transformations")


def _normalize_panel(panel: Any) -> Any:
    if not isinstance(panel, Mapping):
        return panel
    result = dict(panel)
    # The frontend rewrites pluginVersion to the running Grafana's version on every save from the UI:
    # it tells which release last saved the panel, not what the panel shows.
    result.pop("pluginVersion", None)
    for key in _PANEL_EMPTY_DEFAULTS:
        if result.get(key) == []:
            del result[key]
    field_config = result.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, Mapping) else None
    if isinstance(field_config, Mapping) and isinstance(defaults, Mapping):
        result["fieldConfig"] = {**field_config, "defaults": _normalize_field_defaults(defaults)}
    if isinstance(result.get("panels"), list):
        result["panels"] = [_normalize_panel(child) for child in result["panels"]]
    return result


def _normalize_field_defaults(defaults: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(defaults)
    custom = result.get("custom")
    if custom == {}:
        # No custom options and an empty custom block mean the same to every plugin.
        del result["custom"]
    elif isinstance(custom, Mapping):
        scale = custom.get("scaleDistribution")
        if isinstance(scale, Mapping) and scale.get("type") == "linear" and "log" in scale:
            # A log base means nothing on a linear scale; the panel editor saves {"type": "linear"}.
            result["custom"] = {**custom, "scaleDistribution": {k: v for k, v in scale.items() if k != "log"}}
    return result


#: The time picker Grafana shows when a dashboard sets nothing (``TimePickerWithHistory`` defaults).
_TIMEPICKER_DEFAULTS: dict[str, Any] = {
    "hidden": False,
    "refresh_intervals": ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"],
}


def _normalize_timepicker(timepicker: Mapping[str, Any]) -> dict[str, Any]:
    # Grafana saves ``{}`` from the UI and fills these in on load: a default is the same as absent.
    return {k: v for k, v in timepicker.items() if _TIMEPICKER_DEFAULTS.get(k, object()) != v}


def _format_duration(seconds: float) -> str:
    for unit in ("d", "h", "m", "s"):
        size = _UNIT_SECONDS[unit]
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds * 1000)}ms"


# --- folders ----------------------------------------------------------------------------------------


def normalize_folder(body: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable form of a folder: ``uid``, ``title`` and ``parentUid`` (absent at the root).

    Everything else in the Folder DTO is server-owned or about the caller: ``id`` (per-instance row
    id), ``version`` (locking counter), ``url`` (derived from uid and title), ``created``/``updated``
    (+``By``), ``can*``/``hasAcl``/``accessControl`` (the caller's permissions), ``orgId``, ``parents``
    and ``managedBy`` (added in Grafana 11-13). ``description`` is accepted on create but never
    returned, so it cannot be compared.
    """
    result: dict[str, Any] = {"uid": body.get("uid") or "", "title": body.get("title") or ""}
    parent = body.get("parentUid") or ""
    if parent:
        # Root folders come back with parentUid "" (Grafana 10) or without it (11+).
        result["parentUid"] = parent
    return result


# --- data sources -----------------------------------------------------------------------------------

#: Fields of a data source we compare, with the value Grafana reports when the field was not sent.
_DATASOURCE_DEFAULTS: dict[str, Any] = {
    "uid": "",
    "name": "",
    "type": "",
    "access": "proxy",
    "url": "",
    "user": "",
    "database": "",
    "basicAuth": False,
    "basicAuthUser": "",
    "withCredentials": False,
    "isDefault": False,
    "jsonData": {},
}


def normalize_datasource(body: Mapping[str, Any]) -> dict[str, Any]:
    """The comparable form of a data source.

    Only the fields a definition controls are kept, each defaulted to what Grafana returns when it was
    not sent (so an omitted ``user`` equals the ``""`` read back). Dropped: ``id``/``orgId``
    (per-instance), ``version`` (locking counter; sent with updates), ``typeLogoUrl``/``typeName``
    (UI decoration from the plugin registry), ``readOnly`` (set by file provisioning),
    ``accessControl`` (the caller's permissions), ``secureJsonFields`` (which secrets are set: compared
    separately, since secret values can never be read back) and ``secureJsonData`` (never returned;
    never part of a compared or printed state).
    """
    result = {key: body.get(key, default) for key, default in _DATASOURCE_DEFAULTS.items()}
    for key, default in _DATASOURCE_DEFAULTS.items():
        if result[key] is None:
            result[key] = default
    result["jsonData"] = drop_none(dict(result["jsonData"]))
    return result
