"""PD114: SQL must not call PostgreSQL's file, large-object, settings, sleep or administration functions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import pairwise

from pydis_dash.validate.engines.sql_sandbox import Token, tokenize
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.base import LintContext, Rule, register
from pydis_dash.validate.queries import Language, Query

_DENIED: dict[str, frozenset[str]] = {
    "a server file function": frozenset(
        {
            "pg_read_file",
            "pg_read_binary_file",
            "pg_stat_file",
            "pg_ls_dir",
            "pg_ls_logdir",
            "pg_ls_waldir",
            "pg_ls_tmpdir",
            "pg_ls_archive_statusdir",
            "pg_ls_logicalsnapdir",
            "pg_ls_logicalmapdir",
            "pg_ls_replslotdir",
            "pg_current_logfile",
        }
    ),
    "a large-object function": frozenset(
        {
            "lo_import",
            "lo_export",
            "lo_open",
            "lo_close",
            "loread",
            "lowrite",
            "lo_create",
            "lo_creat",
            "lo_unlink",
            "lo_get",
            "lo_put",
            "lo_from_bytea",
            "lo_lseek",
            "lo_lseek64",
            "lo_tell",
            "lo_tell64",
            "lo_truncate",
            "lo_truncate64",
        }
    ),
    "a settings function": frozenset({"set_config", "current_setting", "pg_settings_get_flags"}),
    "a sleep function": frozenset({"pg_sleep", "pg_sleep_for", "pg_sleep_until"}),
    "an administration function": frozenset(
        {
            "pg_cancel_backend",
            "pg_terminate_backend",
            "pg_reload_conf",
            "pg_rotate_logfile",
            "pg_log_backend_memory_contexts",
            "pg_switch_wal",
            "pg_create_restore_point",
            "pg_backup_start",
            "pg_backup_stop",
            "pg_start_backup",
            "pg_stop_backup",
            "pg_promote",
            "pg_wal_replay_pause",
            "pg_wal_replay_resume",
            "pg_create_physical_replication_slot",
            "pg_create_logical_replication_slot",
            "pg_drop_replication_slot",
            "pg_copy_physical_replication_slot",
            "pg_copy_logical_replication_slot",
            "pg_replication_slot_advance",
            "pg_logical_emit_message",
            "pg_import_system_collations",
            "pg_notify",
            "pg_advisory_lock",
            "pg_advisory_lock_shared",
            "pg_advisory_xact_lock",
            "pg_advisory_xact_lock_shared",
            "pg_try_advisory_lock",
            "pg_try_advisory_lock_shared",
            "pg_try_advisory_xact_lock",
            "pg_try_advisory_xact_lock_shared",
            "setval",
            "nextval",
        }
    ),
    # These run SQL handed to them as a string, which no check of this statement can see into.
    "a function that runs SQL from a string": frozenset(
        {
            "query_to_xml",
            "query_to_xmlschema",
            "query_to_xml_and_xmlschema",
            "cursor_to_xml",
            "cursor_to_xmlschema",
            "dblink",
            "dblink_exec",
            "dblink_send_query",
            "dblink_open",
        }
    ),
}
_CATEGORY = {name: category for category, names in _DENIED.items() for name in names}


def denied_calls(sql: str) -> Iterator[tuple[Token, str]]:
    """Each call of a denied function in ``sql`` with its category, in text order.

    Read from the tokenized statement, so a name inside a string, a quoted alias or a comment is inert;
    a schema-qualified (``pg_catalog.pg_sleep``) or double-quoted (``"pg_sleep"``) name still counts.
    """
    tokens = tokenize(sql)
    for token, following in pairwise(tokens):
        if following.kind != "punct" or following.text != "(":
            continue
        if token.kind == "word":
            name = token.text.lower()
        elif token.kind == "quoted":
            name = token.text[1:-1].replace('""', '"')
        else:
            continue
        category = _CATEGORY.get(name)
        if category is not None:
            yield token, category


@register
class DeniedSqlFunctions(Rule):
    """PR-authored SQL reaches real servers: ``validate`` prepares it, previews and Grafana run it.
    Preparing checks no privilege, so ``pg_read_file('/etc/passwd')`` would pass ``validate`` and be
    refused (or not) only when a viewer's dashboard runs it. Dashboards and questions read tables; they
    never need the server's files, large objects, settings, sleeps or administration."""

    id = "PD114"
    rationale = (
        "SQL never calls PostgreSQL's file, large-object, settings, sleep or administration functions "
        "(pg_read_file, lo_export, set_config, pg_sleep, pg_terminate_backend...)."
    )

    def check_query(self, ctx: LintContext, query: Query) -> Iterable[Finding]:
        """Report every denied function call in a SQL query."""
        if query.language is not Language.SQL:
            return
        for token, category in denied_calls(query.text):
            line = query.text.count("\n", 0, token.start) + 1
            yield self.finding(
                query.resource,
                query.json_path,
                f"calls {token.text}() (line {line} of the query), {category}: not allowed in dashboard SQL",
                panel=query.panel,
                ref_id=query.ref_id,
            )
