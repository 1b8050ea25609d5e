"""The deploy workflow passes every secret the deploy reads: the credentials of the environment it
deploys to and every secret environment variable a definition names (data source passwords, contact
point webhook URLs...). The names come from the loaded definitions, so a new one cannot be forgotten."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml

from pydis_dash.config import Environment, load_config
from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.pipeline import load_resources

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_WORKFLOW = REPO_ROOT / ".github" / "workflows" / "deploy.yml"
_DEPLOY_COMMAND = re.compile(r"^ci/deploy (?P<env>[\w-]+)$")


def deploy_steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """``(environment, env mapping)`` of every step that runs ``ci/deploy ENV``."""
    found = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            match = _DEPLOY_COMMAND.match(str(step.get("run", "")).strip())
            if match:
                found.append((match["env"], {**job.get("env", {}), **step.get("env", {})}))
    return found


def secrets_needed(resources: list[Resource], environment: Environment) -> set[str]:
    """Every variable the deploy of ``resources`` to ``environment`` reads a secret from."""
    names = {variable for resource in resources for variable in resource.secret_env.values()}
    credentials = (f for f in fields(Environment) if f.name.endswith("_env"))
    names |= {value for f in credentials if isinstance(value := getattr(environment, f.name), str)}
    return names


def missing_secrets(workflow: dict[str, Any], needed: set[str]) -> set[str]:
    """The needed variables a deploy step does not pass from the repository's secrets of the same name."""
    missing = set()
    for _, env in deploy_steps(workflow):
        missing |= {name for name in needed if env.get(name) != f"${{{{ secrets.{name} }}}}"}
    return missing


def test_the_deploy_workflow_passes_every_secret_the_definitions_name() -> None:
    workflow = yaml.safe_load(DEPLOY_WORKFLOW.read_text())
    steps = deploy_steps(workflow)
    assert [env for env, _ in steps] == ["prod"]
    needed = secrets_needed(load_resources(REPO_ROOT), load_config(REPO_ROOT).environment("prod"))
    # The definitions name the contact points' webhooks and the databases' passwords; the environment
    # the Grafana token and the Metabase key.
    assert {"PYDIS_ALERTS_MODERATORS_WEBHOOK", "PYDIS_SITE_DB_PASSWORD", "PYDIS_GRAFANA_TOKEN"} <= needed
    assert missing_secrets(workflow, needed) == set()


def test_a_secret_the_workflow_does_not_pass_is_reported() -> None:
    workflow = yaml.safe_load(DEPLOY_WORKFLOW.read_text())
    webhook = Resource(
        Ref(Kind.GRAFANA_CONTACT_POINT, "pydis-dash-new-team-webhook"),
        "new team",
        {},
        SourceLocation(Path("alerts/contact_points.py"), 30),
        secret_env={"url": "PYDIS_ALERTS_NEW_TEAM_WEBHOOK"},
    )
    needed = secrets_needed([webhook], Environment("prod", grafana_token_env="PYDIS_GRAFANA_TOKEN"))
    assert missing_secrets(workflow, needed) == {"PYDIS_ALERTS_NEW_TEAM_WEBHOOK"}
