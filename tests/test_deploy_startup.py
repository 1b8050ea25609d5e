"""diff/deploy start without importing grafanalib: rendered resources come from the render cache as
plain data, and grafanalib's attrs classes cost 0.3 s to import (it is imported when a definition
file must be loaded)."""

from __future__ import annotations

import subprocess
import sys


def test_the_deploy_commands_and_the_pipeline_do_not_import_grafanalib() -> None:
    code = (
        "import sys, pydis_dash.cli.deploy, pydis_dash.pipeline, pydis_dash.app\n"
        "print(sorted(m for m in sys.modules if m.startswith(('grafanalib', 'pydis_dash.alerts'))))"
    )
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert answer.stdout.strip() == "[]"
