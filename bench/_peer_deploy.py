"""The naive deploy the benchmarks compare against: one request after another, no planning.

``python bench/_peer_deploy.py post URL BUILD_DIR``: POST every dashboard JSON of a build, in order.
``python bench/_peer_deploy.py get-post URL BUILD_DIR``: GET each dashboard, then POST it (what a
script that "checks first" does; it writes even when nothing changed).
The token comes from the environment (``BENCH_GRAFANA_TOKEN``), as pydis-dash's does.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import requests


def main() -> None:
    """Run one peer loop over every dashboard file of the build."""
    mode, url, build_dir = sys.argv[1:4]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {os.environ['BENCH_GRAFANA_TOKEN']}"
    for path in sorted(Path(build_dir, "grafana-dashboard").glob("*.json")):
        dashboard = json.loads(path.read_text())
        if mode == "get-post":
            session.get(f"{url}/api/dashboards/uid/{dashboard['uid']}", timeout=10)
        response = session.post(
            f"{url}/api/dashboards/db", json={"dashboard": dashboard, "overwrite": True}, timeout=10
        )
        response.raise_for_status()


if __name__ == "__main__":
    main()
