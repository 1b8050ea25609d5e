"""Wrong argument types name the option, the object and what it expects, at the author's line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pydis_dash.argtypes import describe, type_problem
from pydis_dash.cli import main

MakeProject = Callable[[dict[str, str]], Path]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('Dashboard(uid="x", title=123)', "dashboard 'x': option 'title' expects a string, got int 123"),
        (
            'sql("metricity").stat("N", sql=None)',
            "panel 'N': option 'sql' expects a string (the query, or a .sql file beside the definition), got "
            "NoneType None",
        ),
        ('sql("metricity").stat("N", "SELECT 1", width="12")', "panel 'N': option 'width' expects a whole number"),
        (
            'sql("metricity").stat("N", "SELECT 1", thresholds="red")',
            "panel 'N': option 'thresholds' expects a list of (number or None, string) tuples, got str 'red'",
        ),
        ('Row(title=["r"], panels=[])', "row ['r']: option 'title' expects a string, got list ['r']"),
        (
            'Dashboard(uid="x", title="X", tags="one")',
            "dashboard 'x': option 'tags' expects a list of string items, got str 'one'",
        ),
    ],
)
def test_wrong_types_are_reported_at_the_authors_line(make_project: MakeProject, line: str, expected: str) -> None:
    source = f"from pydis_dash.grafana import Dashboard, Row, sql\n\n\nvalue = {line}\n"
    project = make_project({"dashboards/typed.py": source})
    result = CliRunner().invoke(main, ["--project", str(project), "list"])
    assert result.exit_code == 1
    assert f"dashboards/typed.py:4: {expected}" in result.output
    assert "Traceback" not in result.output and "AttributeError" not in result.output


def test_right_types_pass() -> None:
    assert type_problem("min", 3, float | None) is None  # an int is a fine number
    assert type_problem("decimals", True, int) is not None  # a bool is not a count
    assert type_problem("thresholds", [(None, "green"), (80.5, "red")], list[tuple[float | None, str]]) is None
    assert describe(tuple[int, int, int, int]) == "a (whole number, whole number, whole number, whole number) tuple"


def test_a_python_data_source_with_a_wrong_type_names_the_option(make_project: MakeProject) -> None:
    source = "from pydis_dash.datasource import DataSource\n\nsource = DataSource(uid='u', name='U', type='prometheus', url=5)\n"
    project = make_project({"datasources/typed.py": source})
    result = CliRunner().invoke(main, ["--project", str(project), "list"])
    assert result.exit_code == 1
    assert "datasources/typed.py:3: datasource 'u': option 'url' expects a string, got int 5" in result.output
