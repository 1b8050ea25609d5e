"""The preview runs panel queries with the variables' current values, "All" expanded as Grafana does.

"All" stands for every value the variable offers (its options, a custom list, its query's result on
the engine) formatted per data source, or for the variable's custom ``allValue`` inserted as written.
The end-to-end test checks each engine's panels against what the test reads itself from the sample
data's sources (the generator's rows, the series and metric lists).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bundled_sources import GRAPHITE_METRICS, prometheus_series_text

from pydis_dash.model import Kind, Ref
from pydis_dash.pipeline import load_resources
from pydis_dash.preview.panel_data import collect_panel_data
from pydis_dash.preview.variable_values import current_values, offered_values, resolve_variables
from pydis_dash.sample import SampleContext, generate_tables, sample_now
from pydis_dash.validate.engines.graphite_variables import prepare_target
from pydis_dash.validate.engines.prometheus_seed import parse_series
from pydis_dash.validate.engines.promql_expand import expand as expand_promql
from pydis_dash.validate.engines.sql_expand import expand as expand_sql
from pydis_dash.validate.queries import Query, TemplateSyntax, Variable

MakeProject = Callable[[dict[str, str]], Path]


def sql(text: str, variable: Variable) -> str:
    return expand_sql(text, TemplateSyntax.GRAFANA, (variable,)).variants[0].text


def test_a_selection_is_formatted_per_data_source() -> None:
    chosen = Variable("channel", "query", multi=True, include_all=True, selected=("1", "2"))
    assert sql("SELECT 1 WHERE id IN ($channel)", chosen) == "SELECT 1 WHERE id IN ('1','2')"
    assert expand_promql('up{c=~"$channel"}', (chosen,)) == 'up{c=~"(1|2)"}'
    assert prepare_target("stats.bot.$channel", (chosen,)) == "stats.bot.{1,2}"
    one = Variable("channel", "query", selected=("o'k",))
    assert sql("SELECT '$channel'", one) == "SELECT 'o''k'"


def test_a_custom_all_value_is_inserted_as_written() -> None:
    everything = Variable("v", "query", multi=True, include_all=True, all_value=".*", selected=("$__all",))
    assert expand_promql('up{v=~"$v"}', (everything,)) == 'up{v=~".*"}'
    assert prepare_target("stats.bot.$v", (everything,)) == "stats.bot..*"
    assert sql("SELECT 1 WHERE x ~ '$v'", everything) == "SELECT 1 WHERE x ~ '.*'"


def test_current_values_and_offered_values() -> None:
    assert current_values({"current": {"value": ["a", "b"]}}) == ("a", "b")
    assert current_values({"current": {"value": ["$__all"]}}) == ("$__all",)
    assert current_values({"current": {"value": "$__all"}}) == ("$__all",)
    assert current_values({}) is None
    assert offered_values({"options": [{"value": "$__all"}, {"value": "x"}]}) == ["x"]
    assert offered_values({"type": "custom", "query": "One : 1,Two : 2,a\\,b"}) == ["1", "2", "a,b"]
    assert offered_values({"type": "query", "query": "SELECT 1"}) is None


def test_all_runs_the_variable_query_only_when_nothing_else_offers_values() -> None:
    body = {"templating": {"list": [
        {"name": "q", "type": "query", "current": {"value": "$__all"}},
        {"name": "c", "type": "custom", "query": "x,y", "current": {"value": ["$__all"]}},
        {"name": "a", "type": "query", "current": {"value": "$__all"}, "allValue": ".*"},
        {"name": "s", "type": "query", "current": {"value": "z"}},
    ]}}  # fmt: skip
    variables = [Variable(n, "query", multi=True, include_all=True) for n in "qcs"]
    variables.append(Variable("a", "query", include_all=True, all_value=".*"))
    asked: list[str] = []

    def values_of(query: Query) -> list[str]:
        asked.append(query.text)
        return ["1", "2", "1"]

    marker = object.__new__(Query)
    object.__setattr__(marker, "text", "SELECT id")
    resolved = {v.name: v.selected for v in resolve_variables(body, tuple(variables), {"q": marker}, values_of)}
    assert resolved == {"q": ("1", "2"), "c": ("x", "y"), "a": ("$__all",), "s": ("z",)}
    assert asked == ["SELECT id"]


DASHBOARD = """
from pydis_dash.grafana import Dashboard, Row, graphite, prometheus, sql
from pydis_dash.grafana.variables import query

ALL = ("All", "$__all")
dashboard = Dashboard(
    uid="all", title="All", folder="Community",
    variables=[
        query("channel", "metricity", "SELECT name AS __text, id AS __value FROM channels WHERE NOT is_staff",
              multi=True, include_all=True, sample=ALL),
        query("command", "prometheus", 'label_values(bot_command_calls{command=~"s.*"}, command)', multi=True, include_all=True,
              sample=ALL),
        query("gcommand", "graphite", "stats_counts.bot.commands.s*", multi=True, include_all=True, sample=ALL),
    ],
    rows=[Row("All", [
        sql("metricity").stat("Channels", sql="SELECT count(*) AS channels FROM channels WHERE id IN ($channel)"),
        prometheus("prometheus").stat("Commands", 'count(count by (command) (bot_command_calls{command=~"$command"}))'),
        graphite("graphite").timeseries("Commands", "stats_counts.bot.commands.$gcommand"),
    ])],
)
"""


def test_all_selects_every_value_on_each_engine(make_project: MakeProject) -> None:
    root = make_project({"dashboards/all.py": DASHBOARD})
    resources = load_resources(root)
    context = SampleContext(seed=2, now=sample_now())
    frames = collect_panel_data([r for r in resources if r.kind is Kind.GRAFANA_DASHBOARD], context, resources)
    panels = frames[Ref(Kind.GRAFANA_DASHBOARD, "all")]
    [channels], [commands], [graphite] = (panels[pointer] for pointer in sorted(panels))

    rows = generate_tables(root / "datasources/metricity/_sample.py", context)["channels"]
    assert channels.result is not None and channels.result.rows == ((sum(not r["is_staff"] for r in rows),),)

    # The variables offer only the commands starting with "s": "All" means those, not every command.
    labels = {dict(s)["command"] for f in parse_series(prometheus_series_text()) if f.name == "bot_command_calls"
              for s in f.label_sets if dict(s)["command"].startswith("s")}  # fmt: skip
    assert commands.result is not None and commands.result.rows[-1][2] == len(labels) > 1

    paths = GRAPHITE_METRICS.read_text().split()
    names = {p for p in paths if p.startswith("stats_counts.bot.commands.s") and p.count(".") == 3}
    assert graphite.result is not None
    series = {row[1] for row in graphite.result.rows}
    assert len(series) == len(names) > 1  # one series per command, all of them
