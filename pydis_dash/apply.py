"""Execute exactly the :class:`~pydis_dash.plan.Plan` that ``diff`` showed; never re-fetch or re-compare.

Order: creates and updates stage by stage (folders, then data sources, then dashboards...), each stage
in dependency levels (parents first); then deletes in reverse (children first). Changes of one level
run concurrently on a bounded thread pool. A failed change does not stop independent ones; changes
depending on it are skipped and reported. ``dry_run`` installs the providers' dry-run guards, so no
write can reach a server.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from enum import StrEnum

from pydis_dash.errors import EnvironmentProblem
from pydis_dash.model import Ref
from pydis_dash.plan import Action, Change, Plan
from pydis_dash.providers.base import Handler, Provider, ResourceError, handler_for
from pydis_dash.providers.dryrun import DryRunBlocked
from pydis_dash.redact import mask, remember_secret

# Requests in flight at once, reads and writes: a plan reads one dashboard per desired one, so at 20 ms a
# request 500 dashboards take 0.31 s at 32 (0.63 s at 16, 1.25 s at 8); Grafana's and Metabase's servers
# serve that many connections at once. `--concurrency` lowers it for a small server.
DEFAULT_CONCURRENCY = 32


@dataclass(frozen=True)
class ApplyContext:
    """What handlers need beyond the change itself.

    ``message`` goes into each saved version (``pydis-dash <git sha>``) so later plans can tell our
    writes from edits made in the UI. ``environ`` is where secrets are read from (names come from
    ``Resource.secret_env``); values are read only when a write needs them. ``rotate_secrets`` is
    taken from the plan's options by :func:`apply_plan`, so a write sends exactly the secrets the plan
    announced.
    """

    message: str
    force: bool = False
    rotate_secrets: bool = False
    dry_run: bool = False
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    def secret(self, variable: str) -> str:
        """The value of ``variable``, masked in all output from now on; ResourceError naming the variable
        (never a value) if unset."""
        value = self.environ.get(variable)
        if not value:
            raise ResourceError(f"environment variable ${variable} is not set")
        remember_secret(value)
        return value


class Outcome(StrEnum):
    """What happened to one change."""

    OK = "ok"
    DRY_RUN = "dry-run"
    FAILED = "failed"
    REFUSED = "refused"
    SKIPPED = "skipped"

    @property
    def is_failure(self) -> bool:
        """Failed, refused and skipped changes make ``deploy`` exit 1."""
        return self in (Outcome.FAILED, Outcome.REFUSED, Outcome.SKIPPED)


@dataclass(frozen=True)
class Result:
    """The outcome of one change, with a one-line detail (never a secret)."""

    change: Change
    outcome: Outcome
    detail: str = ""


@dataclass(frozen=True)
class ApplyReport:
    """Every result, in the order the changes were planned."""

    results: tuple[Result, ...]

    @property
    def failures(self) -> tuple[Result, ...]:
        """Results that make the deploy fail."""
        return tuple(r for r in self.results if r.outcome.is_failure)

    @property
    def ok(self) -> bool:
        """True when nothing failed, was refused or skipped."""
        return not self.failures

    def count(self, outcome: Outcome) -> int:
        """How many results have ``outcome``."""
        return sum(1 for r in self.results if r.outcome == outcome)


_VERBS = {Action.CREATE: "created", Action.UPDATE: "updated", Action.DELETE: "deleted", Action.ADOPT: "adopted"}


def apply_plan(
    plan: Plan,
    providers: Sequence[Provider],
    ctx: ApplyContext,
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: Callable[[Result], None] | None = None,
) -> ApplyReport:
    """Run the pending changes of ``plan``; ``on_result`` is called (in this thread) after each one.

    Raises EnvironmentProblem (after letting running requests finish, starting nothing new) when a
    server rejects the credentials mid-way.
    """
    ctx = replace(ctx, rotate_secrets=plan.options.rotate_secrets)
    if ctx.dry_run:
        for provider in providers:
            provider.enable_dry_run()
    results: dict[Ref, Result] = {}

    def record(result: Result) -> None:
        results[result.change.ref] = result
        if on_result is not None:
            on_result(result)

    pending = list(plan.pending)
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="apply") as pool:
        for wave in execution_waves(pending, providers):
            started = []
            for change in wave:
                early = _precheck(change, results, ctx)
                if early is not None:
                    record(early)
                    continue
                handler = handler_for(providers, change.ref.kind)
                assert handler is not None, f"no handler for {change.ref.kind}"  # build_plan checked
                started.append(pool.submit(_run, handler, change, ctx))
            _collect(started, record)
    return ApplyReport(tuple(results[c.ref] for c in pending if c.ref in results))


def _collect(futures: Sequence[Future[Result]], record: Callable[[Result], None]) -> None:
    """Record each result as it arrives; on an EnvironmentProblem (the only exception ``_run`` lets
    through) cancel what has not started and raise it."""
    remaining = set(futures)
    while remaining:
        done, remaining = wait(remaining, return_when=FIRST_EXCEPTION)
        for future in done:
            error = future.exception()
            if error is not None:
                for other in remaining:
                    other.cancel()
                raise error
            record(future.result())


def execution_waves(changes: Sequence[Change], providers: Sequence[Provider]) -> list[list[Change]]:
    """Group changes into waves that may run concurrently: upserts by ascending handler stage then
    dependency depth; deletes after them by descending stage, children before parents."""
    stage = {c.ref: _stage(providers, c) for c in changes}
    upserts = [c for c in changes if c.action in (Action.CREATE, Action.UPDATE, Action.ADOPT)]
    deletes = [c for c in changes if c.action == Action.DELETE]
    by_ref = {c.ref: c for c in upserts}
    depth: dict[Ref, int] = {}

    def upsert_depth(change: Change, seen: frozenset[Ref] = frozenset()) -> int:
        if change.ref not in depth:
            parents = [by_ref[r] for r in change.depends_on if r in by_ref and r not in seen]
            depth[change.ref] = 1 + max((upsert_depth(p, seen | {change.ref}) for p in parents), default=-1)
        return depth[change.ref]

    # A resource is deleted after everything that sits in it.
    children: dict[Ref, list[Change]] = {}
    for change in deletes:
        for parent in change.located_in:
            children.setdefault(parent, []).append(change)
    delete_depth: dict[Ref, int] = {}

    def child_depth(change: Change, seen: frozenset[Ref] = frozenset()) -> int:
        if change.ref not in delete_depth:
            kids = [k for k in children.get(change.ref, []) if k.ref not in seen]
            delete_depth[change.ref] = 1 + max((child_depth(k, seen | {change.ref}) for k in kids), default=-1)
        return delete_depth[change.ref]

    keyed: dict[tuple[int, int, int], list[Change]] = {}
    for change in upserts:
        keyed.setdefault((0, stage[change.ref], upsert_depth(change)), []).append(change)
    for change in deletes:
        keyed.setdefault((1, -stage[change.ref], child_depth(change)), []).append(change)
    return [keyed[key] for key in sorted(keyed)]


def _stage(providers: Sequence[Provider], change: Change) -> int:
    handler = handler_for(providers, change.ref.kind)
    return handler.stage if handler else 0


def _precheck(change: Change, results: Mapping[Ref, Result], ctx: ApplyContext) -> Result | None:
    """Refuse blocked and drifted changes, skip those whose dependencies failed."""
    if change.blocked:
        return Result(change, Outcome.REFUSED, change.blocked)
    if change.drift and not ctx.force:
        return Result(change, Outcome.REFUSED, f"drift: {change.drift.describe()}; --force overwrites")
    if change.action == Action.DELETE:
        # Deleting a folder deletes what is still in it: wait until everything that sat in it was
        # moved out or deleted successfully.
        failed = [r.change.ref for r in results.values() if change.ref in r.change.located_in and r.outcome.is_failure]
    else:
        failed = [ref for ref in change.depends_on if ref in results and results[ref].outcome.is_failure]
    if failed:
        return Result(change, Outcome.SKIPPED, f"depends on {', '.join(map(str, failed))}, which did not succeed")
    return None


def _run(handler: Handler, change: Change, ctx: ApplyContext) -> Result:
    operation = {
        Action.CREATE: handler.create,
        Action.UPDATE: handler.update,
        Action.DELETE: handler.delete,
        Action.ADOPT: handler.adopt,
    }
    verb = _VERBS[change.action]
    try:
        note = operation[change.action](change, ctx)
    except DryRunBlocked:
        return Result(change, Outcome.DRY_RUN, f"would be {verb}")
    except EnvironmentProblem:
        raise
    except ResourceError as exc:
        return Result(change, Outcome.FAILED, _without_secrets(str(exc), change, ctx))
    except Exception as exc:  # a bug in one handler must not abort independent changes
        return Result(
            change, Outcome.FAILED, _without_secrets(f"internal error: {type(exc).__name__}: {exc}", change, ctx)
        )
    if ctx.dry_run:
        return Result(change, Outcome.DRY_RUN, f"would be {verb}")
    return Result(change, Outcome.OK, _without_secrets(f"{verb} ({note})" if note else verb, change, ctx))


def _without_secrets(text: str, change: Change, ctx: ApplyContext) -> str:
    """``text`` through the output filter, the secrets the change's resource names included even when
    this run did not send them: a server's answer may quote a value it holds (a webhook URL in a
    validation message), and result details outlive the run (reports, saved files)."""
    secret_env = change.resource.secret_env if change.resource else {}
    for variable in secret_env.values():
        remember_secret(ctx.environ.get(variable))
    return mask(text)


# --------------------------------------------------------------------------------------------------
# Formatting


def format_apply_report(report: ApplyReport) -> str:
    """A table of every change's outcome, then the totals."""
    rows = [("RESULT", "ACTION", "RESOURCE", "DETAIL")]
    rows += [(r.outcome.value, r.change.action.value, str(r.change.ref), r.detail) for r in report.results]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
        for row in rows
    ]
    totals = ", ".join(f"{report.count(o)} {o.value}" for o in Outcome if report.count(o))
    return "\n".join([*lines, "", f"Deploy: {totals or 'nothing to do'}"])
