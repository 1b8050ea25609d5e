"""Live listings read at most once per plan and shared by the handlers of one provider."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ReadOnce(Generic[T]):
    """``read()`` called on first use only, then its answer kept until :meth:`forget`.

    Handlers of one provider share a listing (Grafana's search, Metabase's cards) and may ask for it
    from several threads at once; the lock makes them wait for one read instead of each sending it.
    """

    def __init__(self, read: Callable[[], T]) -> None:
        self._read = read
        self._lock = threading.Lock()
        # A 1-tuple once read, so that a read answering None is kept too.
        self._answer: tuple[T] | None = None

    def get(self) -> T:
        """The answer of the one read (made now if not yet)."""
        with self._lock:
            if self._answer is None:
                self._answer = (self._read(),)
            return self._answer[0]

    def forget(self) -> None:
        """Drop the answer, so the next :meth:`get` (the next plan) reads again."""
        with self._lock:
            self._answer = None
