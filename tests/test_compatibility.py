"""Each row of ``docs/compatibility.md`` against the emulator mode it names.

The tables are read from the document, so a row added without an emulator mode, or a claim the
client does not live up to, fails here. The deploy scenarios themselves run per release in
``test_grafana_deploy.py`` and ``test_metabase_deploy.py``/``test_metabase_drift.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from emulators.grafana import GrafanaEmulator
from emulators.grafana_releases import RELEASES as GRAFANA_RELEASES
from emulators.grafana_releases import SUPPORTED, WITH_SCHEMA_V2
from emulators.metabase import RELEASES as METABASE_RELEASES
from emulators.metabase import MetabaseEmulator
from metabase_support import API_KEY, deploy, provider, render

from pydis_dash.errors import DefinitionError
from pydis_dash.metabase import FieldFilter, Question
from pydis_dash.providers.grafana.capabilities import discover
from pydis_dash.providers.grafana.client import GrafanaClient
from pydis_dash.providers.metabase.client import MetabaseClient
from pydis_dash.providers.metabase.release import describe

DOC = Path(__file__).resolve().parent.parent / "docs" / "compatibility.md"
TOKEN = "glsa_compat"


def table(heading: str) -> list[dict[str, str]]:
    """The rows of the first Markdown table under ``## heading``, keyed by column title."""
    section = DOC.read_text().split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)) for line in lines[2:]]


def mode(row: dict[str, str]) -> str:
    return row["Emulator mode"].strip("`")


GRAFANA_ROWS = table("Grafana")
METABASE_ROWS = table("Metabase")


def test_the_tables_cover_exactly_the_emulated_release_lines() -> None:
    assert [mode(row) for row in GRAFANA_ROWS] == list(SUPPORTED)
    assert [int(mode(row)) for row in METABASE_ROWS] == list(METABASE_RELEASES)
    v2_rows = [mode(row) for row in GRAFANA_ROWS if row["Schema v2 dashboards"] != "cannot exist"]
    assert v2_rows == list(WITH_SCHEMA_V2)


@pytest.fixture(params=GRAFANA_ROWS, ids=mode)
def grafana_row(request: pytest.FixtureRequest) -> Iterator[tuple[dict[str, str], GrafanaEmulator]]:
    with GrafanaEmulator({TOKEN: "sa-deploy"}, release=mode(request.param)) as emulator:
        yield request.param, emulator  # type: ignore[misc]


def test_grafana_row_discovery_picks_the_dashboard_api_the_row_names(
    grafana_row: tuple[dict[str, str], GrafanaEmulator],
) -> None:
    row, emulator = grafana_row
    capabilities = discover(GrafanaClient(emulator.url, TOKEN, environment="test"))
    assert capabilities.version == GRAFANA_RELEASES[mode(row)].build
    expected = row["Dashboards read and written through"].strip("`")
    chosen = f"dashboard.grafana.app/{capabilities.v1_api}" if capabilities.v1_api else "/api/dashboards"
    assert chosen == expected
    assert expected in capabilities.describe()
    assert (capabilities.v2_api is None) == (row["Schema v2 dashboards"] == "cannot exist")


def test_grafana_row_versions_list_has_the_shape_the_row_names(
    grafana_row: tuple[dict[str, str], GrafanaEmulator],
) -> None:
    row, emulator = grafana_row
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = {"dashboard": {"uid": "d", "title": "D"}, "message": "first"}
    assert requests.post(emulator.url + "/api/dashboards/db", json=body, headers=headers, timeout=5).ok
    answer = requests.get(
        emulator.url + "/api/dashboards/uid/d/versions", params={"limit": 1}, headers=headers, timeout=5
    ).json()
    shape = row["Versions list"]
    if shape == "JSON array":
        assert isinstance(answer, list) and answer[0]["message"] == "first"
        return
    assert set(answer) == {"versions", "continueToken"}
    if "short pages" in shape:  # the first page is empty, only the token says the entry follows
        assert answer["versions"] == [] and answer["continueToken"]


def test_grafana_row_schema_v2_dashboards(grafana_row: tuple[dict[str, str], GrafanaEmulator]) -> None:
    row, emulator = grafana_row
    claim = row["Schema v2 dashboards"]
    if claim == "cannot exist":
        assert not emulator.release.has_k8s_dashboards
        return
    headers = {"Authorization": f"Bearer {TOKEN}"}
    for uid in ("saved-in-ui", "written-as-v2"):
        body = {"dashboard": {"uid": uid, "title": uid, "panels": [{"id": 1, "type": "stat", "title": "P"}]}}
        assert requests.post(emulator.url + "/api/dashboards/db", json=body, headers=headers, timeout=5).ok
    # A save in the UI stores schema v2 exactly where the row says every UI save does.
    assert emulator.save_in_ui("saved-in-ui").is_v2 == claim.startswith("every UI save")
    # A client of the v2 API stores schema v2 on every 12/13 line.
    path = f"/apis/dashboard.grafana.app/{emulator.release.v2_storage}/namespaces/default/dashboards/written-as-v2"
    found = requests.get(emulator.url + path, headers=headers, timeout=5).json()
    assert requests.put(emulator.url + path, json=found, headers=headers, timeout=5).ok
    assert emulator.dashboards["written-as-v2"].is_v2
    legacy = requests.get(emulator.url + "/api/dashboards/uid/written-as-v2", headers=headers, timeout=5)
    if "legacy GET answers 406" in claim:
        assert legacy.status_code == 406
        assert path in legacy.json()["message"]
    else:
        assert "legacy GET converts lossily" in claim
        assert legacy.status_code == 200
        assert legacy.json()["dashboard"]["panels"] == [{"id": 1, "title": "P", "type": "stat"}]
        assert "elements" not in legacy.json()["dashboard"]


@pytest.fixture
def metabase(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    return metabase_server.reset()


@pytest.mark.parametrize("row", METABASE_ROWS, ids=mode)
def test_metabase_row_card_shape_and_version(metabase: MetabaseEmulator, row: dict[str, str]) -> None:
    version = int(mode(row))
    metabase.state.version = version
    tag = MetabaseClient(metabase.url, api_key=API_KEY).version_tag()
    assert tag is not None and tag.startswith(f"v0.{version}.")
    assert provider(metabase).server_info() == describe(tag)
    database = next(db.id for db in metabase.state.databases.values() if db.name == "Metricity")
    tags = {"n": {"id": "6f1d", "name": "n", "display-name": "N", "type": "number"}}
    query = {"type": "native", "database": database, "native": {"query": "SELECT {{n}}", "template-tags": tags}}
    card = {"name": "Q", "display": "table", "visualization_settings": {}, "dataset_query": query}
    created = requests.post(metabase.url + "/api/card", json=card, headers={"x-api-key": API_KEY}, timeout=5).json()
    answered: Any = created["dataset_query"]
    if row["Card query answered as"] == "legacy MBQL":
        assert answered["type"] == "native"
        read_tags = answered["native"]["template-tags"]
    else:
        assert answered["lib/type"] == "mbql/query"
        read_tags = answered["stages"][0]["template-tags"]
    assert isinstance(read_tags, list if row["Template tags"] == "list" else dict)
    assert ("MBQL 5" in describe(tag).summary) == (row["Card query answered as"] == "MBQL 5")


def mark_sensitive(metabase: MetabaseEmulator, table_name: str, column_name: str) -> None:
    """An admin sets a column's visibility to "Do not include" in the data model."""
    for database in metabase.state.databases.values():
        for table_ in database.tables:
            for column in table_.fields:
                if (table_.name, column.name) == (table_name, column_name):
                    column.visibility_type = "sensitive"


def test_metabase_066_leaves_sensitive_fields_out_of_the_metadata(metabase: MetabaseEmulator, tmp_path: Path) -> None:
    """The 0.66 row: a field filter on a column marked "Do not include" is an unknown field there."""
    question = Question(
        key="by-channel",
        name="By channel",
        collection="Community",
        database="Metricity",
        sql="SELECT count(*) FROM channels WHERE {{channel}}",
        variables=[FieldFilter("channel", "Channel", field="channels.name")],
    )
    mark_sensitive(metabase, "channels", "name")
    metabase.state.version = 63
    _, report = deploy(metabase, render([question], tmp_path))
    assert report.ok
    metabase.reset()
    mark_sensitive(metabase, "channels", "name")
    metabase.state.version = 66
    with pytest.raises(DefinitionError, match=r"column 'channels\.name' not found"):
        deploy(metabase, render([question], tmp_path))
