"""Stopping a throwaway server however the run ends: leaving its block, Ctrl-C, SIGTERM/SIGHUP, interpreter exit.

The servers run in their own sessions (a terminal's Ctrl-C reaches us, not them), so stopping them is our job.
Ctrl-C raises KeyboardInterrupt, which unwinds the ``with`` blocks that stop them; SIGTERM and SIGHUP would
end the process without unwinding and leave a server running with its temporary files, so while a server
runs they raise KeyboardInterrupt too. ``atexit`` covers an interpreter exit that skips the blocks.
"""

from __future__ import annotations

import atexit
import contextlib
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class ExitGuard:
    """Calls ``stop`` at interpreter exit, and turns SIGTERM/SIGHUP into KeyboardInterrupt, while installed."""

    def __init__(self, stop: Callable[[], None]) -> None:
        self._stop = stop
        self._old_handlers: dict[int, Any] = {}

    def install(self) -> None:
        """Start guarding (from the main thread for the signals: only it may set handlers)."""
        atexit.register(self._stop)
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in _SIGNALS:
            with contextlib.suppress(ValueError, OSError):
                self._old_handlers[signum] = signal.signal(signum, _raise_keyboard_interrupt)

    def uninstall(self) -> None:
        """Stop guarding and put the previous handlers back; harmless when not installed."""
        atexit.unregister(self._stop)
        if threading.current_thread() is not threading.main_thread():
            return
        for signum, handler in list(self._old_handlers.items()):
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(signum, handler)
            del self._old_handlers[signum]


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"received signal {signal.Signals(signum).name}")
