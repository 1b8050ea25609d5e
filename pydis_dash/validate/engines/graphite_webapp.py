"""Seed a whisper tree and serve graphite-web on 127.0.0.1 (run by graphite-web's own venv python).

pydis-dash never imports this module: graphite-web 1.1.10 pins Django 3.0, so it lives in its own
virtualenv (``ci/setup-graphite``) and :class:`~pydis_dash.validate.engines.graphite_server.GraphiteServer`
runs this file with that venv's interpreter, in isolated mode (``python -I``) so that this folder,
which holds pydis-dash's own ``graphite.py``, never shadows the ``graphite`` package.

Protocol with the parent: ``python -I graphite_webapp.py SETTINGS_DIR SEED_FILE`` (see :func:`seed_whisper`).
``SETTINGS_DIR`` holds ``local_settings.py`` (written by the parent: storage dirs, secret key, input validation). Once
listening, one line ``READY <port>`` goes to stdout; everything else goes to stderr. The server stops
when its stdin closes, so it never outlives a parent that was killed.
"""

from __future__ import annotations

import json
import os
import socket
import struct
import sys
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

# Four hours at one point per 10 s: the parent sends two hours that may end up to an hour ago (the
# preview's sample data ends on the hour), and whisper answers nothing older than its retention.
RETENTION_POINTS = 1440
# Where the parent-visible exception text of a failed request is kept in the WSGI environ.
EXCEPTION_KEY = "pydis_dash.exception"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def seed_whisper(whisper_dir: str, seed_file: str) -> None:
    """Create one whisper file per metric path of the seed file, holding the points the parent computed.

    The seed file is JSON: ``{"start": T0, "step": 10, "series": {"a.b.c": [value, ...]}}`` (one value
    per step from ``T0``). The file's header comes from whisper itself; the points are packed in slot
    order after it, which is what ``whisper.update_many`` would write for a full archive and ten times
    faster (start-up time is what every ``validate`` run pays).
    """
    import whisper

    with open(seed_file, encoding="utf-8") as handle:
        seed = json.load(handle)
    step, start = int(seed["step"]), int(seed["start"])
    template = os.path.join(whisper_dir, ".template.wsp")
    whisper.create(template, [(step, RETENTION_POINTS)], xFilesFactor=0.0)
    with open(template, "rb") as handle:
        header = handle.read(whisper.metadataSize + whisper.archiveInfoSize)
    os.remove(template)
    for path, values in seed["series"].items():
        points = b"".join(
            struct.pack(whisper.pointFormat, start + i * step, float(v))
            for i, v in enumerate(values[-RETENTION_POINTS:])
        )
        filename = os.path.join(whisper_dir, *path.split(".")) + ".wsp"
        os.makedirs(os.path.dirname(filename), exist_ok=True)
        with open(filename, "wb") as handle:
            handle.write(header + points.ljust(RETENTION_POINTS * whisper.pointSize, b"\0"))


def load_graphite_app(settings_dir: str) -> WsgiApp:
    """Set Django up with the parent's ``local_settings.py`` and return graphite-web's WSGI app."""
    sys.path.insert(0, settings_dir)
    os.environ["GRAPHITE_SETTINGS_MODULE"] = "local_settings"
    os.environ["DJANGO_SETTINGS_MODULE"] = "graphite.settings"
    import django  # type: ignore[import-not-found]  # only in graphite's venv
    from django.core.management import call_command  # type: ignore[import-not-found]  # only in graphite's venv
    from django.core.signals import got_request_exception  # type: ignore[import-not-found]  # only in graphite's venv

    django.setup()
    # /metrics/find reads the default user profile from Graphite's database; /render does not.
    call_command("migrate", verbosity=0, interactive=False)

    def remember_exception(sender: object, request: Any = None, **kwargs: object) -> None:
        # Django's WSGIRequest.META is the WSGI environ, so the wrapper below sees what is set here.
        error = sys.exc_info()[1]
        if request is not None and error is not None:
            request.META[EXCEPTION_KEY] = f"{type(error).__name__}: {error}"

    got_request_exception.connect(remember_exception, weak=False)
    from graphite.wsgi import application  # type: ignore[import-not-found]  # only in graphite's venv

    app: WsgiApp = application
    return app


def explain_server_errors(app: WsgiApp) -> WsgiApp:
    """Replace Django's bare "Server Error (500)" page with the exception's type and message."""

    def wrapped(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer["status"], answer["headers"] = status, headers

        body = b"".join(app(environ, capture))
        status: str = answer["status"]
        headers: list[tuple[str, str]] = answer["headers"]
        if status.startswith("500") and EXCEPTION_KEY in environ:
            body = str(environ[EXCEPTION_KEY]).encode()
            headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [body]

    return wrapped


class QuietHandler(WSGIRequestHandler):
    """Request handler with TCP_NODELAY (headers and body are written separately) and no access log."""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Access lines would only fill the log that error messages are read from."""


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """One thread per request, so a slow render does not block the next check."""

    daemon_threads = True


def main(argv: list[str]) -> int:
    """Seed, start, announce the port, and serve until stdin closes."""
    settings_dir, seed_file = argv
    app = load_graphite_app(settings_dir)
    from django.conf import settings  # type: ignore[import-not-found]  # only in graphite's venv

    seed_whisper(settings.WHISPER_DIR, seed_file)
    server = ThreadingWSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(explain_server_errors(app))
    thread = threading.Thread(target=server.serve_forever, name="graphite-web", daemon=True)
    thread.start()
    print(f"READY {server.server_address[1]}", flush=True)
    sys.stdin.read()  # returns at EOF: the parent closed the pipe or died
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
