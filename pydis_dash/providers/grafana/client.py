"""The Grafana HTTP client: one request seam on a :class:`~pydis_dash.providers.http.Transport`; handlers
never see HTTP.

Everything that crosses the network goes through :meth:`GrafanaClient.request`: timeouts, retries with
backoff (urllib3 ``Retry``, honouring ``Retry-After``; see :mod:`pydis_dash.providers.http`), the Bearer
token, TLS verification, and the mapping of error statuses to typed exceptions. 401/403 become
:class:`EnvironmentProblem` (the token or its permissions are wrong: nothing else is worth attempting);
other API errors become
:class:`GrafanaApiError` subclasses that ``apply`` reports against one resource.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydis_dash.config import Environment
from pydis_dash.errors import EnvironmentProblem
from pydis_dash.providers.base import ResourceError
from pydis_dash.providers.http import Answer, Transport, TransportFailure, decode_json, retry_policy

log = logging.getLogger(__name__)


class GrafanaApiError(ResourceError):
    """Grafana answered with an error status. ``api_status`` is Grafana's own ``status`` field
    (``version-mismatch``, ``not-found``...) when the body has one."""

    def __init__(self, status: int, message: str, api_status: str | None = None, method: str = "", path: str = ""):
        self.status = status
        self.message = message
        self.api_status = api_status
        self.method = method
        self.path = path
        label = f"{status} {api_status}" if api_status else str(status)
        super().__init__(f"{label}: {message}")


class NotFound(GrafanaApiError):
    """404."""


class Conflict(GrafanaApiError):
    """409: same uid/name exists, or a data source was updated by someone else."""


class PreconditionFailed(GrafanaApiError):
    """412: ``version-mismatch`` (changed by someone else since we read it) and similar."""


class TransportError(ResourceError):
    """The request did not get a complete answer (unreachable, timeout, connection reset)."""


_ERRORS: dict[int, type[GrafanaApiError]] = {404: NotFound, 409: Conflict, 412: PreconditionFailed}


class GrafanaClient:
    """A thin client for Grafana's HTTP API (paths start with ``/api``)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        environment: str,
        verify: bool | str = True,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        retries: int = 4,
        backoff_factor: float = 0.5,
        pool_size: int = 16,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.environment = environment
        self.retries = retries
        self.backoff_factor = backoff_factor
        self._transport = Transport(
            retry_policy(retries, backoff_factor),
            verify=verify,
            pool_size=pool_size,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=(connect_timeout, read_timeout),
        )

    @classmethod
    def from_environment(cls, env: Environment, project_dir: Path, *, pool_size: int = 16) -> GrafanaClient:
        """A client for ``env``'s Grafana: URL checked (https unless loopback), token from its variable."""
        return cls(
            env.checked_url(env.grafana_url, "grafana"),
            env.grafana_token(),
            environment=env.name,
            verify=env.verify(project_dir),
            connect_timeout=env.connect_timeout,
            read_timeout=env.read_timeout,
            retries=env.retries,
            pool_size=pool_size,
        )

    def enable_dry_run(self) -> None:
        """From now on every write raises :class:`~pydis_dash.providers.dryrun.DryRunBlocked`."""
        self._transport.refuse_writes()

    # --- the seam -----------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON body (None when empty).

        ``headers`` adds per-request headers (e.g. alerting's ``X-Disable-Provenance``).

        Raises EnvironmentProblem on 401/403, GrafanaApiError (NotFound, Conflict, PreconditionFailed)
        on other error statuses, TransportError when no complete answer arrived.
        """
        try:
            response = self._transport.send(
                method,
                self.base_url + path,
                read_retries=self.retries,
                backoff_factor=self.backoff_factor,
                params=params,
                json=json,
                headers=headers,
            )
        except TransportFailure as exc:
            raise TransportError(f"{method} {path}: {exc} ({self.base_url})") from exc
        log.debug("%s %s -> %s", method, path, response.status_code)
        body = _decode(response)
        if response.status_code < 400:
            if body is _NOT_JSON or (body is None and method == "GET"):
                # A proxy's HTML page or a cut answer: reading it as "nothing there" would plan creates.
                what = "not JSON" if body is _NOT_JSON else "empty"
                raise GrafanaApiError(response.status_code, f"the answer is {what}", None, method, path)
            if method != "GET" and body is not None and not isinstance(body, dict | str):
                # A write answers an object, a bare message (Grafana 10 folder deletes) or nothing: anything
                # else cannot confirm the write.
                raise GrafanaApiError(
                    response.status_code, f"the answer is {_shape(body)}, not an object", None, method, path
                )
            return body
        message, api_status = _error_fields(body, response)
        if response.status_code in (401, 403):
            raise EnvironmentProblem(
                f"environment {self.environment!r}: Grafana at {self.base_url} answered "
                f"{response.status_code} {response.reason or ''} to {method} {path}: {message}".replace("  ", " ")
            )
        error_type = _ERRORS.get(response.status_code, GrafanaApiError)
        raise error_type(response.status_code, message, api_status, method, path)

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path``."""
        return self.request("GET", path, params=params)

    def get_list(self, path: str, params: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """GET a listing: a JSON list of objects, or GrafanaApiError (another shape read as "nothing
        there" would plan to create everything again)."""
        answer = self.get(path, params)
        if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
            shown = _shape(answer) if not isinstance(answer, list) else "a list holding other things than objects"
            raise GrafanaApiError(200, f"the answer is {shown}, not a list of objects", None, "GET", path)
        return answer

    def get_object(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET one resource: a JSON object, or GrafanaApiError."""
        answer = self.get(path, params)
        if not isinstance(answer, dict):
            raise GrafanaApiError(200, f"the answer is {_shape(answer)}, not an object", None, "GET", path)
        return answer

    def post(self, path: str, body: Any) -> Any:
        """POST a JSON body."""
        return self.request("POST", path, json=body)

    def put(self, path: str, body: Any) -> Any:
        """PUT a JSON body."""
        return self.request("PUT", path, json=body)

    def delete(self, path: str) -> Any:
        """DELETE ``path``."""
        return self.request("DELETE", path)


def _shape(value: Any) -> str:
    """``a list``, ``a str``, ``null``: what an answer was, for a message."""
    return "null" if value is None else f"a {type(value).__name__}"


#: What :func:`_decode` returns for a body that is not JSON (``None`` stands for an empty body).
_NOT_JSON = object()


def _decode(response: Answer) -> Any:
    if not response.content:
        return None
    try:
        return decode_json(response)
    except ValueError:
        return _NOT_JSON


def _error_fields(body: Any, response: Answer) -> tuple[str, str | None]:
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or response.reason or "error"
        api_status = body.get("status") if isinstance(body.get("status"), str) else body.get("messageId")
        if body.get("kind") == "Status":  # /apis answers Kubernetes Status objects: "reason" names the error
            api_status = body.get("reason")
        return str(message), str(api_status) if api_status else None
    return response.reason or "error", None
