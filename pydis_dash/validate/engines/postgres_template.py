"""Ready-made data directories for the throwaway PostgreSQL: initdb and the schema load, done once.

``initdb`` plus loading the schemas took ~0.6 s of every ``validate`` (half its time on 1,000 SQL
panels); copying the data directory they produce takes ~0.1 s. So the first run with a given set of
schemas stops its freshly loaded cluster cleanly and keeps a copy of the data directory under
``$XDG_CACHE_HOME/pydis-dash/postgres-template/<key>``; later runs copy that instead.

The key hashes everything that shapes the directory: the PostgreSQL server binary (path, size,
mtime), the initdb options, the setup SQL (the read-only role, its grants, the revoked functions),
and each database's name and schema file content. Any change gives a new key, so a template is never
stale; a format version covers changes in this code. Entries are written under a private name and
renamed into place (concurrent runs never see half of one) and the oldest beyond
:data:`KEEP_TEMPLATES` are removed. A cache that cannot be written is no error: the run then works as
before, without a template.

The superuser's password was random and thrown away when initdb ran: the template holds only its
SCRAM verifier, which lets nobody log in, so sharing it between runs reveals nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

TEMPLATE_FORMAT = "1"
KEEP_TEMPLATES = 4
_COMPLETE = ".complete"


def cache_root() -> Path:
    """Where templates are kept between runs (beside Prometheus' seeded TSDBs)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pydis-dash" / "postgres-template"


def template_key(
    postgres_binary: Path, initdb_options: Sequence[str], setup_sql: Iterable[str], schemas: Mapping[str, Path]
) -> str:
    """The cache key of a data directory made by these inputs (schemas are read: their content counts)."""
    digest = hashlib.sha256()
    stat = postgres_binary.stat()
    for part in (TEMPLATE_FORMAT, str(postgres_binary), str(stat.st_size), str(stat.st_mtime_ns), *initdb_options):
        digest.update(part.encode() + b"\0")
    for statement in setup_sql:
        digest.update(statement.encode() + b"\0")
    for name in sorted(schemas):
        digest.update(name.encode() + b"\0" + schemas[name].read_bytes() + b"\0")
    return digest.hexdigest()[:24]


def cached_template(key: str, root: Path | None = None) -> Path | None:
    """The data directory kept under ``key``, or None when there is none (yet)."""
    entry = (root or cache_root()) / key
    if not (entry / _COMPLETE).exists():
        return None
    with contextlib.suppress(OSError):  # marks it recently used, so pruning keeps it
        (entry / _COMPLETE).touch()
    return entry / "data"


def copy_data_directory(source: Path, destination: Path) -> None:
    """Copy a data directory with owners and modes kept (``cp -a``: the server user owns it when we are
    root, and PostgreSQL refuses a data directory others can read). Raises ``OSError`` on failure."""
    result = subprocess.run(["cp", "-a", str(source), str(destination)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise OSError(f"cp -a {source} {destination} failed: {result.stderr.strip()}")


def keep_template(key: str, data_directory: Path, root: Path | None = None) -> None:
    """Store a copy of a cleanly stopped ``data_directory`` under ``key``; best effort (no error when the
    cache cannot be written or another run stored the same key first)."""
    root = root or cache_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    except OSError:
        return
    try:
        copy_data_directory(data_directory, building / "data")
        (building / _COMPLETE).touch()
        building.rename(root / key)
    except OSError:
        pass  # not writable, full, or a concurrent run won the rename: the run goes on without it
    finally:
        shutil.rmtree(building, ignore_errors=True)
    _prune(root)


def _prune(root: Path) -> None:
    """Remove all but the :data:`KEEP_TEMPLATES` most recently used templates (schemas get edited)."""
    try:
        entries = [entry for entry in root.iterdir() if (entry / _COMPLETE).exists()]
    except OSError:
        return
    entries.sort(key=lambda entry: (entry / _COMPLETE).stat().st_mtime_ns, reverse=True)
    for stale in entries[KEEP_TEMPLATES:]:
        shutil.rmtree(stale, ignore_errors=True)
