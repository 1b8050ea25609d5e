"""Alert authoring: rule groups, contact points, the policy tree and mute timings render to Grafana's
provisioning JSON; bad definitions fail at the author's line; secrets never reach the output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from pydis_dash.cli import main
from pydis_dash.conventions.alerting import MAX_UID, UID_PREFIX, is_valid_uid, rule_uid
from pydis_dash.conventions.durations import DurationError, format_duration, parse_duration
from pydis_dash.errors import DefinitionError
from pydis_dash.model import Kind, Resource
from pydis_dash.pipeline import load_resources
from pydis_dash.validate.extract import extract_queries
from pydis_dash.validate.queries import Language

REPO_ROOT = Path(__file__).resolve().parent.parent
MakeProject = Callable[[dict[str, str]], Path]


def _of(resources: list[Resource], kind: Kind) -> list[Resource]:
    return [r for r in resources if r.kind is kind]


def _rules(resources: list[Resource]) -> dict[str, dict[str, Any]]:
    return {rule["title"]: rule for group in _of(resources, Kind.GRAFANA_RULE_GROUP) for rule in group.body["rules"]}


def _threshold(rule: dict[str, Any]) -> tuple[str, float]:
    condition = next(d for d in rule["data"] if d["refId"] == rule["condition"])
    evaluator = condition["model"]["conditions"][0]["evaluator"]
    return evaluator["type"], evaluator["params"][0]


@pytest.fixture(scope="module")
def bundled() -> list[Resource]:
    return load_resources(REPO_ROOT)


# --- the community's definitions ------------------------------------------------------------------


def test_bundled_rules_carry_the_communitys_thresholds(bundled: list[Resource]) -> None:
    rules = _rules(bundled)
    expected = {
        # title: (comparison, threshold, for, severity)
        "Site answers with 5xx errors": ("gt", 0.0, "5m", "page"),
        "Site p95 latency elevated": ("gt", 1.0, "15m", "low"),
        "Site p95 latency high": ("gt", 10.0, "15m", "page"),
        "PostgreSQL is down": ("lt", 1.0, "0s", "page"),
        "PostgreSQL connections near the limit": ("gt", 80.0, "1m", "page"),
        "PostgreSQL deadlocks": ("gt", 3.0, "1m", "page"),
    }
    for title, (kind, value, for_, severity) in expected.items():
        rule = rules[title]
        assert (*_threshold(rule), rule["for"], rule["labels"]["severity"]) == (kind, value, for_, severity), title
    assert "5.." in rules["Site answers with 5xx errors"]["data"][0]["model"]["expr"]
    assert "pg_settings_max_connections" in rules["PostgreSQL connections near the limit"]["data"][0]["model"]["expr"]


def test_bundled_raid_rule_reads_the_member_gauge_and_tells_moderators(bundled: list[Resource]) -> None:
    raid = _rules(bundled)["Unusual member join rate (possible raid)"]
    assert "bot_guild_total_members" in raid["data"][0]["model"]["expr"]
    assert raid["labels"]["additional_destination"] == "moderators"


def test_bundled_policy_routes_every_severity_and_moderators(bundled: list[Resource]) -> None:
    [policy] = _of(bundled, Kind.GRAFANA_NOTIFICATION_POLICY)
    contact_points = {r.body["name"] for r in _of(bundled, Kind.GRAFANA_CONTACT_POINT)}
    routes = {tuple(tuple(m) for m in route["object_matchers"]): route for route in policy.body["routes"]}
    assert routes[(("severity", "=", "page"),)]["receiver"] == "devops on-call"
    assert routes[(("severity", "=", "low"),)]["receiver"] == "devops low priority"
    moderators = routes[(("additional_destination", "=", "moderators"),)]
    assert moderators["receiver"] == "moderators" and moderators["continue"] is True
    assert {policy.body["receiver"], *(r["receiver"] for r in policy.body["routes"])} <= contact_points
    assert contact_points == {"devops on-call", "devops low priority", "moderators"}


def test_bundled_contact_points_name_variables_only(bundled: list[Resource]) -> None:
    for point in _of(bundled, Kind.GRAFANA_CONTACT_POINT):
        assert point.secret_env["url"].startswith("PYDIS_ALERTS_")
        assert point.body["settings"]["url"] == "$__env{" + point.secret_env["url"] + "}"


def test_every_bundled_rule_query_is_extracted_for_the_engines(bundled: list[Resource]) -> None:
    queries = [q for q in extract_queries(bundled) if q.resource.kind is Kind.GRAFANA_RULE_GROUP]
    assert len(queries) == len(_rules(bundled))
    assert {q.language for q in queries} == {Language.PROMQL}
    assert all(q.json_path.endswith("/data/0/model/expr") and q.datasource_uid == "prometheus" for q in queries)


# --- rule groups ----------------------------------------------------------------------------------

GROUP = """
from pydis_dash.alerts import RuleGroup, graphite_rule, prometheus_rule, sql_rule

group = RuleGroup(folder="Site and API/Alerts", name="django", interval="1m", rules=[
    prometheus_rule("High latency", expr="up", above=1.5, for_="15m", severity="low",
                    summary="slow", runbook_url="https://example.org/runbook", labels={"team": "devops"}),
    graphite_rule("Few members", target="stats.gauges.bot.guild.total_members", below=10,
                  reducer="min", lookback="30m", no_data_state="OK", exec_err_state="Alerting"),
    sql_rule("Many joins", sql="joins.sql", above=100, datasource="Metricity", uid="many-joins",
             also_notify="moderators"),
])
"""
JOINS_SQL = "SELECT count(*) AS joins FROM users WHERE $__timeFilter(joined_at)\n"


@pytest.fixture
def group_project(make_project: MakeProject) -> Path:
    return make_project({"alerts/site.py": GROUP, "alerts/joins.sql": JOINS_SQL})


def test_rule_group_body_is_grafanas_alert_rule_group(group_project: Path) -> None:
    resources = load_resources(group_project)
    [group] = _of(resources, Kind.GRAFANA_RULE_GROUP)
    folders = _of(resources, Kind.GRAFANA_FOLDER)
    assert [f.body["title"] for f in folders] == ["Site and API", "Alerts"]
    assert group.ref.uid == "pydis-dash-site-and-api-alerts.django"
    assert group.depends_on == (folders[-1].ref,)
    assert group.container == "Site and API/Alerts"
    assert group.body["title"] == "django"
    assert group.body["folderUid"] == folders[-1].ref.uid
    assert group.body["interval"] == 60
    latency = group.body["rules"][0]
    assert {
        k: latency[k] for k in ("title", "condition", "for", "noDataState", "execErrState", "ruleGroup", "orgID")
    } == {
        "title": "High latency",
        "condition": "C",
        "for": "15m",
        "noDataState": "NoData",
        "execErrState": "Error",
        "ruleGroup": "django",
        "orgID": 1,
    }
    assert latency["folderUID"] == folders[-1].ref.uid
    assert latency["labels"] == {"team": "devops", "severity": "low"}
    assert latency["annotations"] == {"summary": "slow", "runbook_url": "https://example.org/runbook"}


def test_rule_data_is_query_then_reduce_then_threshold(group_project: Path) -> None:
    [group] = _of(load_resources(group_project), Kind.GRAFANA_RULE_GROUP)
    query, reduce, threshold = group.body["rules"][0]["data"]
    assert (query["refId"], query["datasourceUid"], query["relativeTimeRange"]) == (
        "A",
        "prometheus",
        {"from": 600, "to": 0},
    )
    assert query["model"]["expr"] == "up" and query["model"]["instant"] is True and query["model"]["refId"] == "A"
    assert (reduce["datasourceUid"], reduce["model"]["type"], reduce["model"]["expression"]) == (
        "__expr__",
        "reduce",
        "A",
    )
    assert reduce["model"]["reducer"] == "last"
    assert (threshold["datasourceUid"], threshold["model"]["type"], threshold["model"]["expression"]) == (
        "__expr__",
        "threshold",
        "B",
    )
    assert threshold["model"]["conditions"][0]["evaluator"] == {"type": "gt", "params": [1.5]}


def test_graphite_and_sql_rules(group_project: Path) -> None:
    [group] = _of(load_resources(group_project), Kind.GRAFANA_RULE_GROUP)
    _, graphite, sql = group.body["rules"]
    assert graphite["data"][0]["datasourceUid"] == "graphite"
    assert graphite["data"][0]["model"]["target"] == "stats.gauges.bot.guild.total_members"
    assert graphite["data"][0]["relativeTimeRange"] == {"from": 1800, "to": 0}
    assert graphite["data"][1]["model"]["reducer"] == "min"
    assert _threshold(graphite) == ("lt", 10.0)
    assert (graphite["noDataState"], graphite["execErrState"]) == ("OK", "Alerting")
    assert sql["data"][0]["datasourceUid"] == "metricity"
    assert sql["data"][0]["model"]["rawSql"] == JOINS_SQL.strip()  # read from the .sql file beside the definition
    assert sql["data"][0]["model"]["format"] == "table"
    assert sql["uid"] == "pydis-dash-many-joins"
    assert sql["labels"] == {"additional_destination": "moderators"}


def test_each_rule_query_is_extracted_in_its_language(group_project: Path) -> None:
    queries = extract_queries(load_resources(group_project))
    assert [(q.language, q.panel, q.ref_id, q.json_path) for q in queries] == [
        (Language.PROMQL, "High latency", "A", "/rules/0/data/0/model/expr"),
        (Language.GRAPHITE, "Few members", "A", "/rules/1/data/0/model/target"),
        (Language.SQL, "Many joins", "A", "/rules/2/data/0/model/rawSql"),
    ]


def test_findings_on_a_rule_point_at_the_rules_line(group_project: Path) -> None:
    [group] = _of(load_resources(group_project), Kind.GRAFANA_RULE_GROUP)
    assert str(group.source) == "alerts/site.py:3"
    assert str(group.location_of("/rules/1/data/0/model/target")) == "alerts/site.py:6"
    assert str(group.location_of("/rules/2/for")) == "alerts/site.py:8"


def test_derived_rule_uids_are_stable_distinct_and_short(group_project: Path) -> None:
    first = _rules(load_resources(group_project))
    second = _rules(load_resources(group_project))
    assert {t: r["uid"] for t, r in first.items()} == {t: r["uid"] for t, r in second.items()}
    long_title = "A very long alert rule title that goes on and on about the latency of the site"
    uids = {rule_uid(folder, group, long_title) for folder in ("Site", "Bot") for group in ("a", "b")}
    assert len(uids) == 4
    assert all(uid.startswith(UID_PREFIX) and len(uid) <= MAX_UID and is_valid_uid(uid) for uid in uids)


# --- bad definitions fail at the author's line ------------------------------------------------------

BAD_RULES = {
    "both thresholds": ('prometheus_rule("x", expr="up", above=1, below=2)', "give exactly one of above= or below="),
    "no threshold": ('prometheus_rule("x", expr="up")', "give exactly one of above= or below="),
    "bad for": ('prometheus_rule("x", expr="up", above=1, for_="5 minutes")', "for_: '5 minutes' is not a duration"),
    "bad state": ('prometheus_rule("x", expr="up", above=1, no_data_state="Firing")', "no_data_state must be one of"),
    "unknown option": ('prometheus_rule("x", expr="up", above=1, severty="page")', "unknown option(s) severty"),
    "nan": ('prometheus_rule("x", expr="up", above=float("nan"))', "threshold must be a finite number"),
}


@pytest.mark.parametrize("case", sorted(BAD_RULES))
def test_bad_rule_is_one_error_at_its_line(make_project: MakeProject, case: str) -> None:
    call, message = BAD_RULES[case]
    root = make_project(
        {"alerts/bad.py": f"from pydis_dash.alerts import RuleGroup, prometheus_rule\n\n\nrule = {call}\n"}
    )
    with pytest.raises(DefinitionError) as raised:
        load_resources(root)
    assert str(raised.value.location) == "alerts/bad.py:4"
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("interval", "message"),
    [
        ("45s", "positive multiple of 10s"),
        ("0s", "positive multiple of 10s"),
        ("soon", "interval: 'soon' is not a duration"),
    ],
)
def test_bad_group_interval(make_project: MakeProject, interval: str, message: str) -> None:
    source = (
        "from pydis_dash.alerts import RuleGroup, prometheus_rule\n"
        f'g = RuleGroup("Site", "g", "{interval}", [prometheus_rule("x", expr="up", above=1)])\n'
    )
    with pytest.raises(DefinitionError) as raised:
        load_resources(make_project({"alerts/bad.py": source}))
    assert str(raised.value.location) == "alerts/bad.py:2"
    assert "rule group 'Site/g'" in str(raised.value) and message in str(raised.value)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            'sql_rule("x", sql="SELECT 1", above=1)',
            "sql_rule(...) needs datasource='uid' when there is not exactly one data source it can query: "
            "the project has 2 (metricity, site-db)",
        ),
        (
            'prometheus_rule("x", expr="up", above=1, datasource="nope")',
            "unknown data source 'nope' in prometheus_rule(...) (known uids: graphite, metricity, prometheus, site-db)",
        ),
        (
            'graphite_rule("x", target="a.b", above=1, datasource="prometheus")',
            "data source 'prometheus' is of type 'prometheus', which graphite_rule(...) cannot query",
        ),
    ],
)
def test_rule_data_source_must_resolve_at_the_rule_line(make_project: MakeProject, rule: str, message: str) -> None:
    source = (
        "from pydis_dash.alerts import RuleGroup, graphite_rule, prometheus_rule, sql_rule\n"
        f'g = RuleGroup("Site", "g", "1m", [\n    {rule},\n])\n'
    )
    with pytest.raises(DefinitionError) as raised:
        load_resources(make_project({"alerts/bad.py": source}))
    assert str(raised.value) == f"alerts/bad.py:3: alert rule 'x': {message}"


def test_missing_sql_file_names_the_file(make_project: MakeProject) -> None:
    source = 'from pydis_dash.alerts import sql_rule\n\nr = sql_rule("x", sql="missing.sql", above=1)\n'
    with pytest.raises(DefinitionError) as raised:
        load_resources(make_project({"alerts/bad.py": source}))
    assert "cannot read SQL file 'missing.sql'" in str(raised.value)
    assert str(raised.value.location) == "alerts/bad.py:3"


# --- contact points and secrets -------------------------------------------------------------------

CONTACTS = """
from pydis_dash.alerts import discord_contact_point, email_contact_point, webhook_contact_point

hook = webhook_contact_point("on-call", url_env="ONCALL_URL", username="grafana", password_env="ONCALL_PASSWORD")
mail = email_contact_point("on-call", addresses=["a@example.org", "b@example.org"], single_email=True)
chat = discord_contact_point("mods", url_env="MODS_URL", title="{{ .CommonLabels.alertname }}")
"""


def test_contact_points_render_placeholders_and_env_names(make_project: MakeProject) -> None:
    points = {
        r.ref.uid: r
        for r in _of(load_resources(make_project({"alerts/contacts.py": CONTACTS})), Kind.GRAFANA_CONTACT_POINT)
    }
    hook, mail, chat = (
        points["pydis-dash-on-call-webhook"],
        points["pydis-dash-on-call-email"],
        points["pydis-dash-mods-discord"],
    )
    assert hook.body == {
        "uid": "pydis-dash-on-call-webhook",
        "name": "on-call",
        "type": "webhook",
        "settings": {
            "httpMethod": "POST",
            "username": "grafana",
            "url": "$__env{ONCALL_URL}",
            "password": "$__env{ONCALL_PASSWORD}",
        },
        "disableResolveMessage": False,
    }
    assert hook.secret_env == {"url": "ONCALL_URL", "password": "ONCALL_PASSWORD"}
    assert mail.body["settings"] == {"addresses": "a@example.org;b@example.org", "singleEmail": True}
    assert mail.secret_env == {}
    assert chat.body["settings"]["url"] == "$__env{MODS_URL}" and chat.secret_env == {"url": "MODS_URL"}


def test_secret_values_never_appear_in_build_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sentinels = {
        "PYDIS_ALERTS_DEVOPS_ONCALL_WEBHOOK": "https://discord.com/api/webhooks/1/oncall-SECRET-TOKEN",
        "PYDIS_ALERTS_DEVOPS_LOW_PRIORITY_WEBHOOK": "https://discord.com/api/webhooks/2/low-SECRET-TOKEN",
        "PYDIS_ALERTS_MODERATORS_WEBHOOK": "https://discord.com/api/webhooks/3/mods-SECRET-TOKEN",
    }
    for name, value in sentinels.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["--project", str(REPO_ROOT), "build", "--out", str(tmp_path / "out"), "alerts/"])
    assert result.exit_code == 0, result.output
    text = "".join(p.read_text() for p in (tmp_path / "out").rglob("*.json"))
    assert "grafana-contact-point/pydis-dash-moderators-discord.json" in text
    assert "SECRET-TOKEN" not in text + result.output
    assert "$__env{PYDIS_ALERTS_MODERATORS_WEBHOOK}" in text


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            'discord_contact_point("x", url_env="https://discord.com/api/webhooks/1/abc")',
            "must name an environment variable",
        ),
        ('email_contact_point("x", addresses="a@example.org")', "non-empty list of email addresses"),
        ('webhook_contact_point("x", url_env="URL", http_method="GET")', "http_method must be POST or PUT"),
    ],
)
def test_bad_contact_point(make_project: MakeProject, call: str, message: str) -> None:
    source = f"from pydis_dash.alerts import discord_contact_point, email_contact_point, webhook_contact_point\n\nc = {call}\n"
    with pytest.raises(DefinitionError) as raised:
        load_resources(make_project({"alerts/bad.py": source}))
    assert message in str(raised.value)
    assert str(raised.value.location) == "alerts/bad.py:3"
    assert "abc" not in str(raised.value).replace("must name", "")  # the mistaken secret is not echoed


@pytest.mark.parametrize(
    ("integration", "settings", "leaked"),
    [
        ("discord", {"url": "https://discord.com/api/webhooks/1/SECRET"}, "url"),
        ("telegram", {"bottoken": "SECRET", "chatid": "1"}, "bottoken"),
        ("pagerduty", {"integrationKey": "SECRET"}, "integrationKey"),
    ],
)
def test_secret_written_into_settings_is_refused(
    make_project: MakeProject, integration: str, settings: dict[str, str], leaked: str
) -> None:
    source = (
        f"from pydis_dash.alerts import ContactPoint\n\nc = ContactPoint('x', {integration!r}, settings={settings!r})\n"
    )
    with pytest.raises(DefinitionError) as raised:
        load_resources(make_project({"alerts/bad.py": source}))
    assert f"{leaked!r} is a secret" in str(raised.value)
    assert str(raised.value.location) == "alerts/bad.py:3"
    assert "SECRET" not in str(raised.value)


# --- policy tree and mute timings ------------------------------------------------------------------

POLICY = """
from pydis_dash.alerts import MuteTiming, NotificationPolicy, Route, TimeInterval

nights = MuteTiming("Weekend nights", [TimeInterval(times=[("00:00", "08:00")], weekdays=["Saturday", "sunday"],
                                                    location="Europe/London")])
policy = NotificationPolicy(
    receiver="low",
    group_wait="60s",
    routes=[
        Route(match={"severity": "page"}, receiver="on-call", repeat_interval="90m", routes=[
            Route(matchers=[("team", "=~", "db|site")], mute_timings=["Weekend nights"]),
        ]),
        Route(match={"additional_destination": "moderators"}, receiver="mods", continue_=True, group_by=["alertname"]),
    ],
)
"""


def test_policy_tree_renders_grafanas_route_json(make_project: MakeProject) -> None:
    resources = load_resources(make_project({"alerts/policy.py": POLICY}))
    [policy] = _of(resources, Kind.GRAFANA_NOTIFICATION_POLICY)
    assert policy.body == {
        "receiver": "low",
        "group_by": ["grafana_folder", "alertname"],
        "group_wait": "1m",
        "group_interval": "5m",
        "repeat_interval": "4h",
        "routes": [
            {
                "object_matchers": [["severity", "=", "page"]],
                "receiver": "on-call",
                "repeat_interval": "1h30m",
                "routes": [{"object_matchers": [["team", "=~", "db|site"]], "mute_time_intervals": ["Weekend nights"]}],
            },
            {
                "object_matchers": [["additional_destination", "=", "moderators"]],
                "receiver": "mods",
                "continue": True,
                "group_by": ["alertname"],
            },
        ],
    }
    assert str(policy.location_of("/routes/0/routes/0/receiver")) == "alerts/policy.py:10"
    [mute] = _of(resources, Kind.GRAFANA_MUTE_TIMING)
    assert mute.ref.uid == "weekend-nights"
    assert mute.body == {
        "name": "Weekend nights",
        "time_intervals": [
            {
                "times": [{"start_time": "00:00", "end_time": "08:00"}],
                "weekdays": ["saturday", "sunday"],
                "location": "Europe/London",
            }
        ],
    }


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('Route(receiver="x")', "needs at least one matcher"),
        ('Route(matchers=[("severity", "==", "page")])', "must be (label, one of"),
        ('Route(match={"severity": "page"}, repeat_interval="1 hour")', "repeat_interval: '1 hour' is not a duration"),
        ('NotificationPolicy(receiver="x", group_interval="5")', "group_interval: '5' is not a duration"),
        ('MuteTiming("m", [TimeInterval(times=[("08:00", "07:00")])])', "must be 'HH:MM' to a later 'HH:MM'"),
        ('MuteTiming("m", [TimeInterval(weekdays=["funday"])])', "weekday 'funday'"),
    ],
)
def test_bad_policy_or_mute_timing(make_project: MakeProject, source: str, message: str) -> None:
    text = f"from pydis_dash.alerts import MuteTiming, NotificationPolicy, Route, TimeInterval\n\nx = {source}\n"
    with pytest.raises(DefinitionError) as raised:
        load_resources(make_project({"alerts/bad.py": text}))
    assert message in str(raised.value)
    assert str(raised.value.location) == "alerts/bad.py:3"


def test_two_policy_trees_are_refused(make_project: MakeProject) -> None:
    one = 'from pydis_dash.alerts import NotificationPolicy\np = NotificationPolicy(receiver="a")\n'
    with pytest.raises(DefinitionError, match="duplicate grafana-notification-policy"):
        load_resources(make_project({"alerts/one.py": one, "alerts/two.py": one}))


# --- durations ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds", "canonical"),
    [("0s", 0, "0s"), ("90s", 90, "1m30s"), ("1h30m", 5400, "1h30m"), ("2w", 1209600, "2w"), ("90d", 7776000, "90d")],
)
def test_durations(text: str, seconds: int, canonical: str) -> None:
    assert parse_duration(text) == seconds
    assert format_duration(seconds) == canonical


@pytest.mark.parametrize("text", ["", "5", "m", "1m1h", "1.5m", "5 m", "1500ms", "1m1m"])
def test_not_durations(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


@given(st.integers(min_value=0, max_value=10 * 365 * 86400))
def test_formatted_durations_parse_back(seconds: int) -> None:
    text = format_duration(seconds)
    assert parse_duration(text) == seconds
    assert json.dumps(text) == json.dumps(format_duration(parse_duration(text)))
