"""The authoring-side contract: every definition object knows where it was written and renders itself.

A definition file exports objects that subclass :class:`Definition` (``Dashboard``, ``Question``,
``RuleGroup``, ``DataSource``...). The loader finds them; :meth:`Definition.render` turns one into
resources. The location is captured when the object is constructed, so errors point at the line the
author wrote, not at pydis-dash internals.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
import sysconfig
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.errors import DefinitionError
from pydis_dash.model import Resource, SourceLocation, SourceText

_PACKAGE_DIR = Path(__file__).resolve().parent
# Frames in these folders are never the author's: pydis-dash itself, the standard library (e.g.
# ``dataclasses.replace`` re-running a constructor) and installed packages (grafanalib, click, pytest).
_NOT_AUTHOR_DIRS = tuple(
    sorted({_PACKAGE_DIR} | {Path(sysconfig.get_paths()[key]).resolve() for key in ("stdlib", "purelib", "platlib")})
)
#: Grafana's rule for uids (dashboards, folders, alerting resources): 1-40 letters, digits, ``-``, ``_``.
MAX_UID = 40
_UID_CHARS = re.compile(r"[A-Za-z0-9_-]+")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
#: The root of the project being loaded: files a definition names must lie inside it.
_PROJECT_ROOT: ContextVar[Path | None] = ContextVar("pydis_dash_project_root", default=None)


@contextmanager
def project_scope(project_root: Path) -> Iterator[None]:
    """Definitions loaded or rendered inside this block may read files only under ``project_root``."""
    token = _PROJECT_ROOT.set(project_root.resolve())
    try:
        yield
    finally:
        _PROJECT_ROOT.reset(token)


def caller_location() -> SourceLocation:
    """The first stack frame outside the pydis_dash package: where the author's code called us.

    Synthetic frames (``<string>``: a dataclass-generated ``__init__`` running a ``default_factory``;
    ``<frozen ...>``: import machinery) and those of the standard library and installed packages are
    skipped too.
    """
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if is_author_file(name):
            return SourceLocation(_author_path(name), frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return SourceLocation(Path("<unknown>"))


@functools.cache
def _author_path(name: str) -> Path:
    # One (immutable) Path per author file, shared by every location in it: parsing the name again
    # for each of a thousand panels was a tenth of their construction.
    return Path(name)


@functools.cache
def is_author_file(name: str) -> bool:
    """Whether code in the file ``name`` is an author's: not pydis-dash's, Python's or a package's."""
    # Called for every panel and row an author builds: the answer per file never changes in a run,
    # and working it out (paths parsed, compared with every library folder) costs more than the walk.
    return not name.startswith("<") and not any(Path(name).is_relative_to(d) for d in _NOT_AUTHOR_DIRS)


def project_relative(location: SourceLocation, project_root: Path) -> SourceLocation:
    """``location`` with its path relative to the project root when it lies inside (stable, readable
    output); a relative path is taken as relative to the project already, one outside stays absolute."""
    return SourceLocation(_project_path(location.path, project_root), location.line, location.column)


@functools.lru_cache(maxsize=4096)
def _project_path(path: Path, project_root: Path) -> Path:
    # Every anchor of every panel goes through here: resolving the same few files' paths (a system
    # call per part) once each keeps it off the profile.
    if path.is_absolute():
        resolved, root = path.resolve(), project_root.resolve()
        return resolved.relative_to(root) if resolved.is_relative_to(root) else path
    return path


def is_valid_uid(uid: str) -> bool:
    """Grafana's rule for uids: 1-40 characters of letters, digits, ``-`` and ``_``."""
    return isinstance(uid, str) and len(uid) <= MAX_UID and _UID_CHARS.fullmatch(uid) is not None


def secret_env_problem(secrets: Mapping[str, Any]) -> str | None:
    """Why ``secrets`` (setting -> environment variable name) is not valid, or None.

    The secret's value is never echoed: an author who pasted the secret itself must not see it in CI logs.
    """
    for setting, env_name in secrets.items():
        if not isinstance(env_name, str) or not _ENV_NAME.match(env_name):
            return f"secret {setting!r} must name an environment variable (UPPER_CASE), never hold the secret itself"
    return None


def names_sql_file(text: str) -> bool:
    """True when ``text`` names a ``.sql`` file (one line ending in ``.sql``) rather than holding a query."""
    candidate = text.strip()
    return "\n" not in candidate and candidate.lower().endswith(".sql")


class SqlFileError(Exception):
    """A ``.sql`` file named by a definition cannot be used; ``reason`` says why, in a few words."""

    NOT_FOUND = "not found beside the definition"

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"cannot read SQL file {name!r}: {reason}")


def read_sql_file(name: str, folder: Path) -> SourceText:
    """The query in the ``.sql`` file ``name`` beside a definition (``folder``), trailing whitespace removed.

    The text remembers that it starts at line 1 of the file, so engine errors point at ``file.sql:line:col``.
    The path is resolved (symlinks, ``..``) and must stay inside the project being loaded (or, outside a
    load, inside ``folder``): a definition must not embed ``/etc/passwd`` in a dashboard.
    Raises :class:`SqlFileError`.
    """
    name = name.strip()
    boundary = _PROJECT_ROOT.get() or folder.resolve()
    path = (folder / name).resolve()
    if not path.is_relative_to(boundary):
        raise SqlFileError(name, "it resolves outside the project (symlink or '..'); keep queries in the project")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SqlFileError(name, SqlFileError.NOT_FOUND) from None
    except UnicodeDecodeError:
        raise SqlFileError(name, "not UTF-8 text") from None
    except OSError as exc:
        raise SqlFileError(name, exc.strerror or type(exc).__name__) from None
    if not text.strip():
        raise SqlFileError(name, "the file is empty")
    return SourceText(text.rstrip(), SourceLocation(folder / name, 1, 1))


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs to know about the file a definition came from."""

    project_root: Path
    source: SourceLocation
    # Known data sources by name and by uid -> {"type", "uid"}: resolves grafanalib's string references.
    datasources: Mapping[str, dict[str, str]] = field(default_factory=dict)
    # Data sources Metabase reads too: their uid, name and casefolded Metabase database name ->
    # (Metabase database name, data source uid). See :meth:`metabase_database`.
    metabase_databases: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def metabase_database(self, database: str) -> tuple[str, str] | None:
        """(Metabase database name, data source uid) for what a question names as its database: a data
        source's uid or name, or its Metabase database name (case-insensitive, as Metabase matches it)."""
        return self.metabase_databases.get(database) or self.metabase_databases.get(database.strip().casefold())

    @property
    def definition_dir(self) -> Path:
        """Folder of the definition file: relative ``.sql`` paths are resolved against it."""
        return (
            self.source.path.parent if self.source.path.is_absolute() else (self.project_root / self.source.path).parent
        )

    def relative(self, location: SourceLocation) -> SourceLocation:
        """Make a location relative to the project root, for stable, readable output."""
        return project_relative(location, self.project_root)


class Definition(ABC):
    """Base of every exported definition; records the file and line where it was constructed."""

    defined_at: SourceLocation

    def __new__(cls, *args: Any, **kwargs: Any) -> Definition:
        where = caller_location()
        _check_arguments(cls, args, kwargs, where)
        instance = super().__new__(cls)
        object.__setattr__(instance, "defined_at", where)
        return instance

    @property
    @abstractmethod
    def identity(self) -> str:
        """A short human name for errors, e.g. ``dashboard 'community-channels'``."""

    @abstractmethod
    def render(self, ctx: RenderContext) -> list[Resource]:
        """Render this definition into one or more resources (e.g. a dashboard and its folders)."""


def _check_arguments(cls: type, args: tuple[Any, ...], kwargs: dict[str, Any], where: SourceLocation) -> None:
    """Reject a misspelt or missing argument at the author's line, naming the known ones.

    Python's own message (``Dashboard.__init__() got an unexpected keyword argument 'colour'``) names
    an internal method and not what the author can write instead.
    """
    signature = inspect.signature(cls.__init__)  # type: ignore[misc]
    parameters = list(signature.parameters.values())[1:]  # past `self`
    names = [p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters)
    unknown = sorted(set(kwargs) - set(names))
    if unknown and not takes_any:
        raise DefinitionError(
            f"unknown option(s): {', '.join(unknown)} (known: {', '.join(names)})", where, cls.__name__
        )
    try:
        signature.bind(None, *args, **kwargs)
    except TypeError as exc:
        raise DefinitionError(str(exc), where, cls.__name__) from None
