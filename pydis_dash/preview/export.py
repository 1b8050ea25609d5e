"""``preview --export DIR``: the same pages as static HTML, for CI artifacts on pull requests."""

from __future__ import annotations

from pathlib import Path

from pydis_dash.preview.pages import STATIC_DIR, STATIC_FILES, page_for_path, page_paths, static_file
from pydis_dash.preview.snapshot import PreviewOptions, Snapshot, build_snapshot
from pydis_dash.redact import mask
from pydis_dash.render.output import staged_directory


def export_site(project_dir: Path, out_dir: Path, options: PreviewOptions | None = None) -> Snapshot:
    """Build the project once and write every page plus the static files into ``out_dir``.

    The folder is replaced as a whole (written beside it, then swapped in), so it never mixes two builds.
    Returns the snapshot so the caller can report a load error (the pages then show it too).
    """
    snapshot = build_snapshot(project_dir.resolve(), options or PreviewOptions())
    write_site(snapshot, out_dir)
    return snapshot


def write_site(snapshot: Snapshot, out_dir: Path) -> list[Path]:
    """Write the pages of ``snapshot`` into ``out_dir``; returns the files written (relative)."""
    written: list[Path] = []
    with staged_directory(out_dir.resolve()) as staging:
        for path in page_paths(snapshot):
            page = page_for_path(snapshot, path)
            written.append(_write(staging, path, mask(page.html).encode("utf-8")))
        for name in STATIC_FILES:
            data = static_file(name)
            assert data is not None  # every name in STATIC_FILES ships in the package
            written.append(_write(staging, f"{STATIC_DIR}/{name}", data))
    return written


def _write(root: Path, relative: str, data: bytes) -> Path:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return Path(relative)
