"""``build``'s output folder: one JSON file per resource plus ``index.json``, replaced whole.

A rebuild reuses the previous build's files for what did not change, in two ways:

* A file served by the render cache and whose output file the previous build wrote from that very
  cache entry (the build manifest says so: entry token and the file's inode, size and mtime as
  written) is hard-linked from the previous build: its resources are neither unpickled nor encoded.
  A file edited or deleted by hand in the build folder no longer matches and is written again. (An
  edit that keeps the inode, size and mtime, as ``touch -r`` after an in-place edit can, is not seen.)
* Any other file is encoded, and linked anyway when the previous build holds exactly its bytes.

The manifest lives beside the render cache (one per output folder), never in the build folder.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydis_dash.model import Ref, Resource
from pydis_dash.pipeline import FileRendering, unique_summaries
from pydis_dash.render.canonical import canonical_json_bytes
from pydis_dash.render.output import staged_directory
from pydis_dash.render_cache import RenderCache, ResourceSummary

_MANIFEST_FORMAT = 1
FileStat = tuple[int, int, int, int]  # device, inode, size, mtime_ns of an output file as written


def dump_json_bytes(value: Any) -> bytes:
    """The one JSON serialisation build files hold: sorted keys, two-space indent, final newline."""
    return canonical_json_bytes(value) + b"\n"


def resource_summary(resource: Resource | ResourceSummary) -> dict[str, Any]:
    """What ``list --format json`` and the build index say about one resource."""
    return {
        "kind": resource.kind.value,
        "uid": resource.ref.uid,
        "title": resource.title,
        "container": resource.container,
        "source": str(resource.source),
    }


def output_file(ref: Ref) -> str:
    """Where a resource's JSON lives in the build folder."""
    return f"{ref.kind.value}/{ref.uid}.json"


def write_build(resources: Sequence[Resource], target: Path) -> None:
    """Write the build to a temporary sibling directory, then swap it into place. A file whose bytes
    the previous build already holds is linked from it rather than written again."""
    previous = target if target.is_dir() else None
    with staged_directory(target) as staging:
        writer = _Writer(staging, previous)
        for resource in resources:
            writer.write(output_file(resource.ref), dump_json_bytes(resource.body))
        writer.write_index(resources)


def write_incremental_build(renderings: Sequence[FileRendering], cache: RenderCache, target: Path) -> int:
    """:func:`write_build` of the renderings' resources (deduplicated and ordered as ``load_resources``
    does), reusing the previous build's file of each resource the manifest vouches for; records the
    new manifest. Returns the number of resources written."""
    summaries = unique_summaries(renderings)
    owner: dict[Ref, FileRendering] = {}
    for rendering in renderings:
        for summary in rendering.summaries:
            owner.setdefault(summary.ref, rendering)
    manifest = _Manifest.load(cache, target)
    previous = target if target.is_dir() else None
    recorded: dict[str, tuple[str, FileStat]] = {}
    with staged_directory(target) as staging:
        writer = _Writer(staging, previous)
        for summary in summaries:
            relative = output_file(summary.ref)
            rendering = owner[summary.ref]
            stat = manifest.reusable(relative, rendering.token, writer.previous)
            if stat is None or not writer.link(relative):
                body = next(r.body for r in rendering.resources() if r.ref == summary.ref)
                stat = writer.write(relative, dump_json_bytes(body))
            if rendering.token is not None:
                recorded[relative] = (rendering.token, stat)
        writer.write_index(summaries)
    _Manifest(recorded).save(cache, target)
    return len(summaries)


class _Writer:
    """Fills a staging folder, linking files from the previous build where it can. (Paths are joined as
    strings: pathlib's parsing of three paths per file was a tenth of a rebuild.)"""

    def __init__(self, staging: Path, previous: Path | None) -> None:
        self.staging = str(staging)
        self.previous = None if previous is None else str(previous)
        self._folders: set[str] = set()

    def link(self, relative: str) -> bool:
        """Link the previous build's ``relative`` into place (False when it cannot be linked)."""
        if self.previous is None:
            return False
        try:
            os.link(os.path.join(self.previous, relative), self._prepared(relative))
        except OSError:  # gone meanwhile, or a file system without hard links
            return False
        return True

    def write(self, relative: str, data: bytes) -> FileStat:
        """``data`` into ``relative``: a link to the previous build's file when it holds exactly that."""
        path = self._prepared(relative)
        if self.previous is not None:
            earlier = os.path.join(self.previous, relative)
            try:
                with open(earlier, "rb") as handle:
                    same = handle.read(len(data) + 1) == data
                if same:
                    os.link(earlier, path)
                    return _file_stat(os.stat(path))
            except OSError:  # no earlier file, or a file system without hard links: write it
                pass
        with open(path, "wb") as handle:
            handle.write(data)
            handle.flush()
            return _file_stat(os.fstat(handle.fileno()))

    def write_index(self, resources: Sequence[Resource | ResourceSummary]) -> None:
        """``index.json``: the resources' summaries, each with its file."""
        entries = [{**resource_summary(resource), "file": output_file(resource.ref)} for resource in resources]
        with open(os.path.join(self.staging, "index.json"), "wb") as handle:
            handle.write(dump_json_bytes({"resources": entries}))

    def _prepared(self, relative: str) -> str:
        folder, _, _ = relative.rpartition("/")
        if folder not in self._folders:
            os.makedirs(os.path.join(self.staging, folder), exist_ok=True)
            self._folders.add(folder)
        return os.path.join(self.staging, relative)


@dataclass
class _Manifest:
    """Per output file of the last incremental build into one folder: the render cache entry its bytes
    came from and the file's stat as written."""

    files: dict[str, tuple[str, FileStat]]

    @staticmethod
    def path(cache: RenderCache, target: Path) -> Path:
        key = hashlib.sha256(str(target.resolve()).encode()).hexdigest()[:24]
        return cache.directory / f"build-{key}-{_MANIFEST_FORMAT}.pickle"

    @classmethod
    def load(cls, cache: RenderCache, target: Path) -> _Manifest:
        try:
            with open(cls.path(cache, target), "rb") as handle:
                files = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return cls({})
        return cls(files if isinstance(files, dict) else {})

    def reusable(self, relative: str, token: str | None, previous: str | None) -> FileStat | None:
        """The stat of the previous build's ``relative`` when it holds what entry ``token`` rendered."""
        recorded = self.files.get(relative)
        if token is None or previous is None or recorded is None or recorded[0] != token:
            return None
        try:
            stat = _file_stat(os.stat(os.path.join(previous, relative)))
        except OSError:
            return None
        return stat if stat == recorded[1] else None

    def save(self, cache: RenderCache, target: Path) -> None:
        """Replace the folder's manifest (an unwritable one only costs the next build its encoding)."""
        try:
            cache.directory.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=cache.directory, delete=False) as handle:
                pickle.dump(self.files, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, self.path(cache, target))
        except OSError:
            return


def _file_stat(stat: os.stat_result) -> FileStat:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
