"""Form POSTs (and GETs) on kept-alive ``http.client`` connections, one per thread: the engines' hot path.

A check sends one small request per distinct query, thousands in a run. ``requests`` spends ~1 ms of
CPU on each (merging environment settings, hooks, cookies, adapters), more than Prometheus takes to
answer it; a bare ``http.client`` connection kept open spends ~0.2 ms. Each thread keeps its own
connection (``http.client`` connections are not shareable), so requests sent from a thread pool go
out in parallel. Credentials in the URL become a Basic ``Authorization`` header, as ``requests``
sends them. Where an environment proxy applies to the URL, :func:`direct_client` gives None and the
caller keeps using ``requests``, which honours it (and only then imports it: ``requests`` takes
~60 ms to import, a tenth of a small ``validate`` run).
"""

from __future__ import annotations

import base64
import http.client
import threading
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote, urlencode, urlsplit

_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Answer:
    """One HTTP response: its status and body."""

    status: int
    body: bytes


class KeepAliveClient:
    """POSTs forms to (and GETs from) one HTTP(S) server; thread-safe (a connection per calling thread)."""

    def __init__(self, url: str, timeout_s: float) -> None:
        parts = urlsplit(url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._base_path = parts.path.rstrip("/")
        self._timeout_s = timeout_s
        self._headers = {"Content-Type": _FORM, "Accept": "application/json"}
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
            self._headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        self._get_headers = {name: value for name, value in self._headers.items() if name != "Content-Type"}
        self._local = threading.local()
        self._opened: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def post_form(self, path: str, form: dict[str, str]) -> Answer:
        """POST ``form`` to ``path`` (below the URL's own path); a connection the server closed while
        idle is reopened once. Raises ``TimeoutError`` when no answer comes within the timeout and
        ``OSError``/``http.client.HTTPException`` when the server cannot be reached."""
        return self._exchange("POST", path, urlencode(form))

    def get(self, path: str, params: dict[str, str] | None = None) -> Answer:
        """GET ``path`` (below the URL's own path) with ``params`` as its query string, as
        :meth:`post_form` sends (and fails)."""
        return self._exchange("GET", f"{path}?{urlencode(params)}" if params else path, None)

    def _exchange(self, method: str, path: str, body: str | None) -> Answer:
        try:
            return self._send(self._connection(), method, path, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self._drop()  # kept-alive connections may be closed by the server between two requests
            return self._send(self._connection(), method, path, body)

    def close(self) -> None:
        """Close every connection any thread opened."""
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            connection.close()

    def _send(self, connection: http.client.HTTPConnection, method: str, path: str, body: str | None) -> Answer:
        try:
            headers = self._headers if body is not None else self._get_headers
            connection.request(method, self._base_path + path, body, headers)
            response = connection.getresponse()
            return Answer(response.status, response.read())
        except BaseException:
            self._drop()  # a half-used connection cannot carry the next request
            raise

    def _connection(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            kind = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            connection = kind(self._host, self._port, timeout=self._timeout_s)
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def _drop(self) -> None:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def direct_client(url: str, timeout_s: float) -> KeepAliveClient | None:
    """A :class:`KeepAliveClient` for ``url``, or None when an environment proxy applies to it (or it is
    not HTTP): then ``requests`` is the right client."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    proxies = urllib.request.getproxies()
    if (parts.scheme in proxies or "all" in proxies) and not urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    return KeepAliveClient(url, timeout_s)
