"""Build generated definition files the way ``pydis-dash build`` would, in a scratch copy of the project.

The scratch project holds the project's data sources (and helper packages beside the definitions) plus
the generated files, so a check never touches the author's tree.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pydis_dash.load import discover, load_definitions
from pydis_dash.model import Resource
from pydis_dash.pipeline import render_all


def build_generated(project_root: Path, files: Mapping[Path, str]) -> list[Resource]:
    """Render the definitions in ``files`` (project-relative path -> text) with the project's data sources.

    Raises :class:`~pydis_dash.errors.DefinitionError` when a generated file does not load.
    """
    with tempfile.TemporaryDirectory(prefix="pydis-dash-import-") as scratch:
        root = Path(scratch)
        datasources = project_root / "datasources"
        if datasources.is_dir():
            shutil.copytree(datasources, root / "datasources")
        for relative, text in files.items():
            _copy_helpers(project_root, root, relative.parent)
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        sources = [p for p in discover(root) if p.relative_to(root).parts[0] == "datasources"]
        generated = [root / relative for relative in files if relative.suffix == ".py"]
        return render_all(root, load_definitions(root, sources + generated))


def _copy_helpers(project_root: Path, scratch: Path, folder: Path) -> None:
    """Helper packages (``_name/``) and modules in ``folder`` and its parents, which definitions import."""
    for current in [folder, *folder.parents]:
        source = project_root / current
        if not source.is_dir() or current == Path("."):
            continue
        for helper in source.glob("_*"):
            target = scratch / current / helper.name
            if target.exists() or helper.name == "__pycache__":
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if helper.is_dir():
                shutil.copytree(helper, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(helper, target)
