"""The text plan's diff colours: the ANSI codes click.style writes, computed once per style."""

from __future__ import annotations

import click
import pytest

from pydis_dash.plan import _colour_diff_line


@pytest.mark.parametrize(
    ("line", "style"),
    [
        ("+++ code/grafana-dashboard/x", {"bold": True}),
        ("--- live/grafana-dashboard/x", {"bold": True}),
        ("@@ -1,3 +1,4 @@", {"fg": "cyan"}),
        ('+  "title": "New",', {"fg": "green"}),
        ('-  "title": "Old",', {"fg": "red"}),
        ("+", {"fg": "green"}),
    ],
)
def test_each_diff_line_gets_click_styles_own_codes(line: str, style: dict[str, object]) -> None:
    assert _colour_diff_line(line) == click.style(line, **style)  # type: ignore[arg-type]


def test_context_lines_stay_plain() -> None:
    assert _colour_diff_line('   "uid": "x",') == '   "uid": "x",'
