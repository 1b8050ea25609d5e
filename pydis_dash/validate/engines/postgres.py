"""A throwaway PostgreSQL cluster for ``validate``: initdb in a temp dir, start, load schemas, stop.

``validate`` checks every SQL query against the real schema of the database it will run on, so it
needs a PostgreSQL server with that schema. :class:`PostgresCluster` makes one in about a second:
``initdb`` without fsync (on ``/dev/shm`` when possible), ``postgres`` on a free loopback port and a
unix socket inside the private temp dir (trusted there; over TCP only a random, unpublished superuser
password gets in), one database per schema file, and a login role that can only read. On exit (also on Ctrl-C, SIGTERM
or interpreter exit) the server is stopped and the directory removed.

PostgreSQL refuses to run as root; when we are root, the data directory is handed to the ``postgres``
system user and every server binary runs through ``runuser -u postgres --``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import psycopg

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.sample import SampleContext
from pydis_dash.validate.engines.lifecycle import EngineServer
from pydis_dash.validate.engines.net import free_port
from pydis_dash.validate.engines.postgres_template import (
    cached_template,
    copy_data_directory,
    keep_template,
    template_key,
)

READER_ROLE = "pydis_dash_reader"
"""The login role queries are checked as: SELECT on the loaded tables and nothing else."""

SERVER_USER = "postgres"
SHM_DIR = "/dev/shm"
_SHM_MIN_FREE = 512 * 1024 * 1024
_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 10.0
_LOG_TAIL_LINES = 15
# initdb's options besides the data directory and the password file (part of the template key).
# 1 MB WAL segments instead of 16: a fresh cluster's WAL is then 1 MB, not 16 MB of a preallocated
# segment that every template copy would carry.
INITDB_OPTIONS = (
    "--wal-segsize=1",
    "--auth-local=trust",
    "--auth-host=scram-sha-256",
    "-N",
    "-U",
    SERVER_USER,
    "-E",
    "UTF8",
    "--locale=C",
    "--no-instructions",
)
_INSTALL_HINT = (
    "install the PostgreSQL 15 server (Debian: `apt-get install postgresql-15`, or run ci/setup-postgres), "
    "or point validate at a live database (the data source's check live_url_env, or --engine-url UID=DSN)"
)


def find_postgres_bindir() -> Path:
    """Locate the directory holding ``initdb`` and ``postgres``.

    Tries ``pg_config --bindir``, then ``PATH``, then ``/usr/lib/postgresql/*/bin`` (newest first).
    Raises :class:`EnvironmentProblem` (exit 3) when none has both binaries.
    """
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True)
            candidates.append(Path(out.stdout.strip()))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)

    def version_key(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True)]
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    raise EnvironmentProblem(f"PostgreSQL server binaries (initdb, postgres) not found; {_INSTALL_HINT}")


def scratch_parent() -> Path | None:
    """Where to put the throwaway cluster: ``/dev/shm`` when it is a tmpfs with room, else the temp dir.

    initdb and the schema load are dominated by file-system work; on a memory file system they take a
    fraction of the time (0.35 s instead of 1.3 s for initdb on a loaded CI runner). Nothing in the
    cluster needs to survive the run, so memory is the right place.
    """
    shm = Path(SHM_DIR)
    try:
        stats = os.statvfs(shm)
    except OSError:
        return None
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK) and stats.f_bavail * stats.f_frsize >= _SHM_MIN_FREE:
        return shm
    return None


class PostgresCluster(EngineServer):
    """A private PostgreSQL server with the project's schemas loaded, alive inside a ``with`` block.

    ``schemas`` maps database names (``validate`` uses data source uids) to schema files; ``samples``
    maps some of them to sample-data generators (:mod:`pydis_dash.sample`) run with ``sample_context``
    after the schema is loaded. ``port`` is the
    TCP port on 127.0.0.1 (default: a free one). After ``__enter__``, :meth:`dsn` gives connection
    strings (unix socket) for the read-only role or the superuser, and ``startup_seconds`` how long
    starting took.

    Without samples the data directory comes from a template (:mod:`.postgres_template`) kept in
    ``template_cache`` (default: the user's cache; ``None`` there and ``use_template=False`` to run
    initdb every time): ``from_template`` says whether this start copied one.
    """

    def __init__(
        self,
        schemas: Mapping[str, Path],
        *,
        port: int | None = None,
        bindir: Path | None = None,
        samples: Mapping[str, Path] | None = None,
        sample_context: SampleContext | None = None,
        use_template: bool = True,
        template_cache: Path | None = None,
    ) -> None:
        super().__init__()
        self.use_template = use_template
        self.template_cache = template_cache
        self.from_template = False
        self.schemas: dict[str, Path] = dict(schemas)
        self.samples: dict[str, Path] = {name: path for name, path in (samples or {}).items() if name in self.schemas}
        self.sample_context = sample_context or SampleContext()
        self.sample_rows: dict[str, dict[str, int]] = {}
        self.requested_port = port
        self.port = 0
        self.bindir = bindir
        self.base_dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: Path | None = None
        self._lock = threading.Lock()
        self._bindir: Path | None = None

    # -- public API -----------------------------------------------------------------------------------

    @property
    def socket_dir(self) -> Path:
        """The directory holding the server's unix socket (the temp dir)."""
        if self.base_dir is None:
            raise RuntimeError("the cluster is not running")
        return self.base_dir

    @property
    def server_pid(self) -> int | None:
        """The postmaster's process id while the server runs."""
        return _postmaster_pid(self.base_dir) if self._process is not None else None

    def dsn(self, database: str, *, admin: bool = False) -> str:
        """A libpq connection string for ``database`` over the unix socket.

        The read-only role by default; ``admin=True`` gives the superuser (tests and setup only).
        """
        user = SERVER_USER if admin else READER_ROLE
        return psycopg.conninfo.make_conninfo(
            host=str(self.socket_dir), port=str(self.port), dbname=database, user=user
        )

    def reader_dsns(self) -> dict[str, str]:
        """``{database: dsn}`` for the read-only role, one entry per loaded database."""
        return {name: self.dsn(name) for name in self.schemas}

    @property
    def log_path(self) -> Path | None:
        """The server's log while its directory exists."""
        return self._log

    def start(self) -> None:
        """initdb, start the server, load the schemas and create the read-only role.

        Raises :class:`EnvironmentProblem` when a binary is missing, the port is taken or the server
        does not come up (with the last lines of its log).
        """
        for path in self.schemas.values():
            if not path.is_file():
                raise EnvironmentProblem(f"schema file {path} is missing")
        self._bindir = self.bindir or find_postgres_bindir()
        super().start()

    def _launch(self) -> None:
        bindir = self._bindir or find_postgres_bindir()
        self._make_dir()
        assert self.base_dir is not None
        # Sample data is seeded per run (its rows depend on the run's time): only schema-only clusters
        # come from a template.
        key = self._template_key(bindir) if self.use_template and not self.samples else None
        template = cached_template(key, self.template_cache) if key else None
        if template is not None:
            try:
                copy_data_directory(template, self.base_dir / "data")
            except OSError:
                shutil.rmtree(self.base_dir / "data", ignore_errors=True)
                template = None  # a cache we cannot read: make the cluster afresh
        self.from_template = template is not None
        if template is None:
            self._initdb(bindir)
        self._start_on_a_free_port(bindir)
        if template is not None:
            return
        self._load_schemas()
        if key is not None:
            # Stopped cleanly (a checkpoint: the copy needs no recovery) and copied for later runs.
            self._stop_server(signal.SIGINT)
            keep_template(key, self.base_dir / "data", self.template_cache)
            self._start_on_a_free_port(bindir)

    def _start_on_a_free_port(self, bindir: Path) -> None:
        # A port picked by free_port() can be taken by someone else before postgres binds it;
        # retry with a fresh one in that case. A port the caller asked for is not retried.
        attempts = 1 if self.requested_port else 3
        for attempt in range(attempts):
            self.port = self.requested_port or free_port()
            try:
                self._start_server(bindir)
                return
            except EnvironmentProblem:
                if attempt == attempts - 1 or not self._log_mentions_port_in_use():
                    raise

    def _template_key(self, bindir: Path) -> str:
        setup = [*_role_setup(self.schemas), *(_grants(name) for name in self.schemas)]
        return template_key(bindir / "postgres", INITDB_OPTIONS, setup, self.schemas)

    def _stop_server(self, how: signal.Signals) -> None:
        """Stop the running server and wait for it (SIGINT: a clean, checkpointed shutdown)."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            self._shutdown(process, self.base_dir, how)

    def _halt(self) -> None:
        """Stop the server (immediate shutdown: the data is thrown away) and remove the temp dir.

        Safe to call more than once and from signal/atexit handlers.
        """
        with self._lock:
            process, self._process = self._process, None
            base_dir, self.base_dir = self.base_dir, None
        if process is not None:
            self._shutdown(process, base_dir)
        if base_dir is not None:
            shutil.rmtree(base_dir, ignore_errors=True)

    # -- setup steps ----------------------------------------------------------------------------------

    @staticmethod
    def _as_root() -> bool:
        return os.geteuid() == 0

    def _server_cmd(self, *argv: str) -> list[str]:
        # initdb/postgres refuse to run as root: switch to the postgres system user.
        if self._as_root():
            return ["runuser", "-u", SERVER_USER, "--", *argv]
        return list(argv)

    def _make_dir(self) -> None:
        # Set before handing it over, so that stop() removes it whatever fails next.
        self.base_dir = Path(tempfile.mkdtemp(prefix="pydis-dash-pg-", dir=scratch_parent()))
        self._give_to_server_user(self.base_dir)
        os.chmod(self.base_dir, 0o700)

    def _initdb(self, bindir: Path) -> None:
        assert self.base_dir is not None
        # Trust only on the unix socket, whose directory only the server user (and root) can enter.
        # Over TCP, any local user could otherwise log in as superuser and run programs as the
        # server user (COPY ... TO PROGRAM); there the superuser needs a random password nobody
        # learns, and the read-only role has none, so it cannot log in over TCP at all.
        password_file = self.base_dir / "superuser-password"
        password_file.write_text(secrets.token_urlsafe(32))
        self._give_to_server_user(password_file)
        try:
            self._run_tool(
                bindir / "initdb", "-D", str(self.base_dir / "data"), f"--pwfile={password_file}", *INITDB_OPTIONS
            )
        finally:
            password_file.unlink(missing_ok=True)

    def _give_to_server_user(self, path: Path) -> None:
        if not self._as_root():
            return
        try:
            entry = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise EnvironmentProblem(
                f"running as root, but there is no '{SERVER_USER}' system user to run PostgreSQL as; {_INSTALL_HINT}"
            ) from None
        os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run_tool(self, tool: Path, *args: str) -> None:
        try:
            result = subprocess.run(self._server_cmd(str(tool), *args), capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.SubprocessError) as exc:
            raise EnvironmentProblem(f"could not run {tool.name}: {exc}") from exc
        if result.returncode != 0:
            tail = _tail(result.stderr or result.stdout)
            raise EnvironmentProblem(f"{tool.name} failed (exit {result.returncode}):\n{tail}")

    def _start_server(self, bindir: Path) -> None:
        assert self.base_dir is not None
        self._log = self.base_dir / f"server-{self.port}.log"
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(self.base_dir),
            # Throwaway data: durability costs time and buys nothing.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "autovacuum": "off",
            "max_connections": "40",
            "shared_buffers": "32MB",
            "logging_collector": "off",
        }
        argv = [str(bindir / "postgres"), "-D", str(self.base_dir / "data")]
        for key, value in settings.items():
            argv += ["-c", f"{key}={value}"]
        with open(self._log, "wb") as log:
            try:
                # Own session: a terminal's Ctrl-C reaches us, not the server; we stop it ourselves.
                self._process = subprocess.Popen(
                    self._server_cmd(*argv),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,
                )
            except OSError as exc:
                raise EnvironmentProblem(f"could not start postgres: {exc}") from exc
        self._wait_ready()

    def _wait_ready(self) -> None:
        assert self.base_dir is not None and self._process is not None
        pid_file = self.base_dir / "data" / "postmaster.pid"
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                process, self._process = self._process, None
                raise EnvironmentProblem(
                    f"PostgreSQL failed to start on 127.0.0.1:{self.port} (exit {process.returncode}); "
                    f"server log:\n{self._log_tail()}"
                )
            # Line 8 of postmaster.pid is the postmaster status; "ready" means it accepts connections.
            with contextlib.suppress(OSError):
                lines = pid_file.read_text().splitlines()
                if len(lines) >= 8 and lines[7].strip() == "ready":
                    return
            time.sleep(0.005)
        raise EnvironmentProblem(
            f"PostgreSQL did not become ready within {_START_TIMEOUT:.0f} s; server log:\n{self._log_tail()}"
        )

    def _load_schemas(self) -> None:
        try:
            with psycopg.connect(self.dsn("postgres", admin=True), autocommit=True) as admin:
                for statement in _role_setup(self.schemas):
                    _exec(admin, statement)
            for name, path in self.schemas.items():
                with psycopg.connect(self.dsn(name, admin=True), autocommit=True) as conn:
                    try:
                        _exec(conn, path.read_text(encoding="utf-8"))
                    except EnvironmentProblem as exc:
                        raise EnvironmentProblem(f"schema {path} failed to load into database {name}: {exc}") from exc
                    if name in self.samples:
                        self._seed(conn, name)
                    _exec(conn, _grants(name))
        except psycopg.Error as exc:
            raise EnvironmentProblem(f"could not set up the throwaway PostgreSQL: {exc}") from exc

    def _seed(self, conn: psycopg.Connection[Any], name: str) -> None:
        # Imported here: only runs that execute queries need the sample machinery.
        from pydis_dash.sample.postgres import seed_database

        self.sample_rows[name] = seed_database(conn, self.samples[name], self.sample_context)
        _exec(conn, "ANALYZE")  # fresh statistics: the planner otherwise guesses on empty-table defaults

    # -- teardown -------------------------------------------------------------------------------------

    def _shutdown(
        self, process: subprocess.Popen[bytes], base_dir: Path | None, how: signal.Signals = signal.SIGQUIT
    ) -> None:
        # The Popen may be runuser; signal the postmaster itself (its pid is in postmaster.pid).
        # SIGQUIT = immediate shutdown: nothing to keep, so no checkpoint.
        postmaster = _postmaster_pid(base_dir) or process.pid
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(postmaster, how)
        try:
            process.wait(timeout=_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(postmaster, signal.SIGKILL)
            process.kill()
            process.wait(timeout=_STOP_TIMEOUT)

    # -- diagnostics ----------------------------------------------------------------------------------

    def _log_tail(self) -> str:
        if self._log is None or not self._log.exists():
            return "(no log)"
        return self.log_tail(_LOG_TAIL_LINES) or "(log is empty)"

    def _log_mentions_port_in_use(self) -> bool:
        text = self._log_tail()
        return "Address already in use" in text or "could not bind" in text


#: Functions any role may run by default that a query has no business running: they wait, change
#: settings, take locks or signal other sessions (a role may signal its own). Revoked from PUBLIC so that
#: the reader cannot run them when queries execute (lint rule PD114 refuses them in definitions; file,
#: large-object and administration functions are already superuser-only, which the reader is not).
_REVOKED_FROM_PUBLIC = (
    "pg_sleep(double precision)",
    "pg_sleep_for(interval)",
    "pg_sleep_until(timestamp with time zone)",
    "set_config(text, text, boolean)",
    "pg_advisory_lock(bigint)",
    "pg_advisory_xact_lock(bigint)",
    "pg_notify(text, text)",
    "pg_cancel_backend(integer)",
    "pg_terminate_backend(integer, bigint)",
)


def _role_setup(databases: Iterable[str]) -> list[str]:
    """SQL (run as superuser in ``postgres``) creating the read-only role and one database per schema."""
    return [
        f"CREATE ROLE {READER_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
        f"ALTER ROLE {READER_ROLE} SET default_transaction_read_only = on",
        *(f'CREATE DATABASE "{name}"' for name in databases),
    ]


def _grants(database: str) -> str:
    """SQL (run as superuser inside ``database``) giving the reader SELECT on the tables, nothing more."""
    return f"""
        REVOKE ALL ON DATABASE "{database}" FROM PUBLIC;
        GRANT CONNECT ON DATABASE "{database}" TO {READER_ROLE};
        REVOKE CREATE ON SCHEMA public FROM PUBLIC;
        GRANT USAGE ON SCHEMA public TO {READER_ROLE};
        GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER_ROLE};
        REVOKE EXECUTE ON FUNCTION {", ".join(_REVOKED_FROM_PUBLIC)} FROM PUBLIC;
    """


def _exec(conn: psycopg.Connection[Any], sql: str) -> None:
    """Run one or more statements with the simple query protocol; raise EnvironmentProblem on error."""
    result = conn.pgconn.exec_(sql.encode())
    if result.status not in (
        psycopg.pq.ExecStatus.COMMAND_OK,
        psycopg.pq.ExecStatus.TUPLES_OK,
        psycopg.pq.ExecStatus.EMPTY_QUERY,
    ):
        message = (result.error_message or b"").decode(errors="replace").strip()
        raise EnvironmentProblem(message or f"statement failed with status {result.status}")


def _postmaster_pid(base_dir: Path | None) -> int | None:
    if base_dir is None:
        return None
    try:
        first = (base_dir / "data" / "postmaster.pid").read_text().splitlines()[0]
        return int(first)
    except (OSError, IndexError, ValueError):
        return None


def _tail(text: str, lines: int = _LOG_TAIL_LINES) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
