"""Two deploys at once against one Metabase: the instance's deploy lock lets one through, refuses the other
naming the holder, and a rerun adopts duplicate cards a past race left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from emulators.http import Latency
from emulators.metabase import MetabaseEmulator, new_state
from metabase_support import API_KEY, content_writes, lock_collections

from pydis_dash.metabase.marker import key_of
from pydis_dash.providers.metabase.client import MetabaseClient
from pydis_dash.providers.metabase.lock import (
    LOCK_NAME,
    DeployLocked,
    MetabaseDeployLock,
    lock_description,
    parse_lock,
)

QUESTIONS = {
    f"q{i}": (f"Question {i}", collection)
    for i, collection in enumerate(
        ["Moderation", "Moderation/Nominations", "Community", "Community/Events", "Moderation", "Community"]
    )
}
COLLECTIONS = {"Moderation", "Nominations", "Community", "Events"}


@pytest.fixture
def emulator(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    return metabase_server.reset(new_state(api_key=API_KEY))


def write_project(root: Path, url: str) -> Path:
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [tool.pydis-dash.environments.test]
            metabase_url = "{url}"
            metabase_api_key_env = "TEST_MB_KEY"
            retries = 0
            """
        )
    )
    lines = ["from pydis_dash.metabase import Question", ""]
    for key, (name, collection) in QUESTIONS.items():
        lines.append(
            f"{key.replace('-', '_')} = Question(key={key!r}, name={name!r}, collection={collection!r}, "
            "database='Metricity', sql='SELECT count(*) AS n FROM messages')"
        )
    questions = root / "dashboards" / "metabase"
    questions.mkdir(parents=True)
    (questions / "questions.py").write_text("\n".join(lines) + "\n")
    return root


def deploy_process(root: Path) -> subprocess.Popen[str]:
    environment = {**os.environ, "TEST_MB_KEY": API_KEY, "PYDIS_DASH_REVISION": "abc123"}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pydis_dash.cli import main; main()",
            "--project",
            str(root),
            "deploy",
            "--env",
            "test",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )


def live_cards(emulator: MetabaseEmulator) -> list[dict[str, Any]]:
    return [c for c in emulator.state.cards.values() if not c["archived"]]


def live_collections(emulator: MetabaseEmulator) -> list[str]:
    return sorted(
        c["name"]
        for c in emulator.state.collections.values()
        if not c["archived"] and c["personal_owner_id"] is None and c["name"] != LOCK_NAME
    )


def test_two_deploy_processes_at_once_create_everything_once(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    root = write_project(tmp_path, emulator.url)
    # A slow card listing keeps each deploy planning for a while: without a lock both would plan
    # "create" for everything before either wrote, and both would create it all.
    emulator.inject("GET", r"/api/card", Latency(1.5), times=None)
    first, second = deploy_process(root), deploy_process(root)
    outcomes = [process.communicate(timeout=120) for process in (first, second)]
    codes = sorted(p.returncode for p in (first, second))
    emulator.clear_faults()

    assert len(live_cards(emulator)) == len(QUESTIONS)
    assert sorted(key_of(c["description"]) for c in live_cards(emulator)) == sorted(QUESTIONS)
    assert live_collections(emulator) == sorted(COLLECTIONS)
    assert codes == [0, 3], outcomes
    (winner, _), (_, refused) = sorted(zip((first, second), outcomes, strict=True), key=lambda p: p[0].returncode)
    assert "another deploy is running on Metabase" in refused[1]
    assert f"pid {winner.pid}" in refused[1]  # names the holder
    assert "Traceback" not in "".join(stdout + stderr for stdout, stderr in outcomes)
    # Both gave their lock back.
    assert lock_collections(emulator) and all(c["archived"] for c in lock_collections(emulator))

    emulator.reset_log()
    rerun = deploy_process(root)
    stdout, stderr = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, stderr
    assert "Nothing to deploy." in stdout
    assert content_writes(emulator) == []


def client(emulator: MetabaseEmulator) -> MetabaseClient:
    return MetabaseClient(emulator.url, api_key=API_KEY, environment="test", retries=0, backoff_factor=0)


def test_a_held_lock_is_refused_with_its_holder(emulator: MetabaseEmulator) -> None:
    holder = MetabaseDeployLock(client(emulator), "test", holder="alice@ci-7 pid 4121")
    with holder:
        with pytest.raises(DeployLocked) as refused:
            MetabaseDeployLock(client(emulator), "test", holder="bob@laptop pid 9").acquire()
        assert "test: another deploy is running on Metabase: alice@ci-7 pid 4121 (expires " in str(refused.value)
        assert [parse_lock(c) is not None for c in lock_collections(emulator) if not c["archived"]] == [True]
    assert all(c["archived"] for c in lock_collections(emulator))


def test_a_stale_lock_expires_and_is_archived(emulator: MetabaseEmulator) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    stale = client(emulator).create_collection(LOCK_NAME, None, lock_description("dead@host pid 1", past))
    with MetabaseDeployLock(client(emulator), "test", holder="me") as lock:
        assert lock.collection_id is not None
        assert emulator.state.collections[stale["id"]]["archived"] is True


def test_two_contenders_agree_the_lowest_id_wins(emulator: MetabaseEmulator) -> None:
    """Both checked before either created its lock: the later one sees the earlier lock and backs off."""
    loser = MetabaseDeployLock(client(emulator), "test", holder="late")
    winner = MetabaseDeployLock(client(emulator), "test", holder="early")
    original_write = loser._write_lock

    def race() -> int:
        winner.collection_id = winner._write_lock()  # the other contender got there first
        return original_write()

    loser._write_lock = race  # type: ignore[method-assign]
    with pytest.raises(DeployLocked, match="early"):
        loser.acquire()
    live = [c for c in lock_collections(emulator) if not c["archived"]]
    assert [parse_lock(c).holder for c in live if parse_lock(c)] == ["early"]  # type: ignore[union-attr]


def test_the_lock_is_renewed_while_held(emulator: MetabaseEmulator) -> None:
    lock = MetabaseDeployLock(client(emulator), "test", holder="me", ttl=timedelta(seconds=0.3))
    with lock:
        assert lock.collection_id is not None
        first = parse_lock(emulator.state.collections[lock.collection_id])
        emulator.wait_idle()
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while datetime.now(UTC) < deadline:
            current = parse_lock(emulator.state.collections[lock.collection_id])
            if current and first and current.expires > first.expires:
                break
        else:
            pytest.fail("the lock's expiry was never pushed forward")


def test_a_rerun_archives_duplicates_a_race_left_and_says_so(emulator: MetabaseEmulator, tmp_path: Path) -> None:
    """What two unlocked deploys left behind (each card twice) is cleaned by the next deploy."""
    root = write_project(tmp_path, emulator.url)
    first = deploy_process(root)
    assert first.communicate(timeout=60) and first.returncode == 0
    originals = live_cards(emulator)
    headers = {"x-api-key": API_KEY}
    for card in originals:  # the second, unlocked deploy's copies: same user, same content, same marker
        stored = requests.get(f"{emulator.url}/api/card/{card['id']}", headers=headers, timeout=5).json()
        fields = ("name", "display", "visualization_settings", "collection_id", "description", "dataset_query")
        body = {k: stored[k] for k in (*fields, "parameters")}
        requests.post(f"{emulator.url}/api/card", json=body, headers=headers, timeout=5).raise_for_status()
    assert len(live_cards(emulator)) == 2 * len(QUESTIONS)

    rerun = deploy_process(root)
    stdout, stderr = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, stdout + stderr
    assert stdout.count("a duplicate of card") == len(QUESTIONS)
    assert sorted(c["id"] for c in live_cards(emulator)) == sorted(c["id"] for c in originals)
    again = deploy_process(root)
    assert "Nothing to deploy." in again.communicate(timeout=60)[0]
