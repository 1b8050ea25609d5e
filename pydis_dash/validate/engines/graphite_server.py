"""A throwaway graphite-web on 127.0.0.1, with a whisper tree seeded from the bot's metric names.

graphite-web runs from its own virtualenv (made by ``ci/setup-graphite``; it pins Django 3.0, which must
never meet pydis-dash's own environment) as a child process executing ``graphite_webapp.py``. Everything
it writes lives in one temporary directory that is removed on exit, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import json
import os
import secrets
import selectors
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.sample.series import Series, SeriesSample
from pydis_dash.validate.engines.lifecycle import EngineServer

VENV_ENV = "PYDIS_DASH_GRAPHITE_VENV"
DEFAULT_VENV = Path("/opt/pydis-dash/graphite-venv")
SETUP_HINT = "graphite-web not installed: run ci/setup-graphite"
START_TIMEOUT_SECONDS = 60.0
LOG_TAIL_LINES = 15
STOP_GRACE_SECONDS = 5.0
# One point every 10 s, as graphite-statsd flushes; two hours cover every ``from`` the engine asks for.
STEP_SECONDS = 10
SEED_POINTS = 720


def graphite_venv() -> Path:
    """The virtualenv holding graphite-web: ``$PYDIS_DASH_GRAPHITE_VENV`` or the default path."""
    configured = os.environ.get(VENV_ENV)
    return Path(configured) if configured else DEFAULT_VENV


def graphite_python(venv: Path | None = None) -> Path:
    """The venv's interpreter; :class:`EnvironmentProblem` when the venv has not been set up."""
    python = (venv or graphite_venv()) / "bin" / "python"
    if not python.exists():
        raise EnvironmentProblem(f"{SETUP_HINT} (no {python})")
    return python


def read_metric_paths(metrics_file: Path) -> list[str]:
    """Metric paths, one a line; blank lines and ``#`` comments are skipped."""
    lines = (line.strip() for line in metrics_file.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def seed_times(end: float | None = None) -> list[float]:
    """The seeded points' times: :data:`SEED_POINTS` of them, :data:`STEP_SECONDS` apart, up to ``end``
    (default: now, as graphite-web answers ``from=-2h`` relative to the real clock)."""
    last = int(time.time() if end is None else end) // STEP_SECONDS * STEP_SECONDS
    return [float(last - STEP_SECONDS * (SEED_POINTS - 1 - i)) for i in range(SEED_POINTS)]


def seed_values(metric_paths: list[str], sample: SeriesSample, times: list[float]) -> dict[str, list[float]]:
    """Each path's values at ``times``, shaped by the data source's sample generator."""
    sampler = sample.sampler()
    return {
        path: [round(level, 6) for _, level in sampler.levels(Series("graphite", path), times)] for path in metric_paths
    }


def write_seed(metrics_file: Path, sample: SeriesSample, destination: Path, end: float | None = None) -> None:
    """The seed file ``graphite_webapp.py`` turns into whisper files (see its ``seed_whisper``): two
    hours of points up to ``end`` (default: now)."""
    if not metrics_file.is_file():
        raise EnvironmentProblem(f"the Graphite metric list {metrics_file} does not exist")
    times = seed_times(end)
    series = seed_values(read_metric_paths(metrics_file), sample, times)
    seed = {"start": int(times[0]), "step": STEP_SECONDS, "series": series}
    destination.write_text(json.dumps(seed), encoding="utf-8")


def _webapp_script() -> Path:
    return Path(__file__).with_name("graphite_webapp.py")


def local_settings(storage: Path) -> str:
    """graphite-web's ``local_settings.py`` for a storage dir: whisper only, no memcache, validation on."""
    return "\n".join(
        [
            "# Written by pydis-dash for a throwaway graphite-web; removed when validation ends.",
            f"STORAGE_DIR = {str(storage)!r}",
            f"WHISPER_DIR = {str(storage / 'whisper')!r}",
            f"LOG_DIR = {str(storage / 'log')!r}",
            f"INDEX_FILE = {str(storage / 'index')!r}",
            f"SECRET_KEY = {secrets.token_hex(24)!r}",
            # Reject unknown functions and bad arguments with 400 instead of only logging them.
            "ENFORCE_INPUT_VALIDATION = True",
            "STORAGE_FINDERS = ('graphite.finders.standard.StandardFinder',)",
            "MEMCACHE_HOSTS = []",
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3',"
            f" 'NAME': {str(storage / 'graphite.db')!r}}}}}",
            "",
        ]
    )


class GraphiteServer(EngineServer):
    """Context manager: start graphite-web on a free loopback port, stop it (and clean up) on exit.

    ``url`` is set once started; ``startup_seconds`` says how long seeding and start-up took.
    """

    def __init__(
        self,
        metrics_file: Path,
        *,
        venv: Path | None = None,
        start_timeout: float = START_TIMEOUT_SECONDS,
        sample: SeriesSample | None = None,
        end: float | None = None,
    ) -> None:
        super().__init__()
        self.metrics_file = metrics_file
        self.sample = sample or SeriesSample()
        self.end = end  # the last seeded point's time; None: the moment the server starts
        self.venv = venv
        self.start_timeout = start_timeout
        self.url = ""
        self._workdir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._grace = STOP_GRACE_SECONDS

    @property
    def log_path(self) -> Path | None:
        """graphite-web's stderr (Django and Python errors), while the server's directory exists."""
        return self._workdir / "graphite-web.log" if self._workdir else None

    def _launch(self) -> None:
        """Write the settings, start the child and wait for its ``READY <port>`` line."""
        python = graphite_python(self.venv)
        self._workdir = Path(tempfile.mkdtemp(prefix="pydis-dash-graphite-"))
        self._spawn(python)
        self.url = f"http://127.0.0.1:{self._wait_ready()}"

    def _abort(self) -> None:
        self.stop(grace=0)  # a child that failed to start has nothing to finish

    def _spawn(self, python: Path) -> None:
        assert self._workdir is not None and self.log_path is not None
        storage = self._workdir / "storage"
        settings_dir = self._workdir / "settings"
        for folder in (storage / "whisper", storage / "log", settings_dir):
            # graphite-web only adds WHISPER_DIR to its search path when it exists at start-up.
            folder.mkdir(parents=True)
        (settings_dir / "local_settings.py").write_text(local_settings(storage), encoding="utf-8")
        seed_file = self._workdir / "seed.json"
        write_seed(self.metrics_file, self.sample, seed_file, self.end)
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                [str(python), "-I", str(_webapp_script()), str(settings_dir), str(seed_file)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=self._workdir,
                start_new_session=True,  # Ctrl-C reaches us, and we stop the child in order
            )

    def _wait_ready(self) -> int:
        process = self._process
        assert process is not None and process.stdout is not None
        deadline = time.monotonic() + self.start_timeout
        line = b""
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while not line.endswith(b"\n"):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._fail(f"graphite-web did not start within {self.start_timeout:g} s")
                if not selector.select(remaining):
                    continue
                chunk = os.read(process.stdout.fileno(), 256)
                if not chunk:
                    try:
                        reason = f"exited with status {process.wait(timeout=STOP_GRACE_SECONDS)}"
                    except subprocess.TimeoutExpired:
                        reason = "closed its output"
                    self._fail(f"graphite-web {reason} while starting")
                line += chunk
        word, _, port = line.decode(errors="replace").strip().partition(" ")
        if word != "READY" or not port.isdigit():
            self._fail(f"graphite-web announced {line!r} instead of its port")
        return int(port)

    def _fail(self, reason: str) -> None:
        raise EnvironmentProblem(f"{reason}; last lines of its log:\n{self.log_tail()}")

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last lines graphite-web wrote to stderr (empty when nothing was written)."""
        return super().log_tail(lines)

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop the child and remove its files.

        Closing its stdin asks it to shut down; it gets ``grace`` seconds for that (none after a
        failed start), then SIGTERM, then SIGKILL.
        """
        self._grace = grace
        super().stop()

    def _halt(self) -> None:
        grace, self._grace = self._grace, STOP_GRACE_SECONDS
        process, self._process = self._process, None
        if process is not None:
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    stream.close()
            for signal_child in (None, process.terminate, process.kill):
                if signal_child is not None:
                    signal_child()
                try:
                    process.wait(timeout=grace if signal_child is None else STOP_GRACE_SECONDS)
                    break
                except subprocess.TimeoutExpired:
                    continue
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
        self.url = ""
