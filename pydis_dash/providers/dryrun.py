"""The dry-run guard: a transport adapter that refuses every write at the HTTP seam.

Installed on a provider client's ``requests.Session`` by ``deploy --dry-run``. Guarding the transport
rather than individual client methods means a write method added later cannot reach the server during a
dry run by accident (the idea of gcx's ``dryrun_guard``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from requests.adapters import BaseAdapter

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class DryRunBlocked(Exception):
    """A write was attempted during a dry run; ``apply`` reports the change as 'would ...'."""

    def __init__(self, method: str, url: str) -> None:
        self.method = method
        self.url = url
        super().__init__(f"dry run: {method} not sent")


class DryRunGuard(BaseAdapter):
    """Passes safe requests to the wrapped adapter and raises :class:`DryRunBlocked` for the rest."""

    def __init__(self, inner: BaseAdapter) -> None:
        super().__init__()
        self.inner = inner

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send only when the method cannot change server state."""
        method = (request.method or "GET").upper()
        if method not in SAFE_METHODS:
            raise DryRunBlocked(method, request.url or "")
        return self.inner.send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)

    def close(self) -> None:
        """Close the wrapped adapter."""
        self.inner.close()


def install_dry_run_guard(session: requests.Session) -> None:
    """Wrap every adapter mounted on ``session`` (idempotent)."""
    for prefix, adapter in list(session.adapters.items()):
        if not isinstance(adapter, DryRunGuard):
            session.mount(prefix, DryRunGuard(adapter))


def is_guarded(session: Any) -> bool:
    """True when every adapter of ``session`` is guarded."""
    return all(isinstance(a, DryRunGuard) for a in session.adapters.values())
