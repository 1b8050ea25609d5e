"""The HTTP plumbing both provider clients share: one :class:`Transport` per client on urllib3, with
pooled kept-alive connections, TLS verification and urllib3 retries, the resend of a read whose answer
was cut off, the dry-run guard, and a short, secret-free reason for a request that got no complete answer.

urllib3 directly, not ``requests`` (which is built on it): a plan reads every desired dashboard, and
``requests`` spends ~1.4 ms of CPU on each request (merging environment settings, hooks, cookies,
adapters, re-parsing the URL) where urllib3's pool spends ~0.5 ms; the retry policy, pools and TLS
are urllib3's in both cases.

Only the clients (``grafana/client.py``, ``metabase/client.py``) import this module; each keeps its own
request seam for authentication and for mapping error statuses.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit
from urllib.request import getproxies, proxy_bypass

import certifi
import orjson
import urllib3
from urllib3 import BaseHTTPResponse
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    ResponseError,
    SSLError,
)
from urllib3.util.retry import Retry

from pydis_dash import __version__
from pydis_dash.providers.dryrun import SAFE_METHODS, DryRunBlocked

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

#: Sent with every request unless a client sets its own (as ``requests`` did: compressed answers accepted).
_DEFAULT_HEADERS = {"User-Agent": f"pydis-dash/{__version__}", "Accept-Encoding": "gzip, deflate"}


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


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer: status, reason phrase and body (already decompressed)."""

    status_code: int
    reason: str
    content: bytes

    @property
    def text(self) -> str:
        """The body as text (UTF-8; undecodable bytes replaced): for error messages only."""
        return self.content.decode("utf-8", "replace")


class TransportFailure(Exception):
    """No complete answer arrived. The message is a short reason without the URL (:func:`describe_transport_error`)."""


#: ``(connect, read)`` seconds, or one number for both.
Timeout = float | tuple[float, float]


class Transport:
    """Requests to one server's API over a pool of kept-alive connections; safe to share between threads.

    ``headers`` go with every request (per-request headers are added to them); ``verify`` is True (the
    certifi bundle, as ``requests`` used), False, or the path of a CA bundle file or directory.
    """

    def __init__(
        self, retry: Retry, *, verify: bool | str, pool_size: int, headers: Mapping[str, str], timeout: Timeout
    ) -> None:
        self._headers = {**_DEFAULT_HEADERS, **headers}
        self._retry = retry
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self._timeout = urllib3.Timeout(connect=connect, read=read)
        self._refuse_writes = False
        # netrc is ignored (an entry would replace the Authorization header) and no cookies are kept (a
        # token-authenticated API client has no use for them); proxies come from the environment.
        self._pool_options: dict[str, Any] = {"num_pools": 4, "maxsize": pool_size, **_tls(verify)}
        self._direct = urllib3.PoolManager(**self._pool_options)
        self._managers: dict[tuple[str, str], urllib3.PoolManager] = {}
        # Origin (``scheme://host:port``) -> its connection pool, for reads sent straight to the server.
        self._read_pools: dict[str, urllib3.HTTPConnectionPool | None] = {}

    def _manager(self, url: str) -> urllib3.PoolManager:
        """The pool a request to ``url`` goes through: the proxy the environment names for its scheme
        (``HTTPS_PROXY``/``HTTP_PROXY``, unless ``NO_PROXY`` lists the host), as ``requests`` and curl do,
        else direct. Decided once per scheme and host."""
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._managers:
            proxy = getproxies().get(parts.scheme)
            if proxy and not proxy_bypass(parts.netloc):
                self._managers[key] = _proxy_manager(proxy, self._pool_options)
            else:
                self._managers[key] = self._direct
        return self._managers[key]

    def refuse_writes(self) -> None:
        """From now on every request but :data:`~pydis_dash.providers.dryrun.SAFE_METHODS` raises
        :class:`~pydis_dash.providers.dryrun.DryRunBlocked` before anything is sent (``deploy --dry-run``).
        Guarding the transport rather than the client methods means a write method added later cannot
        reach the server during a dry run by accident (the idea of gcx's ``dryrun_guard``)."""
        self._refuse_writes = True

    @property
    def refuses_writes(self) -> bool:
        """True once :meth:`refuse_writes` was called."""
        return self._refuse_writes

    def send(
        self,
        method: str,
        url: str,
        *,
        read_retries: int,
        backoff_factor: float,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer:
        """Send one request and read its whole answer, resending a read whose body was cut off.

        urllib3 retries (per the policy) until the response headers arrive; a body lost after them is
        resent here, for :data:`READ_METHODS` only (a write may already have been applied). ``json`` is
        sent encoded by :func:`encode_json`; ``params`` become the query string (None values left out,
        lists repeated). Raises :class:`TransportFailure` when no complete answer arrived, and
        :class:`~pydis_dash.providers.dryrun.DryRunBlocked` for a write while writes are refused.
        """
        if self._refuse_writes and method not in SAFE_METHODS:
            raise DryRunBlocked(method, url)
        all_headers = {**self._headers, **(headers or {})}
        body = None
        if json is not None:
            body = encode_json(json)
            all_headers.setdefault("Content-Type", "application/json")
        if params:
            query = urlencode({key: value for key, value in params.items() if value is not None}, doseq=True)
            url = f"{url}{'&' if '?' in url else '?'}{query}" if query else url
        attempts = 1 + (read_retries if method in READ_METHODS else 0)
        for attempt in range(1, attempts + 1):
            try:
                response = self._open(method, url, body, all_headers)
            except HTTPError as exc:
                raise TransportFailure(describe_transport_error(exc)) from exc
            try:
                return Answer(response.status, response.reason or "", response.read())
            except ProtocolError as exc:  # the connection was lost after the headers arrived
                if attempt == attempts:
                    raise TransportFailure(BODY_CUT_OFF) from exc
            except HTTPError as exc:
                raise TransportFailure(describe_transport_error(exc)) from exc
            finally:
                response.release_conn()
            # Same schedule as urllib3: the first retry is immediate, then exponential backoff.
            time.sleep(0 if attempt == 1 else backoff_factor * (2 ** (attempt - 1)))
        raise AssertionError("unreachable")  # the loop returns or raises

    def _open(self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]) -> BaseHTTPResponse:
        """Send the request through its pool, with the retry policy; the answer's body is read by the caller.

        A read sent straight to the server goes to the origin's connection pool itself: the pool
        manager would parse the URL and look the pool up again for each of a plan's hundreds of reads
        (0.08 ms of CPU each). Only an answer that redirects is sent again through the manager, which
        follows redirects (a read changes nothing, so sending it twice is harmless); writes always go
        through the manager."""
        options: dict[str, Any] = {
            "body": body,
            "headers": headers,
            "retries": self._retry,
            "timeout": self._timeout,
            "preload_content": False,
        }
        origin, target = _origin_and_target(url)
        pool = self._read_pool(origin, url) if method in READ_METHODS else None
        if pool is not None:
            response = pool.urlopen(method, target, redirect=False, assert_same_host=False, **options)
            if not response.get_redirect_location():
                return response
            response.drain_conn()
            response.release_conn()
        return self._manager(url).urlopen(method, url, **options)

    def _read_pool(self, origin: str, url: str) -> urllib3.HTTPConnectionPool | None:
        """The connection pool of ``origin`` (``url``'s) when requests go straight to it (None through a
        proxy)."""
        if origin not in self._read_pools:
            direct = self._manager(url) is self._direct
            self._read_pools[origin] = self._direct.connection_from_url(origin) if direct else None
        return self._read_pools[origin]

    def close(self) -> None:
        """Close every pooled connection (direct and through proxies)."""
        self._direct.clear()
        for manager in self._managers.values():
            manager.clear()


def _origin_and_target(url: str) -> tuple[str, str]:
    """``("http://host:3000", "/api/search?type=x")`` for ``http://host:3000/api/search?type=x``: the
    origin a pool serves, and the request target sent to it."""
    slash = url.find("/", url.find("//") + 2)
    return (url, "/") if slash == -1 else (url[:slash], url[slash:])


def _proxy_manager(proxy: str, options: dict[str, Any]) -> urllib3.ProxyManager:
    """A pool through ``proxy``; credentials in its URL go as ``Proxy-Authorization`` (never in a message)."""
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    headers = None
    if parts.username is not None:
        credentials = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers = urllib3.make_headers(proxy_basic_auth=credentials)
    netloc = parts.hostname or ""
    netloc = f"[{netloc}]" if ":" in netloc else netloc
    address = f"{parts.scheme}://{netloc}{f':{parts.port}' if parts.port else ''}"
    return urllib3.ProxyManager(address, proxy_headers=headers, **options)


def _tls(verify: bool | str) -> dict[str, Any]:
    """The PoolManager's certificate options for ``verify``."""
    if verify is False:
        return {"cert_reqs": "CERT_NONE"}
    if verify is True:
        return {"cert_reqs": "CERT_REQUIRED", "ca_certs": certifi.where()}
    if os.path.isdir(verify):
        return {"cert_reqs": "CERT_REQUIRED", "ca_cert_dir": verify}
    return {"cert_reqs": "CERT_REQUIRED", "ca_certs": verify}


def encode_json(value: Any) -> bytes:
    """A request body: orjson's compact encoding (a 20-panel dashboard in 0.02 ms, not the standard
    library's 0.2 ms), or the standard library's for what orjson refuses (non-string keys, integers past
    64 bits). NaN and infinities, which neither Grafana nor Metabase accepts, go as null."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def decode_json(answer: Answer) -> Any:
    """The answer's JSON body, decoded exactly as the standard library's ``json.loads`` would.

    orjson decodes a 20 KB dashboard in 0.1 ms where the standard library takes 0.25 ms (a no-op plan
    decodes one per desired dashboard), but it reads an integer past 64 bits as a float (Grafana writes
    a float64 of 1e20 as ``100000000000000000000``) and refuses what only the standard library reads
    (UTF-16/32 bodies, ``NaN``, lone surrogates, ``1e400``). A body with a run of 19 or more digits
    (:data:`_LONG_NUMBER`, found by one ``translate``: 0.04 ms), and every body orjson refuses, goes to
    the standard library. Raises ValueError when it is not JSON."""
    content = answer.content
    if _LONG_NUMBER not in content.translate(_DIGITS_AS_ZERO):
        try:
            return orjson.loads(content)
        except orjson.JSONDecodeError:
            pass  # not JSON, or JSON only the standard library reads: it decides
    return json.loads(content)


#: Every digit mapped to ``0``, so that a run of digits is a run of zeros.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
#: The shortest run of digits that can spell an integer orjson would turn into a float (-2**63 has 19).
_LONG_NUMBER = b"0" * 19


#: The reason given when the connection was lost while the answer's body was arriving.
BODY_CUT_OFF = "connection lost while reading the answer"


def describe_transport_error(exc: HTTPError) -> str:
    """A short reason without the URL-laden urllib3 chain (which would repeat the full URL)."""
    cause = exc.reason if isinstance(exc, MaxRetryError) and exc.reason is not None else exc
    if isinstance(cause, ProxyError):
        return "cannot reach the proxy (HTTPS_PROXY/HTTP_PROXY)"
    if isinstance(cause, SSLError):
        return "TLS verification failed (set ca_bundle for a private CA)"
    if isinstance(cause, ConnectTimeoutError) and not isinstance(cause, NewConnectionError):
        return "connection timed out"
    if isinstance(cause, ReadTimeoutError):
        return "no answer within the read timeout"
    if isinstance(cause, ResponseError):
        return "gave up after retries"
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
