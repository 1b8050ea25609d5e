"""The Graphite target parser: structure, path patterns, and the syntax errors Graphite would swallow."""

from __future__ import annotations

import json
import random
import subprocess

import pytest

from pydis_dash.validate.engines.graphite_server import graphite_python
from pydis_dash.validate.engines.graphite_target import (
    Call,
    Literal,
    Path,
    TargetSyntaxError,
    parse_target,
    path_patterns,
)


def test_call_with_path_and_number() -> None:
    node = parse_target("aliasByNode(stats_counts.bot.commands.*, 3)")
    assert node == Call(
        "aliasByNode",
        (Path("stats_counts.bot.commands.*", 13), Literal("number", "3")),
        (),
        1,
    )


def test_literal_kinds() -> None:
    node = parse_target("""f(a.b, -1.5e3, 'x,y)', "q", True, none, INF, 7 )""")
    assert isinstance(node, Call)
    assert [(arg.kind, arg.text) for arg in node.args[1:] if isinstance(arg, Literal)] == [
        ("number", "-1.5e3"),
        ("string", "'x,y)'"),
        ("string", '"q"'),
        ("boolean", "True"),
        ("none", "none"),
        ("infinity", "INF"),
        ("number", "7"),
    ]


def test_keyword_arguments() -> None:
    node = parse_target("summarize(stats_counts.bot.messages, '1h', func = 'sum', alignToFrom=true)")
    assert isinstance(node, Call)
    assert node.kwargs == (("func", Literal("string", "'sum'")), ("alignToFrom", Literal("boolean", "true")))


@pytest.mark.parametrize(
    ("target", "patterns"),
    [
        ("stats.gauges.bot.guild.total_members", ["stats.gauges.bot.guild.total_members"]),
        ("sumSeries(stats_counts.bot.commands.*)", ["stats_counts.bot.commands.*"]),
        ("integral(stats_counts.bot.channels.off_topic_*)", ["stats_counts.bot.channels.off_topic_*"]),
        (
            "divideSeries(sumSeries(stats_counts.bot.help.sessions.answered), stats_counts.bot.help.claimed)",
            ["stats_counts.bot.help.sessions.answered", "stats_counts.bot.help.claimed"],
        ),
        ("stats_counts.bot.tags.usages.{ask,venv}", ["stats_counts.bot.tags.usages.{ask,venv}"]),
        ("stats_counts.bot.rule_uses.[1-5]", ["stats_counts.bot.rule_uses.[1-5]"]),
        ("stats_counts.bot.{channels,commands}.a-b", ["stats_counts.bot.{channels,commands}.a-b"]),
        # Piped calls take the expression before the pipe as their first argument.
        ("stats_counts.bot.messages | integral() | alias('m')", ["stats_counts.bot.messages"]),
        # Strings are never paths, even when they look like one; repeats are listed once.
        ("seriesByTag('name=stats.bot.x')", []),
        ("sumSeries(a.b, a.b, c)", ["a.b", "c"]),
        # A number only counts before ',' or ')': otherwise it starts a path.
        ("f(1.x, 2)", ["1.x"]),
        # Escapes are dropped, as Graphite does before looking the pattern up.
        ("f(a\\(b.c)", ["a(b.c"]),
        ("  sumSeries ( a.b , c.d )  ", ["a.b", "c.d"]),
        ('timeShift(x.y, "$__interval")', ["x.y"]),
    ],
)
def test_path_patterns(target: str, patterns: list[str]) -> None:
    assert path_patterns(parse_target(target)) == patterns


def test_piped_call_is_nested() -> None:
    node = parse_target("a.b|scale(2)")
    assert node == Call("scale", (Path("a.b", 1), Literal("number", "2")), (), 5)


@pytest.mark.parametrize(
    ("target", "column", "message"),
    [
        # graphite-web would render the path 'sumSeries' for these: the rest is ignored, not refused.
        ("sumSeries(stats_counts.bot.commands.*", 38, "expected ')', found end of target"),
        ("sumSeries(a.b))", 15, "unexpected ')'"),
        ("a.b c.d", 5, "unexpected 'c'"),
        ("sumSeries(a.b,)", 15, "expected an argument, found ')'"),
        ("sumSeries(,a.b)", 11, "expected an argument, found ','"),
        ("alias(a.b, 'x)", 12, "unterminated string"),
        ("a..b", 3, "expected a metric path, found '.'"),
        ("a.{b,}", 6, "expected a name inside '{...}', found '}'"),
        ("a.{b,c", 7, "expected ',' or '}' in '{...}', found end of target"),
        ("a.b | c.d", 7, "expected a function call after '|', found 'c'"),
        ("sumSeries(x=a.b)", 13, "keyword argument 'x' needs a positional argument before it"),
        ("f(a.b, x=1, c.d)", 13, "positional argument after keyword arguments"),
        ("f(true.x)", 7, "expected ')', found '.'"),
        ("", 1, "expected a metric path, found end of target"),
    ],
)
def test_syntax_errors(target: str, column: int, message: str) -> None:
    with pytest.raises(TargetSyntaxError) as caught:
        parse_target(target)
    assert (caught.value.column, caught.value.message) == (column, message)


# Graphite's own grammar, run in graphite-web's venv: parse each case with parseAll and list its paths
# the way graphite-web's evaluator walks the parse tree.
GRAPHITE_GRAMMAR_SCRIPT = """
import json, sys, warnings
warnings.simplefilter("ignore")
from django.conf import settings
settings.configure(UTF8_METRICS=False)
from graphite.render.grammar_unsafe import grammar

def walk(tokens, out):
    if tokens.expression:
        walk(tokens.expression, out)
        for piped in tokens.expression.pipedCalls:
            walk_call(piped.call, out)
    elif tokens.template:
        if tokens.template.pathExpression:
            out.append(tokens.template.pathExpression)
        if tokens.template.call:
            walk_call(tokens.template.call, out)
    elif tokens.call:
        walk_call(tokens.call, out)
    elif tokens.pathExpression:
        out.append(tokens.pathExpression)

def walk_call(call, out):
    for arg in call.args:
        walk(arg, out)
    for kwarg in call.kwargs:
        walk(kwarg.args[0], out)

answers = []
for case in json.load(sys.stdin):
    try:
        parsed = grammar.parseString(case, parseAll=True)
    except Exception:
        answers.append(None)
        continue
    found = []
    walk(parsed, found)
    answers.append(list(dict.fromkeys(found)))
json.dump(answers, sys.stdout)
"""

FUZZ_PIECES = [
    "sumSeries",
    "f",
    "(",
    ")",
    ",",
    " ",
    "a",
    "b.c",
    ".",
    "*",
    "{",
    "}",
    "x,y",
    "1",
    "-2",
    "1.5",
    "e3",
    "'s'",
    '"t"',
    "true",
    "none",
    "inf",
    "=",
    "k=",
    "|",
    "[0-9]",
    "\\(",
    "$v",
    "'",
    "\n",
    "\t",
    "_",
    "-",
]


def test_agrees_with_graphites_own_grammar() -> None:
    """Same verdict and same path patterns as graphite-web's pyparsing grammar, on 3,000 random targets."""
    generator = random.Random(20240601)
    cases = sorted(
        {"".join(generator.choice(FUZZ_PIECES) for _ in range(generator.randint(1, 12))) for _ in range(3000)}
    )
    completed = subprocess.run(
        [str(graphite_python()), "-I", "-c", GRAPHITE_GRAMMAR_SCRIPT],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = json.loads(completed.stdout)
    ours: list[list[str] | None] = []
    for case in cases:
        try:
            ours.append(path_patterns(parse_target(case)))
        except TargetSyntaxError:
            ours.append(None)
    disagreements = [(case, t, o) for case, t, o in zip(cases, theirs, ours, strict=True) if t != o]
    assert disagreements == []
    assert sum(answer is not None for answer in theirs) > 200  # the sample holds valid targets too
