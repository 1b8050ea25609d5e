"""The authoring-side contract: every definition object knows where it was written and renders itself.

A definition file exports objects that subclass :class:`Definition` (``Dashboard``, ``Question``,
``RuleGroup``, ``DataSource``...). The loader finds them; :meth:`Definition.render` turns one into
resources. The location is captured when the object is constructed, so errors point at the line the
author wrote, not at pydis-dash internals.
"""

from __future__ import annotations

import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.model import Resource, SourceLocation

_PACKAGE_DIR = Path(__file__).resolve().parent


def caller_location() -> SourceLocation:
    """The first stack frame outside the pydis_dash package: where the author's code called us.

    Synthetic frames (``<string>``: a dataclass-generated ``__init__`` running a ``default_factory``;
    ``<frozen ...>``: import machinery) are skipped too.
    """
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_code.co_filename
        if not name.startswith("<") and not Path(name).is_relative_to(_PACKAGE_DIR):
            return SourceLocation(Path(name), frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return SourceLocation(Path("<unknown>"))


@dataclass(frozen=True)
class RenderContext:
    """What rendering needs to know about the file a definition came from."""

    project_root: Path
    source: SourceLocation
    # Known data sources by name and by uid -> {"type", "uid"}: resolves grafanalib's string references.
    datasources: Mapping[str, dict[str, str]] = field(default_factory=dict)

    @property
    def definition_dir(self) -> Path:
        """Folder of the definition file: relative ``.sql`` paths are resolved against it."""
        return (
            self.source.path.parent if self.source.path.is_absolute() else (self.project_root / self.source.path).parent
        )

    def relative(self, location: SourceLocation) -> SourceLocation:
        """Make a location relative to the project root, for stable, readable output."""
        path = location.path
        if path.is_absolute() and path.is_relative_to(self.project_root):
            path = path.relative_to(self.project_root)
        return SourceLocation(path, location.line)


class Definition(ABC):
    """Base of every exported definition; records the file and line where it was constructed."""

    defined_at: SourceLocation

    def __new__(cls, *args: Any, **kwargs: Any) -> Definition:
        instance = super().__new__(cls)
        object.__setattr__(instance, "defined_at", caller_location())
        return instance

    @property
    @abstractmethod
    def identity(self) -> str:
        """A short human name for errors, e.g. ``dashboard 'community-channels'``."""

    @abstractmethod
    def render(self, ctx: RenderContext) -> list[Resource]:
        """Render this definition into one or more resources (e.g. a dashboard and its folders)."""
