"""`diff --format markdown` and `validate --format github` against golden files.

Regenerate after an intended change with ``PYDIS_DASH_UPDATE_GOLDEN=1 pytest tests/ci``; the diff of
the golden file is then reviewed like any other change.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydis_dash.model import Kind, Ref, SourceLocation
from pydis_dash.plan import Action, Change, Plan
from pydis_dash.plan_markdown import format_markdown
from pydis_dash.providers.base import Drift, LiveResource
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.queries import Language
from pydis_dash.validate.report import format_github
from pydis_dash.validate.runner import ValidationReport

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"


def assert_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("PYDIS_DASH_UPDATE_GOLDEN"):
        path.write_text(actual)
    assert actual == path.read_text()


def sample_plan() -> Plan:
    dashboard = Ref(Kind.GRAFANA_DASHBOARD, "site-requests")
    return Plan(
        environment="prod",
        changes=(
            Change(Action.CREATE, Ref(Kind.GRAFANA_FOLDER, "pydis-dash-bot"), "Bot", after={"title": "Bot"}),
            Change(
                Action.UPDATE,
                dashboard,
                "Site requests | API",
                before={"title": "Site requests", "refresh": "5m"},
                after={"title": "Site requests", "refresh": "1m"},
                drift=Drift("edited in the UI", author="joe", when="2026-11-27T10:00:00Z", version=7),
            ),
            Change(Action.DELETE, Ref(Kind.METABASE_QUESTION, "old-question"), "Old", before={"name": "Old"}),
            Change(Action.UNCHANGED, Ref(Kind.GRAFANA_DATASOURCE, "metricity"), "Metricity"),
        ),
        unmanaged=(LiveResource(Ref(Kind.GRAFANA_DASHBOARD, "hand-made"), "Hand made", {}, managed=False),),
        orphans=(LiveResource(Ref(Kind.GRAFANA_DASHBOARD, "gone"), "Gone from code", {}, managed=True),),
    )


def test_diff_markdown_matches_golden() -> None:
    assert_golden("diff.md", format_markdown(sample_plan()))


def test_diff_markdown_without_changes_says_so() -> None:
    plan = Plan(environment="staging", changes=(Change(Action.UNCHANGED, Ref(Kind.GRAFANA_FOLDER, "x"), "X"),))
    text = format_markdown(plan)
    assert "No changes: the environment matches the code." in text
    assert "<details>" not in text


def test_validate_github_matches_golden() -> None:
    dashboard = Ref(Kind.GRAFANA_DASHBOARD, "community-channels")
    report = ValidationReport(
        findings=(
            Finding(
                "SQL",
                Severity.ERROR,
                'column m.create_at does not exist; hint: Perhaps you meant to reference the column "m.created_at".',
                ref=dashboard,
                location=SourceLocation(Path("dashboards/community/channels.py"), 14),
                json_path="/panels/2/targets/0",
                panel="Messages, per channel",
                ref_id="A",
            ),
            Finding(
                "PD104",
                Severity.WARNING,
                "variable 'unused' is defined but never used\n(second line)",
                ref=dashboard,
                location=SourceLocation(Path("dashboards/community/channels.py"), 5),
                json_path="/templating/list/1",
            ),
        ),
        strict=False,
        resources=3,
        queries={Language.SQL: 4},
        engines_started=(Language.SQL,),
    )
    assert_golden("validate-github.txt", format_github(report))
