"""The ``pydis-dash`` command line: thin click commands that call the pipeline stages.

Each sub-module registers its commands on :data:`main`; this module only wires them together and
turns :class:`~pydis_dash.errors.PydisDashError` into one clear line and the documented exit code.
"""

from __future__ import annotations

from pydis_dash.cli.app import main

# Imported when the command is first used (see ExitCodeGroup.lazy_commands); each module registers
# its commands on `main`.
main.lazy_commands = {
    "build": "pydis_dash.cli.build",
    "render": "pydis_dash.cli.build",
    "list": "pydis_dash.cli.build",
    "diff": "pydis_dash.cli.deploy",
    "deploy": "pydis_dash.cli.deploy",
    "import": "pydis_dash.cli.importing",
    "preview": "pydis_dash.cli.preview",
    "pull": "pydis_dash.cli.pulling",
    "rules": "pydis_dash.cli.rules",
    "validate": "pydis_dash.cli.validate",
}

__all__ = ["main"]
