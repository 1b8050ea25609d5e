"""Live reload: poll the project's definition files and rebuild the snapshot when one changes.

Polling mtimes (and sizes, for edits within one mtime tick) keeps preview free of platform-specific
file-watching libraries; a project has at most a few hundred files, so one poll is well under a
millisecond of work. Every rebuild bumps :attr:`LiveProject.version`, which pages poll to reload.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pydis_dash.load import DEFINITION_DIRS
from pydis_dash.preview.panel_data import PanelDataSession
from pydis_dash.preview.snapshot import PreviewOptions, Snapshot, complete, load_and_lint
from pydis_dash.sample import SampleContext, sample_now

#: Files outside the definition folders that change what preview shows (lint and environment config).
CONFIG_FILES = ("pyproject.toml", "pydis-dash.toml")

Fingerprint = dict[Path, tuple[int, int]]


def fingerprint(project_dir: Path) -> Fingerprint:
    """``(mtime_ns, size)`` of every file that can change the build: definitions, helpers, ``.sql`` files."""
    found: Fingerprint = {}
    candidates = [project_dir / name for name in CONFIG_FILES]
    for folder in DEFINITION_DIRS:
        base = project_dir / folder
        try:
            candidates.extend(p for p in base.rglob("*") if "__pycache__" not in p.parts)
        except OSError:  # a folder removed mid-walk: the next poll sees the new state
            continue
    for path in candidates:
        try:
            stat = path.stat()
        except OSError:  # vanished between listing and stat: the next poll sees the new state
            continue
        if path.is_file():
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def forget_project_modules(project_dir: Path) -> None:
    """Drop helper modules imported from the definition folders, so an edited helper is re-imported.

    Definition files themselves are executed afresh by the loader; helpers (``_common.py``) imported by
    them stay in ``sys.modules`` and would otherwise be served from the first import forever.
    """
    roots = [(project_dir / folder).resolve() for folder in DEFINITION_DIRS]
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None)
        if not filename:
            continue
        path = Path(filename).resolve()
        if any(path.is_relative_to(root) for root in roots):
            del sys.modules[name]
    importlib.invalidate_caches()


class LiveProject:
    """The current :class:`Snapshot` of a project and a background thread keeping it current."""

    def __init__(
        self,
        project_dir: Path,
        options: PreviewOptions,
        interval: float = 0.25,
        on_rebuild: Callable[[Snapshot], None] | None = None,
    ) -> None:
        self.project_dir = project_dir.resolve()
        # With --data the engines stay up between rebuilds: a save redraws in a second, not a restart.
        self._session = (
            PanelDataSession(SampleContext(seed=options.seed, now=options.now or sample_now()))
            if options.data and options.data_session is None
            else None
        )
        self.options = replace(options, data_session=self._session) if self._session else options
        self.interval = interval
        self.on_rebuild = on_rebuild
        self._lock = threading.Lock()
        self._snapshot = Snapshot()
        self._version = 0
        self._seen: Fingerprint = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def snapshot(self) -> Snapshot:
        """The latest build."""
        with self._lock:
            return self._snapshot

    @property
    def version(self) -> int:
        """Increases by one with every rebuild; pages reload when it changes."""
        with self._lock:
            return self._version

    def current(self) -> tuple[Snapshot, int]:
        """The latest build and its version, read together."""
        with self._lock:
            return self._snapshot, self._version

    def rebuild(self) -> Snapshot:
        """Build now (the first build, or after a change) and publish the result.

        The fast phase (load, schemas, lint) is published first, so open pages reload at once; the slow
        phase (engines, live plan), when asked for, is published as a second version when it is done.
        """
        seen = fingerprint(self.project_dir)
        forget_project_modules(self.project_dir)
        previous = self.snapshot if self.version else None
        snapshot = self._publish(load_and_lint(self.project_dir, self.options, previous), seen)
        if snapshot.pending:
            snapshot = self._publish(complete(self.project_dir, snapshot, self.options), seen)
        return snapshot

    def _publish(self, snapshot: Snapshot, seen: Fingerprint) -> Snapshot:
        with self._lock:
            self._snapshot = snapshot
            self._version += 1
            self._seen = seen
        if self.on_rebuild is not None:
            self.on_rebuild(snapshot)
        return snapshot

    def poll(self) -> bool:
        """Rebuild when any watched file was added, removed or changed; True when it rebuilt."""
        if fingerprint(self.project_dir) == self._seen:
            return False
        self.rebuild()
        return True

    def start(self) -> None:
        """Build once (if not yet built), then keep polling on a daemon thread until :meth:`stop`."""
        if self.version == 0:
            self.rebuild()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="pydis-dash-preview-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop polling and wait for a rebuild in progress to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._session is not None:
            self._session.close()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()
