"""``validate`` on PromQL starts without importing ``requests`` (or psycopg): the engines' requests go
over kept-alive ``http.client`` connections, and ``requests`` (~60 ms to import, a tenth of a small run)
is imported only when an environment proxy applies."""

from __future__ import annotations

import subprocess
import sys


def test_the_promql_path_of_validate_imports_neither_requests_nor_psycopg() -> None:
    code = (
        "import sys, pydis_dash.cli, pydis_dash.cli.validate, pydis_dash.pipeline, pydis_dash.validate.runner\n"
        "import pydis_dash.validate.engines.prometheus, pydis_dash.validate.engines.prometheus_server\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('requests', 'urllib3', 'psycopg')))"
    )
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert answer.stdout.strip() == "[]"
