"""Network helpers the engines share: a free loopback port for a throwaway server, and URLs safe to print."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def display_url(url: str) -> str:
    """The URL without credentials, query string or fragment (either may hold a token), safe to print."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
