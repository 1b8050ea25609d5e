"""Turning a :class:`ValidationReport` into text: for people, for tools (JSON), for GitHub Actions."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from pydis_dash.validate.findings import Finding
from pydis_dash.validate.queries import Language
from pydis_dash.validate.runner import ValidationReport

_NO_FILE = "(no file)"


def format_report(report: ValidationReport, output_format: str) -> str:
    """Format ``report`` as ``human``, ``json`` or ``github``."""
    return FORMATS[output_format](report)


def format_human(report: ValidationReport) -> str:
    """Findings grouped by file, each line ``  file:line[:column]: severity RULE resource, panel (refId): message``."""
    lines: list[str] = []
    by_file: dict[str, list[Finding]] = {}
    for finding in report.findings:
        path = str(finding.location.path) if finding.location else _NO_FILE
        by_file.setdefault(path, []).append(finding)
    for path, findings in by_file.items():
        lines.append(path)
        for finding in findings:
            where = str(finding.location) if finding.location else path
            lines.append(f"  {where}: {finding.severity.value} {finding.rule} {_subject(finding)}: {finding.message}")
        lines.append("")
    lines.append(_summary(report))
    return "\n".join(lines)


def format_json(report: ValidationReport) -> str:
    """A JSON document: ``ok``, a ``summary`` and every finding with its location."""
    document: dict[str, Any] = {
        "ok": not report.failed,
        "summary": {
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "strict": report.strict,
            "resources": report.resources,
            "queries": {language.value: count for language, count in report.queries.items()},
            "engines": [language.value for language in report.engines_started],
        },
        "findings": [_finding_json(finding) for finding in report.findings],
    }
    return json.dumps(document, indent=2)


def format_github(report: ValidationReport) -> str:
    """GitHub Actions workflow commands: ``::error file=...,line=...,title=...::message`` per finding."""
    lines = []
    for finding in report.findings:
        properties = {}
        if finding.location:
            properties["file"] = str(finding.location.path)
            if finding.location.line:
                properties["line"] = str(finding.location.line)
            if finding.location.column:
                properties["col"] = str(finding.location.column)
        properties["title"] = f"{finding.rule} {_subject(finding)}"
        props = ",".join(f"{key}={_escape_property(value)}" for key, value in properties.items())
        lines.append(f"::{finding.severity.value} {props}::{_escape_data(finding.message)}")
    lines.append(_summary(report))
    return "\n".join(lines)


def _subject(finding: Finding) -> str:
    """What the finding is about: the resource, then the panel (or rule) and refId."""
    parts = [str(finding.ref)] if finding.ref else []
    if finding.panel:
        parts.append(f"panel {finding.panel!r}")
    subject = ", ".join(parts)
    if finding.ref_id:
        subject += f" ({finding.ref_id})"
    if not finding.panel and finding.json_path:
        subject += f" at {finding.json_path}"
    return subject or "project"


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "message": finding.message,
        "resource": str(finding.ref) if finding.ref else None,
        "file": str(finding.location.path) if finding.location else None,
        "line": finding.location.line if finding.location else None,
        "column": finding.location.column if finding.location else None,
        "json_path": finding.json_path,
        "panel": finding.panel,
        "ref_id": finding.ref_id,
    }


def _summary(report: ValidationReport) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    queries = ", ".join(
        f"{language.value} {report.queries[language]}" for language in Language if language in report.queries
    )
    checked = f"; queries: {queries}" if queries else ""
    engines = "" if report.engines_started or not report.queries else " (engines not run)"
    verdict = "FAILED" if report.failed else "ok"
    strict = " (--strict: warnings fail)" if report.strict and warnings else ""
    return (
        f"{verdict}: {errors} error(s), {warnings} warning(s){strict} in {report.resources} resource(s)"
        f"{checked}{engines}"
    )


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping (actions/toolkit, core/src/command.ts).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


FORMATS: Mapping[str, Callable[[ValidationReport], str]] = {
    "human": format_human,
    "json": format_json,
    "github": format_github,
}
