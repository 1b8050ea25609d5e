"""The output boundary: every secret value the run has read is masked in everything that leaves the process.

Secrets are registered where they are read (:func:`remember_secret`: the token, API key, username and
password from the configuration's variables, a Metabase session id, data source passwords and webhook
URLs read at apply time). :func:`masked_output` then filters the process's stdout and stderr (click's
``echo``, progress bars, warnings, tracebacks all write there) and every log record, so that a server
echoing a request header or a submitted body cannot put a secret in CI logs. Front ends that send output
elsewhere (the preview's HTTP answers, an exported file) pass it through :func:`mask`.

One filter rather than careful messages: messages quote what servers say, and servers quote what they
were sent.
"""

from __future__ import annotations

import io
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any, TextIO
from urllib.parse import quote, quote_plus, urlsplit

#: What a secret is replaced with.
MASK = "***"
#: Shorter values are not masked: replacing every "ab" in the output would garble it beyond use, and a
#: secret that short protects nothing anyway.
MIN_SECRET_LENGTH = 4

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def remember_secret(value: str | None) -> None:
    """Mask ``value`` (and its JSON- and URL-encoded forms, as a server may echo them) from now on."""
    global _pattern
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    forms = {value, json.dumps(value)[1:-1], quote(value, safe=""), quote_plus(value), quote(value)}
    with _lock:
        if forms <= _secrets:
            return
        _secrets.update(forms)
        # Longest first: a secret containing another is masked whole, not around the shorter one.
        alternatives = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(form) for form in alternatives))


def remember_named_secrets(variables: Iterable[str], environ: Mapping[str, str]) -> None:
    """Mask the values of the environment variables ``variables`` (the secrets definitions name) before
    anything is sent: a server may echo one that this run has not read itself, such as a password
    stored earlier."""
    for variable in variables:
        remember_secret(environ.get(variable))


def remember_connection_secrets(target: str | None) -> None:
    """Mask the credentials in a connection string: a URL's ``user:password@`` part or a libpq
    ``password=...`` keyword (a live engine named on the command line or in an environment variable)."""
    if not target:
        return
    with suppress(ValueError):  # not a URL: maybe libpq keywords
        remember_secret(urlsplit(target).password)
    for match in _LIBPQ_PASSWORD.finditer(target):
        remember_secret(match.group("quoted") or match.group("bare"))


_LIBPQ_PASSWORD = re.compile(r"\bpassword\s*=\s*(?:'(?P<quoted>(?:[^'\\]|\\.)*)'|(?P<bare>\S+))")


def forget_secrets() -> None:
    """Forget every remembered secret (between runs in one process, e.g. tests)."""
    global _pattern
    with _lock:
        _secrets.clear()
        _pattern = None


def mask(text: str) -> str:
    """``text`` with every remembered secret replaced by :data:`MASK`."""
    pattern = _pattern
    return text if pattern is None or not text else pattern.sub(MASK, text)


def clip(text: str, limit: int) -> str:
    """``text`` masked, then cut to ``limit`` characters: cutting first could leave the start of a secret,
    which no filter downstream can recognise any more."""
    return mask(text)[:limit]


class MaskedStream(io.TextIOBase):
    """A text stream writing through :func:`mask` to ``inner``; anything else is the inner stream's."""

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self.inner = inner

    def write(self, text: str) -> int:
        """Write ``text`` masked; refuses bytes (as a text stream does, which click relies on)."""
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.inner.write(mask(text))
        return len(text)

    def flush(self) -> None:
        """Flush the inner stream."""
        self.inner.flush()

    def isatty(self) -> bool:
        """Whether the inner stream is a terminal (progress bars draw only there)."""
        return self.inner.isatty()

    def fileno(self) -> int:
        """The inner stream's descriptor (subprocesses inherit it; they never see a secret)."""
        return self.inner.fileno()

    def writable(self) -> bool:
        """Always: this is an output stream."""
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The inner stream's encoding (click checks it before writing)."""
        return str(getattr(self.inner, "encoding", None) or "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        """The inner stream's error handler."""
        return getattr(self.inner, "errors", None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextmanager
def masked_output() -> Iterator[None]:
    """Within this block, stdout, stderr and every log record pass through :func:`mask`."""
    previous_factory = logging.getLogRecordFactory()
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = MaskedStream(stdout), MaskedStream(stderr)  # type: ignore[assignment]
    logging.setLogRecordFactory(_masking_factory(previous_factory))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = stdout, stderr
        logging.setLogRecordFactory(previous_factory)


def _masking_factory(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """A log record factory that formats the message at once and masks it (handlers may write to files,
    which the stream filter does not see)."""

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        record.msg, record.args = mask(record.getMessage()), None
        return record

    return factory
