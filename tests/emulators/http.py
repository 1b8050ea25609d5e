"""A small, reusable base for HTTP emulators: routes, a request log and per-route fault injection.

An emulator subclasses :class:`Emulator`, registers routes with :meth:`Emulator.route` and keeps its
own state (guarded by ``self.lock``). Tests start it as a context manager (a ThreadingHTTPServer on
127.0.0.1, port 0), point the client at ``emulator.url``, and can:

* count what reached the server: ``emulator.requests`` (every :class:`Record`), ``emulator.writes()``;
* inject faults on matching requests: ``emulator.inject("POST", "/api/dashboards/db", Status(503))``.
  Faults that answer instead of the route (:class:`Latency` excepted) leave state untouched, except
  :class:`ResetMidResponse` and :class:`SlowBody`, which run the route first (the write happened,
  the client just does not learn about it, or learns slowly).
"""

from __future__ import annotations

import json
import re
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def json_copy(value: Any) -> Any:
    """A deep copy of decoded JSON (dicts, lists, scalars), eight times cheaper than ``copy.deepcopy``,
    which the emulators otherwise pay on every dashboard saved and read (benchmarks send hundreds):
    an orjson round trip (a NaN, which no JSON body carries, would come back as null), or a walk for
    what orjson refuses (integers past 64 bits)."""
    try:
        return orjson.loads(orjson.dumps(value))
    except TypeError:
        return _walk_copy(value)


def json_snapshot(value: Any) -> bytes:
    """``value`` frozen as compact JSON text: what a history keeps (a dashboard version's ``data``), which
    later changes to ``value`` cannot reach. Encoding is all it costs (0.02 ms for a dashboard, where a
    decoded copy costs 0.5 ms); :func:`json.loads` gives the copy back when one is wanted."""
    try:
        return orjson.dumps(value)
    except TypeError:  # integers past 64 bits: the standard library writes them
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _walk_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _walk_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk_copy(item) for item in value]
    return value


@dataclass(frozen=True)
class Request:
    """One parsed request as a route sees it."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    raw_body: bytes
    params: Mapping[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def json(self) -> Any:
        """The body decoded as JSON (None when empty); raises ValueError when malformed."""
        return json.loads(self.raw_body) if self.raw_body else None


@dataclass
class Response:
    """What a route returns: a status, a JSON-able body (or raw bytes) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        """The body as bytes (JSON unless already bytes), compact and UTF-8 as Grafana's and Metabase's
        encoders write it: orjson (a dashboard in 0.02 ms, not the standard library's 0.3 ms: the
        benchmarks' emulator answers hundreds), or the standard library for what orjson refuses."""
        if isinstance(self.body, bytes):
            return self.body
        try:
            return orjson.dumps(self.body)
        except TypeError:  # integers past 64 bits, non-string keys
            return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(frozen=True)
class Record:
    """One request as it reached the server (faulted ones included)."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    status: int | None
    fault: str | None


# --- faults -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latency:
    """Wait ``seconds`` before handling the request normally."""

    seconds: float


@dataclass(frozen=True)
class Status:
    """Answer ``status`` (500, 502, 503...) without running the route."""

    status: int
    body: Any = None


@dataclass(frozen=True)
class RateLimited:
    """Answer 429 with ``Retry-After: seconds`` without running the route."""

    retry_after: int = 0


@dataclass(frozen=True)
class EchoRequest:
    """Answer ``status`` with a message repeating the request line, every header and the body, as a debug
    page or a misconfigured proxy does (credentials included), without running the route. ``json``:
    in a ``{"message": ...}`` body, else as plain text."""

    status: int = 500
    json: bool = True


@dataclass(frozen=True)
class Rewrite:
    """Run the route, then answer what ``rewrite`` makes of its response (a fuzzer's mangled answer)."""

    rewrite: Callable[[Response], Response]


@dataclass(frozen=True)
class ResetMidResponse:
    """Run the route, send the headers and half the body, then reset the connection (TCP RST)."""


@dataclass(frozen=True)
class SlowBody:
    """Run the route, then send the body in ``chunks`` pieces with ``delay`` seconds between them."""

    delay: float
    chunks: int = 4


Fault = Latency | Status | RateLimited | EchoRequest | Rewrite | ResetMidResponse | SlowBody


@dataclass
class _FaultRule:
    method: str
    pattern: re.Pattern[str]
    fault: Fault
    remaining: int | None

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and bool(self.pattern.fullmatch(path)) and self.remaining != 0


Route = Callable[[Request], Response]


class Emulator:
    """Base class: a threaded HTTP server with routes, a request log and fault injection."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Record] = []
        self._routes: list[tuple[str, re.Pattern[str], Route]] = []
        self._faults: list[_FaultRule] = []
        self._server: ThreadingHTTPServer | None = None
        self.in_flight = 0
        self._idle = threading.Condition(self.lock)
        #: The most requests the server was handling at once (to check a client's concurrency bound).
        self.max_in_flight = 0
        self._thread: threading.Thread | None = None

    # --- configuration ------------------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Route) -> None:
        """Register ``handler`` for ``method`` and a path regex; named groups become ``Request.params``."""
        self._routes.append((method, re.compile(pattern), handler))

    def inject(self, method: str, path_pattern: str, fault: Fault, times: int | None = 1) -> None:
        """Apply ``fault`` to the next ``times`` requests (None: all) whose method (``*``: any) and
        path (a regex matched against the whole path, without query) match."""
        with self.lock:
            self._faults.append(_FaultRule(method, re.compile(path_pattern), fault, times))

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self.lock:
            self._faults.clear()

    # --- observation --------------------------------------------------------------------------------

    def writes(self) -> list[Record]:
        """Requests with a write method that reached the server."""
        with self.lock:
            return [r for r in self.requests if r.method in WRITE_METHODS]

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests matched ``method`` and the ``path`` regex (None: any)."""
        with self.lock:
            return sum(
                1
                for r in self.requests
                if (method is None or r.method == method) and (path is None or re.fullmatch(path, r.path))
            )

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no request is being handled (a client may give up before the server finishes)."""
        with self._idle:
            if not self._idle.wait_for(lambda: self.in_flight == 0, timeout):
                raise TimeoutError("emulator still busy")

    def reset_log(self) -> None:
        """Forget the request log (state is kept)."""
        with self.lock:
            self.requests.clear()

    # --- lifecycle ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        assert self._server is not None, "emulator not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Emulator:
        """Start serving on a free loopback port in a daemon thread."""
        self._server = _Server(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        # A short poll interval keeps shutdown (once per test) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- dispatch (called from server threads) ------------------------------------------------------

    def authorize(self, request: Request) -> Response | None:
        """Override to reject unauthenticated requests; return None to let the request through."""
        return None

    def not_found(self, request: Request) -> Response:
        """The answer for a path no route matches."""
        return Response(404, {"message": "Not found"})

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for rule in self._faults:
                if rule.matches(method, path):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    return rule.fault
        return None

    def _dispatch(self, request: Request) -> Response:
        denied = self.authorize(request)
        if denied is not None:
            return denied
        allowed = False
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            allowed = True
            if method == request.method:
                request = Request(
                    request.method,
                    request.path,
                    request.query,
                    request.headers,
                    request.raw_body,
                    match.groupdict(),
                )
                with self.lock:
                    return handler(request)
        if allowed:
            return Response(405, {"message": "Method not allowed"})
        return self.not_found(request)

    def _log(self, request: Request, status: int | None, fault: Fault | None) -> None:
        with self.lock:
            self.requests.append(
                Record(
                    request.method,
                    request.path,
                    request.query,
                    status,
                    type(fault).__name__ if fault else None,
                )
            )


class _Server(ThreadingHTTPServer):
    """A client that hangs up (a timeout, a reset, an answer it refused to read) is its own business: the
    default would print the server-side traceback into whatever stderr the test is capturing."""

    #: The listen backlog. socketserver's default of 5 drops the SYN of a sixth connection opened at once
    #: and the client resends it a second later: 32 connections opened together took 1.2 s instead of
    #: 40 ms. Grafana's and Metabase's servers listen with the system's maximum (SOMAXCONN).
    request_queue_size = socket.SOMAXCONN

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def _handler_class(emulator: Emulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 keeps connections alive, as real servers do; every response has a Content-Length.
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            # http.server writes headers and body separately: without this, Nagle + delayed ACK add
            # ~40 ms to every response.
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, format: str, *args: Any) -> None:  # silence stderr noise in tests
            pass

        def _handle(self) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = Request(
                self.command,
                split.path,
                parse_qs(split.query),
                {k.lower(): v for k, v in self.headers.items()},
                raw,
            )
            fault = emulator._take_fault(self.command, split.path)
            with emulator.lock:
                emulator.in_flight += 1
                emulator.max_in_flight = max(emulator.max_in_flight, emulator.in_flight)
            try:
                self._answer(request, fault)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (timeout): nothing left to answer
            finally:
                with emulator.lock:
                    emulator.in_flight -= 1
                    emulator._idle.notify_all()

        def _answer(self, request: Request, fault: Fault | None) -> None:
            if isinstance(fault, Latency):
                time.sleep(fault.seconds)
            if isinstance(fault, Status):
                response = Response(fault.status, fault.body or {"message": "injected fault"})
            elif isinstance(fault, RateLimited):
                response = Response(429, {"message": "Too many requests"}, {"Retry-After": str(fault.retry_after)})
            elif isinstance(fault, EchoRequest):
                response = _echo(request, fault)
            elif isinstance(fault, Rewrite):
                response = fault.rewrite(emulator._dispatch(request))
            else:
                response = emulator._dispatch(request)
            emulator._log(request, response.status, fault)
            body = response.encoded()
            self.send_response(response.status)
            # A route may answer another type (Metabase's plain-text errors) via a Content-Type header.
            headers = {"Content-Type": "application/json", **response.headers}
            headers["Content-Length"] = str(len(body))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if isinstance(fault, ResetMidResponse):
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            if isinstance(fault, SlowBody):
                for piece in _split(body, fault.chunks):
                    self.wfile.write(piece)
                    self.wfile.flush()
                    time.sleep(fault.delay)
                return
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    return Handler


def _echo(request: Request, fault: EchoRequest) -> Response:
    headers = "; ".join(f"{name}: {value}" for name, value in request.headers.items())
    text = f"bad request {request.method} {request.path} [{headers}] body {request.raw_body.decode(errors='replace')}"
    if fault.json:
        return Response(fault.status, {"message": text})
    return Response(fault.status, text.encode(), {"Content-Type": "text/plain"})


def _split(data: bytes, parts: int) -> Iterator[bytes]:
    size = max(1, -(-len(data) // max(1, parts)))
    for start in range(0, len(data), size):
        yield data[start : start + size]
