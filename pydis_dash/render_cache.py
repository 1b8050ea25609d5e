"""The incremental build: each definition file's rendered resources, kept until an input changes.

An entry holds what one definition file rendered to, with the content hash of every file it read:
the file itself, the helper modules it imported from the project (imported afresh for each file
loaded, so that they are read), and the files it opened while loading and rendering (``.sql``
beside a dashboard...), all seen through the interpreter's ``open`` audit events. A lookup gives
the resources back only when all of those hash the same and the run's context does too:
pydis-dash's own code (every module's size and mtime), grafanalib's and Python's versions, the
project folder, and the data source catalogue names resolve against. Files defining data sources
are never cached (every render depends on them). Anything else a definition reads (environment
variables, the network) is not tracked: set ``PYDIS_DASH_CACHE=off`` for such projects.

An input whose size, mtime, ctime and inode are those recorded when it was hashed is taken as
unchanged without reading it (as git and make do); any other input is hashed, and its content decides.
A file changed twice within one tick of the file system's clock could keep all four, so an input
modified within :data:`_RACY_SECONDS` of being hashed gets no recorded stat and is hashed next time
(git's "racily clean" rule). A checkout that rewrites files only moves their stat: they are hashed.

Each entry keeps its resources pickled apart from a small header (inputs, a summary of each resource,
a token naming this rendering): ``build`` reads only the headers of unchanged files and links their
previous output files (see :mod:`pydis_dash.build_output`), never unpickling their resources.

Entries live under ``$PYDIS_DASH_CACHE_DIR`` (default ``$XDG_CACHE_HOME/pydis-dash`` or
``~/.cache/pydis-dash``), one file per project holding every entry as plain values, each entry's
resources pickled apart (so a run unpickles only the resources it asks for): reading one file, not
a thousand, and writing it once per run, replaced whole. Two runs at once on the same project: the
last one's file wins, which only costs the other's entries a render next time. A cache that cannot
be read or written is skipped, never an error: the build is then a full one.
"""

from __future__ import annotations

import contextvars
import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.render.canonical import canonical_json_bytes

_FORMAT = 4  # bump when the entry layout changes
_RACY_SECONDS = 2  # an input modified this recently when hashed is hashed again next run
# Kinds whose identical copies, rendered by several files, are one resource (a shared folder): their
# summaries keep the body, so that duplicates are told from copies without unpickling anything.
SHARED_KINDS = frozenset({Kind.GRAFANA_FOLDER, Kind.METABASE_COLLECTION})
Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
_KINDS = {kind.value: kind for kind in Kind}  # a dict lookup, not Enum's call, per stored summary
_PACKAGE_DIR = Path(__file__).resolve().parent
_opened: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("pydis_dash_opened", default=None)
_hook_installed = False


class ResourceSummary(NamedTuple):
    """What a build's index says of a resource, and what tells a duplicate from a shared copy: the body
    only for :data:`SHARED_KINDS` (``None`` otherwise). A named tuple of plain values: a rebuild makes
    one per resource of the project, and a frozen dataclass holding a ``Path`` cost several times more."""

    ref: Ref
    title: str
    container: str | None
    source_path: str
    source_line: int | None
    source_column: int | None
    body: Any = None

    @property
    def kind(self) -> Kind:
        """Shortcut for ``ref.kind``."""
        return self.ref.kind

    @property
    def source(self) -> SourceLocation:
        """Where the resource was defined."""
        return SourceLocation(Path(self.source_path), self.source_line, self.source_column)

    @classmethod
    def of(cls, resource: Resource) -> ResourceSummary:
        """The summary of a rendered resource."""
        body = resource.body if resource.kind in SHARED_KINDS else None
        where = resource.source
        return cls(resource.ref, resource.title, resource.container, str(where.path), where.line, where.column, body)


@dataclass(frozen=True)
class CachedFile:
    """A valid entry's header: its summaries and the token naming this rendering (a build records which
    rendering each output file came from)."""

    catalogue: str
    token: str
    summaries: list[ResourceSummary]


@dataclass
class _Entry:
    context: str
    catalogue: str  # catalogue_digest() of the data sources it was rendered against
    inputs: dict[str, tuple[str, Signature | None]]  # project-relative path -> content hash, stat when hashed
    token: str  # new for each rendering stored
    summaries: list[ResourceSummary]
    resources: bytes  # the pickled list[Resource], unpickled only when asked for

    def stored(self) -> tuple[Any, ...]:
        """The entry as plain values (what the cache file holds): unpickled in one go with the others,
        a thousand of them cost a tenth of what as many dataclasses, enums and ``Ref`` objects did."""
        summaries = [
            (s.kind.value, s.ref.uid, s.title, s.container, s.source_path, s.source_line, s.source_column, s.body)
            for s in self.summaries
        ]
        return (self.context, self.catalogue, self.inputs, self.token, summaries, self.resources)

    @classmethod
    def from_stored(cls, stored: tuple[Any, ...]) -> _Entry:
        """The entry :meth:`stored` gave (raises TypeError or ValueError for anything else)."""
        context, catalogue, inputs, token, summaries, resources = stored
        made = [
            ResourceSummary(Ref(_KINDS[kind], uid), title, container, path, line, column, body)
            for kind, uid, title, container, path, line, column, body in summaries
        ]
        return cls(context, catalogue, inputs, token, made, resources)


class RenderCache:
    """Rendered resources per definition file of one project, valid while their inputs are unchanged."""

    def __init__(self, directory: Path, project_root: Path, context: str) -> None:
        self.directory = directory
        self.project_root = project_root
        self._root = str(project_root)
        self.context = context
        self._hashes: dict[str, tuple[str, Signature | None] | None] = {}
        self._entries: dict[str, tuple[Any, ...]] | None = None  # definition file -> its _Entry.stored()
        self._valid: dict[str, _Entry | None] = {}
        self._changed = False

    @classmethod
    def for_project(cls, project_root: Path) -> RenderCache | None:
        """The cache of ``project_root`` for this run (None when switched off by the environment)."""
        if os.environ.get("PYDIS_DASH_CACHE", "").lower() in ("off", "0", "no", "false"):
            return None
        base = os.environ.get("PYDIS_DASH_CACHE_DIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "pydis-dash"
        )
        project_key = hashlib.sha256(str(project_root).encode()).hexdigest()[:24]
        context = hashlib.sha256(f"{_tool_fingerprint()}\0{project_root}".encode()).hexdigest()
        return cls(Path(base) / "render" / project_key, project_root, context)

    @property
    def file(self) -> Path:
        """The file holding every entry of the project."""
        return self.directory / f"entries-{_FORMAT}.pickle"

    def lookup(self, path: Path) -> tuple[str, list[Resource]] | None:
        """(catalogue digest, resources) ``path`` rendered to, when nothing it read has changed since.

        The caller compares the digest with this run's data sources (known only once the files that
        are not cached are loaded)."""
        entry = self._valid_entry(path)
        if entry is None:
            return None
        try:
            resources = pickle.loads(entry.resources)
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None
        return entry.catalogue, resources

    def lookup_header(self, path: Path) -> CachedFile | None:
        """What :meth:`lookup` would find valid, without unpickling its resources."""
        entry = self._valid_entry(path)
        return None if entry is None else CachedFile(entry.catalogue, entry.token, entry.summaries)

    def _valid_entry(self, path: Path) -> _Entry | None:
        key = str(path)
        if key not in self._valid:
            self._valid[key] = self._read_entry(key)
        return self._valid[key]

    def _read_entry(self, key: str) -> _Entry | None:
        stored = self._stored().get(key)
        if stored is None or not isinstance(stored, tuple) or stored[:1] != (self.context,):
            return None
        try:
            entry = _Entry.from_stored(stored)
        except (TypeError, ValueError, KeyError):  # not what this version stores: a render
            return None
        if any(not self._unchanged(relative, recorded) for relative, recorded in entry.inputs.items()):
            return None
        return entry

    def store(self, path: Path, resources: list[Resource], read: set[str], catalogue: str) -> str | None:
        """Remember what ``path`` rendered to, against which data sources, and the files (absolute
        paths) it read doing so (kept in memory until :meth:`save`). Returns the entry's token (None
        when it could not be stored)."""
        inputs: dict[str, tuple[str, Signature | None]] = {}
        for name in {str(path), *read}:
            relative = self._relative(name)
            hashed = self._hash(relative) if relative is not None else None
            if relative is not None and hashed is not None:
                inputs[relative] = hashed
        token = os.urandom(12).hex()
        summaries = [ResourceSummary.of(resource) for resource in resources]
        try:
            pickled = pickle.dumps(resources, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return None  # an unpicklable value only costs the next run a render
        self._stored()[str(path)] = _Entry(self.context, catalogue, inputs, token, summaries, pickled).stored()
        self._valid.pop(str(path), None)
        self._changed = True
        return token

    def save(self) -> None:
        """Write the entries stored this run (with the earlier ones whose files still exist)."""
        if not self._changed or self._entries is None:
            return
        kept = {name: stored for name, stored in self._entries.items() if os.path.exists(name)}
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=self.directory, delete=False) as handle:
                pickle.dump(kept, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, self.file)
        except OSError:  # (folder bodies pickle: their resources did)
            return  # an unwritable cache only costs the next run a render
        self._changed = False

    def _stored(self) -> dict[str, tuple[Any, ...]]:
        if self._entries is None:
            try:
                with open(self.file, "rb") as handle:
                    stored = pickle.load(handle)
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
                stored = None
            self._entries = stored if isinstance(stored, dict) else {}
        return self._entries

    def _relative(self, name: str) -> str | None:
        try:
            relative = Path(name).resolve().relative_to(self.project_root)
        except (ValueError, OSError):
            return None  # outside the project: the standard library, installed packages
        return relative.as_posix()

    def _unchanged(self, relative: str, recorded: tuple[str, Signature | None]) -> bool:
        digest, signature = recorded
        if signature is not None and relative not in self._hashes:
            try:
                if _signature(os.stat(os.path.join(self._root, relative))) == signature:
                    return True  # stat as when it was hashed: unchanged (see the module's docstring)
            except OSError:
                return False
        hashed = self._hash(relative)
        return hashed is not None and hashed[0] == digest

    def _hash(self, relative: str) -> tuple[str, Signature | None] | None:
        """(content hash, stat taken before reading it, or None when racy); each input is hashed once
        per run, however many entries share it (a helper module)."""
        if relative not in self._hashes:
            try:
                with open(os.path.join(self._root, relative), "rb") as handle:
                    stat = os.fstat(handle.fileno())
                    digest = hashlib.sha256(handle.read()).hexdigest()
            except OSError:
                self._hashes[relative] = None
            else:
                racy = max(stat.st_mtime_ns, stat.st_ctime_ns) > time.time_ns() - _RACY_SECONDS * 1_000_000_000
                self._hashes[relative] = (digest, None if racy else _signature(stat))
        return self._hashes[relative]


def _signature(stat: os.stat_result) -> Signature:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def catalogue_digest(*catalogues: Mapping[str, Any]) -> str:
    """A digest of the data source catalogues a render resolves names against."""
    return hashlib.sha256(canonical_json_bytes(list(catalogues))).hexdigest()


@contextmanager
def recording_reads() -> Iterator[set[str]]:
    """Collect the paths of every file opened in this block (this thread or task only)."""
    _install_hook()
    opened: set[str] = set()
    token = _opened.set(opened)
    try:
        yield opened
    finally:
        _opened.reset(token)


def _install_hook() -> None:
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_on_audit_event)  # cannot be removed: it does nothing outside recording_reads
        _hook_installed = True


def _on_audit_event(event: str, args: tuple[Any, ...]) -> None:
    if event != "open":
        return
    opened = _opened.get()
    if opened is not None and args and isinstance(args[0], str | os.PathLike):
        opened.add(os.fspath(args[0]))  # type: ignore[arg-type]


def _tool_fingerprint() -> str:
    """pydis-dash's and grafanalib's code as installed (every module's size and mtime: an upgrade or an
    edit changes them) and Python's version. (Found by path, not ``importlib.metadata``, whose import
    and distribution scan cost a rebuild more than the rest of this.)"""
    parts = [sys.version]
    for package in (_PACKAGE_DIR, _installed_package("grafanalib")):
        if package is None:
            parts.append("-")
            continue
        for path in sorted(package.rglob("*.py")):
            stat = path.stat()
            parts.append(f"{package.name}/{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def _installed_package(name: str) -> Path | None:
    """The folder ``import name`` would load, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))
