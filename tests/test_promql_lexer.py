"""The light PromQL lexer: tokens, and which identifiers are metric names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pydis_dash.validate.engines.promql_lexer import (
    KEYWORDS,
    MetricReference,
    Token,
    TokenKind,
    metric_names,
    metric_references,
    self_contained,
    string_value,
    tokenize,
)

K = TokenKind


def kinds_and_texts(expression: str) -> list[tuple[TokenKind, str]]:
    return [(token.kind, token.text) for token in tokenize(expression)]


def test_tokens_of_a_typical_dashboard_expression() -> None:
    expression = 'sum by (view) (rate(x_bucket{le="0.5", view!~"api:.*"}[$__rate_interval] offset 1h30m)) > 0.1e1'
    assert kinds_and_texts(expression) == [
        (K.IDENTIFIER, "sum"), (K.IDENTIFIER, "by"), (K.LEFT_PAREN, "("), (K.IDENTIFIER, "view"),
        (K.RIGHT_PAREN, ")"), (K.LEFT_PAREN, "("), (K.IDENTIFIER, "rate"), (K.LEFT_PAREN, "("),
        (K.IDENTIFIER, "x_bucket"), (K.LEFT_BRACE, "{"), (K.IDENTIFIER, "le"), (K.OPERATOR, "="),
        (K.STRING, '"0.5"'), (K.COMMA, ","), (K.IDENTIFIER, "view"), (K.OPERATOR, "!~"),
        (K.STRING, '"api:.*"'), (K.RIGHT_BRACE, "}"), (K.LEFT_BRACKET, "["), (K.TEMPLATE, "$__rate_interval"),
        (K.RIGHT_BRACKET, "]"), (K.IDENTIFIER, "offset"), (K.DURATION, "1h30m"), (K.RIGHT_PAREN, ")"),
        (K.RIGHT_PAREN, ")"), (K.OPERATOR, ">"), (K.NUMBER, "0.1e1"),
    ]  # fmt: skip


def test_token_offsets_point_into_the_expression() -> None:
    expression = "up  ==  bool 1"
    assert tokenize(expression) == [
        Token(K.IDENTIFIER, "up", 0),
        Token(K.OPERATOR, "==", 4),
        Token(K.IDENTIFIER, "bool", 8),
        Token(K.NUMBER, "1", 13),
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("5m", K.DURATION),
        ("1h30m", K.DURATION),
        ("250ms", K.DURATION),
        ("2w", K.DURATION),
        ("1y", K.DURATION),
        ("42", K.NUMBER),
        ("4.2", K.NUMBER),
        (".5", K.NUMBER),
        ("1e-3", K.NUMBER),
        ("0x1F", K.NUMBER),
        ("Inf", K.NUMBER),
        ("NaN", K.NUMBER),
    ],
)
def test_numbers_and_durations(text: str, kind: TokenKind) -> None:
    assert kinds_and_texts(text) == [(kind, text)]


def test_subquery_colon_is_an_operator_inside_brackets() -> None:
    assert kinds_and_texts("x[30m:1m]") == [
        (K.IDENTIFIER, "x"), (K.LEFT_BRACKET, "["), (K.DURATION, "30m"), (K.OPERATOR, ":"),
        (K.DURATION, "1m"), (K.RIGHT_BRACKET, "]"),
    ]  # fmt: skip


def test_colons_belong_to_metric_names_outside_brackets() -> None:
    assert kinds_and_texts("job:requests:rate5m") == [(K.IDENTIFIER, "job:requests:rate5m")]


def test_strings_with_escapes_and_all_three_quotes() -> None:
    tokens = tokenize(r"""x{a="say \"hi\"", b='it\'s', c=`C:\path`}""")
    strings = [t for t in tokens if t.kind is K.STRING]
    assert [t.text for t in strings] == [r'"say \"hi\""', r"'it\'s'", r"`C:\path`"]
    assert [string_value(t) for t in strings] == ['say "hi"', "it's", r"C:\path"]


def test_unterminated_string_is_an_error_token_not_an_exception() -> None:
    assert kinds_and_texts('up{job="site}') == [
        (K.IDENTIFIER, "up"), (K.LEFT_BRACE, "{"), (K.IDENTIFIER, "job"), (K.OPERATOR, "="),
        (K.ERROR, '"site}'),
    ]  # fmt: skip


def test_stray_character_is_an_error_token() -> None:
    assert kinds_and_texts("up ; down") == [(K.IDENTIFIER, "up"), (K.ERROR, ";"), (K.IDENTIFIER, "down")]


def test_comments_run_to_the_end_of_the_line() -> None:
    assert kinds_and_texts("up # the targets\n+ down") == [
        (K.IDENTIFIER, "up"), (K.COMMENT, "# the targets"), (K.OPERATOR, "+"), (K.IDENTIFIER, "down"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "reference", ["$job", "${job}", "${job:regex}", "${job.text}", "[[job]]", "[[job:pipe]]", "${__from:date:seconds}"]
)
def test_grafana_references_are_single_template_tokens(reference: str) -> None:
    assert kinds_and_texts(f"up + {reference}") == [(K.IDENTIFIER, "up"), (K.OPERATOR, "+"), (K.TEMPLATE, reference)]


def test_template_inside_a_string_stays_part_of_the_string() -> None:
    assert kinds_and_texts('{job="$job"}') == [
        (K.LEFT_BRACE, "{"), (K.IDENTIFIER, "job"), (K.OPERATOR, "="), (K.STRING, '"$job"'), (K.RIGHT_BRACE, "}"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("up", ["up"]),
        ("rate(django_db_execute_total[5m])", ["django_db_execute_total"]),
        ("sum by (alias, vendor) (rate(django_db_errors_total[5m]))", ["django_db_errors_total"]),
        ("sum(rate(django_db_errors_total[5m])) without (type, instance)", ["django_db_errors_total"]),
        ("SUM(x) BY (job)", ["x"]),
        ("a / on (instance) group_left (datname) b", ["a", "b"]),
        ("a * ignoring(le) group_right b", ["a", "b"]),
        ("a > bool 1 and b or c unless d", ["a", "b", "c", "d"]),
        ("a offset 5m", ["a"]),
        ("a @ start()", ["a"]),
        ("a @ 1704074370", ["a"]),
        ('up{job="site", instance=~"10.*"}', ["up"]),
        ('{__name__="pg_up", job="postgres"}', ["pg_up"]),
        ('{__name__=~"pg_.*"}', []),
        ('topk(5, x) + bottomk(3, y) + quantile(0.9, z) + count_values("v", w)', ["x", "y", "z", "w"]),
        ("histogram_quantile(0.95, sum(rate(h_bucket[5m])) by (le))", ["h_bucket"]),
        ('label_replace(up, "dst", "$1", "src", "(.*)")', ["up"]),
        ("max_over_time(deriv(x[10m])[1h:5m])", ["x"]),
        ("job:requests:rate5m > 0", ["job:requests:rate5m"]),
        ("vector(1) + time() + scalar(x)", ["x"]),
        ("x + x", ["x"]),
        ("x # y is commented out\n", ["x"]),
        ("Inf + NaN", []),
        ("$metric", []),
        ("${prefix}_requests_total + bot_${name}", []),
        ('rate(x{job="$job"}[$__rate_interval])', ["x"]),
    ],
)
def test_metric_names(expression: str, names: list[str]) -> None:
    assert metric_names(expression) == names


def test_metric_references_give_offsets() -> None:
    assert metric_references('rate(a[5m]) / {__name__="b"}') == [MetricReference("a", 5), MetricReference("b", 25)]


def test_function_call_with_space_before_the_parenthesis_is_still_a_function() -> None:
    assert metric_names("rate (x[5m])") == ["x"]


@given(
    name=st.from_regex(r"[a-z_][a-z0-9_:]{0,30}", fullmatch=True).filter(
        lambda n: n not in KEYWORDS and n not in ("inf", "nan")
    )
)
def test_any_metric_name_inside_a_rate_is_found(name: str) -> None:
    assert metric_names(f'sum by (job) (rate({name}{{job="x"}}[5m]))') == [name]


@pytest.mark.parametrize(
    ("expression", "whole"),
    [
        ('sum by (job) (rate(up{job="site"}[5m]))', True),
        ("up # a comment", True),
        ("max_over_time(up[1h:5m])", True),
        ("up) or (up", False),  # would parse between another expression's parentheses
        ("(up", False),
        ("up{job=)", False),  # closed by the wrong bracket
        ('up{job="site}', False),  # unterminated string
        ("rate(up[$__rate_interval])", False),  # not expanded
        ("up ? 1", False),  # unlexable
        ("# only a comment", False),
        ("", False),
    ],
)
def test_self_contained(expression: str, whole: bool) -> None:
    assert self_contained(expression) is whole
