"""The engines' kept-alive POST (and GET) client: credentials, reconnecting, proxies, one connection per thread."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from emulators.http import Emulator, Request, Response

from pydis_dash.validate.engines.keepalive import KeepAliveClient, direct_client


def _echo(request: Request) -> Response:
    return Response(
        200, {"path": request.path, "auth": request.headers.get("authorization"), "form": request.raw_body.decode()}
    )


@pytest.fixture
def echo() -> Iterator[Emulator]:
    with Emulator() as emulator:
        emulator.route("POST", "/prom/api/v1/query", _echo)
        yield emulator


def test_posts_the_form_below_the_url_path_with_the_urls_credentials(echo: Emulator) -> None:
    url = echo.url.replace("http://", "http://bot:hunter%202@") + "/prom/"
    client = KeepAliveClient(url, timeout_s=5)
    try:
        answer = client.post_form("/api/v1/query", {"query": 'up{job="a b"}', "time": "1.000"})
    finally:
        client.close()
    assert answer.status == 200
    echoed = json.loads(answer.body)
    assert echoed["path"] == "/prom/api/v1/query"
    assert echoed["auth"] == "Basic " + base64.b64encode(b"bot:hunter 2").decode()
    assert echoed["form"] == "query=up%7Bjob%3D%22a+b%22%7D&time=1.000"


def test_gets_with_the_params_as_query_string_and_no_content_type(echo: Emulator) -> None:
    echo.route(
        "GET",
        "/prom/api/v1/labels",
        lambda request: Response(
            200, {"match": request.query.get("match[]"), "type": request.headers.get("content-type")}
        ),
    )
    client = KeepAliveClient(echo.url + "/prom", timeout_s=5)
    try:
        answer = client.get("/api/v1/labels", {"match[]": 'up{job="a b"}'})
    finally:
        client.close()
    assert answer.status == 200
    assert json.loads(answer.body) == {"match": ['up{job="a b"}'], "type": None}


def test_no_credentials_no_authorization_header(echo: Emulator) -> None:
    client = KeepAliveClient(echo.url + "/prom", timeout_s=5)
    try:
        assert json.loads(client.post_form("/api/v1/query", {}).body)["auth"] is None
    finally:
        client.close()


def test_each_thread_keeps_one_connection(echo: Emulator) -> None:
    client = KeepAliveClient(echo.url + "/prom", timeout_s=5)
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            answers = list(pool.map(lambda n: client.post_form("/api/v1/query", {"n": str(n)}), range(30)))
        assert {answer.status for answer in answers} == {200}
        assert 1 <= len(client._opened) <= 3  # one per thread that sent, reused for its next requests
    finally:
        client.close()


class ClosesAfterEachAnswer:
    """A raw HTTP/1.1 server that answers one request per connection, promises keep-alive, and then
    closes anyway (as a server's idle timeout does between two requests)."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with connection:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += connection.recv(4096)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(
                    next(
                        line.split(b":")[1]
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    )
                )
                while len(body) < length:
                    body += connection.recv(4096)
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok")

    def close(self) -> None:
        self.listener.close()


def test_a_connection_closed_while_idle_is_reopened_once() -> None:
    server = ClosesAfterEachAnswer()
    client = KeepAliveClient(f"http://127.0.0.1:{server.port}", timeout_s=5)
    try:
        answers = [client.post_form("/api/v1/query", {"query": str(n)}) for n in range(3)]
    finally:
        client.close()
        server.close()
    assert [(answer.status, answer.body) for answer in answers] == [(200, b"ok")] * 3
    assert server.connections == 3


def test_an_environment_proxy_leaves_the_url_to_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    assert direct_client("http://prometheus.internal:9090", 5) is not None
    monkeypatch.setenv("http_proxy", "http://proxy.internal:3128")
    assert direct_client("http://prometheus.internal:9090", 5) is None
    assert direct_client("https://prometheus.internal:9090", 5) is not None  # the proxy is for http only
    monkeypatch.setenv("no_proxy", "prometheus.internal")
    assert direct_client("http://prometheus.internal:9090", 5) is not None
    assert direct_client("ftp://prometheus.internal", 5) is None
