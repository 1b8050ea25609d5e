"""Template expansion for SQL: Grafana variables and postgres macros, Metabase tags and optional clauses.

Expected strings follow Grafana's macros.go / sqleng.Interpolate / SqlDatasource.interpolateVariable /
formatRegistry and Metabase's field-filter SQL, for the fixed sample range 2024-01-01 .. 2024-01-02.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pydis_dash.validate.engines.sql_expand import (
    SampleTime,
    expand,
    expand_grafana,
    expand_metabase,
    grafana_sample_values,
    parse_interval,
)
from pydis_dash.validate.findings import Severity
from pydis_dash.validate.queries import TemplateSyntax, Variable

FROM = "'2024-01-01T00:00:00Z'"
TO = "'2024-01-02T00:00:00Z'"


def grafana(text: str, *variables: Variable) -> str:
    expansion = expand_grafana(text, variables)
    assert expansion.problems == ()
    (variant,) = expansion.variants
    return variant.text


# -- Grafana macros ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("macro", "sql"),
    [
        ("$__time(created_at)", 'created_at AS "time"'),
        ("$__timeEpoch(created_at)", 'extract(epoch from created_at) as "time"'),
        ("$__timeFilter(created_at)", f"created_at BETWEEN {FROM} AND {TO}"),
        ("$__timeFrom()", FROM),
        ("$__timeTo()", TO),
        ("$__timeGroup(created_at,'5m')", "floor(extract(epoch from created_at)/300)*300"),
        ("$__timeGroup(created_at , '1h', 0)", "floor(extract(epoch from created_at)/3600)*3600"),
        ("$__timeGroup(created_at, '20ms', NULL)", "floor(extract(epoch from created_at)/0.02)*0.02"),
        ("$__timeGroupAlias(created_at,'5m')", 'floor(extract(epoch from created_at)/300)*300 AS "time"'),
        ("$__unixEpochFilter(ts)", "ts >= 1704067200 AND ts <= 1704153600"),
        ("$__unixEpochFrom()", "1704067200"),
        ("$__unixEpochTo()", "1704153600"),
        ("$__unixEpochNanoFilter(ts)", "ts >= 1704067200000000000 AND ts <= 1704153600000000000"),
        ("$__unixEpochNanoFrom()", "1704067200000000000"),
        ("$__unixEpochNanoTo()", "1704153600000000000"),
        ("$__unixEpochGroup(ts+adj,'5m')", "floor((ts+adj)/300)*300"),
        ("$__unixEpochGroupAlias(ts,'1d')", 'floor((ts)/86400)*86400 AS "time"'),
        ("$__interval", "1m"),
        ("$__interval_ms", "60000"),
    ],
)
def test_grafana_macros_expand_like_the_postgres_datasource(macro: str, sql: str) -> None:
    assert grafana(f"SELECT {macro} FROM t") == f"SELECT {sql} FROM t"


def test_time_group_followed_by_comma_gets_the_time_alias_as_in_grafana() -> None:
    # Pre-5.3 compatibility in macros.go: a ',' right after $__timeGroup(...) adds AS "time".
    text = "SELECT $__timeGroup(created_at,'5m'), count(*) FROM messages GROUP BY 1"
    assert grafana(text) == (
        'SELECT floor(extract(epoch from created_at)/300)*300 AS "time", count(*) FROM messages GROUP BY 1'
    )


def test_time_group_alias_quirk_applies_to_every_copy_of_the_same_macro() -> None:
    # Grafana looks up the first occurrence of the macro text, so the GROUP BY copy also gets the
    # alias: a syntax error in production (grafana/grafana#100377), which validation must reproduce.
    text = "SELECT $__timeGroup(c,'5m'), n FROM t GROUP BY $__timeGroup(c,'5m')"
    assert grafana(text).endswith('GROUP BY floor(extract(epoch from c)/300)*300 AS "time"')


def test_sample_time_range_and_interval_are_parameters() -> None:
    time = SampleTime(
        start=datetime(2023, 5, 1, 12, 0, 0, 500000, tzinfo=UTC),
        end=datetime(2023, 5, 1, 13, tzinfo=UTC),
        interval=timedelta(seconds=30),
    )
    (variant,) = expand_grafana("$__timeFilter(t) $__interval $__interval_ms", time=time).variants
    assert variant.text == "t BETWEEN '2023-05-01T12:00:00.5Z' AND '2023-05-01T13:00:00Z' 30s 30000"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT $__timeFilter() FROM t", "missing time column argument for macro __timeFilter"),
        (
            "SELECT $__timeGroup(c) FROM t",
            "macro __timeGroup needs time column and interval and optional fill value",
        ),
        ("SELECT $__timeGroup(c, '5x') FROM t", "error parsing interval '5x'"),
        ("SELECT $__timeGroup(c, '5m', nope) FROM t", "error parsing fill value nope"),
        ("SELECT $__timeBucket(c) FROM t", 'unknown macro "__timeBucket"'),
    ],
)
def test_bad_macros_are_reported_with_their_position(text: str, message: str) -> None:
    expansion = expand_grafana(text)
    assert [(p.message, p.severity, p.position) for p in expansion.problems] == [
        (message, Severity.ERROR, text.index("$__"))
    ]
    assert not expansion.checkable


def test_parse_interval_accepts_grafana_units() -> None:
    assert [parse_interval(i) for i in ("5m", "'1h'", "1d", "1w", "100ms", "1h30m")] == [
        300,
        3600,
        86400,
        604800,
        0.1,
        5400,
    ]
    with pytest.raises(ValueError):
        parse_interval("soon")


# -- Grafana template variables ---------------------------------------------------------------------

SINGLE = Variable("channel", "custom", sample="it's")
MULTI = Variable("channels", "query", multi=True, sample="20")
ALL = Variable("cats", "query", include_all=True, sample="10")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # No format: SqlDatasource.interpolateVariable (single value raw with quotes doubled,
        # multi-value and include-all quoted and comma-joined).
        ("$channel", "it''s"),
        ("${channel}", "it''s"),
        ("[[channel]]", "it''s"),
        ("$channels", "'20','20'"),
        ("$cats", "'10','10'"),
        # Explicit formats: Grafana's format registry.
        ("${channels:csv}", "20,20"),
        ("[[channels:csv]]", "20,20"),
        ("${channel:csv}", "it's"),
        ("${channels:sqlstring}", "'20','20'"),
        ("${channel:sqlstring}", "'it''s'"),
        ("${channels:raw}", "20,20"),
        ("${channel:singlequote}", "'it\\'s'"),
        ("${channels:doublequote}", '"20","20"'),
        ("${channels:pipe}", "20|20"),
        ("${channels:json}", '["20","20"]'),
        ("${channels:regex}", "(20|20)"),
        ("${channels:glob}", "{20,20}"),
    ],
)
def test_variables_are_formatted_as_grafana_sql_datasources_do(template: str, expected: str) -> None:
    assert grafana(f"SELECT {template}", SINGLE, MULTI, ALL) == f"SELECT {expected}"


def test_variables_inside_string_literals_are_substituted_like_grafana_does() -> None:
    assert grafana("WHERE name = '$channel'", Variable("channel", "textbox", sample="general")) == (
        "WHERE name = 'general'"
    )


def test_sample_values_by_type_when_none_is_given() -> None:
    assert grafana_sample_values(Variable("i", "interval")) == "1m"
    assert grafana_sample_values(Variable("q", "query")) == "1"
    assert grafana_sample_values(Variable("q", "query", multi=True)) == ["1", "1"]
    assert grafana_sample_values(Variable("c", "custom", sample="python-general")) == "python-general"


def test_builtin_variables() -> None:
    text = "$__from ${__to} ${__from:date} ${__from:date:iso} ${__to:date:seconds} $__range_s ${__user.login}"
    assert grafana(text) == (
        "1704067200000 1704153600000 2024-01-01T00:00:00.000Z 2024-01-01T00:00:00.000Z 1704153600 86400 admin"
    )


def test_unknown_variables_are_reported_not_left_in_silently() -> None:
    text = "SELECT * FROM users WHERE id = '$user' AND ${nope:csv} > 0"
    expansion = expand_grafana(text)
    assert [(p.message, p.position) for p in expansion.problems] == [
        ("unknown template variable '$user'", text.index("$user")),
        ("unknown template variable '${nope:csv}'", text.index("${nope")),
    ]
    assert not expansion.checkable
    assert [p.message for p in expand_grafana("$nope").problems] == ["unknown template variable '$nope'"]


def test_positional_parameters_and_dollar_quotes_are_not_variables() -> None:
    text = "SELECT $1, $q$it's$q$, $$x$$"
    assert grafana(text) == text


def test_unknown_format_is_a_warning_and_falls_back_to_glob() -> None:
    expansion = expand_grafana("SELECT ${channels:bogus}", [MULTI])
    assert [(p.message, p.severity) for p in expansion.problems] == [
        ("unknown format ':bogus' in '${channels:bogus}' (Grafana falls back to :glob)", Severity.WARNING)
    ]
    assert expansion.checkable
    assert expansion.variants[0].text == "SELECT {20,20}"


def test_offsets_map_back_through_variables_and_macros() -> None:
    text = "SELECT $__timeGroupAlias(created_at, '1h'), $v\nFROM userz"
    (variant,) = expand_grafana(text, [Variable("v", "custom", sample="a_long_value")]).variants
    expanded_from = variant.text.index("userz")
    assert variant.original_offset(expanded_from) == text.index("userz")
    # Inside a substitution: the start of what was replaced.
    assert variant.original_offset(variant.text.index("a_long_value") + 3) == text.index("$v")
    assert variant.original_offset(variant.text.index("floor") + 5) == text.index("$__timeGroupAlias")


# -- Metabase ----------------------------------------------------------------------------------------

COLUMNS = {
    "public.users.joined_at": "timestamp without time zone",
    "public.users.name": "character varying",
    "public.threads.auto_archive_duration": "integer",
    "public.users.bot": "boolean",
    "public.days.day": "date",
}


def metabase(text: str, *variables: Variable) -> list[tuple[str, str]]:
    expansion = expand_metabase(text, variables, column_types=COLUMNS)
    assert expansion.problems == ()
    return [(v.label, v.text) for v in expansion.variants]


@pytest.mark.parametrize(
    ("variable", "sql"),
    [
        (Variable("x", "text", sample="O'Brien"), "'O''Brien'"),
        (Variable("x", "text"), "'sample'"),
        (Variable("x", "number", sample="42"), "42"),
        (Variable("x", "number"), "1"),
        (Variable("x", "date", sample="2023-02-03"), "DATE '2023-02-03'"),
        (Variable("x", "date"), "DATE '2024-01-01'"),
        (Variable("x", "boolean"), "TRUE"),
        (Variable("x", "boolean", sample="false"), "FALSE"),
    ],
)
def test_metabase_tags_by_declared_type(variable: Variable, sql: str) -> None:
    assert metabase("SELECT {{x}}", variable) == [("", f"SELECT {sql}")]


@pytest.mark.parametrize(
    ("field", "extra", "predicate"),
    [
        (
            "users.joined_at",
            {},
            '"public"."users"."joined_at" >= TIMESTAMP \'2024-01-01 00:00:00\''
            ' AND "public"."users"."joined_at" < TIMESTAMP \'2024-01-02 00:00:00\'',
        ),
        ("users.name", {"sample": "ves"}, '"public"."users"."name" = \'ves\''),
        ("users.name", {"multi": True}, '"public"."users"."name" IN (\'sample\', \'sample\')'),
        ("threads.auto_archive_duration", {}, '"public"."threads"."auto_archive_duration" = 1'),
        ("public.users.bot", {}, '"public"."users"."bot" = TRUE'),
        (
            "days.day",
            {},
            '"public"."days"."day" >= DATE \'2024-01-01\' AND "public"."days"."day" < DATE \'2024-01-02\'',
        ),
    ],
)
def test_field_filters_become_a_predicate_on_the_bound_column(
    field: str, extra: dict[str, object], predicate: str
) -> None:
    variable = Variable("f", "dimension", field=field, **extra)  # type: ignore[arg-type]
    assert metabase("SELECT 1 FROM users WHERE {{ f }}", variable) == [("", f"SELECT 1 FROM users WHERE {predicate}")]


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        (Variable("f", "dimension"), "field filter {{f}} is not bound to a column (table.column)"),
        (Variable("f", "dimension", field="users"), "field filter {{f}}: 'users' is not table.column"),
        (
            Variable("f", "dimension", field="users.joined"),
            "field filter {{f}} is bound to users.joined, which does not exist",
        ),
        (Variable("f", "temporal-unit"), "tag {{f}} has unsupported type 'temporal-unit'"),
    ],
)
def test_bad_field_filters_and_types_are_reported(variable: Variable, message: str) -> None:
    text = "SELECT 1 WHERE {{f}}"
    expansion = expand_metabase(text, [variable], column_types=COLUMNS)
    assert [(p.message, p.severity, p.position) for p in expansion.problems] == [
        (message, Severity.ERROR, text.index("{{"))
    ]
    assert not expansion.checkable


def test_undeclared_tag_is_reported() -> None:
    text = "SELECT * FROM users WHERE name = {{who}}"
    expansion = expand_metabase(text, [])
    assert [(p.message, p.position) for p in expansion.problems] == [
        ("tag {{who}} is used but not declared", text.index("{{who}}"))
    ]
    assert not expansion.checkable


def test_snippets_are_a_warning_and_not_checked() -> None:
    expansion = expand_metabase("SELECT * FROM {{snippet: active users}}", [])
    assert [(p.severity, p.message) for p in expansion.problems] == [
        (
            Severity.WARNING,
            "{{snippet: active users}} is a snippet; pydis-dash cannot check it, so the query is not checked",
        )
    ]
    assert expansion.variants == ()


def test_one_optional_clause_gives_with_and_without_variants() -> None:
    text = "SELECT count(*) FROM users WHERE true [[AND name = {{name}}]]"
    assert metabase(text, Variable("name", "text", sample="ves")) == [
        ("with every optional clause", "SELECT count(*) FROM users WHERE true AND name = 'ves'"),
        ("without optional clauses", "SELECT count(*) FROM users WHERE true "),
    ]


def test_several_optional_clauses_also_give_each_one_alone() -> None:
    text = "SELECT 1 WHERE true [[AND a = {{a}}]] [[AND b = {{b}}]] [[AND c]]"
    variants = metabase(text, Variable("a", "number"), Variable("b", "number"))
    assert variants == [
        ("with every optional clause", "SELECT 1 WHERE true AND a = 1 AND b = 1 AND c"),
        ("without optional clauses", "SELECT 1 WHERE true   "),
        ("with only optional clause [[AND a = {{a}}]]", "SELECT 1 WHERE true AND a = 1  "),
        ("with only optional clause [[AND b = {{b}}]]", "SELECT 1 WHERE true  AND b = 1 "),
        ("with only optional clause [[AND c]]", "SELECT 1 WHERE true   AND c"),
    ]


def test_metabase_offsets_map_back_to_the_original_text() -> None:
    text = "SELECT 1 WHERE [[x = {{a}} AND]] y\nAND zz = {{b}}"
    expansion = expand_metabase(text, [Variable("a", "text", sample="long text"), Variable("b", "number")])
    for variant in expansion.variants:
        assert variant.original_offset(variant.text.index("zz")) == text.index("zz")
        assert variant.original_offset(len(variant.text) - 1) == text.index("{{b}}")


def test_expand_dispatches_on_syntax() -> None:
    assert expand("SELECT {{n}}", TemplateSyntax.METABASE, [Variable("n", "number")]).variants[0].text == "SELECT 1"
    assert expand("SELECT $n", TemplateSyntax.GRAFANA, [Variable("n", "custom", sample="5")]).variants[0].text == (
        "SELECT 5"
    )
