"""Server-side syntax highlighting of the queries preview shows: SQL, PromQL and Graphite targets.

One small regex tokenizer per language is enough for reading a query in review: keywords, functions,
strings, numbers, comments and template variables (Grafana's ``$var``/``${var}``/``$__macro``, Metabase's
``{{var}}`` and ``[[ optional ]]``) get a CSS class; everything else is escaped text. The output is always
fully escaped, so a query can never inject markup into the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markupsafe import Markup, escape

from pydis_dash.validate.queries import Language, TemplateSyntax

# Kept as prose-like word lists: easier to scan and extend than a column of quoted strings.
_SQL_WORDS = """
    select from where and or not in is null as join left right inner outer full cross on using group by order
    having limit offset union all distinct case when then else end with asc desc between like ilike exists
    insert update delete into values set true false interval over partition filter within lateral any some
    cast nulls first last returning window rows range preceding following current row
"""
_PROMQL_WORDS = """
    by without on ignoring group_left group_right offset bool and or unless sum min max avg group stddev stdvar
    count count_values bottomk topk quantile limitk limit_ratio
"""
_SQL_KEYWORDS = frozenset(_SQL_WORDS.split())
_PROMQL_KEYWORDS = frozenset(_PROMQL_WORDS.split())

# Tokens shared by every language: template variables first, so `$__timeFilter(` is a macro, not text.
_COMMON = [
    ("var", r"\$__\w+|\$\{[^}\s]+\}|\$\w+|\[\[\w+(?::\w+)?\]\]"),
    ("str", r"'(?:[^'\\]|\\.|'')*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`"),
]
_METABASE = [("var", r"\{\{\s*[\w.]+\s*\}\}"), ("opt", r"\[\[|\]\]")]
_PATTERNS: dict[Language, list[tuple[str, str]]] = {
    Language.SQL: [
        ("com", r"--[^\n]*|/\*.*?\*/"),
        ("num", r"\b\d+(?:\.\d+)?\b"),
        ("fn", r"\b[A-Za-z_]\w*(?=\s*\()"),
        ("word", r"\b[A-Za-z_]\w*\b"),
    ],
    Language.PROMQL: [
        ("com", r"#[^\n]*"),
        ("dur", r"\[[0-9smhdwy:$_\w]+\]"),
        ("num", r"\b\d+(?:\.\d+)?(?:[smhdwy]|ms)?\b"),
        ("fn", r"\b[A-Za-z_]\w*(?=\s*\()"),
        ("word", r"\b[A-Za-z_:][\w:]*\b"),
    ],
    Language.GRAPHITE: [
        ("fn", r"\b[A-Za-z_]\w*(?=\()"),
        ("num", r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])"),
        ("word", r"(?:[\w.*\[\]-]|\{[^}]*\})+"),
    ],
}
_CLASSES = {
    "var": "tok-var",
    "str": "tok-str",
    "com": "tok-com",
    "num": "tok-num",
    "fn": "tok-fn",
    "kw": "tok-kw",
    "dur": "tok-num",
    "opt": "tok-opt",
    "metric": "tok-metric",
}


def _compile(language: Language, syntax: TemplateSyntax) -> re.Pattern[str]:
    parts = (_METABASE if syntax is TemplateSyntax.METABASE else []) + _COMMON + _PATTERNS[language]
    return re.compile("|".join(f"(?P<{name}{i}>{pattern})" for i, (name, pattern) in enumerate(parts)), re.DOTALL)


_REGEXES = {(lang, syntax): _compile(lang, syntax) for lang in Language for syntax in TemplateSyntax}


def tokens(text: str, language: Language, syntax: TemplateSyntax = TemplateSyntax.GRAFANA) -> Iterator[tuple[str, str]]:
    """Split ``text`` into ``(kind, text)`` pairs; kind is ``""`` for plain text. Joined, they give ``text``."""
    position = 0
    for match in _REGEXES[(language, syntax)].finditer(text):
        if match.start() > position:
            yield "", text[position : match.start()]
        group = match.lastgroup or ""
        kind = group.rstrip("0123456789")
        value = match.group()
        if kind in ("word", "fn"):
            kind = _classify_word(value, language, kind)
        yield kind, value
        position = match.end()
    if position < len(text):
        yield "", text[position:]


def _classify_word(word: str, language: Language, kind: str) -> str:
    """Keywords win over the function pattern: ``IN (`` and ``sum by (`` are not calls."""
    if language is Language.SQL:
        return "kw" if word.lower() in _SQL_KEYWORDS else ("fn" if kind == "fn" else "")
    if language is Language.PROMQL:
        return "kw" if word in _PROMQL_KEYWORDS else ("fn" if kind == "fn" else "metric")
    return kind if kind == "fn" else "metric"  # Graphite: a metric path (with globs)


def highlight(text: str, language: Language | None, syntax: TemplateSyntax = TemplateSyntax.GRAFANA) -> Markup:
    """``text`` as escaped HTML with ``<span class="tok-...">`` around recognised tokens."""
    if language is None:
        return Markup(escape(text))
    parts = []
    for kind, value in tokens(text, language, syntax):
        css = _CLASSES.get(kind)
        parts.append(Markup('<span class="{}">{}</span>').format(css, value) if css else escape(value))
    return Markup("").join(parts)
