"""Errors every stage may raise, and the exit codes the CLI maps them to.

Exit codes are the same for every command (see the README's table):
0 ok; 1 invalid definitions or failed resources; 2 changes present (``diff --exit-code`` only);
3 tool or environment error.
"""

from __future__ import annotations

from enum import IntEnum

from pydis_dash.model import SourceLocation


class ExitCode(IntEnum):
    """Process exit codes shared by all commands."""

    OK = 0
    INVALID = 1
    CHANGES = 2
    ENVIRONMENT = 3


class PydisDashError(Exception):
    """Base class: an error with a one-line, user-facing message and an exit code."""

    exit_code: ExitCode = ExitCode.ENVIRONMENT


class DefinitionError(PydisDashError):
    """A definition is broken (syntax error, exception at import, duplicate identity, bad value)."""

    exit_code = ExitCode.INVALID

    def __init__(self, message: str, location: SourceLocation | None = None, obj: str | None = None):
        self.message = message
        self.location = location
        self.obj = obj
        prefix = f"{location}: " if location else ""
        what = f"{obj}: " if obj else ""
        super().__init__(f"{prefix}{what}{message}")


class EnvironmentProblem(PydisDashError):
    """The tool cannot do its job: an engine is missing, a server unreachable, a token rejected."""

    exit_code = ExitCode.ENVIRONMENT


class UsageProblem(EnvironmentProblem):
    """The command line asks for what is not there: a selector matching nothing, a folder that is not a
    project. A usage error, exit 3 (as click's own), never 1: the definitions themselves are fine."""
