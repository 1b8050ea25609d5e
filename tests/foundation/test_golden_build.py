"""The bundled tree's full build, byte for byte, against the committed golden copy.

Any change to output shows here as a failing test naming the files that moved. After an intended
change, regenerate with ``PYDIS_DASH_UPDATE_GOLDEN=1 pytest tests/foundation/test_golden_build.py`` and
review the golden diff like any other change.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from pydis_dash.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
GOLDEN = REPO_ROOT / "tests" / "data" / "golden" / "build"


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_bundled_build_matches_the_golden_build(tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = CliRunner().invoke(main, ["--project", str(REPO_ROOT), "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    if os.environ.get("PYDIS_DASH_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN)
    actual, golden = _files(out), _files(GOLDEN)
    assert sorted(actual) == sorted(golden), "resources added or removed"
    moved = [name for name in sorted(actual) if actual[name] != golden[name]]
    assert not moved, f"bytes moved in: {moved}"
