"""The unit that flows through the pipeline: one rendered :class:`Resource`.

Everything after ``render`` (validate, plan, apply, preview) sees only these immutable values, never
the authoring objects, so each later stage can be tested with plain JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar

from pydis_dash.source_check import SourceCheck


class Kind(StrEnum):
    """Every kind of resource pydis-dash manages; the value is the ``kind`` in selectors and output."""

    GRAFANA_FOLDER = "grafana-folder"
    GRAFANA_DATASOURCE = "grafana-datasource"
    GRAFANA_DASHBOARD = "grafana-dashboard"
    GRAFANA_RULE_GROUP = "grafana-rule-group"
    GRAFANA_CONTACT_POINT = "grafana-contact-point"
    GRAFANA_NOTIFICATION_POLICY = "grafana-notification-policy"
    GRAFANA_MUTE_TIMING = "grafana-mute-timing"
    METABASE_COLLECTION = "metabase-collection"
    METABASE_QUESTION = "metabase-question"

    @property
    def target(self) -> str:
        """The provider that owns this kind: ``grafana`` or ``metabase``."""
        return self.value.split("-", 1)[0]


@dataclass(frozen=True, order=True)
class Ref:
    """Identity of a resource: its kind and a uid that is stable across renames."""

    kind: Kind
    uid: str

    def __str__(self) -> str:
        return f"{self.kind.value}/{self.uid}"

    @classmethod
    def parse(cls, text: str) -> Ref:
        """Parse ``kind/uid`` as printed by ``str(ref)``."""
        kind, _, uid = text.partition("/")
        return cls(Kind(kind), uid)


@dataclass(frozen=True)
class SourceLocation:
    """Where a definition was written: a file (relative to the project root when possible), line and,
    for a position inside a query file, column (both 1-based)."""

    path: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if not self.line:
            return str(self.path)
        return f"{self.path}:{self.line}:{self.column}" if self.column else f"{self.path}:{self.line}"

    def advanced(self, text: str, offset: int) -> SourceLocation:
        """Where character ``offset`` of ``text`` sits, when ``text`` starts at this location."""
        line_start = text.rfind("\n", 0, offset) + 1
        newlines = text.count("\n", 0, offset)
        column = offset - line_start + 1 + (((self.column or 1) - 1) if newlines == 0 else 0)
        return SourceLocation(self.path, (self.line or 1) + newlines, column)


class SourceText(str):
    """Text read from a file (a ``.sql`` query) that remembers where it starts, so a problem the engines
    find at an offset in it can be reported at ``file:line:column``.

    It is a ``str`` everywhere (rendering, JSON, comparisons); ``pipeline.render_all`` records the JSON
    pointer of each one in ``Resource.text_origins`` and leaves plain strings in the rendered body.
    Copies and pickles are plain strings.
    """

    origin: SourceLocation
    #: How many were ever made in this process: while none was, no body can hold one (copies and
    #: pickles are plain strings), and rendering need not look for them.
    made: ClassVar[int] = 0

    def __new__(cls, text: str, origin: SourceLocation) -> SourceText:
        """``text``, starting at ``origin``."""
        value = super().__new__(cls, text)
        value.origin = origin
        SourceText.made += 1
        return value

    def strip(self, chars: str | None = None) -> SourceText:
        """Stripped like ``str.strip``, the origin moved past what was removed at the start."""
        start = len(self) - len(str.lstrip(self, chars))
        return SourceText(str.strip(self, chars), self.origin.advanced(self, start))

    def __reduce__(self) -> tuple[type[str], tuple[str]]:
        return (str, (str(self),))


@dataclass(frozen=True)
class Resource:
    """One desired resource, rendered to the JSON its target API accepts.

    ``container`` is the folder (Grafana, ``/``-separated path of titles) or collection (Metabase)
    the resource lives in, ``None`` for top-level ones. ``anchors`` maps JSON-pointer prefixes of
    ``body`` (e.g. ``/panels/3``) to the line that defined that part, so findings on a panel point at
    the panel's line. ``secret_env`` maps secret field names (e.g. ``password``) to the *names* of the
    environment variables holding them; values are only read at deploy time. ``depends_on`` lists
    resources that must exist first (a dashboard's folder). ``lint_exclusions`` maps lint rule ids
    disabled for this resource to the reason the author gave. ``text_origins`` maps the JSON pointer of
    a string read from its own file (a ``.sql`` query) to where that string starts in the file.
    Data sources only: ``metabase_database`` (the same database's name in Metabase) and ``check`` (how
    validate checks their queries); neither is sent to any server.
    """

    ref: Ref
    title: str
    body: Mapping[str, Any]
    source: SourceLocation
    container: str | None = None
    anchors: Mapping[str, SourceLocation] = field(default_factory=dict)
    secret_env: Mapping[str, str] = field(default_factory=dict)
    depends_on: tuple[Ref, ...] = ()
    lint_exclusions: Mapping[str, str] = field(default_factory=dict)
    text_origins: Mapping[str, SourceLocation] = field(default_factory=dict)
    metabase_database: str | None = None
    check: SourceCheck | None = None

    @property
    def kind(self) -> Kind:
        """Shortcut for ``ref.kind``."""
        return self.ref.kind

    def location_of(self, json_pointer: str) -> SourceLocation:
        """The most specific source location known for a JSON pointer into ``body``."""
        best, best_len = self.source, -1
        for prefix, location in self.anchors.items():
            if (json_pointer == prefix or json_pointer.startswith(prefix + "/")) and len(prefix) > best_len:
                best, best_len = location, len(prefix)
        return best


def json_pointer(*parts: str | int) -> str:
    """Build an RFC 6901 JSON pointer from path parts."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "".join("/" + p for p in escaped)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at an RFC 6901 JSON pointer, ``None`` when the path does not exist."""
    current = document
    for raw in pointer.split("/")[1:] if pointer else []:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current
