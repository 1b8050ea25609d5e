"""The HTTP plumbing both provider clients share: one ``requests.Session`` per client with pooled
connections, TLS verification and urllib3 retries, the resend of a read whose answer was cut off, and a
short, secret-free reason for a request that got no complete answer.

Only the clients (``grafana/client.py``, ``metabase/client.py``) import this module and ``requests``;
each keeps its own request seam for authentication and for mapping error statuses.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

import orjson
import requests
from requests.adapters import HTTPAdapter
from urllib3 import BaseHTTPResponse
from urllib3.util.retry import Retry

#: Statuses meaning "not processed, try again later": rate limited, or a proxy in front of the server
#: could not reach it.
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: Methods whose answer may be resent when its body was cut off: they change nothing on the server.
READ_METHODS = frozenset({"GET", "HEAD"})


#: The longest ``Retry-After`` honoured, in seconds: urllib3 would sleep for whatever a proxy asks (an
#: hour, a day); longer waits are cut to this, and a server still refusing then fails the request.
MAX_RETRY_AFTER = 60.0


#: Methods resent after a transient failure (connection lost, 502/503/504): repeating one cannot create
#: a second resource. PUT and DELETE name the object (and a PUT sets fields to given values), so a repeat
#: at worst fails with a conflict that apply reports. POST (creates) is resent only after a 429.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class _Retry(Retry):
    """urllib3's Retry with ``Retry-After`` capped at :data:`MAX_RETRY_AFTER`, and a 429 retried for every
    method: the server refused the request without processing it, so resending even a POST cannot
    create a duplicate."""

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        wait = super().get_retry_after(response)
        return None if wait is None else min(wait, MAX_RETRY_AFTER)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429 and self.total:
            return True
        return super().is_retry(method, status_code, has_retry_after)


def retry_policy(retries: int, backoff_factor: float) -> Retry:
    """The one retry policy of both clients (Grafana and Metabase): connection errors (nothing was
    sent) for every method; read errors and :data:`RETRY_STATUSES` for :data:`IDEMPOTENT_METHODS`; 429
    for every method. Exponential backoff honours ``Retry-After`` (capped at :data:`MAX_RETRY_AFTER`).
    The last error answer is returned, not raised, so that the client can report the server's message."""
    return _Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def new_session(retry: Retry, *, verify: bool | str, pool_size: int, headers: Mapping[str, str]) -> requests.Session:
    """A session sending ``headers`` on every request, verifying TLS with ``verify``, retrying per ``retry``."""
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.verify = verify
    session.headers.update(headers)
    return session


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    read_retries: int,
    backoff_factor: float,
    json: Any = None,
    headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> requests.Response:
    """``session.request``, resending a read whose body was cut off after the headers arrived.

    urllib3 retries only until the response headers arrive; a body lost after them is resent here, for
    :data:`READ_METHODS` only (a write may already have been applied). ``json`` is sent encoded by
    :func:`encode_json`. Raises what requests raises.
    """
    if json is not None:
        kwargs["data"] = encode_json(json)
        headers = {"Content-Type": "application/json", **(headers or {})}
    kwargs["headers"] = headers
    attempts = 1 + (read_retries if method in READ_METHODS else 0)
    for attempt in range(1, attempts + 1):
        try:
            return session.request(method, url, **kwargs)
        except requests.exceptions.ChunkedEncodingError:
            if attempt == attempts:
                raise
            # Same schedule as urllib3: the first retry is immediate, then exponential backoff.
            time.sleep(0 if attempt == 1 else backoff_factor * (2 ** (attempt - 1)))
    raise AssertionError("unreachable")  # the loop returns or raises


def encode_json(value: Any) -> bytes:
    """A request body: orjson's compact encoding (a 20-panel dashboard in 0.02 ms, not the standard
    library's 0.2 ms), or the standard library's for what orjson refuses (non-string keys, integers past
    64 bits). NaN and infinities, which neither Grafana nor Metabase accepts, go as null."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def decode_json(response: requests.Response) -> Any:
    """The answer's JSON body, by the standard library straight from the bytes (it detects UTF-8/16/32).

    Not orjson, although it decodes a dashboard in half the time: it reads an integer past 64 bits as a
    float (Grafana writes a float64 of 1e20 as ``100000000000000000000``), and screening the body for
    such a number costs more than the time saved. Raises ValueError when it is not JSON."""
    return json.loads(response.content)


def describe_transport_error(exc: requests.exceptions.RequestException) -> str:
    """A short reason without the URL-laden urllib3 chain (which would repeat the full URL)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS verification failed (set ca_bundle for a private CA)"
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "connection timed out"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return "no answer within the read timeout"
    if isinstance(exc, requests.exceptions.RetryError):
        return "gave up after retries"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "connection lost while reading the answer"
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = str(exc)
        if "Connection refused" in text:
            return "connection refused"
        if "Name or service not known" in text or "nodename nor servname" in text:
            return "unknown host"
        if "reset" in text.lower():
            return "connection reset"
        if "timed out" in text.lower():
            return "no answer within the read timeout"
        return "cannot connect"
    return type(exc).__name__
