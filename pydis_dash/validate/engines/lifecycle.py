"""The life of a throwaway engine server (PostgreSQL, Prometheus, graphite-web), written once.

Every server ``validate`` starts goes the same way: guard the exit (so Ctrl-C, SIGTERM or an
interpreter exit still stops it), launch it and wait until it answers, and on any failure while
starting stop it again before the error goes on; stopping is idempotent and always removes the guard.
A server supplies only what differs: :meth:`EngineServer._launch` and :meth:`EngineServer._halt`, and
the log whose last lines explain a failed start.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from pathlib import Path
from types import TracebackType
from typing import Self

from pydis_dash.validate.engines.exit_guard import ExitGuard


class EngineServer(ABC):
    """A server alive inside a ``with`` block: ``start`` then ``stop`` (also at exit and on signals).

    ``startup_seconds`` says how long the last start took.
    """

    def __init__(self) -> None:
        self.startup_seconds = 0.0
        self._guard = ExitGuard(self.stop)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Launch the server and wait until it is ready; on any failure (Ctrl-C included) it is stopped
        and its files removed before the exception propagates."""
        began = time.monotonic()
        self._guard.install()
        try:
            self._launch()
        except BaseException:
            self._abort()
            raise
        self.startup_seconds = time.monotonic() - began

    def stop(self) -> None:
        """Stop the server and remove its files; harmless when it is not running."""
        try:
            self._halt()
        finally:
            self._guard.uninstall()

    def _abort(self) -> None:
        """What a failed start does: stop (servers may stop faster when nothing of theirs is kept)."""
        self.stop()

    @abstractmethod
    def _launch(self) -> None:
        """Prepare the server's files, start its process and return once it answers; raise
        :class:`~pydis_dash.errors.EnvironmentProblem` (with :meth:`log_tail`) when it does not."""

    @abstractmethod
    def _halt(self) -> None:
        """End the process (politely, then by force) and remove the server's files. Idempotent."""

    @property
    @abstractmethod
    def log_path(self) -> Path | None:
        """The server's log while its files exist."""

    def log_tail(self, lines: int = 15) -> str:
        """The last ``lines`` non-empty lines of the server's log (empty when there is none yet)."""
        return tail_of(self.log_path, lines)


def tail_of(path: Path | None, lines: int) -> str:
    """The last ``lines`` non-empty lines of the text file ``path`` (empty when missing or unreadable)."""
    if path is None:
        return ""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line for line in text.rstrip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])
