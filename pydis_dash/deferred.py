"""A resource state worked out only when something reads it.

A no-op plan of 500 dashboards finds each one unchanged by comparing the live model with the code's
before either is normalised (:func:`~pydis_dash.providers.grafana.normalize.same_dashboard`); the
normalised desired state is then needed only if the plan is shown in full (``--format json``, a saved
plan, ``pull``), not to print "no changes". Normalising it anyway was 0.17 ms of CPU per dashboard,
the largest cost left of a no-op deploy after the reads themselves.

A :class:`DeferredState` is an ordinary read-only ``Mapping``: reading a key, iterating, ``len``,
``==`` and ``dict()`` work it out once. Encoders that accept only real dicts (orjson, ``json``) are
given :func:`plain_mapping` as their ``default``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any


class DeferredState(Mapping[str, Any]):
    """The mapping ``compute()`` returns, computed on first use and then kept.

    Safe to share between threads: two threads reading it for the first time at once may both compute
    it (``compute`` must be pure); each then sees an equal mapping."""

    __slots__ = ("_compute", "_value")

    def __init__(self, compute: Callable[[], Mapping[str, Any]]) -> None:
        self._compute = compute
        self._value: Mapping[str, Any] | None = None

    def resolved(self) -> Mapping[str, Any]:
        """The state itself (computed now if it was not yet)."""
        value = self._value
        if value is None:
            value = self._value = self._compute()
        return value

    @property
    def is_resolved(self) -> bool:
        """Whether the state was computed already (something read it)."""
        return self._value is not None

    def __getitem__(self, key: str) -> Any:
        return self.resolved()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.resolved())

    def __len__(self) -> int:
        return len(self.resolved())

    def __repr__(self) -> str:
        return f"DeferredState({self.resolved()!r})"


def plain_mapping(value: Any) -> Any:
    """``default`` for JSON encoders: a ``Mapping`` that is not a dict (a :class:`DeferredState`)
    encodes as the dict it holds; anything else is refused with ``TypeError``, as without a default."""
    if isinstance(value, Mapping):
        return dict(value.items())
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
