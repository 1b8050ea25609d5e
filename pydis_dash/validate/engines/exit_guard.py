"""Stopping a throwaway server however the run ends: leaving its block, Ctrl-C, SIGTERM/SIGHUP, interpreter exit.

The servers run in their own sessions (a terminal's Ctrl-C reaches us, not them), so stopping them is our job.
Ctrl-C raises KeyboardInterrupt, which unwinds the ``with`` blocks that stop them; SIGTERM and SIGHUP would
end the process without unwinding and leave a server running with its temporary files, so while a server
runs they raise KeyboardInterrupt too. ``atexit`` covers an interpreter exit that skips the blocks.

Several servers run at once and stop in any order, so the signal handlers are not each guard's: one
process-wide :class:`SignalHold` sets them when the first holder arrives and puts back exactly what it
replaced when the last one leaves. (A handler saved per guard was restored in the wrong order when servers
stopped in another order than they started, and a guard installed twice saved its own handler: both left
SIGTERM raising KeyboardInterrupt after every server had stopped.)
"""

from __future__ import annotations

import atexit
import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"received signal {signal.Signals(signum).name}")


class SignalHold:
    """SIGTERM/SIGHUP raise KeyboardInterrupt while anyone holds them; the replaced handlers come back after.

    Only the main thread may set handlers: a holder arriving on another thread counts, and the handlers
    are set by the next arrival or departure on the main thread (hold them from the main thread first,
    with :meth:`held`, before starting servers elsewhere).
    """

    def __init__(self) -> None:
        self._holders: set[object] = set()
        self._replaced: dict[signal.Signals, Any] = {}
        self._lock = threading.Lock()

    @property
    def holders(self) -> int:
        """How many holders hold the signals now."""
        return len(self._holders)

    def join(self, holder: object) -> None:
        """Add ``holder`` (again is harmless) and make sure the handlers are set."""
        with self._lock:
            self._holders.add(holder)
            self._settle()

    def leave(self, holder: object) -> None:
        """Remove ``holder`` (absent is harmless); the last one to leave puts the replaced handlers back."""
        with self._lock:
            self._holders.discard(holder)
            self._settle()

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the signals for the length of a block (call it from the main thread)."""
        token = object()
        self.join(token)
        try:
            yield
        finally:
            self.leave(token)

    def _settle(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        if self._holders and not self._replaced:
            for signum in _SIGNALS:
                with contextlib.suppress(ValueError, OSError):
                    self._replaced[signum] = signal.signal(signum, _raise_keyboard_interrupt)
        elif not self._holders and self._replaced:
            for signum, handler in self._replaced.items():
                with contextlib.suppress(ValueError, OSError, TypeError):
                    signal.signal(signum, handler)
            self._replaced.clear()


PROCESS_SIGNALS = SignalHold()
"""The process's one hold on SIGTERM/SIGHUP, shared by every server's guard."""


class ExitGuard:
    """Calls ``stop`` at interpreter exit, and turns SIGTERM/SIGHUP into KeyboardInterrupt, while installed."""

    def __init__(self, stop: Callable[[], None], signals: SignalHold = PROCESS_SIGNALS) -> None:
        self._stop = stop
        self._signals = signals
        self._installed = False

    def install(self) -> None:
        """Start guarding; installing an installed guard changes nothing."""
        if self._installed:
            return
        self._installed = True
        atexit.register(self._stop)
        self._signals.join(self)

    def uninstall(self) -> None:
        """Stop guarding (the last guard out restores the previous handlers); harmless when not installed."""
        if not self._installed:
            return
        self._installed = False
        atexit.unregister(self._stop)
        self._signals.leave(self)
