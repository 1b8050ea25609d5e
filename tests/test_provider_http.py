"""The HTTP plumbing shared by the provider clients: retry policy and transport-error reasons."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from urllib3 import HTTPResponse
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError, ReadTimeoutError, ResponseError

from pydis_dash.providers.http import (
    MAX_RETRY_AFTER,
    Answer,
    Transport,
    decode_json,
    describe_transport_error,
    encode_json,
    retry_policy,
)


def rate_limited(retry_after: str) -> HTTPResponse:
    return HTTPResponse(body=b"", headers={"Retry-After": retry_after}, status=429)


def test_retry_after_is_honoured_but_capped() -> None:
    policy = retry_policy(3, 0.5)
    assert policy.get_retry_after(rate_limited("2")) == 2
    assert policy.get_retry_after(rate_limited("86400")) == MAX_RETRY_AFTER
    # urllib3 builds a new Retry after each attempt: the cap must survive it.
    assert policy.new(total=1).get_retry_after(rate_limited("86400")) == MAX_RETRY_AFTER


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_methods_are_retried_on_5xx_and_429(method: str) -> None:
    policy = retry_policy(3, 0.5)
    assert policy.is_retry(method, 503) and policy.is_retry(method, 429)


def test_a_post_is_retried_on_429_only() -> None:
    policy = retry_policy(3, 0.5)
    assert policy.is_retry("POST", 429)
    assert not policy.is_retry("POST", 503) and not policy.is_retry("POST", 502)


def test_transport_errors_are_described_without_the_url() -> None:
    url = "https://grafana.example.org/api/search?secret=1"
    refused = NewConnectionError(None, f"{url}: Failed to establish a new connection: [Errno 111] Connection refused")  # type: ignore[arg-type]
    assert describe_transport_error(MaxRetryError(None, url, refused)) == "connection refused"  # type: ignore[arg-type]
    reset = ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer"))
    assert describe_transport_error(reset) == "connection reset"
    timed_out = ReadTimeoutError(None, url, "Read timed out. (read timeout=1)")  # type: ignore[arg-type]
    assert describe_transport_error(timed_out) == "no answer within the read timeout"
    assert describe_transport_error(MaxRetryError(None, url, ResponseError("too many 503"))) == "gave up after retries"  # type: ignore[arg-type]
    for error in (refused, reset, timed_out):
        assert "secret" not in describe_transport_error(error)


def answer(content: bytes) -> Answer:
    return Answer(200, "OK", content)


def test_bodies_are_encoded_compactly_and_what_orjson_refuses_still_goes() -> None:
    assert (
        encode_json({"title": "Ünïcode", "panels": [1, 2.5, None]})
        == '{"title":"Ünïcode","panels":[1,2.5,null]}'.encode()
    )
    assert json.loads(encode_json({"big": 2**70, 1: "integer key"})) == {"big": 2**70, "1": "integer key"}


def test_answers_decode_as_the_standard_library_would() -> None:
    assert decode_json(answer(b'{"a": [1, 2.5, "\\u00e9", null]}')) == {"a": [1, 2.5, "é", None]}
    assert decode_json(answer(b'{"id": 123456789012345678901234}')) == {"id": 123456789012345678901234}
    assert decode_json(answer('{"utf16": true}'.encode("utf-16"))) == {"utf16": True}
    with pytest.raises(ValueError):
        decode_json(answer(b"<html>bad gateway</html>"))


@pytest.mark.parametrize(
    "body",
    [
        b"[999999999999999999, -999999999999999999, 9223372036854775807, -9223372036854775808]",
        b"[18446744073709551615, 18446744073709551616, -9223372036854775809, 100000000000000000000]",
        b'{"uid": "1234567890123456789012", "n": 1.5e300, "small": 5e-324}',
        b'{"nan": NaN, "inf": -Infinity, "huge": 1e400}',
        b'"\\ud800 lone surrogate"',
        b'{"a": 1, "a": 2}',
        b"\xef\xbb\xbf{}",
    ],
)
def test_answers_decode_to_the_same_values_and_types_as_json_loads(body: bytes) -> None:
    """orjson serves most answers; whatever it would read differently (integers past 64 bits, NaN,
    lone surrogates, out-of-range floats) still decodes exactly as the standard library does."""
    try:
        expected = repr(json.loads(body))
    except ValueError:
        with pytest.raises(ValueError):
            decode_json(answer(body))
        return
    assert repr(decode_json(answer(body))) == expected


class _Redirecting(BaseHTTPRequestHandler):
    """``/old...`` answers 301 (GET) or 307 (POST) to ``/new...`` on ``server.target`` (an origin);
    ``/new...`` answers its method, path and body as JSON. Every request is logged on the server."""

    server: _RedirectServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else None
        self.server.log.append((self.command, self.path))
        if self.path.startswith("/old"):
            self.send_response(301 if self.command == "GET" else 307)
            self.send_header("Location", self.server.target + "/new" + self.path[len("/old") :])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        content = json.dumps({"method": self.command, "path": self.path, "body": body}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class _RedirectServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Redirecting)
        self.log: list[tuple[str, str]] = []
        self.target = self.url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def redirect_servers() -> Iterator[tuple[_RedirectServer, _RedirectServer]]:
    servers = (_RedirectServer(), _RedirectServer())
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    yield servers
    for server in servers:
        server.shutdown()
        server.server_close()


def _transport() -> Transport:
    return Transport(retry_policy(1, 0), verify=True, pool_size=4, headers={}, timeout=5)


@pytest.mark.parametrize("cross_origin", [False, True], ids=["same origin", "other origin"])
def test_reads_follow_redirects(redirect_servers: tuple[_RedirectServer, _RedirectServer], cross_origin: bool) -> None:
    """Reads go to the origin's pool directly; one answered with a redirect is still followed, to the
    same server or another one, with its query string kept."""
    first, second = redirect_servers
    if cross_origin:
        first.target = second.url
    answer = _transport().send("GET", f"{first.url}/old/dashboards?query=a%20b", read_retries=0, backoff_factor=0)
    assert answer.status_code == 200
    assert decode_json(answer) == {"method": "GET", "path": "/new/dashboards?query=a%20b", "body": None}
    assert ("GET", "/new/dashboards?query=a%20b") in (second.log if cross_origin else first.log)


def test_reads_keep_their_path_prefix_and_reuse_connections(
    redirect_servers: tuple[_RedirectServer, _RedirectServer],
) -> None:
    """A server under a sub-path (``https://example.org/grafana``) gets the whole path; reads share kept-alive
    connections (a plan's hundreds of reads open no more than the pool holds)."""
    server, _ = redirect_servers
    transport = _transport()
    for number in range(10):
        answer = transport.send("GET", f"{server.url}/new/grafana/api/{number}", read_retries=0, backoff_factor=0)
        assert decode_json(answer)["path"] == f"/new/grafana/api/{number}"
    pool = transport._read_pool(server.url, server.url)
    assert pool is not None and pool.num_connections == 1


def test_a_write_answered_with_a_redirect_is_sent_once_and_followed(
    redirect_servers: tuple[_RedirectServer, _RedirectServer],
) -> None:
    """A write is never sent twice to the URL it was meant for (a 307 is followed with the same body)."""
    server, _ = redirect_servers
    answer = _transport().send("POST", f"{server.url}/old/save", read_retries=0, backoff_factor=0, json={"a": 1})
    assert decode_json(answer) == {"method": "POST", "path": "/new/save", "body": '{"a":1}'}
    assert server.log == [("POST", "/old/save"), ("POST", "/new/save")]
