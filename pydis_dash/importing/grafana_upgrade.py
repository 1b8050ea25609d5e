"""Bring any Grafana dashboard JSON to the model pydis-dash builds, listing every change it makes.

Two kinds of change, each listed for the ``import`` output and the generated file's header:

* **Grafana's upgrades**, as Grafana applies them when the dashboard is opened: a grafana.com export's
  ``__inputs``/``__requires`` resolved to the project's data sources, legacy ``rows``/``span`` turned
  into row panels, retired panel plugins (:mod:`.legacy_panels`), data sources named by string turned
  into ``{type, uid}`` references, an old ``schemaVersion`` raised, rows stacked on the grid the way
  Grafana's vertical compaction shows them.
* **pydis-dash's model**: what the build writes for every dashboard (:func:`modernize_dashboard`: keys
  of the current model only, each panel plugin's option defaults), plus the dashboard defaults the
  builder always writes, set to Grafana's own default where one matters (``timezone: browser``).

The result is what building the imported definition must give back, byte for byte after the deploy
plan's normalisation.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.importing.datasources import DatasourceMapper, map_datasources
from pydis_dash.importing.jsondiff import changes
from pydis_dash.importing.legacy_panels import upgrade_panel
from pydis_dash.importing.variable_sources import type_variable_sources
from pydis_dash.providers.grafana.normalize import LINK_DEFAULTS
from pydis_dash.render.modernize import SCHEMA_VERSION, modernize_dashboard, resolve_ref
from pydis_dash.render.plain import drop_none

#: What Grafana assumes when a dashboard leaves these out; the builder always writes them.
GRAFANA_DASHBOARD_DEFAULTS: dict[str, Any] = {
    "annotations": {"list": []},
    "editable": True,
    "graphTooltip": 0,
    "links": [],
    "tags": [],
    "templating": {"list": []},
    "time": {"from": "now-6h", "to": "now"},
    "timezone": "browser",
}


@dataclass
class UpgradedDashboard:
    """The dashboard in pydis-dash's model, where it came from, and every change made on the way."""

    model: dict[str, Any]
    folder: str | None = None
    upgrades: list[str] = field(default_factory=list)
    library_panels: list[str] = field(default_factory=list)  # uids kept as references


def unwrap(document: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(dashboard, meta)`` of an export (the dashboard itself) or a ``/api/dashboards/uid`` answer."""
    if isinstance(document.get("dashboard"), Mapping):
        return dict(document["dashboard"]), dict(document.get("meta") or {})
    return dict(document), {}


def upgrade_dashboard(
    document: Mapping[str, Any],
    mapper: DatasourceMapper,
    library_panels: Mapping[str, Mapping[str, Any]] | None = None,
) -> UpgradedDashboard:
    """Upgrade ``document`` (an export, a grafana.com download or an API answer) to pydis-dash's model.

    ``library_panels`` maps library panel uids to their elements as read live: such a panel stays linked
    (kept as the reference the dashboard stores, so deploying it changes nothing); the element only
    names it in the notes. A panel of a grafana.com export whose model its ``__elements`` section
    carries is written out instead (the target instance has no such element); any other is kept as a
    reference.
    """
    exported: dict[str, Mapping[str, Any]] = {}
    raw, meta = unwrap(document)
    raw = copy.deepcopy(raw)
    result = UpgradedDashboard(model={}, folder=_folder_of(meta))
    notes = result.upgrades
    for key in ("__inputs", "__requires", "__elements"):
        value = raw.pop(key, None)
        if key == "__inputs" and isinstance(value, list):
            mapper.inputs.update({str(i.get("name")): i for i in value if isinstance(i, Mapping)})
        if key == "__elements" and isinstance(value, Mapping):
            exported = {str(k): v for k, v in value.items() if isinstance(v, Mapping)}
        if value:
            notes.append(f"{key}: grafana.com export section dropped (its data sources are mapped below)")
    if raw.get("rows"):
        notes.append(
            f"rows: {len(raw['rows'])} legacy rows turned into row panels (span N -> width 2N on the 24-column grid)"
        )
    for panel, where in _all_panels(raw):
        if isinstance(panel.get("libraryPanel"), Mapping):
            _library_panel(panel, where, library_panels or {}, exported, result)
        upgraded, line = upgrade_panel(panel)
        if line:
            panel.clear()
            panel.update(upgraded)
            notes.append(f"{where} {panel.get('title', '')!r}: {line}")
        filled = fill_on_load(panel)
        if filled:
            notes.append(f"{where} {panel.get('title', '')!r}: Grafana's defaults filled in for {', '.join(filled)}")
    raw = map_datasources(raw, mapper)
    for reference, uid in sorted(mapper.mapped.items()):
        notes.append(f"data source {reference!r} -> project data source {uid!r}")
    notes.extend(type_variable_sources(_all_panels(raw), raw))
    _legacy_dashboard_fields(raw, notes)
    version = raw.get("schemaVersion")
    if isinstance(version, int) and version < SCHEMA_VERSION:
        notes.append(f"schemaVersion {version} -> {SCHEMA_VERSION} (the model pydis-dash writes)")
    before = normalise_for_notes(raw)
    model = modernize_dashboard(raw, lambda value: resolve_ref(value, {}))
    for key, default in GRAFANA_DASHBOARD_DEFAULTS.items():
        model.setdefault(key, copy.deepcopy(default))
    model["timepicker"] = {**_builder_timepicker(), **model.get("timepicker", {})}
    _stack_rows(model["panels"])
    model["schemaVersion"] = SCHEMA_VERSION
    notes.extend(_grouped(changes(before, normalise_for_notes(model)), model))
    result.model = model
    return result


def _legacy_dashboard_fields(raw: dict[str, Any], notes: list[str]) -> None:
    """``refresh: false`` (older Grafana's "off") becomes absent; links get the fields Grafana fills in."""
    if raw.get("refresh") is False:
        del raw["refresh"]
        notes.append("refresh: false (off) -> absent, as current Grafana writes it")
    for index, link in enumerate(raw.get("links") or []):
        if not isinstance(link, dict):
            continue
        missing = sorted(key for key in LINK_DEFAULTS if key not in link)
        if missing:
            link.update({key: copy.deepcopy(LINK_DEFAULTS[key]) for key in missing})
            title = link.get("title", "")
            notes.append(f"links[{index}] {title!r}: Grafana's defaults filled in for {', '.join(missing)}")


def normalise_for_notes(model: Mapping[str, Any]) -> dict[str, Any]:
    """The dashboard as the notes compare it: without server fields and the legacy sections listed apart."""
    from pydis_dash.providers.grafana.normalize import normalize_dashboard

    trimmed = {k: v for k, v in drop_none(dict(model)).items() if k not in ("rows", "__inputs", "__requires")}
    return normalize_dashboard(trimmed)


def _grouped(lines: list[str], model: Mapping[str, Any]) -> list[str]:
    """One note per panel, variable or dashboard field: ``panels[3] 'Title': a set, b dropped``."""
    groups: dict[str, list[str]] = {}
    for line in lines:
        path, _, what = line.partition(": ")
        head = re.match(r"^(panels\[\d+\](?:\.panels\[\d+\])?|templating\.list\[\d+\]|[^.\[]+)", path)
        key = head.group(1) if head else path
        if key == "schemaVersion":
            continue
        rest = path[len(key) :].lstrip(".")
        item = what if not rest else f"{rest} {what}" if what == "dropped" else f"{rest}: {what}"
        groups.setdefault(key, []).append(item)
    notes = []
    for key, items in groups.items():
        title = _title_at(model, key)
        notes.append(f"pydis-dash model, {key}{title}: " + "; ".join(items))
    return notes


def _title_at(model: Mapping[str, Any], key: str) -> str:
    node: Any = model
    for name, index in re.findall(r"(\w+)\[(\d+)\]", key):
        container = node.get(name) if isinstance(node, Mapping) else None
        if name == "list" and isinstance(node, Mapping):
            container = node.get("templating", {}).get("list") if "templating" in node else container
        if not isinstance(container, list) or int(index) >= len(container):
            return ""
        node = container[int(index)]
    label = node.get("title") or node.get("name") if isinstance(node, Mapping) and node is not model else None
    return f" {label!r}" if label else ""


#: The table footer Grafana's table panel starts from (its ``defaultOptions``).
_TABLE_FOOTER = {"countRows": False, "fields": "", "reducer": ["sum"], "show": False}


def fill_on_load(panel: dict[str, Any]) -> list[str]:
    """What Grafana's frontend fills in when it loads a panel; returns the fields it filled.

    Queries without a ``refId`` get the next free letter (``A``, ``B``...), a transformation without
    ``options`` gets ``{}``, a table's partial footer gets the table's defaults.
    """
    filled: list[str] = []
    targets = [t for t in panel.get("targets") or [] if isinstance(t, dict)]
    taken = {str(t["refId"]) for t in targets if t.get("refId")}
    letters = (letter for letter in _ref_ids() if letter not in taken)
    for index, target in enumerate(targets):
        if not target.get("refId"):
            target["refId"] = next(letters)
            filled.append(f"targets[{index}].refId")
    for index, transformation in enumerate(panel.get("transformations") or []):
        if isinstance(transformation, dict) and "options" not in transformation:
            transformation["options"] = {}
            filled.append(f"transformations[{index}].options")
    footer = (panel.get("options") or {}).get("footer") if panel.get("type") == "table" else None
    if isinstance(footer, dict) and set(_TABLE_FOOTER) - set(footer):
        filled.append("options.footer " + ", ".join(sorted(set(_TABLE_FOOTER) - set(footer))))
        panel["options"]["footer"] = {**copy.deepcopy(_TABLE_FOOTER), **footer}
    return filled


def _ref_ids() -> Iterator[str]:
    from pydis_dash.grafana.panels import ref_ids

    yield from ref_ids(26 * 27)


def _folder_of(meta: Mapping[str, Any]) -> str | None:
    title = meta.get("folderTitle")
    if not title or (meta.get("folderUid") in (None, "") and title == "General"):
        return None
    return str(title)


def _all_panels(raw: Mapping[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Every panel with a readable location: top level, inside row panels, inside legacy rows."""
    found: list[tuple[dict[str, Any], str]] = []
    for index, panel in enumerate(raw.get("panels") or []):
        if isinstance(panel, dict):
            found.append((panel, f"panels[{index}]"))
            for child_index, child in enumerate(panel.get("panels") or []):
                if isinstance(child, dict):
                    found.append((child, f"panels[{index}].panels[{child_index}]"))
    for row_index, row in enumerate(raw.get("rows") or []):
        for child_index, child in enumerate(row.get("panels") or [] if isinstance(row, Mapping) else []):
            if isinstance(child, dict):
                found.append((child, f"rows[{row_index}].panels[{child_index}]"))
    return found


def _library_panel(
    panel: dict[str, Any],
    where: str,
    live: Mapping[str, Mapping[str, Any]],
    exported: Mapping[str, Mapping[str, Any]],
    result: UpgradedDashboard,
) -> None:
    """Keep a live library panel linked; write out one whose model only an export carries; else keep the
    reference."""
    uid = str(panel["libraryPanel"].get("uid", ""))
    if uid in live:
        element = live[uid]
        kind = (element.get("model") or {}).get("type") or element.get("type") or "panel"
        result.library_panels.append(uid)
        result.upgrades.append(
            f"{where}: library panel {uid!r} ({element.get('name')!r}, {kind}) kept linked: its model stays in "
            "Grafana's library, where every dashboard using it shares it"
        )
        return
    exported_element = exported.get(uid)
    model = exported_element.get("model") if exported_element else None
    if not isinstance(model, Mapping):
        result.library_panels.append(uid)
        result.upgrades.append(f"{where}: library panel {uid!r} kept as a reference (not resolved)")
        return
    keep: dict[str, Any] = {k: panel[k] for k in ("gridPos", "id") if k in panel}
    panel.clear()
    panel.update({k: v for k, v in copy.deepcopy(dict(model)).items() if k not in ("libraryPanel", "gridPos", "id")})
    panel.update(keep)
    result.upgrades.append(f"{where}: library panel {uid!r} written out in the dashboard (no longer linked)")


def _builder_timepicker() -> Any:
    """The time picker the builder writes for every dashboard (read from a minimal build)."""
    from pydis_dash.definition import RenderContext
    from pydis_dash.grafana.dashboard import Dashboard
    from pydis_dash.model import SourceLocation

    minimal = Dashboard(uid="defaults", title="defaults")
    body = minimal.render(RenderContext(Path("."), SourceLocation(Path("defaults.py"))))[-1].body
    return copy.deepcopy(body["timepicker"])


def _stack_rows(panels: list[dict[str, Any]]) -> None:
    """Rows 24x1, each directly below the previous section (a collapsed row takes one line: its hidden
    panels keep the places they take when it opens), as Grafana's grid and the builder stack them; a
    section's panels start below their row (Grafana pushes overlapping panels down the same way).
    Panels keep their places relative to each other.
    """
    sections: list[tuple[dict[str, Any] | None, list[dict[str, Any]]]] = [(None, [])]
    for panel in panels:
        if panel.get("type") == "row":
            sections.append((panel, list(panel.get("panels", []))))
        else:
            sections[-1][1].append(panel)
    bottom = 0
    for row, members in sections:
        top = bottom
        if row is not None:
            row["gridPos"] = {"h": 1, "w": 24, "x": 0, "y": bottom}
            top = bottom + 1
        if members:
            first = min(member["gridPos"]["y"] for member in members)
            shift = top - first if row is not None or first < top else 0
            for member in members:
                member["gridPos"]["y"] += shift
        collapsed = row is not None and bool(row.get("collapsed"))
        bottom = top if collapsed else max([top, *(m["gridPos"]["y"] + m["gridPos"]["h"] for m in members)])
