"""Grafana's template syntax shared by the SQL, PromQL and Graphite expansions.

Expected values follow Grafana's ``variableRegex`` (template_srv), its format registry
(formatRegistry.ts) and gtime.FormatInterval.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pydis_dash.validate.engines import graphite_variables, promql_expand, sql_expand
from pydis_dash.validate.engines.grafana_template import (
    Reference,
    Scope,
    apply_format,
    format_interval,
    interval_variables,
    is_known_format,
    references,
    sample_or_default,
    selection,
    split_format,
    stands_for_all,
    time_variables,
)
from pydis_dash.validate.queries import Variable

# -- References --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "fmt", "field", "plain"),
    [
        ("$var", "var", None, None, True),
        ("${var}", "var", None, None, False),
        ("${var:csv}", "var", "csv", None, False),
        ("${var.login}", "var", None, "login", False),
        ("${var.login:raw}", "var", "raw", "login", False),
        ("${__from:date:seconds}", "__from", "date:seconds", None, False),
        ("[[var]]", "var", None, None, False),
        ("[[var:regex]]", "var", "regex", None, False),
    ],
)
def test_every_reference_form_is_recognised(
    text: str, name: str, fmt: str | None, field: str | None, plain: bool
) -> None:
    (found,) = references(f"x {text} y")
    assert found == Reference(text=text, name=name, start=2, end=2 + len(text), format=fmt, field=field, plain=plain)


def test_plain_names_take_every_word_character() -> None:
    assert [r.name for r in references("a.$tag_suffix.$1 + $__interval_ms")] == ["tag_suffix", "1", "__interval_ms"]


def test_references_within_a_slice_keep_offsets_into_the_whole_text() -> None:
    text = '"$a" + $b'
    assert [(r.name, r.start) for r in references(text, 0, 4)] == [("a", 1)]


def test_text_without_references() -> None:
    assert list(references("sum(rate(x[5m])) $ {x} [[ x ]]")) == []


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,15}", fullmatch=True))
def test_the_name_is_the_same_in_every_form(name: str) -> None:
    forms = [f"${name}", f"${{{name}}}", f"${{{name}:csv}}", f"${{{name}.f}}", f"[[{name}]]", f"[[{name}:csv]]"]
    assert [r.name for r in references(" ".join(forms))] == [name] * len(forms)


# -- Formats -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "single", "multi"),
    [
        ("raw", "a.b", "a.b,c'd"),
        ("csv", "a.b", "a.b,c'd"),
        ("pipe", "a.b", "a.b|c'd"),
        ("text", "a.b", "a.b + c'd"),
        ("sqlstring", "'a.b'", "'a.b','c''d'"),
        ("singlequote", "'a.b'", "'a.b','c\\'d'"),
        ("doublequote", '"a.b"', '"a.b","c\'d"'),
        ("json", '"a.b"', '["a.b","c\'d"]'),
        ("glob", "a.b", "{a.b,c'd}"),
        ("regex", "a\\.b", "(a\\.b|c'd)"),
        ("lucene", "a.b", '("a.b" OR "c\'d")'),
        ("distributed", "a.b", "a.b,v=c'd"),
        ("percentencode", "a.b", "%7Ba.b%2Cc%27d%7D"),
        ("queryparam", "var-v=a.b", "var-v=a.b&var-v=c%27d"),
        ("nosuch", "a.b", "{a.b,c'd}"),  # Grafana falls back to glob
    ],
)
def test_formats_of_single_and_multi_values(fmt: str, single: str, multi: str) -> None:
    assert apply_format("a.b", fmt, "v") == single
    assert apply_format(["a.b", "c'd"], fmt, "v") == multi


@pytest.mark.parametrize("fmt", ["regex", "glob", "lucene", "csv", "percentencode"])
def test_a_one_element_list_formats_like_a_single_value(fmt: str) -> None:
    assert apply_format(["a.b"], fmt, "v") == apply_format("a.b", fmt, "v")


def test_json_keeps_a_one_element_list_a_list() -> None:
    assert apply_format(["x"], "json", "v") == '["x"]'


def test_quote_formats_escape_their_own_quote() -> None:
    assert apply_format('say "hi"', "doublequote", "v") == '"say \\"hi\\""'
    assert apply_format("it's", "singlequote", "v") == "'it\\'s'"
    assert apply_format("it's", "sqlstring", "v") == "'it''s'"


def test_html_escapes_markup() -> None:
    assert apply_format(["<b>", "&"], "html", "v") == "&lt;b&gt;, &amp;"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("date", "2024-01-01T00:00:01.500Z"),
        ("date:iso", "2024-01-01T00:00:01.500Z"),
        ("date:ms", "1704067201500"),
        ("date:seconds", "1704067201"),  # moment's unix() rounds down
        ("date:YYYY-MM", "2024-01-01T00:00:01.500Z"),  # moment patterns are not emulated: ISO
    ],
)
def test_date_format_of_epoch_milliseconds(fmt: str, expected: str) -> None:
    assert apply_format("1704067201500", fmt, "__from") == expected


def test_format_ids_and_arguments() -> None:
    assert split_format("date:seconds") == ("date", ["seconds"])
    assert split_format("csv") == ("csv", [])
    assert is_known_format("date:seconds")
    assert is_known_format("percentencode")
    assert not is_known_format("bogus")


# -- Built-ins ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(milliseconds=250), "250ms"),
        (timedelta(seconds=30), "30s"),
        (timedelta(seconds=90), "1m"),
        (timedelta(hours=2), "2h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=14), "2w"),
        (timedelta(days=400), "1y"),
    ],
)
def test_format_interval_uses_the_largest_whole_unit(delta: timedelta, text: str) -> None:
    assert format_interval(delta) == text


def test_interval_variables() -> None:
    assert interval_variables(timedelta(minutes=1), timedelta(hours=6), timedelta(minutes=4)) == {
        "__interval": "1m",
        "__interval_ms": "60000",
        "__rate_interval": "4m",
        "__range": "6h",
        "__range_s": "21600",
        "__range_ms": "21600000",
    }


def test_interval_variables_with_an_engines_own_duration_printing() -> None:
    values = interval_variables(
        timedelta(seconds=30), timedelta(hours=1), timedelta(minutes=2), duration=lambda d: f"{d.seconds}s"
    )
    assert (values["__interval"], values["__rate_interval"], values["__range"]) == ("30s", "120s", "3600s")
    assert values["__interval_ms"] == "30000"


def test_time_variables_are_epoch_milliseconds() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    assert time_variables(start, start + timedelta(hours=1)) == {"__from": "1704067200000", "__to": "1704070800000"}


# -- Samples -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "expected"),
    [
        (Variable("v", "query", include_all=True), True),
        (Variable("v", "query", include_all=True, sample="a"), False),
        (Variable("v", "custom", sample="$__all"), True),
        (Variable("v", "custom", sample="All"), True),
        (Variable("v", "custom", sample="*"), True),
        (Variable("v", "custom", multi=True), False),
        (Variable("v", "custom"), False),
    ],
)
def test_stands_for_all(variable: Variable, expected: bool) -> None:
    assert stands_for_all(variable) is expected


def test_sample_or_default() -> None:
    defaults = {"interval": "1m"}
    assert sample_or_default(Variable("v", "interval", sample="5m"), defaults, "x") == "5m"
    assert sample_or_default(Variable("v", "interval"), defaults, "x") == "1m"
    assert sample_or_default(Variable("v", "query"), defaults, "x") == "x"


def test_selection_is_a_list_for_multi_and_include_all() -> None:
    assert selection("a", Variable("v", "query")) == "a"
    assert selection("a", Variable("v", "query", multi=True)) == ["a", "a"]
    assert selection("a", Variable("v", "query", include_all=True)) == ["a", "a"]


# -- Scope -------------------------------------------------------------------------------------------


def test_scope_resolves_builtins_before_variables() -> None:
    scope = Scope([Variable("job", "custom"), Variable("__interval", "custom")], {"__interval": "1m"})
    assert scope.builtin("__interval") == "1m"
    assert scope.variable("__interval") is None  # Grafana reserves "__" names
    assert scope.variable("job") == Variable("job", "custom")
    assert scope.builtin("job") is None
    assert scope.defines("job") and scope.defines("__interval") and not scope.defines("nope")


def test_scope_lists_each_undefined_reference_once() -> None:
    scope = Scope([Variable("job", "custom")], {"__range": "1h"})
    found = scope.undefined(references("$job $nope ${nope} $nope $__range [[other]]"))
    assert [(r.text, r.start) for r in found] == [("$nope", 5), ("${nope}", 11), ("[[other]]", 34)]


# -- The engines agree where Grafana's frontend does the work ----------------------------------------


@pytest.mark.parametrize("fmt", ["doublequote", "singlequote", "sqlstring", "json", "regex", "percentencode", "raw"])
def test_engines_format_an_explicit_format_the_same_way(fmt: str) -> None:
    variable = Variable("v", "custom", sample="a'b.c")
    reference = f"${{v:{fmt}}}"
    (sql,) = sql_expand.expand_grafana(f"SELECT {reference}", [variable]).variants
    assert sql.text == "SELECT " + apply_format("a'b.c", fmt, "v")
    assert promql_expand.expand(reference, [variable]) == apply_format("a'b.c", fmt, "v")
    assert graphite_variables.expand_variables(reference, [variable]) == apply_format("a'b.c", fmt, "v")


def test_engines_agree_on_the_grafana_globals() -> None:
    text = "${__user.login} $__org $__dashboard"
    (sql,) = sql_expand.expand_grafana(text).variants
    assert (
        sql.text
        == promql_expand.expand(text, [])
        == graphite_variables.expand_variables(text, [])
        == "admin 1 dashboard"
    )
