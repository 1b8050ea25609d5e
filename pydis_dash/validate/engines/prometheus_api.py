"""The calls of Prometheus' HTTP API that validation and the preview need: metric names, queries, reads."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.validate.engines.keepalive import direct_client
from pydis_dash.validate.engines.net import display_url

if TYPE_CHECKING:
    import requests

QUERY_TIMEOUT_S = 5.0  # Prometheus cancels evaluation after this (its own `timeout` parameter)
HTTP_TIMEOUT_S = 10.0  # we stop waiting for an answer after this
_PARAMETER_PREFIX = 'invalid parameter "query": '


@dataclass(frozen=True)
class EvaluationError:
    """Why Prometheus did not evaluate an expression.

    ``kind`` is Prometheus' ``errorType`` (``bad_data`` for syntax and type errors, ``execution``,
    ``timeout``, ``canceled``, ``internal``), or ``timeout`` when no answer came in time.
    """

    kind: str
    message: str


class _NoAnswer(Exception):
    """No answer came within the HTTP timeout (whichever client sent the request)."""


class PrometheusApi:
    """A session on one Prometheus (or compatible) server; usable as a context manager.

    Requests go over kept-alive connections (:mod:`.keepalive`), sent by the thousand from several
    threads; only behind an environment proxy over ``requests`` (imported then, not before).
    """

    def __init__(self, url: str, *, http_timeout_s: float = HTTP_TIMEOUT_S, query_timeout_s: float = QUERY_TIMEOUT_S):
        self.url = url.rstrip("/")
        self.http_timeout_s = http_timeout_s
        self.query_timeout_s = query_timeout_s
        self._direct = direct_client(self.url, http_timeout_s)
        self._session: requests.Session | None = None
        if self._direct is None:
            import requests

            self._session = requests.Session()

    def __enter__(self) -> PrometheusApi:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the kept-alive connections (or the ``requests`` session)."""
        if self._session is not None:
            self._session.close()
        if self._direct is not None:
            self._direct.close()

    def metric_names(self) -> list[str]:
        """Every metric name the server holds series for (``/api/v1/label/__name__/values``)."""
        path = "/api/v1/label/__name__/values"
        try:
            status, body = self._request("GET", path, {})
        except _NoAnswer:
            raise EnvironmentProblem(
                f"Prometheus at {display_url(self.url)} did not answer within {self.http_timeout_s:g} s"
            ) from None
        if status != 200 or body.get("status") != "success":
            raise EnvironmentProblem(
                f"Prometheus at {display_url(self.url)} could not list metric names: "
                f"HTTP {status} {body.get('error', '')}".rstrip()
            )
        return [str(name) for name in body.get("data", [])]

    def evaluate(self, expression: str, at: float | None) -> EvaluationError | None:
        """Evaluate ``expression`` as an instant query at Unix time ``at`` (the server's now when None)."""
        params = {"query": expression, "timeout": f"{self.query_timeout_s:g}s"}
        if at is not None:
            params["time"] = f"{at:.3f}"
        try:
            # POST keeps long expressions out of URLs (and out of proxies' access logs).
            status, body = self._request("POST", "/api/v1/query", params)
        except _NoAnswer:
            return self._timed_out()
        if body.get("status") == "success":
            return None
        if "errorType" not in body:
            raise EnvironmentProblem(f"Prometheus at {display_url(self.url)} answered HTTP {status} to /api/v1/query")
        return EvaluationError(str(body["errorType"]), str(body.get("error", "")).removeprefix(_PARAMETER_PREFIX))

    def query_range(
        self, expression: str, start: float, end: float, step: float
    ) -> list[tuple[dict[str, str], list[tuple[float, float | None]]]] | EvaluationError:
        """Evaluate ``expression`` over ``start..end`` every ``step`` seconds: each series' labels and points."""
        params = {
            "query": expression,
            "start": f"{start:.3f}",
            "end": f"{end:.3f}",
            "step": f"{step:g}",
            "timeout": f"{self.query_timeout_s:g}s",
        }
        try:
            _, body = self._request("POST", "/api/v1/query_range", params)
        except _NoAnswer:
            return self._timed_out()
        if body.get("status") != "success":
            return EvaluationError(str(body.get("errorType", "error")), str(body.get("error", "")))
        data = body.get("data") or {}
        if data.get("resultType") == "scalar":
            t, v = data.get("result") or (end, "NaN")
            return [({}, [(float(t), _number(v))])]
        return [
            (dict(item.get("metric") or {}), [(float(t), _number(v)) for t, v in item.get("values") or ()])
            for item in data.get("result") or ()
        ]

    def read(self, path: str, params: dict[str, str]) -> Any:
        """GET one of Prometheus' read endpoints (``/api/v1/labels``, ``/api/v1/series``, ``/api/v1/query``,
        ...): its ``data``, or an :class:`EvaluationError` saying why the server refused."""
        try:
            _, body = self._request("GET", path, params)
        except _NoAnswer:
            return self._timed_out()
        if body.get("status") != "success":
            return EvaluationError(str(body.get("errorType", "error")), str(body.get("error", "")))
        return body.get("data")

    def _request(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """Send one request: its status and JSON body. Raises :class:`_NoAnswer` on a timeout; a server
        that cannot be reached, or that does not answer Prometheus JSON, is an environment problem."""
        if self._direct is not None:
            try:
                answer = self._direct.post_form(path, params) if method == "POST" else self._direct.get(path, params)
            except TimeoutError:
                raise _NoAnswer from None
            except (OSError, http.client.HTTPException):
                # The words requests uses for the same failure: one message whichever client sent it.
                raise self._unreachable("ConnectionError") from None
            return answer.status, self._parsed(answer.status, answer.body, path)
        import requests

        assert self._session is not None  # made in __init__ whenever there is no direct client
        try:
            if method == "GET":
                response = self._session.get(f"{self.url}{path}", params=params, timeout=self.http_timeout_s)
            else:
                response = self._session.post(f"{self.url}{path}", data=params, timeout=self.http_timeout_s)
        except requests.Timeout:
            raise _NoAnswer from None
        except requests.RequestException as exc:
            raise self._unreachable(type(exc).__name__) from None
        return response.status_code, self._parsed(response.status_code, response.content, path)

    def _unreachable(self, why: str) -> EnvironmentProblem:
        return EnvironmentProblem(f"Prometheus at {display_url(self.url)} is unreachable: {why}")

    def _timed_out(self) -> EvaluationError:
        return EvaluationError("timeout", f"Prometheus did not answer within {self.http_timeout_s:g} s")

    def _parsed(self, status: int, content: bytes, path: str) -> dict[str, Any]:
        try:
            body = json.loads(content)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise EnvironmentProblem(
                f"Prometheus at {display_url(self.url)} answered HTTP {status} to {path} "
                "with something that is not Prometheus JSON (is the URL right?)"
            )
        return body


def _number(text: Any) -> float | None:
    """A sample value; NaN and infinities (which JSON cannot carry) become None."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value == value and abs(value) != float("inf") else None
