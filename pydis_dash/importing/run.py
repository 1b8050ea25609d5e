"""The ``import`` use case: inputs -> imported resources -> files written (or printed), with a report.

Each input is imported on its own: a bad one is reported and the others still go through. Nothing is
written for a resource whose files exist already (unless forced) or whose import left differences.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydis_dash.errors import DefinitionError, PydisDashError
from pydis_dash.importing.alerts import groups_of, import_rule_group
from pydis_dash.importing.app_platform import from_app_platform
from pydis_dash.importing.datasources import DatasourceMapper, project_sources
from pydis_dash.importing.grafana import import_dashboard
from pydis_dash.importing.metabase import CardNames, import_card
from pydis_dash.importing.readers import ImportInput, InputKind, read_input
from pydis_dash.importing.result import ImportedResource


@dataclass(frozen=True)
class ImportOptions:
    """How to import: explicit data source (and Metabase database/field) mappings, target folder or
    collection, write or print, overwrite."""

    datasources: Mapping[str, str] = field(default_factory=dict)
    folder: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)  # Metabase field id -> table.column
    collection: str | None = None
    dry_run: bool = False
    force: bool = False


@dataclass
class Outcome:
    """One input's result: the resource (when it imported), what was written, and problems."""

    origin: str
    resource: ImportedResource | None = None
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    unknown_datasources: dict[str, str] = field(default_factory=dict)


def import_inputs(project_root: Path, inputs: Iterable[ImportInput], options: ImportOptions) -> list[Outcome]:
    """Import every input; write its files unless ``dry_run``; never overwrite without ``force``."""
    sources = project_sources(project_root)
    outcomes = []
    for item in inputs:
        outcome = Outcome(item.origin)
        mapper = DatasourceMapper(sources, explicit=options.datasources)
        try:
            resources = _import_one(item, project_root, mapper, options)
        except PydisDashError as error:
            outcome.problems.append(str(error))
            outcomes.append(outcome)
            continue
        for resource in resources:
            one = Outcome(item.origin, resource, unknown_datasources=dict(mapper.unknown))
            one.problems.extend(f"not reproduced: {line}" for line in resource.not_reproduced)
            one.problems.extend(f"data source {ref!r} {why}" for ref, why in mapper.unknown.items())
            if not options.dry_run and not one.problems:
                _write(project_root, one, options.force)
            outcomes.append(one)
    return outcomes


def read_files(paths: Iterable[Path]) -> tuple[list[ImportInput], list[Outcome]]:
    """Parsed inputs, and an outcome with the problem for each file that could not be read."""
    inputs: list[ImportInput] = []
    failed: list[Outcome] = []
    for path in paths:
        try:
            inputs.append(read_input(path))
        except DefinitionError as error:
            failed.append(Outcome(str(path), problems=[str(error)]))
    return inputs, failed


def _import_one(
    item: ImportInput, project_root: Path, mapper: DatasourceMapper, options: ImportOptions
) -> list[ImportedResource]:
    context = item.context
    if item.kind == InputKind.DASHBOARD:
        folder = options.folder if options.folder is not None else context.get("folder")
        # A live dashboard in a folder pydis-dash does not own stays there (unless told where to go).
        folder_uid = context.get("unowned_folder_uid") if options.folder is None else None
        library = context.get("library_panels")
        document = from_app_platform(item.document, item.origin)  # a live v2 dashboard is refused here
        placed = {"folder": folder, "folder_uid": folder_uid}
        return [import_dashboard(document, item.origin, project_root, mapper, **placed, library_panels=library)]
    if item.kind == InputKind.CARD:
        databases = {**context.get("databases", {}), **options.datasources}
        names = CardNames(mapper.sources, databases, {**context.get("fields", {}), **options.fields})
        collection = options.collection if options.collection is not None else context.get("collection")
        return [import_card(item.document, item.origin, project_root, names, collection=collection)]
    # A live group keeps its identity (rule uids, an unowned folder) unless told where to go.
    live = bool(context.get("live")) and not options.folder
    folder_uid = context.get("unowned_folder_uid") if live else None
    return [
        import_rule_group(
            group,
            options.folder or context.get("folder") or folder,
            item.origin,
            project_root,
            mapper,
            live=live,
            folder_uid=folder_uid,
        )
        for group, folder in groups_of(item.document)
    ]


def _write(project_root: Path, outcome: Outcome, force: bool) -> None:
    assert outcome.resource is not None
    files = outcome.resource.files
    existing = [path for path in files if (project_root / path).exists()]
    if existing and not force:
        names = ", ".join(str(path) for path in existing)
        outcome.problems.append(f"{names} exists already: not overwritten (pass --force to replace)")
        return
    for relative, text in files.items():
        target = project_root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        outcome.written.append(relative)
