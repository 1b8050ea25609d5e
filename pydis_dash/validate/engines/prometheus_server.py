"""A throwaway Prometheus on a free loopback port, holding the seeded series.

The TSDB blocks are built once with ``promtool tsdb create-blocks-from openmetrics`` and cached
under ``$XDG_CACHE_HOME/pydis-dash/prometheus-tsdb/<hash of the series list>``; each run copies them
into a temporary data directory, because Prometheus locks and writes its data directory (WAL, head
chunks) and the cache may be shared by concurrent runs.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.sample.series import SeriesSample
from pydis_dash.validate.engines.keepalive import KeepAliveClient
from pydis_dash.validate.engines.lifecycle import EngineServer
from pydis_dash.validate.engines.net import free_port
from pydis_dash.validate.engines.prometheus_seed import parse_series, window, write_openmetrics

# Bump when the sample generator changes, so cached TSDBs built by an older one are not reused.
GENERATOR_VERSION = "3"
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
# Far above the seeded window's age: time retention must never drop the seeded block.
RETENTION = "36500d"


def find_binary(name: str) -> str:
    """The path of ``prometheus`` or ``promtool``; a missing one is an environment problem."""
    path = shutil.which(name)
    if path is None:
        raise EnvironmentProblem(f"{name} not found: run ci/setup (it installs Prometheus)")
    return path


def cache_root() -> Path:
    """Where built TSDBs are kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pydis-dash" / "prometheus-tsdb"


def series_key(series_text: str, sample: SeriesSample | None = None) -> str:
    """The cache key of a series list: its hash with the generator version and what the sample values
    depend on (the sample generator's source, seed and ``now``)."""
    sample_key = (sample or SeriesSample()).cache_key()
    return hashlib.sha256(f"{GENERATOR_VERSION}\n{sample_key}\n{series_text}".encode()).hexdigest()[:20]


def build_blocks(series_text: str, destination: Path, promtool: str, sample: SeriesSample | None = None) -> None:
    """Write the series as OpenMetrics (values shaped by ``sample``) and let promtool turn them into TSDB
    blocks in ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pydis-dash-openmetrics-") as scratch:
        openmetrics = Path(scratch) / "series.om"
        with openmetrics.open("w", encoding="utf-8") as out:
            write_openmetrics(parse_series(series_text), out, sample)
        try:
            result = subprocess.run(
                [promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet", str(openmetrics), str(destination)],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as exc:
            raise EnvironmentProblem(f"could not run promtool: {exc}") from None
    if result.returncode != 0:
        raise EnvironmentProblem(f"promtool could not build the seed TSDB: {_tail(result.stderr)}")


def cached_blocks(
    series_text: str, promtool: str, root: Path | None = None, sample: SeriesSample | None = None
) -> Path:
    """A directory of TSDB blocks for ``series_text``, built now or reused from the cache.

    Builds into a private directory and renames it into place, so concurrent runs never see a
    half-built cache entry; when the cache is not writable the blocks go to a temporary directory.
    """
    root = root or cache_root()
    final = root / series_key(series_text, sample)
    if (final / ".complete").exists():
        return final
    try:
        root.mkdir(parents=True, exist_ok=True)
        if final.exists():  # left over by a run that died mid-build
            shutil.rmtree(final)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
    except OSError:
        # Not in the cache: the caller owns this directory and removes it once it has copied the blocks.
        building = Path(tempfile.mkdtemp(prefix="pydis-dash-tsdb-"))
        try:
            build_blocks(series_text, building, promtool, sample)
            (building / ".complete").touch()
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        return building
    try:
        build_blocks(series_text, building, promtool, sample)
        (building / ".complete").touch()
        building.rename(final)
    except OSError:
        if not (final / ".complete").exists():  # not a concurrent run winning the race
            raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return final


class PrometheusServer(EngineServer):
    """Context manager running Prometheus with the seeded TSDB; stopped on exit (also on Ctrl-C or SIGTERM).

    ``url`` is the base URL, ``evaluation_time`` a Unix time inside the seeded data (queries are
    evaluated there), ``startup_seconds`` how long building/copying the TSDB and starting took.
    """

    def __init__(
        self,
        *,
        series_text: str,
        port: int | None = None,
        cache: Path | None = None,
        sample: SeriesSample | None = None,
    ):
        super().__init__()
        self._sample = sample or SeriesSample()
        self._requested_port = port
        self._series_text = series_text
        self._cache = cache
        self._process: subprocess.Popen[bytes] | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self.port = 0
        self.evaluation_time = window(self._sample.context)[-1]

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The Prometheus process id while running."""
        return self._process.pid if self._process else None

    @property
    def log_path(self) -> Path | None:
        """Prometheus' log while its directory exists."""
        return Path(self._workdir.name) / "prometheus.log" if self._workdir else None

    def _launch(self) -> None:
        prometheus = find_binary("prometheus")
        promtool = find_binary("promtool")
        cache = self._cache or cache_root()
        blocks = cached_blocks(self._series_text, promtool, cache, self._sample)
        try:
            self._workdir = tempfile.TemporaryDirectory(prefix="pydis-dash-prometheus-")
            self._start(prometheus, blocks, Path(self._workdir.name))
        finally:
            if blocks.parent != cache:  # the unwritable-cache fallback: a temporary copy, used up now
                shutil.rmtree(blocks, ignore_errors=True)

    def _start(self, prometheus: str, blocks: Path, workdir: Path) -> None:
        data = workdir / "data"
        shutil.copytree(blocks, data, ignore=shutil.ignore_patterns(".complete"))
        config = workdir / "prometheus.yml"
        config.write_text("# no scrape jobs: validation only queries the seeded TSDB\n", encoding="utf-8")
        self.port = self._requested_port or free_port()
        log_path = workdir / "prometheus.log"
        with log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    prometheus,
                    f"--config.file={config}",
                    f"--storage.tsdb.path={data}",
                    f"--storage.tsdb.retention.time={RETENTION}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=workdir,
                start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
            )
        self._wait_ready(log_path)

    def _wait_ready(self, log_path: Path) -> None:
        assert self._process is not None
        deadline = time.monotonic() + READY_TIMEOUT_S
        client = KeepAliveClient(self.url, timeout_s=0.25)  # our own loopback server: no proxy applies
        try:
            while time.monotonic() < deadline:
                if self._process.poll() is not None:
                    raise EnvironmentProblem(
                        f"prometheus failed to start on 127.0.0.1:{self.port} "
                        f"(exit code {self._process.returncode}): {_tail(_read(log_path))}"
                    )
                with contextlib.suppress(OSError, http.client.HTTPException):
                    if client.get("/-/ready").status == 200:
                        return
                time.sleep(0.02)
        finally:
            client.close()
        raise EnvironmentProblem(
            f"prometheus did not become ready on 127.0.0.1:{self.port} within {READY_TIMEOUT_S:.0f} s: "
            f"{_tail(_read(log_path))}"
        )

    def _halt(self) -> None:
        """Stop Prometheus (SIGTERM, then SIGKILL) and remove its data directory. Idempotent."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _tail(text: str, lines: int = 5) -> str:
    """The log's error lines (else its last lines), joined on one line for an error message."""
    all_lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    errors = [line for line in all_lines if "level=error" in line]
    kept = (errors or all_lines)[-lines:]
    return " | ".join(kept) if kept else "(no output)"
