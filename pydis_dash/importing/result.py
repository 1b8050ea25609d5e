"""What importing one resource produced: files to write, upgrades made, what was not reproduced."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ImportedResource:
    """One imported resource.

    ``files`` maps project-relative paths to their text. ``upgrades`` lists every difference made on
    purpose; ``not_reproduced`` what building the files still gives differently (a bug to report:
    the command exits 1 when it is not empty).
    """

    what: str
    files: dict[Path, str]
    upgrades: list[str] = field(default_factory=list)
    not_reproduced: list[str] = field(default_factory=list)
    summary: str = ""
