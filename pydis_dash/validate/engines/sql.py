"""The SQL engine of ``validate``: every SQL query checked by PostgreSQL itself, never executed.

For each query: expand its template (:mod:`.sql_expand`), make sure it is one read-only statement
(:mod:`.sql_sandbox`), then ask the server to *prepare* and *describe* it. Parse analysis catches
syntax errors, unknown tables and columns and type errors; the description gives the result columns,
which must suit the panel (a ``time`` column for time series, a number for single values).

Sandbox, in layers: only single SELECT/WITH/VALUES/TABLE statements are sent; statements are only
prepared, never executed; each check runs in a read-only transaction (the session's
``default_transaction_read_only``, or ``BEGIN READ ONLY`` ... ``ROLLBACK`` for one query at a time);
the session has a ``statement_timeout``; and on the throwaway cluster the login role can only SELECT.

One server and one connection per database per run: connections are opened on first use and kept.
When a run checks many queries without executing them (:meth:`SqlEngine.check`), every distinct
query text is prepared and described ahead in libpq's pipeline mode (:mod:`.sql_pipeline`): a
round trip per batch instead of four per query; identical texts are asked once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psycopg
from psycopg import pq

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.sample import SampleContext
from pydis_dash.validate.engines.base import QueryByQuery
from pydis_dash.validate.engines.postgres import PostgresCluster
from pydis_dash.validate.engines.sql_expand import SAMPLE_TIME, ExpandProblem, SampleTime, Variant, expand
from pydis_dash.validate.engines.sql_pipeline import (
    Column,
    Description,
    ServerError,
    columns,
    describe_all,
    server_error,
)
from pydis_dash.validate.engines.sql_results import MAX_ROWS, QueryResult, cell, panel_at, row_problems
from pydis_dash.validate.engines.sql_sandbox import check_single_select
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.queries import Language, Query, ResultShape, TemplateSyntax, position_in_query

RULE = "SQL"
"""The ``rule`` of every finding this engine reports."""

DEFAULT_STATEMENT_TIMEOUT = 2.0
"""Seconds a single check may take before the server cancels it."""

_NUMERIC_OIDS = frozenset({20, 21, 23, 700, 701, 1700})
_TIME_OIDS = frozenset({1082, 1114, 1184}) | _NUMERIC_OIDS
_QUERY_CANCELED = "57014"


@dataclass(frozen=True)
class _Problem:
    """One problem with a query: what, where in the query text (when known), and a hint to end with."""

    message: str
    offset: int | None = None
    hint: str = ""


@dataclass(frozen=True)
class _Plan:
    """A query made ready for the server: its connection (None: not checkable there), the findings
    known before asking (expansion problems, or why it is not checked) and the variants to ask about."""

    query: Query
    conn: psycopg.Connection[Any] | None
    findings: list[Finding]
    variants: tuple[Variant, ...] = ()


class SqlEngine(QueryByQuery):
    """A connected SQL checker; build it with :func:`open_sql_engine`."""

    language: Language = Language.SQL

    def __init__(
        self,
        dsns: Mapping[str, str],
        *,
        datasource_databases: Mapping[str, str] | None = None,
        default_database: str | None = None,
        statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
        fallback_dsns: Callable[[], Mapping[str, str]] | None = None,
        execute: bool = False,
        time_for: Callable[[Query], SampleTime] | None = None,
    ) -> None:
        """``dsns`` maps database names to libpq connection strings; ``fallback_dsns`` is called (once)
        for a database missing from ``dsns`` and may start a throwaway cluster.

        ``datasource_databases`` maps data source uids to database names (default: each database of
        ``dsns`` is the data source with that uid); ``default_database`` serves queries without a data
        source uid (the dashboard's default data source), None leaves them unchecked.

        With ``execute``, a query that prepares cleanly is also run (read-only) and its runtime errors
        and rows are judged too. ``time_for`` gives the time range a query's macros expand to (its
        dashboard's range on the sample data); without it, a fixed sample day.
        """
        self.execute = execute
        self._time_for = time_for
        self._dsns = dict(dsns)
        self._fallback = fallback_dsns
        self.datasource_databases = dict(
            datasource_databases if datasource_databases is not None else {name: name for name in dsns}
        )
        self.default_database = default_database
        self.statement_timeout = statement_timeout
        self._connections: dict[str, psycopg.Connection[Any]] = {}
        self._column_types: dict[str, dict[str, str]] = {}
        # Answers of the pipelined describe, per connection and query text, during one check() call.
        self._described: dict[psycopg.Connection[Any], dict[str, Description]] = {}

    # -- public API -----------------------------------------------------------------------------------

    def check(self, queries: Sequence[Query]) -> list[Finding]:
        """The findings of every SQL query, in query order. Without ``execute``, the distinct texts to
        prepare are first sent to each server in one pipeline; the findings are the same as
        :meth:`check_query` gives one by one."""
        plans = [self._plan(query) for query in queries if query.language is self.language]
        if not self.execute:
            self._describe_ahead(plans)
        try:
            return [finding for plan in plans for finding in self._conclude(plan)]
        finally:
            # Answers hold for this call only: a check that timed out (a lock held elsewhere) is asked
            # afresh next time.
            self._described.clear()

    def check_query(self, query: Query) -> list[Finding]:
        """The findings for one query: one per distinct problem.

        Raises :class:`EnvironmentProblem` only when a server cannot be reached or a connection is lost.
        """
        return self._conclude(self._plan(query))

    def _plan(self, query: Query) -> _Plan:
        database = self.database_for(query.datasource_uid)
        if database is None:
            known = ", ".join(sorted(self.datasource_databases))
            what = (
                "no data source named and no default SQL data source"
                if query.datasource_uid is None
                else f"data source '{query.datasource_uid}' is not a known SQL database"
            )
            return _Plan(query, None, [_finding(query, Severity.WARNING, f"not checked: {what} (known: {known})")])
        conn = self._connection(database)
        if conn is None:
            return _Plan(
                query, None, [_finding(query, Severity.WARNING, f"not checked: no schema for database '{database}'")]
            )
        column_types = self._columns_of(database, conn) if query.syntax is TemplateSyntax.METABASE else None
        expansion = expand(query.text, query.syntax, query.variables, column_types=column_types, time=self._time(query))
        findings = [self._problem_finding(query, problem) for problem in expansion.problems]
        if not expansion.checkable:
            return _Plan(query, None, findings)
        return _Plan(query, conn, findings, tuple(expansion.variants))

    def _describe_ahead(self, plans: Sequence[_Plan]) -> None:
        """Prepare and describe, per connection, every distinct variant text the sandbox lets through."""
        pending: dict[psycopg.Connection[Any], dict[str, None]] = {}
        for plan in plans:
            if plan.conn is None:
                continue
            for variant in plan.variants:
                if _sendable(variant.text):
                    pending.setdefault(plan.conn, {})[variant.text] = None
        for conn, texts in pending.items():
            try:
                self._described[conn] = describe_all(conn.pgconn, list(texts))
            except psycopg.Error:
                self._raise_if_broken(conn)
                raise

    def _conclude(self, plan: _Plan) -> list[Finding]:
        query, conn, findings = plan.query, plan.conn, list(plan.findings)
        if conn is None:
            return findings
        seen: set[_Problem] = set()
        for variant in plan.variants:
            for problem in self._check_variant(conn, query, variant):
                # The same error in several optional-clause variants is one problem: report it once,
                # naming the first variant that shows it.
                if problem not in seen:
                    seen.add(problem)
                    prefix = f"{variant.label}: " if variant.label else ""
                    findings.append(
                        query.finding(
                            RULE, Severity.ERROR, prefix + problem.message, offset=problem.offset, detail=problem.hint
                        )
                    )
        return findings

    def run(self, query: Query) -> QueryResult | str:
        """Run ``query`` (its first variant: variables at their saved values) and return its rows, or
        why it could not run (one message). Read-only like every check; for the preview's charts."""
        database = self.database_for(query.datasource_uid)
        conn = self._connection(database) if database is not None else None
        if conn is None:
            return f"no sample database for data source '{query.datasource_uid}'"
        column_types = self._columns_of(database or "", conn) if query.syntax is TemplateSyntax.METABASE else None
        expansion = expand(query.text, query.syntax, query.variables, column_types=column_types, time=self._time(query))
        if not expansion.checkable or not expansion.variants:
            return "; ".join(p.message for p in expansion.problems) or "the query cannot be expanded"
        variant = expansion.variants[0]
        violation = check_single_select(variant.text)
        if violation is not None:
            return violation.message
        result = self._execute(conn, variant.text)
        if isinstance(result, ServerError):
            problem = self._server_error_problem(variant, result)
            where = position_in_query(query.text, problem.offset) if problem.offset is not None else ""
            return problem.message + where + problem.hint
        return result

    def _time(self, query: Query) -> SampleTime:
        return self._time_for(query) if self._time_for is not None else SAMPLE_TIME

    def database_for(self, datasource_uid: str | None) -> str | None:
        """The database a data source uid maps to (``None`` for unknown uids, or without a default)."""
        if datasource_uid is None:
            return self.default_database
        return self.datasource_databases.get(datasource_uid)

    def close(self) -> None:
        """Close every connection (the cluster, if any, is stopped by :func:`open_sql_engine`)."""
        for conn in self._connections.values():
            with contextlib.suppress(psycopg.Error):
                conn.close()
        self._connections.clear()

    # -- connections ----------------------------------------------------------------------------------

    def _dsn(self, database: str) -> str | None:
        if database not in self._dsns and self._fallback is not None:
            fallback, self._fallback = self._fallback, None
            for name, dsn in fallback().items():
                self._dsns.setdefault(name, dsn)
        return self._dsns.get(database)

    def _connection(self, database: str) -> psycopg.Connection[Any] | None:
        if database in self._connections:
            return self._connections[database]
        dsn = self._dsn(database)
        if dsn is None:
            return None
        timeout_ms = max(int(self.statement_timeout * 1000), 1)
        try:
            given = psycopg.conninfo.conninfo_to_dict(dsn)
        except psycopg.Error:
            # libpq quotes the offending part of a DSN it cannot parse, which may be the password.
            raise EnvironmentProblem(
                f"cannot connect to database '{database}': its DSN cannot be parsed (libpq key=value or URI)"
            ) from None
        # Every transaction of this session is read-only unless it says otherwise, and none does.
        # Options already in the DSN (e.g. a search_path) are kept; ours come last and win.
        options = f"{given.get('options') or ''} -c default_transaction_read_only=on"
        options += f" -c statement_timeout={timeout_ms}"
        try:
            conn = psycopg.connect(
                dsn,
                autocommit=True,
                connect_timeout=given.get("connect_timeout") or 10,
                application_name="pydis-dash validate",
                options=options.strip(),
            )
        except psycopg.Error as exc:
            raise EnvironmentProblem(
                f"cannot connect to database '{database}' ({_safe_dsn(given)}): {str(exc).strip()}"
            ) from None
        self._connections[database] = conn
        return conn

    def _columns_of(self, database: str, conn: psycopg.Connection[Any]) -> dict[str, str]:
        """``schema.table.column -> data_type`` of every column the role can read (for field filters)."""
        if database not in self._column_types:
            try:
                rows = conn.execute(
                    "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns"
                    " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
                ).fetchall()
            except psycopg.Error as exc:
                raise EnvironmentProblem(
                    f"cannot read the columns of database '{database}': {str(exc).strip()}"
                ) from None
            self._column_types[database] = {f"{s}.{t}.{c}": d for s, t, c, d in rows}
        return self._column_types[database]

    # -- checking -------------------------------------------------------------------------------------

    def _check_variant(self, conn: psycopg.Connection[Any], query: Query, variant: Variant) -> list[_Problem]:
        """Problems with one expanded variant (empty when it is fine)."""
        violation = check_single_select(variant.text)
        if violation is not None:
            return [_Problem(violation.message, variant.original_offset(violation.position))]
        if "\x00" in variant.text:
            return [_Problem("the query contains a NUL character")]
        result = self._described.get(conn, {}).get(variant.text)
        if result is None:
            result = self._describe(conn, variant.text)
        if isinstance(result, ServerError):
            return [self._server_error_problem(variant, result)]
        problems = [_Problem(message) for message in _shape_problems(query.shape, result)]
        if problems or not self.execute:
            return problems
        rows = self._execute(conn, variant.text)
        if isinstance(rows, ServerError):
            problem = self._server_error_problem(variant, rows)
            return [replace(problem, message="on the sample data: " + problem.message)]
        return [
            _Problem(message) for message in row_problems(query, rows, panel_at(query.resource.body, query.json_path))
        ]

    def _execute(self, conn: psycopg.Connection[Any], sql: str) -> QueryResult | ServerError:
        """Run ``sql`` inside a rolled-back read-only transaction; its first rows, or the server's error."""
        self._simple(conn, b"BEGIN READ ONLY")
        try:
            with conn.cursor() as cursor:
                try:
                    # No parameters: psycopg sends the text as it is (a `%` stays a `%`).
                    cursor.execute(sql.encode())
                except psycopg.Error as exc:
                    self._raise_if_broken(conn)
                    return _from_diagnostic(exc)
                description = cursor.description or []
                fetched = cursor.fetchmany(MAX_ROWS + 1)
        finally:
            self._simple(conn, b"ROLLBACK")
        return QueryResult(
            columns=tuple(column.name for column in description),
            type_oids=tuple(column.type_code for column in description),
            rows=tuple(tuple(cell(value) for value in row) for row in fetched[:MAX_ROWS]),
            truncated=len(fetched) > MAX_ROWS,
        )

    def _describe(self, conn: psycopg.Connection[Any], sql: str) -> Description:
        """Prepare (parse + analyse) and describe ``sql`` inside a rolled-back read-only transaction."""
        pgconn = conn.pgconn
        self._simple(conn, b"BEGIN READ ONLY")
        try:
            # The unnamed statement: replaced by the next prepare, nothing to deallocate.
            prepared = pgconn.prepare(b"", sql.encode())
            if prepared.status != pq.ExecStatus.COMMAND_OK:
                return self._server_error(conn, prepared)
            described = pgconn.describe_prepared(b"")
            if described.status != pq.ExecStatus.COMMAND_OK:
                return self._server_error(conn, described)
            return columns(described)
        finally:
            self._simple(conn, b"ROLLBACK")

    def _simple(self, conn: psycopg.Connection[Any], command: bytes) -> None:
        result = conn.pgconn.exec_(command)
        if result.status != pq.ExecStatus.COMMAND_OK:
            self._raise_if_broken(conn)
            message = (result.error_message or b"").decode(errors="replace").strip()
            raise EnvironmentProblem(f"PostgreSQL rejected {command.decode()}: {message}")

    def _server_error(self, conn: psycopg.Connection[Any], result: pq.abc.PGresult) -> ServerError:
        self._raise_if_broken(conn)
        return server_error(result)

    @staticmethod
    def _raise_if_broken(conn: psycopg.Connection[Any]) -> None:
        if conn.pgconn.status != pq.ConnStatus.OK:
            message = (conn.pgconn.error_message or b"").decode(errors="replace").strip()
            raise EnvironmentProblem(f"lost the connection to PostgreSQL: {message or 'connection closed'}")

    def _server_error_problem(self, variant: Variant, error: ServerError) -> _Problem:
        if error.sqlstate == _QUERY_CANCELED:
            return _Problem(
                f"not checked: PostgreSQL did not finish checking the query within "
                f"{self.statement_timeout:g} s (statement_timeout)"
            )
        offset = variant.original_offset(error.position) if error.position is not None else None
        return _Problem(error.message, offset, f"; hint: {error.hint}" if error.hint else "")

    @staticmethod
    def _problem_finding(query: Query, problem: ExpandProblem) -> Finding:
        return query.finding(RULE, problem.severity, problem.message, offset=problem.position)


def _from_diagnostic(exc: psycopg.Error) -> ServerError:
    """A server error raised while executing, in the shape prepare errors have."""
    diag = exc.diag
    position = diag.statement_position
    return ServerError(
        message=diag.message_primary or str(exc).strip(),
        hint=diag.message_hint,
        position=int(position) - 1 if position and position.isdigit() else None,
        sqlstate=diag.sqlstate,
    )


def _shape_problems(shape: ResultShape, columns: list[Column]) -> list[str]:
    """Whether the result columns suit the panel: a ``time`` column, or a numeric column."""
    listing = ", ".join(f"{c.name} ({c.type_name})" for c in columns) or "no columns"
    if shape is ResultShape.TIME_SERIES:
        time_columns = [c for c in columns if c.name == "time"]
        if not time_columns:
            return [f'a time series needs a column named "time"; the query returns {listing}']
        if time_columns[0].type_oid not in _TIME_OIDS:
            return [f'column "time" is {time_columns[0].type_name}; a time series needs a timestamp or a numeric epoch']
    elif shape is ResultShape.SINGLE_VALUE and not any(
        c.type_oid in _NUMERIC_OIDS and c.name != "time" for c in columns
    ):
        return [f"a single-value panel needs a numeric column; the query returns {listing}"]
    return []


def _finding(query: Query, severity: Severity, message: str) -> Finding:
    return query.finding(RULE, severity, message)


def _safe_dsn(params: Mapping[str, Any]) -> str:
    """A parsed DSN without its password, for error messages."""
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items() if v is not None and k != "password"})


@contextlib.contextmanager
def open_sql_engine(
    schemas: Mapping[str, Path],
    dsns: Mapping[str, str] | None = None,
    *,
    default_database: str | None = None,
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT,
    samples: Mapping[str, Path] | None = None,
    sample_context: SampleContext | None = None,
    execute: bool = False,
    time_for: Callable[[Query], SampleTime] | None = None,
) -> Iterator[SqlEngine]:
    """Yield an :class:`SqlEngine` over the data sources in ``schemas`` and ``dsns`` (both keyed by uid).

    ``dsns`` holds live databases (a read replica, from the data source's ``live_url_env`` or
    ``--engine-url``); the others are checked on a throwaway :class:`PostgresCluster` with their schema
    file, started on first need. Everything is closed and stopped on exit.

    ``samples`` maps data source uids to sample-data generators loaded into the throwaway cluster
    (with ``sample_context``); ``execute`` and ``time_for`` are :class:`SqlEngine`'s.
    """
    live = dict(dsns or {})
    throwaway = {uid: path for uid, path in schemas.items() if uid not in live}
    with contextlib.ExitStack() as clusters:

        def start_cluster() -> Mapping[str, str]:
            cluster = clusters.enter_context(PostgresCluster(throwaway, samples=samples, sample_context=sample_context))
            return cluster.reader_dsns()

        engine = SqlEngine(
            live,
            datasource_databases={uid: uid for uid in {*live, *throwaway}},
            default_database=default_database,
            statement_timeout=statement_timeout,
            fallback_dsns=start_cluster if throwaway else None,
            execute=execute,
            time_for=time_for,
        )
        try:
            yield engine
        finally:
            # Connections first, then (leaving the `with`) the cluster they talk to.
            engine.close()


def _sendable(text: str) -> bool:
    """Whether a variant passes the client-side checks and goes to the server at all."""
    return "\x00" not in text and check_single_select(text) is None
