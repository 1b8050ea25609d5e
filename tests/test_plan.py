"""The generic plan and apply stages, against an in-memory provider (no HTTP)."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import pytest

from pydis_dash.apply import ApplyContext, Outcome, apply_plan, execution_waves, format_apply_report
from pydis_dash.errors import EnvironmentProblem
from pydis_dash.model import Kind, Ref, Resource, SourceLocation
from pydis_dash.plan import Action, Change, Plan, PlanOptions, build_plan
from pydis_dash.plan_json import format_json
from pydis_dash.plan_markdown import format_markdown
from pydis_dash.plan_text import format_text
from pydis_dash.providers.base import Adoption, Drift, Handler, LiveResource, ResourceError
from pydis_dash.providers.dryrun import DryRunBlocked

SRC = SourceLocation(Path("defs.py"), 1)
FOLDER, DASH = Kind.GRAFANA_FOLDER, Kind.GRAFANA_DASHBOARD


class MemoryHandler(Handler):
    """A kind stored in a dict: ``{uid: (state, managed)}``; writes recorded in ``calls``."""

    def __init__(self, kind: Kind, stage: int, provider: MemoryProvider) -> None:
        self.kind, self.stage, self.provider = kind, stage, provider
        self.store: dict[str, tuple[dict[str, Any], bool]] = {}
        self.drifted: set[str] = set()
        self.fail: dict[str, str] = {}

    def fetch(self, desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        return {
            uid: LiveResource(Ref(self.kind, uid), state["title"], state, managed, uid, 1,
                              detail={"parent": state.get("parent")})
            for uid, (state, managed) in self.store.items()
        }  # fmt: skip

    def desired_state(self, resource: Resource) -> Mapping[str, Any]:
        return dict(resource.body)

    def live_dependencies(self, live: LiveResource) -> tuple[Ref, ...]:
        parent = live.detail.get("parent")
        return (Ref(FOLDER, parent),) if parent else ()

    def drift(self, resource: Resource, live: LiveResource) -> Drift | None:
        return (
            Drift("changed outside", author="alice", when="noon", version=3) if live.ref.uid in self.drifted else None
        )

    def _write(self, verb: str, change: Change) -> None:
        self.provider.check_guard()
        with self.provider.lock:
            self.provider.calls.append((verb, str(change.ref)))
        if change.ref.uid in self.fail:
            raise ResourceError(self.fail[change.ref.uid])

    def create(self, change: Change, ctx: ApplyContext) -> str | None:
        self._write("create", change)
        assert change.after is not None
        self.store[change.ref.uid] = (dict(change.after), True)
        return None

    def update(self, change: Change, ctx: ApplyContext) -> str | None:
        self._write("update", change)
        assert change.after is not None
        self.store[change.ref.uid] = (dict(change.after), True)
        return None

    def delete(self, change: Change, ctx: ApplyContext) -> str | None:
        self._write("delete", change)
        del self.store[change.ref.uid]
        return None


class MemoryProvider:
    target = "grafana"
    environment = "test"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[tuple[str, str]] = []
        self.guarded = False
        self.folders = MemoryHandler(FOLDER, 0, self)
        self.dashboards = MemoryHandler(DASH, 2, self)
        self.handlers = [self.dashboards, self.folders]  # registration order must not matter

    def check_access(self) -> None:
        pass

    def enable_dry_run(self) -> None:
        self.guarded = True

    def begin_plan(self) -> None:
        pass

    def check_guard(self) -> None:
        if self.guarded:
            raise DryRunBlocked("POST", "memory://")


def folder(uid: str, title: str | None = None, parent: str | None = None) -> Resource:
    body = {"title": title or uid} | ({"parent": parent} if parent else {})
    deps = (Ref(FOLDER, parent),) if parent else ()
    return Resource(Ref(FOLDER, uid), title or uid, body, SRC, depends_on=deps)


def dashboard(uid: str, title: str | None = None, in_folder: str | None = None) -> Resource:
    body = {"title": title or uid} | ({"parent": in_folder} if in_folder else {})
    deps = (Ref(FOLDER, in_folder),) if in_folder else ()
    return Resource(Ref(DASH, uid), title or uid, body, SRC, depends_on=deps)


def ctx(**kwargs: Any) -> ApplyContext:
    return ApplyContext("pydis-dash test", **kwargs)


def test_plan_classifies_create_update_unchanged_and_lists_unmanaged_and_orphans() -> None:
    provider = MemoryProvider()
    provider.dashboards.store = {
        "same": ({"title": "same"}, True),
        "changed": ({"title": "old"}, True),
        "gone": ({"title": "gone"}, True),
        "theirs": ({"title": "theirs"}, False),
    }
    desired = [dashboard("same"), dashboard("changed", "new"), dashboard("fresh")]
    plan = build_plan("test", [provider], desired)
    actions = {str(c.ref): c.action for c in plan.changes}
    assert actions == {
        "grafana-dashboard/same": Action.UNCHANGED,
        "grafana-dashboard/changed": Action.UPDATE,
        "grafana-dashboard/fresh": Action.CREATE,
    }
    assert [str(i.ref) for i in plan.orphans] == ["grafana-dashboard/gone"]
    assert [str(i.ref) for i in plan.unmanaged] == ["grafana-dashboard/theirs"]
    assert plan.summary().startswith("+ 1 create  ~ 1 update  - 0 delete  = 1 unchanged")

    pruned = build_plan("test", [provider], desired, PlanOptions(prune=True))
    assert [(c.action, c.ref.uid) for c in pruned.changes if c.action == Action.DELETE] == [(Action.DELETE, "gone")]
    assert not pruned.orphans and [i.ref.uid for i in pruned.unmanaged] == ["theirs"]


def test_desired_uid_existing_unmanaged_is_drift_and_refused_without_force() -> None:
    provider = MemoryProvider()
    provider.dashboards.store = {"taken": ({"title": "theirs"}, False)}
    plan = build_plan("test", [provider], [dashboard("taken", "ours")])
    (change,) = plan.changes
    assert change.action == Action.UPDATE and change.drift is not None
    assert "not managed" in change.drift.reason
    report = apply_plan(plan, [provider], ctx())
    assert report.results[0].outcome == Outcome.REFUSED and provider.calls == []
    forced = apply_plan(plan, [provider], ctx(force=True))
    assert forced.ok and provider.calls == [("update", "grafana-dashboard/taken")]


class AdoptingHandler(MemoryHandler):
    """A kind whose ownership marker is the ``managed`` flag alone (not part of the state)."""

    def adoption(
        self, resource: Resource, desired: Mapping[str, Any], live: Mapping[str, LiveResource]
    ) -> Adoption | None:
        current = live.get(resource.ref.uid)
        if current is None or current.managed or dict(current.state) != dict(desired):
            return None
        return Adoption(current, "the managed flag")


def _adopting_provider(store: dict[str, tuple[dict[str, Any], bool]]) -> MemoryProvider:
    provider = MemoryProvider()
    provider.dashboards = AdoptingHandler(DASH, 2, provider)
    provider.handlers = [provider.dashboards, provider.folders]
    provider.dashboards.store = store
    return provider


def test_an_unmanaged_resource_equal_to_the_code_is_adopted_without_force() -> None:
    provider = _adopting_provider({"same": ({"title": "same"}, False), "other": ({"title": "theirs"}, False)})
    plan = build_plan("test", [provider], [dashboard("same"), dashboard("other", "ours")])
    adopt, update = plan.changes
    assert (adopt.action, adopt.drift, adopt.diff_lines()) == (Action.ADOPT, None, [])
    assert adopt.notes == (
        "content equals the code: deploy adds the ownership marker (the managed flag), nothing else",
    )
    assert update.action == Action.UPDATE and update.drift is not None  # differs: still needs --force
    assert plan.unmanaged == () and plan.has_changes
    assert plan.summary().endswith("= 0 unchanged  @ 1 adopt (ownership marker only)  ! 1 drifted "
                                   "(deploy refuses them without --force)")  # fmt: skip
    text = click.unstyle(format_text(plan))
    assert "@ grafana-dashboard/same  'same'\n  note: content equals the code" in text
    markdown = format_markdown(plan)
    assert "| @ adopt | grafana-dashboard | `same` | same | content equals the code" in markdown
    assert "<code>grafana-dashboard/same</code>" not in markdown  # no empty diff section
    document = json.loads(format_json(plan))
    assert document["summary"]["adopt"] == 1 and document["changes"][0]["diff"] == []

    report = apply_plan(plan, [provider], ctx())
    assert [(r.change.ref.uid, r.outcome, r.detail) for r in report.results] == [
        ("same", Outcome.OK, "adopted"),
        ("other", Outcome.REFUSED, "drift: exists but is not managed by pydis-dash (no ownership marker); "
         "--force adopts it; --force overwrites"),
    ]  # fmt: skip
    assert provider.calls == [("update", "grafana-dashboard/same")]
    assert provider.dashboards.store["same"] == ({"title": "same"}, True)
    again = build_plan("test", [provider], [dashboard("same")])
    assert [c.action for c in again.changes] == [Action.UNCHANGED]


def test_drift_is_reported_with_who_and_when() -> None:
    provider = MemoryProvider()
    provider.dashboards.store = {"d": ({"title": "edited in UI"}, True)}
    provider.dashboards.drifted = {"d"}
    plan = build_plan("test", [provider], [dashboard("d", "code")])
    text = click.unstyle(format_text(plan))
    assert "! drift: changed outside by alice at noon (version 3)" in text
    assert "1 drifted" in plan.summary()
    document = json.loads(format_json(plan))
    assert document["changes"][0]["drift"]["author"] == "alice"


def test_text_rendering_shows_a_unified_diff_and_sections() -> None:
    provider = MemoryProvider()
    provider.dashboards.store = {"d": ({"title": "old"}, True), "x": ({"title": "x"}, False)}
    text = click.unstyle(format_text(build_plan("test", [provider], [dashboard("d", "new")])))
    assert "~ grafana-dashboard/d  'new'" in text
    assert '-  "title": "old"' in text and '+  "title": "new"' in text
    assert "Unmanaged (never modified or deleted by pydis-dash):\n  grafana-dashboard/x  'x'" in text


def test_json_rendering_is_complete_and_parseable() -> None:
    provider = MemoryProvider()
    provider.dashboards.store = {"gone": ({"title": "gone"}, True)}
    plan = build_plan("test", [provider], [dashboard("new")], PlanOptions(prune=True))
    document = json.loads(format_json(plan))
    assert document["summary"] == {
        "create": 1,
        "update": 0,
        "delete": 1,
        "unchanged": 0,
        "drifted": 0,
        "blocked": 0,
        "adopt": 0,
    }
    by_uid = {c["uid"]: c for c in document["changes"]}
    assert by_uid["new"]["before"] is None and by_uid["new"]["after"] == {"title": "new"}
    assert by_uid["gone"]["action"] == "delete" and by_uid["gone"]["diff"][0].startswith("--- live/")


def test_a_kind_without_handler_is_an_environment_problem() -> None:
    question = Resource(Ref(Kind.METABASE_QUESTION, "q"), "q", {}, SRC)
    with pytest.raises(EnvironmentProblem, match="no provider configured for metabase-question"):
        build_plan("test", [MemoryProvider()], [question])


def test_a_read_failure_makes_planning_an_environment_problem() -> None:
    provider = MemoryProvider()

    def broken(desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        raise ResourceError("503: unavailable")

    provider.folders.fetch = broken  # type: ignore[method-assign]
    with pytest.raises(EnvironmentProblem, match="test: reading live grafana-folder failed: 503"):
        build_plan("test", [provider], [])


def test_waves_put_parents_first_and_delete_children_first() -> None:
    provider = MemoryProvider()
    provider.folders.store = {"old": ({"title": "old"}, True), "old-child": ({"title": "c", "parent": "old"}, True)}
    provider.dashboards.store = {"old-dash": ({"title": "d", "parent": "old-child"}, True)}
    desired = [dashboard("d", in_folder="b"), folder("b", parent="a"), folder("a")]
    plan = build_plan("test", [provider], desired, PlanOptions(prune=True))
    waves = [[str(c.ref) for c in wave] for wave in execution_waves(plan.pending, [provider])]
    assert waves == [
        ["grafana-folder/a"],
        ["grafana-folder/b"],
        ["grafana-dashboard/d"],
        ["grafana-dashboard/old-dash"],
        ["grafana-folder/old-child"],
        ["grafana-folder/old"],
    ]


def test_failure_skips_dependents_but_not_independent_resources() -> None:
    provider = MemoryProvider()
    provider.folders.fail = {"a": "409: a folder/dashboard with the same uid already exists"}
    desired = [folder("a"), folder("b"), dashboard("in-a", in_folder="a"), dashboard("in-b", in_folder="b")]
    report = apply_plan(build_plan("test", [provider], desired), [provider], ctx())
    outcomes = {str(r.change.ref): (r.outcome, r.detail) for r in report.results}
    assert outcomes["grafana-folder/a"] == (Outcome.FAILED, "409: a folder/dashboard with the same uid already exists")
    assert outcomes["grafana-dashboard/in-a"][0] == Outcome.SKIPPED
    assert "grafana-folder/a" in outcomes["grafana-dashboard/in-a"][1]
    assert outcomes["grafana-folder/b"][0] == Outcome.OK and outcomes["grafana-dashboard/in-b"][0] == Outcome.OK
    assert not report.ok and len(report.failures) == 2
    table = format_apply_report(report)
    assert table.splitlines()[-1] == "Deploy: 2 ok, 1 failed, 1 skipped"


def test_folder_delete_waits_for_what_sits_in_it() -> None:
    provider = MemoryProvider()
    provider.folders.store = {"f": ({"title": "f"}, True)}
    provider.dashboards.store = {"d": ({"title": "d", "parent": "f"}, True)}
    provider.dashboards.fail = {"d": "500: Failed to delete dashboard"}
    report = apply_plan(build_plan("test", [provider], [], PlanOptions(prune=True)), [provider], ctx())
    outcomes = {r.change.ref.uid: r.outcome for r in report.results}
    assert outcomes == {"d": Outcome.FAILED, "f": Outcome.SKIPPED}
    assert "f" in provider.folders.store


def test_dry_run_guard_blocks_every_write() -> None:
    provider = MemoryProvider()
    plan = build_plan("test", [provider], [folder("a"), dashboard("d", in_folder="a")])
    report = apply_plan(plan, [provider], ctx(dry_run=True))
    assert [r.outcome for r in report.results] == [Outcome.DRY_RUN, Outcome.DRY_RUN]
    assert [r.detail for r in report.results] == ["would be created", "would be created"]
    assert provider.calls == [] and provider.folders.store == {} and provider.guarded


def test_environment_problem_mid_apply_stops_everything() -> None:
    provider = MemoryProvider()

    def reject(change: Change, apply_ctx: ApplyContext) -> str | None:
        raise EnvironmentProblem("environment 'test': 401")

    provider.folders.create = reject  # type: ignore[method-assign]
    plan = build_plan("test", [provider], [folder("a"), dashboard("d", in_folder="a")])
    with pytest.raises(EnvironmentProblem):
        apply_plan(plan, [provider], ctx())
    assert provider.calls == []


def test_apply_runs_only_the_plan_it_is_given() -> None:
    provider = MemoryProvider()
    plan = build_plan("test", [provider], [dashboard("d")])
    provider.dashboards.store["late"] = ({"title": "appeared after the plan"}, True)
    apply_plan(plan, [provider], ctx())
    assert provider.calls == [("create", "grafana-dashboard/d")]


def test_blocked_changes_are_refused() -> None:
    provider = MemoryProvider()
    provider.folders.store = {"f": ({"title": "f"}, True)}
    provider.folders.delete_blocker = lambda live: "holds unmanaged dashboard 'x'"  # type: ignore[method-assign]
    plan = build_plan("test", [provider], [], PlanOptions(prune=True))
    assert plan.changes[0].blocked == "holds unmanaged dashboard 'x'"
    report = apply_plan(plan, [provider], ctx())
    assert report.results[0].outcome == Outcome.REFUSED and provider.calls == []


def test_plan_without_pending_changes_reports_none() -> None:
    provider = MemoryProvider()
    provider.dashboards.store = {"d": ({"title": "d"}, True)}
    plan = build_plan("test", [provider], [dashboard("d")])
    assert isinstance(plan, Plan) and not plan.has_changes and plan.pending == ()
    assert apply_plan(plan, [provider], ctx()).results == ()


def test_a_secret_quoted_by_a_server_error_never_reaches_the_report() -> None:
    provider = MemoryProvider()
    hook = Resource(Ref(DASH, "hook"), "hook", {"title": "hook"}, SRC, secret_env={"url": "HOOK_URL"})
    provider.dashboards.fail["hook"] = "400: invalid url https://discord.test/api/webhooks/s3cr3t"
    plan = build_plan("test", [provider], [hook])
    report = apply_plan(plan, [provider], ctx(environ={"HOOK_URL": "https://discord.test/api/webhooks/s3cr3t"}))
    [result] = report.results
    assert result.outcome == Outcome.FAILED
    assert "s3cr3t" not in result.detail
    assert result.detail == "400: invalid url ***"
    assert "s3cr3t" not in format_apply_report(report)


@pytest.mark.parametrize("rotate", [False, True])
def test_apply_takes_secret_rotation_from_the_plan(rotate: bool) -> None:
    provider = MemoryProvider()
    seen: list[bool] = []
    original = provider.dashboards.create

    def create(change: Change, context: ApplyContext) -> str | None:
        seen.append(context.rotate_secrets)
        return original(change, context)

    provider.dashboards.create = create  # type: ignore[method-assign]
    plan = build_plan("test", [provider], [dashboard("d")], PlanOptions(rotate_secrets=rotate))
    apply_plan(plan, [provider], ctx(rotate_secrets=not rotate))
    assert seen == [rotate]


def test_a_write_attempted_while_planning_under_the_guard_is_an_environment_problem() -> None:
    provider = MemoryProvider()
    provider.enable_dry_run()
    original = provider.dashboards.fetch

    def fetch_that_writes(desired: Sequence[Resource], options: PlanOptions) -> Mapping[str, LiveResource]:
        provider.check_guard()  # e.g. a session login renewed in the middle of a read
        return original(desired, options)

    provider.dashboards.fetch = fetch_that_writes  # type: ignore[method-assign]
    with pytest.raises(EnvironmentProblem, match="reading live grafana-dashboard failed: dry run: POST not sent"):
        build_plan("test", [provider], [dashboard("d")])
    assert provider.calls == []


def test_a_long_new_resource_is_summarised_and_shown_whole_with_verbose() -> None:
    provider = MemoryProvider()
    long_body = {"title": "big", "panels": [{"id": n} for n in range(20)]}
    plan = build_plan("test", [provider], [dashboard("big", "big"), dashboard("small", "small")])
    plan = Plan(plan.environment, tuple(replace(c, after=long_body) if c.ref.uid == "big" else c for c in plan.changes))
    text = click.unstyle(format_text(plan))
    size = len(json.dumps(long_body, indent=2).splitlines())
    assert f"new: {size} lines of JSON, not shown (`pydis-dash render grafana-dashboard/big`" in text
    assert '"id": 19' not in text
    assert '+  "title": "small"' in text  # a short new resource is shown whole
    verbose = click.unstyle(format_text(plan, verbose=True))
    assert '+      "id": 19' in verbose and "not shown" not in verbose
