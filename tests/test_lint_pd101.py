"""PD101: unique dashboard uids, unique titles per folder."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from validate_builders import dashboard, lint_findings

from pydis_dash.model import Kind, Ref, SourceLocation
from pydis_dash.validate.findings import Severity


def test_same_title_in_one_folder_is_reported_on_the_second_dashboard() -> None:
    first = dashboard(uid="one", title="Channels")
    second = replace(dashboard(uid="two", title="channels"), source=SourceLocation(Path("dashboards/two.py"), 3))

    [finding] = lint_findings("PD101", first, second)

    assert finding.ref == Ref(Kind.GRAFANA_DASHBOARD, "two")
    assert finding.severity is Severity.ERROR
    assert finding.json_path == "/title"
    assert str(finding.location) == "dashboards/two.py:3"
    assert finding.message == (
        "title 'channels' is also used in folder 'Community' by dashboard 'one' (dashboards/test.py:1)"
    )


def test_same_title_in_different_folders_is_fine() -> None:
    assert lint_findings("PD101", dashboard(uid="one"), dashboard(uid="two", container="Bot")) == []


def test_same_body_uid_is_reported() -> None:
    first = dashboard(uid="one", title="A")
    # Two resources whose bodies carry the same Grafana uid (e.g. a uid override in one definition).
    second = replace(dashboard(uid="two", title="B"), body={**dashboard(uid="one", title="B").body})

    [finding] = lint_findings("PD101", first, second)

    assert finding.json_path == "/uid"
    assert finding.message == "dashboard uid 'one' is also used by the dashboard at dashboards/test.py:1"
