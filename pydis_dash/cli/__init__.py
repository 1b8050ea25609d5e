"""The ``pydis-dash`` command line: thin click commands that call the pipeline stages.

Each sub-module registers its commands on :data:`main`; this module only wires them together and
turns :class:`~pydis_dash.errors.PydisDashError` into one clear line and the documented exit code.
"""

from __future__ import annotations

from pydis_dash.cli import build as _build  # noqa: F401  (registers build, render, list)
from pydis_dash.cli import deploy as _deploy  # noqa: F401  (registers diff, deploy)
from pydis_dash.cli import importing as _importing  # noqa: F401  (registers import)
from pydis_dash.cli import preview as _preview  # noqa: F401  (registers preview)
from pydis_dash.cli import pulling as _pulling  # noqa: F401  (registers pull)
from pydis_dash.cli import rules as _rules  # noqa: F401  (registers rules)
from pydis_dash.cli import validate as _validate  # noqa: F401  (registers validate)
from pydis_dash.cli.app import main

__all__ = ["main"]
