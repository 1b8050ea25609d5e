"""Asking PostgreSQL to prepare and describe many queries at once: libpq's pipeline mode.

One query at a time costs four round trips (BEGIN READ ONLY, Parse, Describe, ROLLBACK), ~0.4 ms
even on a unix socket, several times the server's own work. In pipeline mode the client sends
Parse + Describe + Sync for a batch of queries and then reads their answers: one round trip per
batch. Each Sync ends its query's implicit transaction, so one query's error never touches the next;
those transactions are read-only because the session's ``default_transaction_read_only`` is on (the
engine connects so). Nothing is executed: the unnamed statement is only parsed, analysed and described.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import OperationalError, pq

#: Queries sent before their answers are read. Small enough that neither side's socket buffer can fill
#: (a batch is ~10 KB each way), large enough that round trips stop mattering.
BATCH = 64

# Type oids (pg_type.oid is stable for built-in types).
TYPE_NAMES = {
    16: "boolean",
    17: "bytea",
    18: "char",
    19: "name",
    20: "bigint",
    21: "smallint",
    23: "integer",
    25: "text",
    26: "oid",
    114: "json",
    700: "real",
    701: "double precision",
    705: "unknown",
    1042: "character",
    1043: "character varying",
    1082: "date",
    1083: "time",
    1114: "timestamp",
    1184: "timestamp with time zone",
    1186: "interval",
    1700: "numeric",
    2950: "uuid",
    3802: "jsonb",
}


@dataclass(frozen=True)
class ServerError:
    """An error PostgreSQL reported while preparing (or running) a query."""

    message: str
    hint: str | None
    position: int | None  # 0-based offset into the text that was sent
    sqlstate: str | None


@dataclass(frozen=True)
class Column:
    """One result column of a described query."""

    name: str
    type_oid: int

    @property
    def type_name(self) -> str:
        """The type's SQL name (its oid for types not listed)."""
        return TYPE_NAMES.get(self.type_oid, f"type oid {self.type_oid}")


Description = list[Column] | ServerError
"""What describing a query gives: its result columns, or the server's error."""


def server_error(result: pq.abc.PGresult) -> ServerError:
    """The error a failed result carries, with its position and SQLSTATE."""

    def field(code: pq.DiagnosticField) -> str | None:
        value = result.error_field(code)
        return value.decode(errors="replace") if value else None

    position = field(pq.DiagnosticField.STATEMENT_POSITION)
    return ServerError(
        message=field(pq.DiagnosticField.MESSAGE_PRIMARY)
        or (result.error_message or b"").decode(errors="replace").strip(),
        hint=field(pq.DiagnosticField.MESSAGE_HINT),
        position=int(position) - 1 if position and position.isdigit() else None,
        sqlstate=field(pq.DiagnosticField.SQLSTATE),
    )


def columns(described: pq.abc.PGresult) -> list[Column]:
    """The result columns of a successful Describe."""
    return [
        Column((described.fname(i) or b"").decode(errors="replace"), described.ftype(i))
        for i in range(described.nfields)
    ]


def describe_all(pgconn: pq.abc.PGconn, texts: Sequence[str]) -> dict[str, Description]:
    """Prepare and describe each text (the unnamed statement, one implicit transaction each), pipelined
    :data:`BATCH` at a time. Raises ``psycopg.OperationalError`` when the connection breaks."""
    answers: dict[str, Description] = {}
    if not texts:
        return answers
    pgconn.enter_pipeline_mode()
    try:
        for start in range(0, len(texts), BATCH):
            batch = texts[start : start + BATCH]
            for text in batch:
                pgconn.send_prepare(b"", text.encode())
                pgconn.send_describe_prepared(b"")
                pgconn.pipeline_sync()
            pgconn.flush()
            for text in batch:
                answers[text] = _answer(pgconn)
    finally:
        if pgconn.status == pq.ConnStatus.OK:
            pgconn.exit_pipeline_mode()
    return answers


def _answer(pgconn: pq.abc.PGconn) -> Description:
    """Read one query's three results: Parse, Describe (aborted when the parse failed), Sync."""
    prepared = _command_result(pgconn)
    described = _command_result(pgconn)
    sync = pgconn.get_result()
    if sync is None or sync.status != pq.ExecStatus.PIPELINE_SYNC:
        raise _broken(pgconn)
    if prepared.status != pq.ExecStatus.COMMAND_OK:
        return server_error(prepared)
    if described.status != pq.ExecStatus.COMMAND_OK:
        return server_error(described)
    return columns(described)


def _command_result(pgconn: pq.abc.PGconn) -> pq.abc.PGresult:
    """One command's result, and the NULL that ends it."""
    result = pgconn.get_result()
    if result is None or pgconn.status != pq.ConnStatus.OK or pgconn.get_result() is not None:
        raise _broken(pgconn)
    return result


def _broken(pgconn: pq.abc.PGconn) -> OperationalError:
    message = (pgconn.error_message or b"").decode(errors="replace").strip()
    return OperationalError(message or "the pipeline's answers did not come back in order")
