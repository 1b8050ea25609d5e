"""Read what to import from a live environment: dashboards, cards and rule groups, by selector or all
the plan lists as unmanaged. Everything here only reads (the providers' dry-run guards are on).

Each live resource becomes an :class:`ImportInput` carrying what only the instance knows: a dashboard's
folder path and its library panels, a card's database name and field names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydis_dash.config import load_config
from pydis_dash.errors import DefinitionError, EnvironmentProblem, UsageProblem
from pydis_dash.importing.app_platform import live_dashboard
from pydis_dash.importing.readers import ImportInput, InputKind
from pydis_dash.model import Kind
from pydis_dash.pipeline import load_resources
from pydis_dash.plan import build_plan
from pydis_dash.providers.base import Provider
from pydis_dash.providers.grafana.alerting import segment
from pydis_dash.providers.grafana.client import NotFound
from pydis_dash.providers.grafana.dashboard_store import DashboardStore
from pydis_dash.providers.grafana.ownership import is_managed_folder
from pydis_dash.providers.registry import build_provider


@dataclass(frozen=True)
class LiveSelection:
    """What to read: dashboard uids, Grafana folders (their dashboards), Metabase card ids and
    collections (their cards), rule groups as ``FOLDER/GROUP``, or every unmanaged resource."""

    uids: Sequence[str] = ()
    folders: Sequence[str] = ()
    cards: Sequence[int] = ()
    collections: Sequence[str] = ()
    rule_groups: Sequence[str] = ()
    unmanaged: bool = False

    @property
    def wants_grafana(self) -> bool:
        """Whether anything is read from Grafana."""
        return bool(self.uids or self.folders or self.rule_groups or self.unmanaged)

    @property
    def wants_metabase(self) -> bool:
        """Whether anything is read from Metabase."""
        return bool(self.cards or self.collections or self.unmanaged)


def live_inputs(project_root: Path, env_name: str | None, selection: LiveSelection) -> list[ImportInput]:
    """The live resources ``selection`` names in environment ``env_name``, as import inputs."""
    env = load_config(project_root).environment(env_name)
    providers: dict[str, Provider] = {}
    for target, wanted in (("grafana", selection.wants_grafana), ("metabase", selection.wants_metabase)):
        if wanted and getattr(env, f"{target}_url", None):
            provider = build_provider(target, env, project_root, 4)
            provider.check_access()
            provider.enable_dry_run()
            providers[target] = provider
    uids, cards, groups = list(selection.uids), list(selection.cards), list(selection.rule_groups)
    unmanaged_groups: list[tuple[str, str]] = []  # (folder uid, group title)
    if selection.unmanaged:
        plan = build_plan(env.name, list(providers.values()), load_resources(project_root))
        for item in plan.unmanaged:
            if item.ref.kind == Kind.GRAFANA_DASHBOARD:
                uids.append(item.ref.uid)
            elif item.ref.kind == Kind.METABASE_QUESTION and item.live_id:
                cards.append(int(item.live_id))
            elif item.ref.kind == Kind.GRAFANA_RULE_GROUP and item.container:
                unmanaged_groups.append((item.container, item.title))
    inputs: list[ImportInput] = []
    grafana = providers.get("grafana")
    if uids or selection.folders or groups or unmanaged_groups:
        if grafana is None:
            raise EnvironmentProblem(f"environment {env.name!r} has no grafana_url")
        reader = _GrafanaReader(grafana.client, grafana.dashboard_store())  # type: ignore[attr-defined]
        uids += reader.dashboards_in(selection.folders)
        inputs += [reader.dashboard(uid) for uid in dict.fromkeys(uids)]
        inputs += [reader.rule_group(group) for group in groups]
        inputs += [reader.rule_group_in(folder_uid, title) for folder_uid, title in unmanaged_groups]
    metabase = providers.get("metabase")
    if cards or selection.collections:
        if metabase is None:
            raise EnvironmentProblem(f"environment {env.name!r} has no metabase_url")
        inputs += _MetabaseReader(metabase).cards(cards, selection.collections)
    return inputs


class _GrafanaReader:
    def __init__(self, client: Any, store: DashboardStore) -> None:
        self.client = client
        #: Dashboards are read through the API the server supports best (schema v2 natively).
        self.store = store

    def folder_path(self, uid: str) -> str | None:
        """``Parent/Child`` for a folder uid (Grafana 11+ lists ``parents``), None for the root."""
        if not uid:
            return None
        folder = self.client.get(f"/api/folders/{uid}")
        titles = [str(p.get("title")) for p in folder.get("parents") or [] if isinstance(p, Mapping)]
        return "/".join([*titles, str(folder.get("title"))])

    def dashboards_in(self, folders: Sequence[str]) -> list[str]:
        if not folders:
            return []
        found: dict[str, list[str]] = {folder: [] for folder in folders}
        hits = self.client.get("/api/search", {"type": "dash-db", "limit": 5000})
        for hit in hits:
            path = self.folder_path(str(hit.get("folderUid") or "")) or ""
            for folder in {path, str(hit.get("folderTitle") or "")} & found.keys():
                found[folder].append(str(hit["uid"]))
        _each_selects("--folder", "no dashboard in a Grafana folder of that path or title", found)
        return [uid for uids in found.values() for uid in uids]

    def dashboard(self, uid: str) -> ImportInput:
        answer = live_dashboard(self.store, uid)
        meta = answer.get("meta") or {}
        library: dict[str, Any] = {}
        for panel in _panels(answer.get("dashboard") or {}):
            ref = panel.get("libraryPanel")
            if isinstance(ref, Mapping) and ref.get("uid") and str(ref["uid"]) not in library:
                try:
                    element = self.client.get(f"/api/library-elements/{ref['uid']}")
                except NotFound:  # Grafana shows such a panel as an error: it stays an unresolved reference
                    continue
                library[str(ref["uid"])] = element.get("result") or element
        folder_uid = str(meta.get("folderUid") or "")
        context = {
            "folder": self.folder_path(folder_uid),
            "unowned_folder_uid": None if not folder_uid or is_managed_folder(folder_uid) else folder_uid,
            "library_panels": library,
        }
        return ImportInput(InputKind.DASHBOARD, answer, f"grafana-dashboard/{uid}", context)

    def rule_group(self, selector: str) -> ImportInput:
        folder, _, group = selector.rpartition("/")
        if not folder or not group:
            raise DefinitionError(f"--rule-group {selector!r}: give FOLDER/GROUP")
        folder_uid = next(
            (str(f["uid"]) for f in self.client.get("/api/folders") if f.get("title") == folder.split("/")[-1]), None
        )
        if folder_uid is None:
            raise DefinitionError(f"--rule-group {selector!r}: no folder {folder!r}")
        return self.rule_group_in(folder_uid, group, folder)

    def rule_group_in(self, folder_uid: str, group: str, folder: str | None = None) -> ImportInput:
        """The group titled ``group`` in the folder ``folder_uid`` (whose path is read when not given)."""
        folder = folder or self.folder_path(folder_uid) or folder_uid
        answer = self.client.get(f"/api/v1/provisioning/folder/{segment(folder_uid)}/rule-groups/{segment(group)}")
        context = {
            "folder": folder,
            "live": True,
            "unowned_folder_uid": None if is_managed_folder(folder_uid) else folder_uid,
        }
        return ImportInput(InputKind.RULE_GROUPS, answer, f"rule group {folder}/{group}", context)


class _MetabaseReader:
    def __init__(self, provider: Any) -> None:
        self.client = provider.client
        self.catalog = provider.catalog

    def cards(self, ids: Sequence[int], collections: Sequence[str]) -> list[ImportInput]:
        wanted = list(ids)
        if collections:
            paths = self._collection_paths()
            found: dict[str, list[int]] = {collection: [] for collection in collections}
            for card in self.client.cards():
                path = paths.get(card.get("collection_id"))
                if path in found:
                    found[path].append(int(card["id"]))
            _each_selects("--collection", "no card in a Metabase collection of that path", found)
            wanted += [card_id for ids_in in found.values() for card_id in ids_in]
        paths = self._collection_paths()
        inputs = []
        for card_id in dict.fromkeys(wanted):
            card = self.client.card(card_id)
            database = card.get("dataset_query", {}).get("database") or card.get("database_id")
            names = self._field_names(database)
            context = {
                "collection": paths.get(card.get("collection_id")),
                "databases": {str(database): str(self.catalog.database_name(database))},
                "fields": names,
            }
            inputs.append(ImportInput(InputKind.CARD, card, f"metabase card {card_id}", context))
        return inputs

    def _collection_paths(self) -> dict[Any, str]:
        paths: dict[Any, str] = {}

        def walk(nodes: Sequence[Mapping[str, Any]], prefix: str) -> None:
            for node in nodes:
                path = f"{prefix}/{node['name']}" if prefix else str(node["name"])
                paths[node.get("id")] = path
                walk(node.get("children") or [], path)

        walk(self.client.collection_tree(), "")
        return paths

    def _field_names(self, database: Any) -> dict[str, str]:
        if not isinstance(database, int):
            return {}
        metadata = self.client.database_metadata(database)
        return {
            str(column["id"]): f"{table['name']}.{column['name']}"
            for table in metadata.get("tables") or []
            for column in table.get("fields") or []
        }


def _each_selects(option: str, why: str, found: Mapping[str, Sequence[Any]]) -> None:
    """UsageProblem (exit 3) naming each value of ``option`` that selected nothing: a typo must not
    look like a successful import of nothing."""
    empty = [value for value, selected in found.items() if not selected]
    if empty:
        raise UsageProblem("; ".join(f"{option} {value!r}: {why}" for value in empty))


def _panels(model: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [item for panel in model.get("panels") or [] for item in (panel, *(panel.get("panels") or []))]
