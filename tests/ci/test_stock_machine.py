"""The README's commands on a stock Debian 12: only the system Python (PEP 668: it refuses a bare
``pip install``) on PATH, nothing installed in the clone. ``ci/setup`` must make its own virtual
environment and ``ci/validate`` must use it.

Costly (a fresh venv gets every dependency, then the engines check every query), so it runs once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
SYSTEM_PYTHON = Path("/usr/bin/python3")


def fresh_clone(target: Path) -> Path:
    """The files a clone of this working tree holds (tracked and new, not ignored), without its .venv."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in filter(None, listed):
        source = REPO_ROOT / os.fsdecode(name)
        if source.is_file():  # a file deleted in the working tree is not in the clone either
            destination = target / os.fsdecode(name)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)
    return target


def run_stock(clone: Path, command: str) -> subprocess.CompletedProcess[str]:
    """``command`` in ``clone`` with an environment holding only HOME and the system PATH."""
    return subprocess.run(
        [f"ci/{command}"],
        cwd=clone,
        env={"HOME": os.environ.get("HOME", "/root"), "PATH": SYSTEM_PATH},
        capture_output=True,
        text=True,
        timeout=1200,
    )


def test_setup_then_validate_with_only_the_system_python(tmp_path: Path) -> None:
    # The premise: the first python3 on that PATH is Debian's, which is externally managed.
    found = shutil.which("python3", path=SYSTEM_PATH)
    assert found is not None and Path(found).resolve().parent == SYSTEM_PYTHON.resolve().parent
    assert list(Path("/usr/lib").glob("python3.*/EXTERNALLY-MANAGED"))
    clone = fresh_clone(tmp_path / "clone")
    assert not (clone / ".venv").exists()

    setup = run_stock(clone, "setup")
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    assert "externally-managed-environment" not in setup.stderr
    venv_config = (clone / ".venv" / "pyvenv.cfg").read_text()
    assert "home = /usr/bin" in venv_config  # made from the system Python, not another one on PATH
    assert (clone / ".venv" / "bin" / "pydis-dash").exists()

    validate = run_stock(clone, "validate")
    assert validate.returncode == 0, validate.stdout[-3000:] + validate.stderr[-3000:]
    assert "0 error(s)" in validate.stdout
    assert (clone / "build" / "index.json").exists()
