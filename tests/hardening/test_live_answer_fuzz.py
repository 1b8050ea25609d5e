"""Property: when a server answers garbage (random bytes, random JSON of another shape than its API's
answer, an error status), ``diff`` and ``deploy`` end with a clear message and exit 1 or 3: never a
traceback, never a secret in the output, never a plan built on the garbage.

Every request to the emulator runs normally; after the first ``intact`` answers (drawn too, so that the
garbage reaches access checks, listings and writes alike) each answer is replaced by the next one
Hypothesis drew, cycling. A drawn JSON value that could be a valid answer there (an object for an
object) is swapped for one that cannot: a well-formed answer with odd contents is not garbage. 404 is not
drawn either: "not there" is a valid answer to a read.
"""

from __future__ import annotations

import itertools
import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from emulators.grafana import GrafanaEmulator
from emulators.http import Response, Rewrite
from emulators.metabase import MetabaseEmulator, new_state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pydis_dash.cli import main
from pydis_dash.redact import forget_secrets

TOKEN = "glsa_fuzz-token-0c93aa1e"
API_KEY = "mb_fuzz-key-5d7e01b4"
DB_PASSWORD = "fuzz-db-password-77c1"
SITE_PASSWORD = "fuzz-site-password-2be8"
SECRETS = (TOKEN, API_KEY, DB_PASSWORD, SITE_PASSWORD)

DASHBOARD = """
from pydis_dash.grafana import Dashboard, Row, prometheus, sql

dashboard = Dashboard(uid="fuzz", title="Fuzz", folder="Fuzz", rows=[Row("r", [
    sql('metricity').stat("N", sql="SELECT 1 AS n"),
    prometheus('prometheus').timeseries("Up", "up"),
])])
"""
QUESTION = """
from pydis_dash.metabase import Question

question = Question(key="fuzz", name="Fuzz", collection="Fuzz/Inner", database="Metricity", sql="SELECT 1 AS n")
"""

# Leaves that matter to a client: ids, names, and the secrets a server might echo back.
_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from([*SECRETS, "id", "uid", "name", "version", "data", "message", "errors", "archived"]),
)
_keys = st.one_of(
    st.sampled_from(["id", "uid", "name", "title", "version", "data", "description", "children", "message", "errors"]),
    st.text(max_size=8),
)
json_shapes = st.recursive(
    _leaves,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_keys, children, max_size=5)),
    max_leaves=12,
)
statuses = st.sampled_from([200, 200, 200, 201, 204, 400, 401, 403, 409, 412, 500, 502])


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


@st.composite
def answers(draw: st.DrawFn) -> tuple[int, bytes | object]:
    """One answer: a status and a body of random non-JSON bytes or a random JSON value."""
    status = draw(statuses)
    if draw(st.booleans()):
        return status, draw(st.binary(min_size=1, max_size=64).filter(lambda data: not _is_json(data)))
    return status, draw(json_shapes)


def _kind(value: object) -> str:
    if isinstance(value, dict | list | str):
        return type(value).__name__
    return "null" if value is None else "number"


def reshaped(real: object, drawn: object) -> object:
    """``drawn`` if it is garbage next to the real answer, else ``drawn`` wrapped in a list (or, for a real
    list, its text). Garbage: another shape than a listing's list; for anything else, a list or a number
    (an object, a message string or nothing are all answers a write may get)."""
    acceptable = {"list"} if isinstance(real, list) else {"dict", "str", "null", _kind(real)}
    if _kind(drawn) not in acceptable:
        return drawn
    return json.dumps(drawn) if isinstance(real, list) else [drawn]


class Mangler:
    """Replaces each answer with the next drawn one (the emulator still ran the request)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: Iterator[tuple[int, bytes | object]] = iter(())
        self._intact = 0
        self.mangled = 0

    def use(self, intact: int, drawn: list[tuple[int, bytes | object]]) -> None:
        with self._lock:
            self._answers = itertools.cycle(drawn)
            self._intact = intact
            self.mangled = 0

    def __call__(self, response: Response) -> Response:
        with self._lock:
            if self._intact > 0:
                self._intact -= 1
                return response
            self.mangled += 1
            status, body = next(self._answers)
        if isinstance(body, bytes):
            return Response(status, body)
        encoded = response.encoded()
        real = json.loads(encoded) if encoded and _is_json(encoded) else (encoded.decode(errors="replace") or None)
        return Response(status, json.dumps(reshaped(real, body)).encode())


@pytest.fixture(scope="module")
def grafana() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator({TOKEN: "sa-pydis-dash"}) as running:
        yield running


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, grafana: GrafanaEmulator, metabase_server: MetabaseEmulator
) -> Path:
    from conftest import REPO_ROOT

    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(REPO_ROOT / "datasources", root / "datasources")
    (root / "dashboards" / "metabase").mkdir(parents=True)
    (root / "dashboards" / "fuzz.py").write_text(DASHBOARD)
    (root / "dashboards" / "metabase" / "fuzz.py").write_text(QUESTION)
    (root / "pyproject.toml").write_text(
        "[tool.pydis-dash.environments.test]\n"
        f'grafana_url = "{grafana.url}"\ngrafana_token_env = "FUZZ_GRAFANA_TOKEN"\n'
        f'metabase_url = "{metabase_server.url}"\nmetabase_api_key_env = "FUZZ_MB_KEY"\n'
        "retries = 0\nread_timeout = 5\n"
    )
    return root


def run(project: Path, *args: str) -> tuple[int, str]:
    environment = {
        "FUZZ_GRAFANA_TOKEN": TOKEN,
        "FUZZ_MB_KEY": API_KEY,
        "PYDIS_METRICITY_DB_PASSWORD": DB_PASSWORD,
        "PYDIS_SITE_DB_PASSWORD": SITE_PASSWORD,
        "PYDIS_DASH_REVISION": "abc123",
    }
    result = CliRunner().invoke(main, ["--project", str(project), *args], env=environment)
    return result.exit_code, result.stdout + result.stderr


def check_run(
    project: Path, command: list[str], reset: Callable[[], None], intact: int, drawn: list[tuple[int, bytes | object]]
) -> None:
    reset()
    forget_secrets()
    mangler.use(intact, drawn)
    code, output = run(project, *command)
    assert "Traceback" not in output, output
    for secret in SECRETS:
        assert secret not in output, output
    if mangler.mangled:
        assert code in (1, 3), output
        assert output.strip(), "a failed run says why"


mangler = Mangler()
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COMMANDS = [["diff", "--env", "test"], ["deploy", "--env", "test"]]


def test_the_project_deploys_cleanly_when_nothing_is_mangled(
    project: Path, grafana: GrafanaEmulator, metabase_server: MetabaseEmulator
) -> None:
    """The baseline the property departs from: the same run with honest answers succeeds."""
    metabase_server.reset(new_state(api_key=API_KEY))
    metabase_server.clear_faults()
    grafana.clear_faults()
    code, output = run(project, "deploy", "--env", "test")
    assert code == 0, output
    assert run(project, "diff", "--env", "test", "--exit-code")[0] == 0


@pytest.mark.parametrize("mangled", ["grafana", "metabase"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@FUZZ
@given(intact=st.integers(min_value=0, max_value=30), drawn=st.lists(answers(), min_size=1, max_size=6))
def test_garbage_answers(
    project: Path,
    grafana: GrafanaEmulator,
    metabase_server: MetabaseEmulator,
    mangled: str,
    command: list[str],
    intact: int,
    drawn: list[tuple[int, bytes | object]],
) -> None:
    """One server (``mangled``) answers garbage while the other answers honestly."""
    servers = {"grafana": grafana, "metabase": metabase_server}

    def reset() -> None:
        metabase_server.reset(new_state(api_key=API_KEY))
        for server in servers.values():
            server.clear_faults()
        servers[mangled].inject("*", r"/api/.*", Rewrite(mangler), times=None)

    check_run(project, command, reset, intact, drawn)
