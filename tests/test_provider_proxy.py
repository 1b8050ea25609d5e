"""The provider clients go through the proxy the environment names (``HTTP_PROXY``/``HTTPS_PROXY``,
``NO_PROXY``), as ``requests`` and curl do, sending the proxy's credentials only to the proxy."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from emulators.grafana import GrafanaEmulator

from pydis_dash.providers.grafana.client import GrafanaClient, TransportError

TOKEN = "glsa_proxy_test"
PROXY_SECRET = "proxy-pass-4f1c"


class ForwardingProxy(ThreadingHTTPServer):
    """A plain-HTTP forward proxy on 127.0.0.1: it records what it was asked and relays it."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.seen: list[tuple[str, str, str | None]] = []  # (method, absolute URL, Proxy-Authorization)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: ForwardingProxy
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _relay(self) -> None:
        self.server.seen.append((self.command, self.path, self.headers.get("Proxy-Authorization")))
        target = urlsplit(self.path)  # a forward proxy is asked for the absolute URL
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-authorization", "connection")}
        upstream = http.client.HTTPConnection(target.hostname or "", target.port, timeout=10)
        try:
            upstream.request(self.command, f"{target.path}?{target.query}" if target.query else target.path, body, headers)
            answer = upstream.getresponse()
            content = answer.read()
        finally:
            upstream.close()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = _relay

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[ForwardingProxy]:
    server = ForwardingProxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def grafana() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator({TOKEN: "sa-deploy"}) as emulator:
        yield emulator  # type: ignore[misc]


@pytest.fixture(autouse=True)
def clean_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "no_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def test_requests_go_through_the_environments_proxy_with_its_credentials(
    proxy: ForwardingProxy, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    address = urlsplit(proxy.url).netloc
    monkeypatch.setenv("HTTP_PROXY", f"http://deploy:{PROXY_SECRET}@{address}")
    client = GrafanaClient(grafana.url, TOKEN, environment="test", retries=0)
    folders = client.get_list("/api/folders")
    assert isinstance(folders, list)
    assert [(method, url) for method, url, _ in proxy.seen] == [("GET", f"{grafana.url}/api/folders")]
    assert proxy.seen[0][2] is not None and proxy.seen[0][2].startswith("Basic ")  # to the proxy only


def test_no_proxy_sends_the_listed_hosts_directly(
    proxy: ForwardingProxy, grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = GrafanaClient(grafana.url, TOKEN, environment="test", retries=0)
    client.get_list("/api/folders")
    assert proxy.seen == []


def test_an_unreachable_proxy_is_named_without_its_credentials(
    grafana: GrafanaEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://deploy:{PROXY_SECRET}@127.0.0.1:{port}")
    client = GrafanaClient(grafana.url, TOKEN, environment="test", retries=0)
    with pytest.raises(TransportError) as failure:
        client.get_list("/api/folders")
    assert "proxy" in str(failure.value) and PROXY_SECRET not in str(failure.value)
