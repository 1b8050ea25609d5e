"""The lifecycle the three throwaway engine servers share: start, fail cleanly, stop once, log tail.

The exit guard's tests each use their own :class:`SignalHold` over a known previous handler, so a server
another test keeps running (the session's PostgreSQL cluster) cannot hide a handler left behind.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.validate.engines.exit_guard import ExitGuard, SignalHold
from pydis_dash.validate.engines.graphite_server import GraphiteServer
from pydis_dash.validate.engines.lifecycle import EngineServer
from pydis_dash.validate.engines.postgres import PostgresCluster
from pydis_dash.validate.engines.prometheus_server import PrometheusServer


class Recording(EngineServer):
    """A server that records what the lifecycle asks of it; ``fail`` makes its launch raise."""

    def __init__(self, log: Path, fail: bool = False) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.log = log
        self.fail = fail
        self.running = False

    @property
    def log_path(self) -> Path | None:
        return self.log

    def _launch(self) -> None:
        self.calls.append("launch")
        self.running = True
        self.log.write_text("starting\n\nlistening\nready\n")
        if self.fail:
            raise EnvironmentProblem(f"did not come up: {self.log_tail(2)}")

    def _halt(self) -> None:
        self.calls.append("halt")
        self.running = False


def test_a_block_starts_then_stops_and_the_guard_lives_only_in_between(tmp_path: Path) -> None:
    server = Recording(tmp_path / "log")
    handler = signal.getsignal(signal.SIGTERM)
    with server as running:
        assert running is server and server.running
        assert unwinds(signal.SIGTERM)  # SIGTERM would unwind the block
    assert server.calls == ["launch", "halt"] and not server.running
    assert signal.getsignal(signal.SIGTERM) is handler


def test_servers_stopped_in_the_order_they_started_leave_sigterm_as_it_was(tmp_path: Path) -> None:
    # Another test's server (the session's PostgreSQL cluster) may be running: then "as it was" is its guard.
    handler = signal.getsignal(signal.SIGTERM)
    first, second = Recording(tmp_path / "first"), Recording(tmp_path / "second")
    first.start()
    second.start()
    first.stop()
    assert unwinds(signal.SIGTERM)  # the second server still runs, still guarded
    second.stop()
    assert signal.getsignal(signal.SIGTERM) is handler


def unwinds(signum: int) -> bool:
    """Whether ``signum`` arriving now would raise KeyboardInterrupt (and so unwind the ``with`` blocks)."""
    handler = signal.getsignal(signum)
    if not callable(handler):
        return False
    try:
        handler(signum, None)
    except KeyboardInterrupt:
        return True
    return False


def test_a_failed_start_stops_the_server_before_the_error_goes_on(tmp_path: Path) -> None:
    server = Recording(tmp_path / "log", fail=True)
    with pytest.raises(EnvironmentProblem, match="did not come up: listening\nready"):
        server.start()
    assert server.calls == ["launch", "halt"] and not server.running
    server.stop()  # idempotent: stopping again only halts again, harmlessly
    assert server.calls == ["launch", "halt", "halt"]


def test_log_tail_without_a_log_is_empty(tmp_path: Path) -> None:
    assert Recording(tmp_path / "missing").log_tail() == ""


@pytest.mark.parametrize("server_class", [PostgresCluster, PrometheusServer, GraphiteServer])
def test_the_three_engine_servers_share_the_lifecycle(server_class: type) -> None:
    assert issubclass(server_class, EngineServer)


def previous_handler(signum: int, frame: FrameType | None) -> None:
    """The handler the process had before any server started (never called)."""


@pytest.fixture
def hold() -> Iterator[SignalHold]:
    """A fresh hold over a known previous SIGTERM/SIGHUP handler; the real ones come back afterwards."""
    saved = {signum: signal.signal(signum, previous_handler) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield SignalHold()
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def guards(hold: SignalHold, count: int) -> list[ExitGuard]:
    return [ExitGuard(lambda: None, signals=hold) for _ in range(count)]


@pytest.mark.parametrize("stop_order", [(0, 1, 2), (2, 1, 0), (1, 0, 2), (0, 2, 1)])
def test_servers_stopped_in_any_order_leave_the_previous_handlers(
    hold: SignalHold, stop_order: tuple[int, ...]
) -> None:
    started = guards(hold, 3)
    for guard in started:
        guard.install()
    for position, index in enumerate(stop_order):
        assert unwinds(signal.SIGTERM) and unwinds(signal.SIGHUP)  # every server still running is guarded
        started[index].uninstall()
        assert hold.holders == len(stop_order) - position - 1
    assert signal.getsignal(signal.SIGTERM) is previous_handler
    assert signal.getsignal(signal.SIGHUP) is previous_handler


def test_installing_twice_or_uninstalling_twice_changes_nothing(hold: SignalHold) -> None:
    (guard,) = guards(hold, 1)
    guard.install()
    guard.install()
    assert hold.holders == 1 and unwinds(signal.SIGTERM)
    guard.uninstall()
    assert signal.getsignal(signal.SIGTERM) is previous_handler
    guard.uninstall()
    assert signal.getsignal(signal.SIGTERM) is previous_handler and hold.holders == 0


def test_a_hold_keeps_the_handlers_until_its_block_ends(hold: SignalHold) -> None:
    (guard,) = guards(hold, 1)
    with hold.held():
        assert unwinds(signal.SIGTERM)
        guard.install()
        guard.uninstall()
        assert unwinds(signal.SIGTERM)  # the block still holds them
    assert signal.getsignal(signal.SIGTERM) is previous_handler
