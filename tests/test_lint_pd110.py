"""PD110: unique rule titles per folder, unique rule uids."""

from __future__ import annotations

from alerting_builders import group, lint, rule, where

from pydis_dash.validate.findings import Severity


def test_same_title_in_two_groups_of_one_folder_is_reported_on_the_second() -> None:
    first = rule("Site down")
    second = rule("site DOWN")

    [finding] = lint("PD110", group(first, name="a"), group(second, name="b"))

    assert finding.severity is Severity.ERROR
    assert finding.json_path == "/rules/0/title"
    assert finding.panel == "site DOWN"
    assert str(finding.location) == where(second)
    assert finding.message == (
        f"rule title 'site DOWN' is also used in folder 'Site' by rule 'Site down' of group 'a' ({where(first)})"
    )


def test_same_title_in_different_folders_is_fine() -> None:
    assert lint("PD110", group(rule("Down"), folder="Site"), group(rule("Down"), folder="Bot")) == []


def test_same_explicit_uid_in_two_folders_is_reported() -> None:
    one = group(rule("A", uid="shared"), folder="Site")
    two = group(rule("B", uid="shared"), folder="Bot")

    [finding] = lint("PD110", one, two)

    # Resources come sorted by uid: the Bot folder's group is seen first, the Site one is reported.
    assert finding.ref is not None and finding.ref.uid == "pydis-dash-site.site"
    assert finding.json_path == "/rules/0/uid"
    assert finding.message.startswith("rule uid 'pydis-dash-shared' is also used by rule 'B' of group 'site'")
