"""Stage 1 of the pipeline: find definition files and import them into :class:`Definition` objects.

Conventions (the README explains them to authors):

* ``datasources/`` holds data sources as ``.py`` or ``.yaml``/``.yml`` files; ``dashboards/`` holds
  Grafana dashboards (``dashboards/metabase/`` Metabase questions); ``alerts/`` alert rules.
* A ``.py`` file exports every module-level :class:`Definition` constructed in that file, or, when it
  defines ``__all__``, exactly the names listed there. Files and folders starting with ``_`` are
  helpers, never loaded on their own: definition files import them from beside themselves, or from the
  top of any definition folder (``dashboards/_project/`` is ``import _project`` everywhere). Helpers
  are imported afresh on every load.
* Any error while importing becomes one :class:`DefinitionError` naming the file and line, ``SystemExit``
  and a ``KeyboardInterrupt`` the code raises itself included (only a real Ctrl-C stops the run).
* What definition code prints goes to stderr: stdout carries only the command's output (``--format json``).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import signal
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from types import FrameType

from pydis_dash.datasource import load_yaml_datasources
from pydis_dash.definition import Definition, is_author_file, project_relative, project_scope
from pydis_dash.errors import DefinitionError
from pydis_dash.model import SourceLocation

DEFINITION_DIRS = ("datasources", "dashboards", "alerts")
_YAML_SUFFIXES = {".yaml", ".yml"}
_INIT_CALL = re.compile(r"\b(\w+)\.__init__\(\)")


def discover(project_root: Path) -> list[Path]:
    """Every definition file of the project, sorted for deterministic output (by path components, as
    ``sorted(Path.rglob(...))`` sorts; walked with ``os.walk``, which skips helper folders whole and
    costs a rebuild of 1,000 files a tenth of what pathlib did)."""
    files: list[Path] = []
    for folder in DEFINITION_DIRS:
        base = os.path.join(project_root, folder)
        if not os.path.isdir(base):
            continue
        found: list[tuple[str, ...]] = []
        for directory, subdirectories, names in os.walk(base):
            subdirectories[:] = [name for name in subdirectories if not name.startswith(("_", "."))]
            prefix = tuple(os.path.relpath(directory, base).split(os.sep)) if directory != base else ()
            for name in names:
                wanted = name.endswith(".py") or (folder == "datasources" and name.endswith((".yaml", ".yml")))
                if wanted and not name.startswith(("_", ".")) and os.path.isfile(os.path.join(directory, name)):
                    found.append((*prefix, name))
        files.extend(Path(base, *parts) for parts in sorted(found))
    return files


def load_definitions(project_root: Path, files: Iterable[Path]) -> list[Definition]:
    """Import each file and collect the definitions it exports, in file order."""
    definitions: list[Definition] = []
    with fresh_helper_imports(), running_definitions(project_root):
        for path in files:
            definitions.extend(load_file(project_root, path))
    return definitions


@contextmanager
def fresh_helper_imports() -> Iterator[None]:
    """Helper modules the definitions import in this block are forgotten when it ends.

    Each load then sees the helpers as they are on disk now, as a new process would: never a copy
    imported by an earlier load in this process (an edited helper, or another project's helper of the
    same name). Only authors' modules are forgotten, never the standard library's or a package's.
    """
    before = set(sys.modules)
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            filename = getattr(sys.modules.get(name), "__file__", None)
            if isinstance(filename, str) and is_author_file(filename):
                sys.modules.pop(name, None)


@contextmanager
def running_definitions(project_root: Path) -> Iterator[None]:
    """Around any run of authors' code (import, render): files it names must lie in the project, and
    what it prints goes to stderr, so that stdout stays the command's own (JSON) output."""
    with project_scope(project_root), redirect_stdout(sys.stderr):
        yield


def load_file(project_root: Path, path: Path) -> list[Definition]:
    """The definitions one file exports; raises :class:`DefinitionError` naming the file and line."""
    display = _display_path(project_root, path)
    if path.suffix in _YAML_SUFFIXES:
        try:
            sources = load_yaml_datasources(path)
        except DefinitionError as exc:
            raise relocate_error(exc, project_root) from None
        for source in sources:
            object.__setattr__(source, "defined_at", SourceLocation(display, source.defined_at.line))
        return list(sources)
    namespace = _execute(project_root, path, display)
    exported = namespace.get("__all__")
    if exported is not None and not isinstance(exported, list | tuple):
        raise DefinitionError("__all__ must be a list of names", SourceLocation(display))
    if exported is not None:
        missing = [name for name in exported if name not in namespace]
        if missing:
            raise DefinitionError(f"__all__ names undefined {', '.join(missing)}", SourceLocation(display))
        candidates = [namespace[name] for name in exported]
    else:
        candidates = [value for name, value in namespace.items() if not name.startswith("_")]
    resolved = path.resolve()
    seen: set[int] = set()
    definitions: list[Definition] = []
    for value in candidates:
        if not isinstance(value, Definition) or id(value) in seen:
            continue
        if exported is None and value.defined_at.path.resolve() != resolved:
            continue  # imported from another file: that file exports it
        seen.add(id(value))
        definitions.append(value)
    return definitions


def _execute(project_root: Path, path: Path, display: Path) -> dict[str, object]:
    try:
        code = compile(path.read_bytes(), str(path), "exec")
    except SyntaxError as exc:
        raise DefinitionError(f"syntax error: {exc.msg}", SourceLocation(display, exc.lineno)) from None
    module_name = "pydis_dash_definitions." + "_".join(display.with_suffix("").parts)
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None  # a .py path always yields a spec
    module = importlib.util.module_from_spec(spec)
    helper_dirs = [path.parent] + [project_root / folder for folder in DEFINITION_DIRS]
    with _importable(module_name, module, [d for d in helper_dirs if d.is_dir()]), _ctrl_c_watch() as ctrl_c:
        try:
            exec(code, module.__dict__)
        except DefinitionError as exc:
            raise relocate_error(exc, project_root) from None
        except KeyboardInterrupt as exc:
            if ctrl_c.is_set():
                raise  # the operator pressed Ctrl-C: stop the run
            raise DefinitionError(describe_exception(exc), SourceLocation(display, _line_in(exc, path))) from None
        except BaseException as exc:  # any author error, sys.exit() included: report it, never a traceback
            line = _line_in(exc, path)
            raise DefinitionError(describe_exception(exc), SourceLocation(display, line)) from None
    return dict(module.__dict__)


@contextmanager
def _ctrl_c_watch() -> Iterator[threading.Event]:
    """An event set when SIGINT arrives meanwhile: tells a real Ctrl-C from ``raise KeyboardInterrupt``
    in a definition. Signals reach only the main thread; elsewhere the event stays clear."""
    pressed = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield pressed
        return
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        pressed.set()
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)
    try:
        yield pressed
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def _importable(name: str, module: object, folders: list[Path]) -> Iterator[None]:
    """Register the module (dataclasses need it) and let it import helpers from ``folders`` (first wins)."""
    sys.modules[name] = module  # type: ignore[assignment]
    added = [str(folder) for folder in folders]
    sys.path[:0] = added
    try:
        yield
    finally:
        sys.modules.pop(name, None)
        for entry in added:
            if entry in sys.path:
                sys.path.remove(entry)


def _line_in(exc: BaseException, path: Path) -> int | None:
    """The deepest traceback line inside ``path`` (where the author's code failed)."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve() == path.resolve():
            line = frame.lineno
    if line is None and isinstance(exc, SyntaxError):
        return exc.lineno
    return line


def describe_exception(exc: BaseException) -> str:
    """``TypeError: Row() got an unexpected keyword argument 'colapsed'``: Python's message without
    the ``.__init__`` it names, which authors never wrote."""
    if isinstance(exc, SystemExit):
        return f"SystemExit({exc.code!r}): a definition must not exit the process (sys.exit, exit, quit)"
    if isinstance(exc, KeyboardInterrupt):
        return "KeyboardInterrupt raised by the definition"
    message = _INIT_CALL.sub(r"\1()", str(exc))
    return f"{type(exc).__name__}: {message}"


def _display_path(project_root: Path, path: Path) -> Path:
    return project_relative(SourceLocation(path.resolve()), project_root).path


def relocate_error(exc: DefinitionError, project_root: Path) -> DefinitionError:
    """The same error with its path relative to the project, for stable, readable messages."""
    if exc.location is None:
        return exc
    return DefinitionError(exc.message, project_relative(exc.location, project_root), exc.obj)
