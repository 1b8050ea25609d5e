"""Canonical JSON through orjson: the same bytes the standard library's indenting encoder writes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pydis_dash.render.canonical import canonical_json, canonical_json_bytes

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1e-05, -1.5e-07, 0.0001, 0.00012, 1e16, 1e-300, 5e-324, -0.0])
    | st.text()
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


def reference(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


@given(values)
def test_any_json_value_gives_the_standard_librarys_bytes(value: Any) -> None:
    assert canonical_json(value) == reference(value)
    assert canonical_json_bytes(value) == reference(value).encode("utf-8")


def test_a_string_that_looks_like_a_small_float_line_is_left_alone() -> None:
    value = {"a": 'x\n  "k": 0.00001,', "k": 0.00001, "list": [1e-7, "1e-7"]}
    assert canonical_json(value) == reference(value)
    assert '"k": 1e-05,' in canonical_json(value)


def test_what_orjson_refuses_falls_back_to_the_standard_library() -> None:
    for value in ({1: "int key"}, {"big": 2**70}, ("a", ("tuple",))):
        assert canonical_json(value) == reference(value)
