"""One build of the project as preview shows it: resources, validation findings, the live plan.

A :class:`Snapshot` is immutable; the watcher swaps in a new one after each rebuild, so a request
always renders one consistent build. Building never raises: a definition that fails to load keeps the
last good resources and records the error, which every page then shows.

A build has two phases so pages reload within a second of a save even when slow checks are on:
:func:`load_and_lint` (load, render, schemas, lint) and :func:`complete` (the query engines with
``--engines``, the live plan with ``--env``). Between the two the snapshot is ``pending``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from pydis_dash.errors import ExitCode, PydisDashError
from pydis_dash.model import Ref, Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.plan import Change, Plan
from pydis_dash.preview.panel_data import PanelDataSession, PanelFrames
from pydis_dash.sample import DEFAULT_SEED, SampleContext, sample_now
from pydis_dash.validate.findings import Finding, Severity
from pydis_dash.validate.lint.config import load_lint_config
from pydis_dash.validate.queries import Language
from pydis_dash.validate.runner import EngineOpener, ValidateOptions, ValidationReport, validate

#: Builds the plan of one environment for the given resources (``--env``); raises PydisDashError.
PlanSource = Callable[[Sequence[Resource]], Plan]


@dataclass(frozen=True)
class PreviewOptions:
    """What preview builds: which resources, whether the query engines run, which environment to diff.

    ``engine_openers`` replaces real engines per language (tests, embedding), as in ``ValidateOptions``.
    With ``data``, every panel's queries run on the data sources' sample data (``seed``) and the
    panels are drawn from the results.
    """

    selectors: tuple[str, ...] = ()
    engines: bool = False
    environment: str | None = None
    plan_source: PlanSource | None = None
    engine_openers: Mapping[Language, EngineOpener] = field(default_factory=dict)
    data: bool = False
    seed: int = DEFAULT_SEED
    now: datetime | None = None  # the sample data's "now"; None: the current hour
    # Engines kept running between builds (the live preview); None: started and stopped per build.
    data_session: PanelDataSession | None = field(default=None, compare=False, repr=False)

    @property
    def has_slow_phase(self) -> bool:
        """True when :func:`complete` has work to do (engines, sample data or a live plan)."""
        return self.engines or self.data or self.plan_source is not None


@dataclass(frozen=True)
class Status:
    """Validation status of one resource, as the index shows it."""

    errors: int = 0
    warnings: int = 0

    @property
    def label(self) -> str:
        """``ok``, ``2 errors``, ``1 warning``, ``1 error, 3 warnings``."""
        parts = [_plural(self.errors, "error"), _plural(self.warnings, "warning")]
        return ", ".join(p for p in parts if p) or "ok"

    @property
    def css(self) -> str:
        """The CSS class of the status badge."""
        return "error" if self.errors else "warning" if self.warnings else "ok"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}" if count else ""


@dataclass(frozen=True)
class Snapshot:
    """The result of one build.

    ``load_error`` is set when the latest load failed; ``resources`` are then those of the last good
    build (possibly none), shown as stale. ``validation_error``/``plan_error`` say why validation or
    the plan could not run (an engine missing, a server unreachable); the pages still render.
    ``engines`` is true when the report includes the query engines' findings; ``pending`` while the
    engines or the plan are still running for these resources.
    """

    resources: tuple[Resource, ...] = ()
    report: ValidationReport | None = None
    load_error: str | None = None
    validation_error: str | None = None
    plan: Plan | None = None
    plan_error: str | None = None
    environment: str | None = None
    engines: bool = False
    pending: bool = False
    data: bool = False
    panel_data: Mapping[Ref, PanelFrames] = field(default_factory=dict)
    data_error: str | None = None
    # How a command that needs the data ends when ``data_error`` is set: a broken sample generator is
    # the definitions' fault (1), an engine that cannot start or a tool failure is the environment's (3).
    data_error_code: ExitCode = ExitCode.ENVIRONMENT
    _findings: Mapping[Ref | None, tuple[Finding, ...]] = field(default_factory=dict, repr=False)
    _changes: Mapping[Ref, Change] = field(default_factory=dict, repr=False)

    def findings_for(self, ref: Ref | None) -> tuple[Finding, ...]:
        """Findings about one resource (``None``: findings about no resource in particular)."""
        return self._findings.get(ref, ())

    def status_of(self, ref: Ref) -> Status:
        """Error and warning counts of one resource."""
        findings = self.findings_for(ref)
        return Status(
            errors=sum(1 for f in findings if f.severity is Severity.ERROR),
            warnings=sum(1 for f in findings if f.severity is Severity.WARNING),
        )

    def change_for(self, ref: Ref) -> Change | None:
        """The planned change of one resource with ``--env``; None without a plan."""
        return self._changes.get(ref)

    def frames_for(self, ref: Ref) -> PanelFrames | None:
        """The panels' query results of one resource when panels are drawn from data, else None."""
        return self.panel_data.get(ref, {}) if self.data else None

    def resource(self, ref: Ref) -> Resource | None:
        """The resource with ``ref``, if this build has it."""
        return next((r for r in self.resources if r.ref == ref), None)

    def with_report(self, report: ValidationReport | None, error: str | None, engines: bool) -> Snapshot:
        """A copy with another validation report (and the findings index rebuilt from it)."""
        return replace(self, report=report, validation_error=error, engines=engines, _findings=_index(report))

    def with_plan(self, plan: Plan | None, error: str | None) -> Snapshot:
        """A copy with another plan (and the changes index rebuilt from it)."""
        changes = {change.ref: change for change in plan.changes} if plan else {}
        return replace(self, plan=plan, plan_error=error, _changes=changes)


def build_snapshot(project_dir: Path, options: PreviewOptions, previous: Snapshot | None = None) -> Snapshot:
    """Both phases in one go (the static export): load, validate, and plan when asked; never raises."""
    return complete(project_dir, load_and_lint(project_dir, options, previous), options)


def load_and_lint(project_dir: Path, options: PreviewOptions, previous: Snapshot | None = None) -> Snapshot:
    """Load and render the definitions, then check schemas and lint rules; never raises.

    Broad ``except Exception`` clauses here are deliberate: preview runs author code and checks that are
    still being written, and one failure must show on the page rather than stop the server.
    """
    try:
        resources = tuple(load_resources(project_dir, options.selectors))
    except PydisDashError as error:
        return _failed_load(str(error), options, previous)
    except Exception as error:  # see docstring
        return _failed_load(f"{type(error).__name__}: {error}", options, previous)
    snapshot = Snapshot(resources=resources, environment=options.environment, pending=options.has_slow_phase)
    report, problem = _validate(project_dir, resources, options, engines=False)
    return snapshot.with_report(report, problem, engines=False)


def complete(project_dir: Path, snapshot: Snapshot, options: PreviewOptions) -> Snapshot:
    """Run the slow checks on a :func:`load_and_lint` snapshot: the query engines and the live plan."""
    if snapshot.load_error is not None or not snapshot.pending:
        return replace(snapshot, pending=False)
    if options.engines:
        report, error = _validate(project_dir, snapshot.resources, options, engines=True)
        snapshot = snapshot.with_report(report, error, engines=True)
    if options.data:
        data, failure = _panel_data(project_dir, snapshot.resources, options)
        snapshot = replace(snapshot, data=failure is None, panel_data=data)
        if failure is not None:
            snapshot = replace(snapshot, data_error=failure[0], data_error_code=failure[1])
    if options.plan_source is not None:
        snapshot = snapshot.with_plan(*_plan(snapshot.resources, options.plan_source))
    return replace(snapshot, pending=False)


def _panel_data(
    project_dir: Path, resources: Sequence[Resource], options: PreviewOptions
) -> tuple[Mapping[Ref, PanelFrames], tuple[str, ExitCode] | None]:
    """The panels' query results on sample data, or why there are none and whose fault that is
    (the exit code of the error); never raises."""
    from pydis_dash.preview.panel_data import collect_panel_data

    try:
        datasources = project_dir / "datasources"
        selected_only = options.selectors and datasources.is_dir()
        everything = load_resources(project_dir, [str(datasources)]) if selected_only else ()
        if options.data_session is not None:
            return options.data_session.collect(resources, everything), None
        context = SampleContext(seed=options.seed, now=options.now or sample_now())
        return collect_panel_data(resources, context, everything), None
    except PydisDashError as error:
        return {}, (str(error), error.exit_code)
    except Exception as error:  # see load_and_lint; a failure of the tool itself
        return {}, (f"sample data failed: {type(error).__name__}: {error}", ExitCode.ENVIRONMENT)


def _failed_load(message: str, options: PreviewOptions, previous: Snapshot | None) -> Snapshot:
    if previous is None:
        return Snapshot(load_error=message, environment=options.environment)
    return replace(previous, load_error=message, pending=False)


def _validate(
    project_dir: Path, resources: Sequence[Resource], options: PreviewOptions, engines: bool
) -> tuple[ValidationReport | None, str | None]:
    try:
        lint = load_lint_config(project_dir)
        settings = ValidateOptions(engines=engines, lint=lint, engine_openers=options.engine_openers)
        return validate(resources, settings), None
    except PydisDashError as error:
        return None, str(error)
    except Exception as error:  # see load_and_lint
        return None, f"validation failed: {type(error).__name__}: {error}"


def _plan(resources: Sequence[Resource], source: PlanSource) -> tuple[Plan | None, str | None]:
    try:
        return source(resources), None
    except PydisDashError as error:
        return None, str(error)
    except Exception as error:  # see load_and_lint
        return None, f"planning failed: {type(error).__name__}: {error}"


def _index(report: ValidationReport | None) -> dict[Ref | None, tuple[Finding, ...]]:
    by_ref: dict[Ref | None, list[Finding]] = {}
    for finding in report.findings if report else ():
        by_ref.setdefault(finding.ref, []).append(finding)
    return {ref: tuple(findings) for ref, findings in by_ref.items()}
