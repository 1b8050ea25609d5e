"""Selectors narrow a command to some resources: a file or folder path, ``kind/uid``, or a uid glob."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from pydis_dash.definition import project_relative
from pydis_dash.errors import UsageProblem
from pydis_dash.model import Kind, Ref, Resource, SourceLocation


@dataclass(frozen=True)
class Selection:
    """Parsed selectors; empty means everything."""

    paths: tuple[Path, ...] = ()
    patterns: tuple[str, ...] = ()
    project_root: Path = Path(".")

    @classmethod
    def parse(cls, selectors: Sequence[str], project_root: Path) -> Selection:
        """Split selectors into paths (existing files/folders) and ``kind/uid`` or uid patterns."""
        paths: list[Path] = []
        patterns: list[str] = []
        for selector in selectors:
            for candidate in (Path(selector), project_root / selector):
                if candidate.exists():
                    paths.append(candidate.resolve())
                    break
            else:
                patterns.append(selector)
        return cls(tuple(paths), tuple(patterns), project_root)

    @property
    def everything(self) -> bool:
        """True when no selector was given."""
        return not self.paths and not self.patterns

    def wants_file(self, path: Path) -> bool:
        """Whether a definition file must be loaded (data sources always are: panels reference them)."""
        if self.everything or self.patterns:
            return True
        resolved = path.resolve()
        if resolved.is_relative_to(self.project_root / "datasources"):
            return True
        return any(resolved == p or resolved.is_relative_to(p) for p in self.paths)

    def apply(self, resources: list[Resource]) -> list[Resource]:
        """The selected resources plus what they depend on; a selector matching nothing is an error."""
        if self.everything:
            return resources
        chosen: set[Ref] = set()
        for selector in self.patterns:
            matched = {r.ref for r in resources if _matches(selector, r.ref)}
            if not matched:
                raise UsageProblem(f"selector {selector!r} matches no resource")
            chosen |= matched
        for path in self.paths:
            matched = {r.ref for r in resources if self._from_path(r, path)}
            if not matched:
                shown = project_relative(SourceLocation(path), self.project_root).path
                raise UsageProblem(f"selector {str(shown)!r} matches no resource")
            chosen |= matched
        by_ref = {r.ref: r for r in resources}
        pending = list(chosen)
        while pending:
            for dependency in by_ref[pending.pop()].depends_on:
                if dependency not in chosen and dependency in by_ref:
                    chosen.add(dependency)
                    pending.append(dependency)
        return [r for r in resources if r.ref in chosen]

    def _from_path(self, resource: Resource, path: Path) -> bool:
        source = resource.source.path
        absolute = (source if source.is_absolute() else self.project_root / source).resolve()
        return absolute == path or absolute.is_relative_to(path)


def _matches(selector: str, ref: Ref) -> bool:
    kind_text, slash, uid_pattern = selector.partition("/")
    if slash and kind_text in {k.value for k in Kind}:
        return ref.kind.value == kind_text and fnmatchcase(ref.uid, uid_pattern)
    return fnmatchcase(ref.uid, selector)
