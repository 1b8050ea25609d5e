"""The throwaway Prometheus: seeded data, cache, start failures, and stopping."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest
import requests
from bundled_sources import prometheus_series_text

from pydis_dash.errors import EnvironmentProblem, ExitCode
from pydis_dash.sample import SampleContext
from pydis_dash.sample.series import SeriesSample
from pydis_dash.validate.engines import prometheus_server
from pydis_dash.validate.engines.prometheus_seed import parse_series
from pydis_dash.validate.engines.prometheus_server import PrometheusServer, cached_blocks, series_key

TINY_SERIES = 'gauge tiny_gauge{job="test"} value=1\n'


def instant(server: PrometheusServer, expression: str) -> list[dict[str, Any]]:
    response = requests.post(
        f"{server.url}/api/v1/query", data={"query": expression, "time": str(server.evaluation_time)}, timeout=5
    )
    body = response.json()
    assert body["status"] == "success", body
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


def test_every_listed_metric_and_nothing_else_is_served(prometheus_server: PrometheusServer) -> None:
    expected = {name for family in parse_series(prometheus_series_text()) for name in family.sample_names()}
    response = requests.get(f"{prometheus_server.url}/api/v1/label/__name__/values", timeout=5)
    assert set(response.json()["data"]) == expected


def test_series_carry_the_community_labels(prometheus_server: PrometheusServer) -> None:
    [ban] = instant(prometheus_server, 'bot_command_calls{command="ban"}')
    assert ban["metric"] == {
        "__name__": "bot_command_calls",
        "command": "ban",
        "instance": "10.2.0.57:9102",
        "job": "statsd-exporter",
        "kubernetes_namespace": "monitoring",
    }
    aliases = instant(prometheus_server, "sum by (alias) (django_db_execute_total)")
    assert sorted(series["metric"]["alias"] for series in aliases) == ["default", "metricity"]


def test_counters_never_reset_within_the_window(prometheus_server: PrometheusServer) -> None:
    counters = [family.name for family in parse_series(prometheus_series_text()) if family.kind == "counter"]
    assert len(counters) > 50
    for name in counters:
        [resets] = instant(prometheus_server, f"max(resets({name}[2h]))")
        assert resets["value"][1] == "0", name
    [growth] = instant(prometheus_server, "min(increase(django_http_responses_total_by_status_total[1h]))")
    assert float(growth["value"][1]) > 0


def test_histograms_are_consistent(prometheus_server: PrometheusServer) -> None:
    differences = instant(
        prometheus_server,
        'django_db_query_duration_seconds_count - ignoring(le) django_db_query_duration_seconds_bucket{le="+Inf"}',
    )
    assert len(differences) == 4  # 2 instances x 2 database aliases
    assert {series["value"][1] for series in differences} == {"0"}
    [quantile] = instant(
        prometheus_server, "histogram_quantile(0.5, sum by (le) (rate(django_db_query_duration_seconds_bucket[5m])))"
    )
    assert 0 < float(quantile["value"][1]) < 75


def test_rate_over_the_rate_interval_has_data(prometheus_server: PrometheusServer) -> None:
    # The seeded scrape interval is 30 s, so $__rate_interval (2m) holds enough samples for rate().
    assert len(instant(prometheus_server, "rate(bot_messages[2m])")) == 1


def test_missing_binary_is_an_environment_problem(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with (
        pytest.raises(EnvironmentProblem) as caught,
        PrometheusServer(series_text=TINY_SERIES, cache=tmp_path / "cache"),
    ):
        pass
    assert str(caught.value) == "prometheus not found: run ci/setup (it installs Prometheus)"
    assert caught.value.exit_code is ExitCode.ENVIRONMENT


def test_port_in_use_is_an_environment_problem_with_the_log(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with (
            pytest.raises(EnvironmentProblem) as caught,
            PrometheusServer(port=port, series_text=TINY_SERIES, cache=tmp_path),
        ):
            pass
    message = str(caught.value)
    assert message.startswith(f"prometheus failed to start on 127.0.0.1:{port} (exit code 1): ")
    assert f'err="listen tcp 127.0.0.1:{port}: bind: address already in use"' in message


def test_stops_and_cleans_up_on_ctrl_c(tmp_path: Path) -> None:
    server = PrometheusServer(series_text=TINY_SERIES, cache=tmp_path)
    with pytest.raises(KeyboardInterrupt), server:
        pid = server.pid
        names = requests.get(f"{server.url}/api/v1/label/__name__/values", timeout=5).json()["data"]
        assert names == ["tiny_gauge"]
        data_dirs = list(Path("/proc", str(pid), "cwd").resolve().iterdir())
        raise KeyboardInterrupt
    assert server.pid is None
    assert not Path("/proc", str(pid)).exists() or _is_not_prometheus(pid)
    assert not any(path.exists() for path in data_dirs)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/-/ready", timeout=1)


SIGTERM_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pydis_dash.validate.engines.prometheus_server import PrometheusServer
    with PrometheusServer(series_text=sys.argv[1], cache=Path(sys.argv[2])) as server:
        print(server.pid, Path("/proc", str(server.pid), "cwd").resolve(), flush=True)
        time.sleep(120)
    """
)


def test_sigterm_still_stops_the_server_and_removes_its_data(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", SIGTERM_CHILD, TINY_SERIES, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().split()
        assert len(line) == 2, child.stderr.read() if child.stderr else ""
        pid, workdir = int(line[0]), Path(line[1])
        assert workdir.is_dir()
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert not Path("/proc", str(pid)).exists() or _is_not_prometheus(pid)
    assert not workdir.exists()


def _is_not_prometheus(pid: int | None) -> bool:
    # The pid may already belong to another process; it must not be our Prometheus any more.
    try:
        return "prometheus" not in Path("/proc", str(pid), "cmdline").read_text()
    except OSError:
        return True


def test_built_blocks_are_cached_by_series_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    promtool = shutil.which("promtool")
    assert promtool is not None
    first = cached_blocks(TINY_SERIES, promtool, tmp_path)
    assert first == tmp_path / series_key(TINY_SERIES)
    assert [p.name for p in first.glob("*/meta.json")] == ["meta.json"]

    def no_rebuild(*args: object) -> None:
        raise AssertionError("cached blocks were rebuilt")

    monkeypatch.setattr(prometheus_server, "build_blocks", no_rebuild)
    assert cached_blocks(TINY_SERIES, promtool, tmp_path) == first
    with pytest.raises(AssertionError, match="rebuilt"):
        cached_blocks(TINY_SERIES + "gauge other{} value=2\n", promtool, tmp_path)
    with pytest.raises(AssertionError, match="rebuilt"):  # other sample values: another seed
        cached_blocks(TINY_SERIES, promtool, tmp_path, SeriesSample(context=SampleContext(seed=2)))


def test_unwritable_cache_falls_back_to_a_temporary_directory(tmp_path: Path) -> None:
    promtool = shutil.which("promtool")
    assert promtool is not None
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    blocks = cached_blocks(TINY_SERIES, promtool, not_a_directory / "cache")
    try:
        assert not blocks.is_relative_to(tmp_path)
        assert [p.name for p in blocks.glob("*/meta.json")] == ["meta.json"]
    finally:
        shutil.rmtree(blocks)


def test_server_removes_the_fallback_blocks_it_was_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    with PrometheusServer(series_text=TINY_SERIES, cache=not_a_directory / "cache") as server:
        assert [series["metric"]["__name__"] for series in instant(server, "tiny_gauge")] == ["tiny_gauge"]
        assert [p.name for p in scratch.glob("pydis-dash-tsdb-*")] == []
    assert list(scratch.iterdir()) == []


def test_promtool_failure_is_an_environment_problem(tmp_path: Path) -> None:
    fake = tmp_path / "promtool"
    fake.write_text("#!/bin/sh\necho 'level=error msg=\"no space left on device\"' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(EnvironmentProblem) as caught:
        cached_blocks(TINY_SERIES, str(fake), tmp_path / "cache")
    assert str(caught.value) == 'promtool could not build the seed TSDB: level=error msg="no space left on device"'
    assert [p.name for p in (tmp_path / "cache").iterdir()] == []
