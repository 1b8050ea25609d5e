"""The front of the pipeline every command shares: load definitions and render them to resources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydis_dash.datasource import DataSource
from pydis_dash.definition import Definition, RenderContext
from pydis_dash.errors import DefinitionError, EnvironmentProblem, UsageProblem
from pydis_dash.gc_pause import collector_paused
from pydis_dash.load import (
    DEFINITION_DIRS,
    describe_exception,
    discover,
    fresh_helper_imports,
    load_definitions,
    load_file,
    relocate_error,
    running_definitions,
)
from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.policy_links import link_policy
from pydis_dash.render.text_origins import with_text_origins
from pydis_dash.render_cache import (
    SHARED_KINDS,
    CachedFile,
    RenderCache,
    ResourceSummary,
    catalogue_digest,
    recording_reads,
)
from pydis_dash.selectors import Selection

_KIND_ORDER = {kind: index for index, kind in enumerate(Kind)}


def load_resources(project_dir: Path | str, selectors: Sequence[str] = ()) -> list[Resource]:
    """Load every definition of the project, render it, and return the selected resources.

    Resources come sorted by kind (dependency order) then uid, with the folders that selected
    resources depend on included. Raises :class:`DefinitionError` for any broken definition,
    :class:`UsageProblem` for a folder that is not a project or a selector matching nothing.
    """
    root = _project_root(project_dir)
    selection = Selection.parse(selectors, root)
    files = [path for path in discover(root) if selection.wants_file(path)]
    cache = RenderCache.for_project(root)
    # Rendering (or unpickling) 1,000 dashboards makes millions of long-lived objects and no garbage
    # worth a cycle collection: the collector's passes over them were most of a rebuild's time.
    with collector_paused(), fresh_helper_imports():
        resources = _render_files(root, files, cache) if cache else render_all(root, load_definitions(root, files))
    return selection.apply(resources)


def render_project(project_dir: Path | str) -> tuple[list[FileRendering], RenderCache] | None:
    """Every definition file's rendering through the render cache, with the cache (None when the cache
    is switched off): what an incremental build writes from. Raises as :func:`load_resources` does."""
    root = _project_root(project_dir)
    cache = RenderCache.for_project(root)
    if cache is None:
        return None
    with collector_paused(), fresh_helper_imports():
        return render_by_file(root, discover(root), cache), cache


def _project_root(project_dir: Path | str) -> Path:
    root = Path(project_dir).resolve()
    if not any((root / folder).is_dir() for folder in DEFINITION_DIRS):
        folders = ", ".join(f"{folder}/" for folder in DEFINITION_DIRS)
        raise UsageProblem(f"{root} is not a pydis-dash project: it has none of {folders} (choose one with --project)")
    return root


def render_all(project_root: Path, definitions: Sequence[Definition]) -> list[Resource]:
    """Render definitions (data sources first, so names resolve) and reject duplicate identities."""
    catalogue, metabase = datasource_catalogues(definitions)
    by_ref: dict[Ref, Resource] = {}
    for resource in _render(project_root, definitions, catalogue, metabase):
        _add_unique(by_ref, resource)
    return _in_order(by_ref)


def _render(
    project_root: Path,
    definitions: Sequence[Definition],
    catalogue: dict[str, dict[str, str]],
    metabase: dict[str, tuple[str, str]],
) -> list[Resource]:
    rendered: list[Resource] = []
    for definition in definitions:
        ctx = RenderContext(project_root, definition.defined_at, catalogue, metabase)
        try:
            with running_definitions(project_root):
                rendered.extend(with_text_origins(r, project_root) for r in definition.render(ctx))
        except DefinitionError as exc:  # raised with the absolute path of the author's file
            raise relocate_error(exc, project_root) from None
        except KeyboardInterrupt:
            raise  # Ctrl-C
        except BaseException as exc:  # a bug in a definition's values surfacing at render time, sys.exit too
            location = ctx.relative(definition.defined_at)
            raise DefinitionError(describe_exception(exc), location, definition.identity) from None
    return rendered


def _render_files(project_root: Path, files: Sequence[Path], cache: RenderCache) -> list[Resource]:
    """:func:`render_all` of the files' definitions, taking each file's resources from ``cache`` when
    nothing it read changed, and storing the others' (files defining data sources are always loaded:
    every other file renders against them)."""
    by_ref: dict[Ref, Resource] = {}
    for result in render_by_file(project_root, files, cache):
        for resource in result.resources():
            _add_unique(by_ref, resource)
    return _in_order(by_ref)


@dataclass
class FileRendering:
    """What one definition file renders to: its resources' summaries at once, the resources themselves
    on demand (a file served by the render cache unpickles them only when asked). ``token`` names the
    cache entry they are (None for a file the cache does not keep: a data source)."""

    path: Path
    summaries: list[ResourceSummary]
    token: str | None
    _resources: list[Resource] | None
    _cache: RenderCache

    def resources(self) -> list[Resource]:
        """The file's resources (read from the cache the first time, for a file served by it)."""
        if self._resources is None:
            hit = self._cache.lookup(self.path)
            if hit is None:  # its header was read a moment ago: only resources pickle cannot read get here
                raise EnvironmentProblem(
                    f"the render cache entry of {self.path} cannot be read: remove {self._cache.file} and run again"
                )
            self._resources = hit[1]
        return self._resources


def render_by_file(project_root: Path, files: Sequence[Path], cache: RenderCache) -> list[FileRendering]:
    """Each file's rendering, in file order: from ``cache`` when nothing it read changed (and it was
    rendered against the same data sources), else loaded, rendered and stored. The cache is saved
    even when a file fails: what was rendered before the error is still good for the next run."""
    try:
        return _render_by_file(project_root, files, cache)
    finally:
        cache.save()


def _render_by_file(project_root: Path, files: Sequence[Path], cache: RenderCache) -> list[FileRendering]:
    hits: dict[Path, CachedFile] = {}
    loaded: dict[Path, tuple[list[Definition], set[str]]] = {}
    with running_definitions(project_root):
        for path in files:
            hit = cache.lookup_header(path)
            if hit is not None:
                hits[path] = hit
            else:
                loaded[path] = _load_recording(project_root, path)
    # Loading everything before rendering anything keeps the order errors are found in.
    catalogue, metabase = datasource_catalogues([d for definitions, _ in loaded.values() for d in definitions])
    digest = catalogue_digest(catalogue, metabase)
    for path in [path for path, hit in hits.items() if hit.catalogue != digest]:
        del hits[path]
        with running_definitions(project_root):
            loaded[path] = _load_recording(project_root, path)
    results: list[FileRendering] = []
    for path in files:
        if path in hits:
            hit = hits[path]
            results.append(FileRendering(path, hit.summaries, hit.token, None, cache))
            continue
        definitions, read = loaded[path]
        with recording_reads() as read_rendering:
            resources = _render(project_root, definitions, catalogue, metabase)
        token = None
        if not any(isinstance(d, DataSource) for d in definitions):
            token = cache.store(path, resources, read | read_rendering, digest)
        summaries = [ResourceSummary.of(resource) for resource in resources]
        results.append(FileRendering(path, summaries, token, resources, cache))
    return results


def _load_recording(project_root: Path, path: Path) -> tuple[list[Definition], set[str]]:
    # Helpers are imported afresh for each file, so that every file it imports is opened (and so
    # recorded) while it loads: that is how its entry learns which helpers it depends on.
    with fresh_helper_imports(), recording_reads() as read:
        definitions = load_file(project_root, path)
    return definitions, read


def _in_order(by_ref: dict[Ref, Resource]) -> list[Resource]:
    # Resources naming others by name learn their dependencies once every resource is rendered.
    return sorted(link_policy(list(by_ref.values())), key=lambda r: (_KIND_ORDER[r.kind], r.ref.uid))


def datasource_catalogues(
    definitions: Sequence[Definition],
) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, str]]]:
    """What rendering resolves data sources with (see :class:`RenderContext`): name or uid -> reference,
    and uid, name or casefolded Metabase database name -> (Metabase database name, uid)."""
    catalogue: dict[str, dict[str, str]] = {}
    metabase: dict[str, tuple[str, str]] = {}
    for definition in definitions:
        if isinstance(definition, DataSource):
            catalogue[definition.name] = definition.ref
            catalogue[definition.uid] = definition.ref
            if definition.metabase_database:
                entry = (definition.metabase_database, definition.uid)
                for key in (definition.metabase_database.strip().casefold(), definition.name, definition.uid):
                    metabase[key] = entry
    return catalogue, metabase


class _Identified(Protocol):
    """A resource or its summary: what duplicate detection looks at."""

    @property
    def ref(self) -> Ref: ...
    @property
    def kind(self) -> Kind: ...
    @property
    def source(self) -> SourceLocation: ...
    @property
    def body(self) -> Any: ...


_Item = TypeVar("_Item", bound=_Identified)


def unique_summaries(renderings: Sequence[FileRendering]) -> list[ResourceSummary]:
    """The summaries of every file's resources, sorted as :func:`load_resources` sorts resources;
    raises :class:`DefinitionError` for a duplicate identity, as it does."""
    by_ref: dict[Ref, ResourceSummary] = {}
    for rendering in renderings:
        for summary in rendering.summaries:
            _add_unique(by_ref, summary)
    return sorted(by_ref.values(), key=lambda s: (_KIND_ORDER[s.kind], s.ref.uid))


def _add_unique(by_ref: dict[Ref, _Item], resource: _Item) -> None:
    existing = by_ref.get(resource.ref)
    if existing is None:
        by_ref[resource.ref] = resource
        return
    # Folders (collections) are shared by every dashboard (question) naming the same path: identical
    # copies are one folder.
    if resource.kind in SHARED_KINDS and existing.body == resource.body:
        return
    raise DefinitionError(
        f"duplicate {resource.kind.value} uid {resource.ref.uid!r}: also defined at {existing.source}",
        resource.source,
    )
