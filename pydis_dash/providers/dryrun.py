"""The dry run's refusal of writes: what the transport raises instead of sending one.

``deploy --dry-run`` makes each provider client's transport refuse every method but
:data:`SAFE_METHODS` (:meth:`~pydis_dash.providers.http.Transport.refuse_writes`). Guarding the
transport rather than individual client methods means a write method added later cannot reach the
server during a dry run by accident (the idea of gcx's ``dryrun_guard``).
"""

from __future__ import annotations

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class DryRunBlocked(Exception):
    """A write was attempted during a dry run; ``apply`` reports the change as 'would ...'."""

    def __init__(self, method: str, url: str) -> None:
        self.method = method
        self.url = url
        super().__init__(f"dry run: {method} not sent")
