"""The lifecycle the three throwaway engine servers share: start, fail cleanly, stop once, log tail."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from pydis_dash.errors import EnvironmentProblem
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
        assert signal.getsignal(signal.SIGTERM) is not handler  # SIGTERM would unwind the block
    assert server.calls == ["launch", "halt"] and not server.running
    assert signal.getsignal(signal.SIGTERM) is handler


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
