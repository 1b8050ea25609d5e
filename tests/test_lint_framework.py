"""The lint framework: registry, per-project and per-resource disabling, and the rules' test/doc coverage."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from validate_builders import dashboard, datasources, panel, query_variable

from pydis_dash.errors import DefinitionError
from pydis_dash.validate.lint.base import EXCLUSION_RULE, all_rules, run_lint
from pydis_dash.validate.lint.config import LintConfig, load_lint_config

REPO = Path(__file__).resolve().parent.parent
UNUSED = dashboard([panel("P")], variables=[query_variable("unused", "SELECT 1")])


def test_every_rule_has_a_test_file_and_a_doc_section() -> None:
    docs = (REPO / "docs" / "rules.md").read_text()
    for rule in all_rules():
        assert (REPO / "tests" / f"test_lint_{rule.id.lower()}.py").is_file(), f"{rule.id} has no test file"
        section = re.search(rf"^## {rule.id}\n(.*?)(?=^## |\Z)", docs, re.MULTILINE | re.DOTALL)
        assert section, f"{rule.id} has no section in docs/rules.md"
        assert "**Best practice:**" in section.group(1) and "**Possible exceptions:**" in section.group(1)
        assert rule.rationale in section.group(1), f"{rule.id}: docs/rules.md does not state the rationale"


def test_every_rule_module_is_named_after_its_id() -> None:
    modules = sorted(p.stem for p in (REPO / "pydis_dash" / "validate" / "lint").glob("pd*.py"))
    assert [m.split("_")[0].upper() for m in modules] == [rule.id for rule in all_rules()]
    assert len(all_rules()) >= 9


def test_disabled_rules_do_not_run() -> None:
    assert {f.rule for f in run_lint([UNUSED, *datasources()])} == {"PD104"}
    assert run_lint([UNUSED, *datasources()], disabled={"PD104"}) == []


def test_resource_exclusion_with_reason_suppresses_the_rule() -> None:
    excluded = dashboard(
        [panel("P")],
        variables=[query_variable("unused", "SELECT 1")],
        lint_exclusions={"PD104": "kept for links from the moderation dashboard"},
    )
    assert run_lint([excluded, *datasources()]) == []


def test_exclusion_without_reason_is_an_error_and_does_not_suppress() -> None:
    excluded = dashboard([panel("P")], variables=[query_variable("unused", "SELECT 1")], lint_exclusions={"PD104": " "})
    findings = run_lint([excluded, *datasources()])
    assert sorted((f.rule, f.message) for f in findings) == [
        (EXCLUSION_RULE, "lint exclusion of PD104 needs a reason"),
        ("PD104", "variable $unused is defined but never used"),
    ]


def test_project_config_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pydis-dash.lint]\ndisable = ["PD104", "PD108"]\n')
    assert load_lint_config(tmp_path) == LintConfig(frozenset({"PD104", "PD108"}))


def test_pydis_dash_toml_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pydis-dash.lint]\ndisable = ["PD104"]\n')
    (tmp_path / "pydis-dash.toml").write_text('[lint]\ndisable = ["PD107"]\n')
    assert load_lint_config(tmp_path) == LintConfig(frozenset({"PD107"}))


def test_no_config_disables_nothing(tmp_path: Path) -> None:
    assert load_lint_config(tmp_path) == LintConfig()


def test_unknown_rule_in_config_is_a_definition_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pydis-dash.lint]\ndisable = ["PD999"]\n')
    with pytest.raises(DefinitionError, match=r"pyproject.toml: \[tool.pydis-dash.lint\] disable names unknown rule"):
        load_lint_config(tmp_path)
