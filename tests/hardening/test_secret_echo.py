"""Servers that echo what they were sent: no secret the run read reaches stdout, stderr or logs.

The masking is one filter at the output boundary (``pydis_dash.redact``), so these tests drive whole
commands against the emulators and look at everything the process wrote.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from emulators.grafana import GrafanaEmulator
from emulators.http import EchoRequest
from emulators.metabase import MetabaseEmulator, new_state

from pydis_dash.cli import main
from pydis_dash.redact import MASK, forget_secrets, mask, masked_output, remember_connection_secrets, remember_secret

MakeProject = Callable[[dict[str, str]], Path]

TOKEN = "glsa_echoed-token-4bd1f0c9"
API_KEY = "mb_echoed-key-77e2a1d3"
DB_PASSWORD = "db-pass/with+chars&=9c1e"
MB_PASSWORD = "mb-login-pass-51c0"

DASHBOARD = """
from pydis_dash.grafana import Dashboard, Row, metricity

dashboard = Dashboard(uid="echo", title="Echo", rows=[Row("r", [metricity.stat("N", sql="SELECT 1")])])
"""
QUESTION = """
from pydis_dash.metabase import Question

question = Question(key="echo", name="Echo", collection="Echo", database="Metricity", sql="SELECT 1")
"""


@pytest.fixture(autouse=True)
def _fresh_secrets() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


@pytest.fixture
def grafana() -> Iterator[GrafanaEmulator]:
    with GrafanaEmulator({TOKEN: "sa-pydis-dash"}) as emulator:
        yield emulator


@pytest.fixture
def metabase(metabase_server: MetabaseEmulator) -> MetabaseEmulator:
    return metabase_server.reset(new_state(api_key=API_KEY, username="deploy@example.com", password=MB_PASSWORD))


def configure(project: Path, grafana_url: str | None = None, metabase_url: str | None = None, **extra: str) -> Path:
    lines = ["[tool.pydis-dash.environments.test]", "retries = 0"]
    if grafana_url:
        lines += [f'grafana_url = "{grafana_url}"', 'grafana_token_env = "TEST_GRAFANA_TOKEN"']
    if metabase_url:
        lines += [f'metabase_url = "{metabase_url}"']
    lines += [f'{key} = "{value}"' for key, value in extra.items()]
    (project / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return project


def run(project: Path, *args: str) -> Result:
    environment = {
        "TEST_GRAFANA_TOKEN": TOKEN,
        "TEST_MB_KEY": API_KEY,
        "TEST_MB_USER": "deploy@example.com",
        "TEST_MB_PASSWORD": MB_PASSWORD,
        "PYDIS_METRICITY_DB_PASSWORD": DB_PASSWORD,
        "PYDIS_DASH_REVISION": "abc123",
    }
    return CliRunner().invoke(main, ["--project", str(project), *args], env=environment)


def assert_no_secret(result: Result, *secrets: str) -> None:
    everything = result.stdout + result.stderr
    for secret in secrets:
        assert secret not in everything
    assert "Traceback" not in everything


def test_grafana_500_echoing_the_request_headers_is_masked(make_project: MakeProject, grafana: GrafanaEmulator) -> None:
    project = configure(make_project({"dashboards/echo.py": DASHBOARD}), grafana.url)
    grafana.inject("GET", r"/api/search", EchoRequest(500), times=None)
    result = run(project, "diff", "--env", "test")
    assert result.exit_code == 3
    assert f"authorization: Bearer {MASK}" in result.stderr  # the echo is shown, the token is not
    assert_no_secret(result, TOKEN)


def test_grafana_apply_time_500_echoing_a_data_source_password_is_masked(
    make_project: MakeProject, grafana: GrafanaEmulator
) -> None:
    project = configure(make_project({"dashboards/echo.py": DASHBOARD}), grafana.url)
    grafana.inject("POST", r"/api/datasources", EchoRequest(500), times=None)
    result = run(project, "deploy", "--env", "test")
    assert result.exit_code == 1
    assert "secureJsonData" in result.stdout  # the echoed body is reported...
    assert_no_secret(result, TOKEN, DB_PASSWORD)  # ...without the token or the password it carried


def test_metabase_401_echoing_the_api_key_is_masked(make_project: MakeProject, metabase: MetabaseEmulator) -> None:
    project = configure(
        make_project({"dashboards/metabase/q.py": QUESTION}),
        metabase_url=metabase.url,
        metabase_api_key_env="TEST_MB_KEY",
    )
    metabase.inject("*", r"/api/.*", EchoRequest(401, json=False), times=None)
    result = run(project, "diff", "--env", "test")
    assert result.exit_code == 3
    assert f"x-api-key: {MASK}" in result.stderr
    assert_no_secret(result, API_KEY)


def test_metabase_session_and_login_echoed_at_apply_are_masked(
    make_project: MakeProject, metabase: MetabaseEmulator
) -> None:
    project = configure(
        make_project({"dashboards/metabase/q.py": QUESTION}),
        metabase_url=metabase.url,
        metabase_user_env="TEST_MB_USER",
        metabase_password_env="TEST_MB_PASSWORD",
    )
    metabase.inject("POST", r"/api/card", EchoRequest(500), times=None)
    result = run(project, "deploy", "--env", "test")
    assert result.exit_code == 1
    assert "x-metabase-session: ***" in result.stdout
    sessions = list(metabase.state.sessions)
    assert sessions
    assert_no_secret(result, MB_PASSWORD, *sessions)


def test_the_filter_covers_print_logging_and_encoded_forms(capsys: pytest.CaptureFixture[str]) -> None:
    secret = "s3cr/et value"
    with masked_output():
        remember_secret(secret)
        print(f"plain {secret}")
        print('json "s3cr\\/et value"'.replace("\\/", "/"), "url s3cr%2Fet%20value", "form s3cr%2Fet+value")
        sys.stderr.write(f"stderr {secret}\n")
        handler = logging.StreamHandler(sys.stderr)
        logger = logging.getLogger("pydis_dash.test_redact")
        logger.addHandler(handler)
        try:
            logger.warning("server said %s", secret)
        finally:
            logger.removeHandler(handler)
    captured = capsys.readouterr()
    assert captured.out == f'plain {MASK}\njson "{MASK}" url {MASK} form {MASK}\n'
    assert captured.err == f"stderr {MASK}\nserver said {MASK}\n"


def test_short_values_and_an_empty_registry_leave_text_alone() -> None:
    assert mask("nothing to hide") == "nothing to hide"
    remember_secret("abc")
    assert mask("abc abc") == "abc abc"
    remember_secret("longer-secret")
    remember_secret("longer-secret-with-suffix")
    assert mask("x longer-secret-with-suffix y longer-secret") == f"x {MASK} y {MASK}"


@pytest.mark.parametrize(
    "target",
    [
        "postgresql://reader:dsn-pass-9f2e@db.example.org/metricity",
        "host=db.example.org user=reader password=dsn-pass-9f2e dbname=metricity",
        "host=db.example.org password='dsn-pass-9f2e' dbname=metricity",
    ],
)
def test_connection_string_passwords_are_masked(target: str) -> None:
    remember_connection_secrets(target)
    assert mask(f"could not connect: {target}") == f"could not connect: {target.replace('dsn-pass-9f2e', MASK)}"


def test_a_live_engine_password_is_masked_in_validate_output(make_project: MakeProject) -> None:
    project = make_project({"dashboards/echo.py": DASHBOARD})
    dsn = "postgresql://reader:dsn-pass-9f2e@127.0.0.1:9/metricity?connect_timeout=1"
    result = CliRunner().invoke(main, ["--project", str(project), "validate", "--engine-url", f"metricity={dsn}"])
    assert result.exit_code == 3
    assert_no_secret(result, "dsn-pass-9f2e")
