"""Environment configuration: where it is read from, what is refused, and secrets only by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pydis_dash.config import ConfigError, load_config
from pydis_dash.errors import ExitCode


def write(root: Path, name: str, text: str) -> None:
    (root / name).write_text(text)


def test_pyproject_section_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[tool.pydis-dash.environments.prod]\ngrafana_url = "https://g.example"\nretries = 1\n',
    )
    env = load_config(tmp_path).environment(None)
    assert (env.name, env.grafana_url, env.retries, env.read_timeout) == ("prod", "https://g.example", 1, 30.0)


def test_pydis_dash_toml_wins_and_may_use_top_level_tables(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.pydis-dash.environments.prod]\ngrafana_url = "https://old"\n')
    write(
        tmp_path,
        "pydis-dash.toml",
        'default_environment = "b"\n[environments.a]\n[environments.b]\ngrafana_url = "https://b"\n',
    )
    config = load_config(tmp_path)
    assert config.environment(None).grafana_url == "https://b"
    assert config.environment("a").grafana_url is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[tool.pydis-dash.environments.x]\ngrafana_token = "glsa_x"\n', "unknown key 'grafana_token'"),
        ("[tool.pydis-dash.environments.x]\nretries = true\n", "environments.x.retries has the wrong type (bool)"),
        ('[tool.pydis-dash]\ndefault_environment = "y"\n[tool.pydis-dash.environments.x]\n', "default_environment 'y'"),
        ("[tool.pydis-dash\n", "cannot read configuration"),
    ],
)
def test_bad_configuration_is_one_clear_error(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, "pyproject.toml", text)
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        load_config(tmp_path)
    assert str(tmp_path / "pyproject.toml") in str(caught.value) and caught.value.exit_code == ExitCode.ENVIRONMENT


def test_choosing_an_environment(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.pydis-dash.environments.a]\n[tool.pydis-dash.environments.b]\n")
    config = load_config(tmp_path)
    with pytest.raises(ConfigError, match="choose an environment with --env: a, b"):
        config.environment(None)
    with pytest.raises(ConfigError, match=r"unknown environment 'c'.*known: a, b"):
        config.environment("c")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match="no environments configured"):
        load_config(empty).environment(None)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://grafana.example.org", True),
        ("http://localhost:3000", True),
        ("http://127.0.0.1:3000/", True),
        ("http://[::1]:3000", True),
        ("http://grafana.example.org", False),
        ("http://10.0.0.5:3000", False),
        ("ftp://grafana.example.org", False),
    ],
)
def test_plain_http_only_to_loopback(tmp_path: Path, url: str, allowed: bool) -> None:
    write(tmp_path, "pyproject.toml", "[tool.pydis-dash.environments.x]\n")
    env = load_config(tmp_path).environment("x")
    if allowed:
        assert env.checked_url(url, "grafana") == url.rstrip("/")
    else:
        with pytest.raises(ConfigError):
            env.checked_url(url, "grafana")


@pytest.mark.parametrize("url", ["https://admin:hunter2@grafana.example.org", "https://hunter2@grafana.example.org"])
def test_credentials_in_a_url_are_refused_without_echoing_them(tmp_path: Path, url: str) -> None:
    write(tmp_path, "pyproject.toml", "[tool.pydis-dash.environments.x]\n")
    env = load_config(tmp_path).environment("x")
    with pytest.raises(ConfigError, match="must not contain credentials") as caught:
        env.checked_url(url, "grafana")
    assert "hunter2" not in str(caught.value)


def test_insecure_http_needs_the_explicit_flag(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.pydis-dash.environments.x]\nallow_insecure_http = true\n")
    env = load_config(tmp_path).environment("x")
    assert env.checked_url("http://grafana.internal", "grafana") == "http://grafana.internal"


def test_tokens_come_from_the_named_variable_and_errors_never_show_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "pyproject.toml", '[tool.pydis-dash.environments.x]\ngrafana_token_env = "MY_TOKEN"\n')
    env = load_config(tmp_path).environment("x")
    monkeypatch.delenv("MY_TOKEN", raising=False)
    with pytest.raises(ConfigError, match=r"\$MY_TOKEN \(the Grafana service-account token\) is not set"):
        env.grafana_token()
    monkeypatch.setenv("MY_TOKEN", "glsa_value")
    assert env.grafana_token() == "glsa_value"


def test_ca_bundle_is_resolved_against_the_project(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.pydis-dash.environments.x]\nca_bundle = "ca.pem"\n')
    env = load_config(tmp_path).environment("x")
    with pytest.raises(ConfigError, match=r"ca_bundle .* does not exist"):
        env.verify(tmp_path)
    write(tmp_path, "ca.pem", "-----BEGIN CERTIFICATE-----\n")
    assert env.verify(tmp_path) == str(tmp_path / "ca.pem")
