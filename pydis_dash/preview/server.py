"""The preview web server: a ThreadingHTTPServer on loopback serving the pages of a :class:`LiveProject`.

Routes: ``/`` and ``/index.html``, ``/<kind>/<uid>.html``, ``/static/preview.{css,js}``, and
``/__version`` (JSON ``{"version": N}``) which open pages poll to reload after a rebuild.
"""

from __future__ import annotations

import errno
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.preview.pages import STATIC_DIR, STATIC_FILES, page_for_path, static_file
from pydis_dash.preview.watch import LiveProject
from pydis_dash.redact import mask

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class PreviewServer(ThreadingHTTPServer):
    """Serves one live project; ``port=0`` binds a free port (see :attr:`url`)."""

    daemon_threads = True

    def __init__(self, project: LiveProject, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        self.project = project
        try:
            super().__init__((host, port), _Handler)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise EnvironmentProblem(
                    f"preview: port {port} on {host} is in use; pick another with --port"
                ) from None
            raise EnvironmentProblem(f"preview: cannot listen on {host}:{port}: {error.strerror}") from None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """``http://host:port/`` as bound."""
        host, port = self.server_address[0], self.server_address[1]
        host_text = host.decode() if isinstance(host, bytes) else host
        return f"http://{host_text}:{port}/"

    def start(self) -> None:
        """Serve on a background thread (tests, or the CLI while it waits for Ctrl-C)."""
        self._thread = threading.Thread(target=self.serve_forever, name="pydis-dash-preview", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # http.server writes headers and body separately: without this Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # http.server's naming
        path = unquote(urlsplit(self.path).path)
        if path == "/__version":
            body = json.dumps({"version": self.server.project.version}).encode()
            self._send(200, "application/json", body)
            return
        if path.startswith(f"/{STATIC_DIR}/"):
            name = path.removeprefix(f"/{STATIC_DIR}/")
            data = static_file(name)
            if data is None:
                self._send(404, "text/plain; charset=utf-8", b"not found\n")
            else:
                self._send(200, STATIC_FILES[name], data)
            return
        snapshot, version = self.server.project.current()
        page = page_for_path(snapshot, path, version)
        self._send(
            page.status, "text/html; charset=utf-8", mask(page.html).encode("utf-8")
        )  # the output filter: a live plan quotes servers

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # One line per request would drown the rebuild messages; errors still go through log_error.
        return
