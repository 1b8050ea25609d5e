"""The one JSON text pydis-dash writes and compares: sorted keys, two-space indent, non-ASCII kept.

orjson writes it about ten times faster than the standard library's pure-Python indenting encoder.
The bytes stay those ``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`` writes
(build outputs, plans and diffs must not move): orjson differs only in how it spells floats below
1e-4 (``0.00001`` for ``1e-05``), which are rewritten, and it refuses what it cannot encode the same
way (integers past 64 bits, non-string keys, other types), which the standard library then writes.
A ``Mapping`` that is not a dict (a :class:`~pydis_dash.deferred.DeferredState`) is written as the dict
it holds. One difference is kept: NaN and infinities, which are not JSON and which Grafana and Metabase refuse,
come out as ``null`` (the standard library wrote the invalid tokens ``NaN``/``Infinity``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

from pydis_dash.deferred import plain_mapping

_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
# A float orjson spells differently: ``0.0000…`` or an exponent below zero. In indented output every
# scalar ends its own line, after the indent and an optional key; strings never hold a raw newline,
# so a line that matches this is a number token, never text inside a string.
_SMALL_FLOAT = re.compile(rb'^( *(?:"(?:[^"\\\n]|\\.)*": )?)(-?(?:0\.0000\d*|\d(?:\.\d+)?e-\d+))(,?)$', re.MULTILINE)


def canonical_json_bytes(value: Any) -> bytes:
    """``value`` as canonical JSON, UTF-8 encoded, without a final newline."""
    try:
        text = orjson.dumps(value, default=plain_mapping, option=_OPTIONS)
    except TypeError:  # orjson.JSONEncodeError: what only the standard library writes (see above)
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=plain_mapping).encode("utf-8")
    if _may_hold_small_float(text):
        text = _SMALL_FLOAT.sub(_python_float, text)
    return text


def _may_hold_small_float(text: bytes) -> bool:
    """A quick screen (substring searches, no regex over the whole text) before the exact rewrite:
    ``e-`` is common in text (``time-series``), a digit before it is not."""
    if b"0.0000" in text:
        return True
    at = text.find(b"e-")
    while at != -1:
        if text[at - 1 : at].isdigit():
            return True
        at = text.find(b"e-", at + 2)
    return False


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON text, without a final newline."""
    return canonical_json_bytes(value).decode("utf-8")


def _python_float(match: re.Match[bytes]) -> bytes:
    prefix, number, comma = match.groups()
    return prefix + repr(float(number)).encode("ascii") + comma
