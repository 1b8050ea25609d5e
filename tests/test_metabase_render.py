"""Authoring and rendering Metabase questions: card JSON, tags, parameters, collections, bad input."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from metabase_support import render

from pydis_dash.errors import DefinitionError
from pydis_dash.load import discover, load_definitions
from pydis_dash.metabase import (
    BooleanVariable,
    DateVariable,
    FieldFilter,
    NumberVariable,
    Question,
    TextVariable,
)
from pydis_dash.metabase.marker import key_of, with_marker
from pydis_dash.metabase.template import TemplateSyntaxError, tag_uses
from pydis_dash.model import Kind, Ref

REPO_ROOT = Path(__file__).resolve().parent.parent

SQL = "SELECT count(*) FROM messages WHERE author_id = {{user_id}} [[AND {{channel}}]] LIMIT {{top}}"


def nominee(**overrides: object) -> Question:
    arguments: dict[str, object] = {
        "key": "nominee-channels",
        "name": "Channels a nominee frequents",
        "collection": "Moderation/Nominations",
        "database": "Metricity",
        "sql": SQL,
        "variables": [
            TextVariable("user_id", "User ID", required=True),
            FieldFilter("channel", "Channel", field="channels.name"),
            NumberVariable("top", default=10),
        ],
        "display": "bar",
    }
    arguments.update(overrides)
    return Question(**arguments)  # type: ignore[arg-type]


def card_of(question: Question, root: Path) -> dict[str, object]:
    resources = render([question], root)
    cards = [r for r in resources if r.kind is Kind.METABASE_QUESTION]
    assert len(cards) == 1
    return dict(cards[0].body)


def test_card_body_is_the_legacy_native_shape(tmp_path: Path) -> None:
    body = card_of(nominee(), tmp_path)
    query = body["dataset_query"]
    assert query == {
        "type": "native",
        "database": "Metricity",
        "native": {"query": SQL, "template-tags": query["native"]["template-tags"]},  # type: ignore[index]
    }
    assert body["name"] == "Channels a nominee frequents"
    assert body["display"] == "bar"
    assert body["type"] == "question"
    assert body["visualization_settings"] == {}
    assert key_of(str(body["description"])) == "nominee-channels"


def test_tags_cover_every_variable_with_metabase_fields(tmp_path: Path) -> None:
    tags = card_of(nominee(), tmp_path)["dataset_query"]["native"]["template-tags"]  # type: ignore[index]
    assert list(tags) == ["user_id", "channel", "top"]
    assert tags["user_id"]["type"] == "text"
    assert tags["user_id"]["display-name"] == "User ID"
    assert tags["user_id"]["required"] is True
    assert tags["top"]["type"] == "number"
    assert tags["top"]["default"] == 10
    assert tags["top"]["display-name"] == "Top"
    assert tags["channel"]["type"] == "dimension"
    assert tags["channel"]["dimension"] == ["field", "channels.name", None]
    assert tags["channel"]["widget-type"] == "string/="
    for name, tag in tags.items():
        assert tag["name"] == name
        uuid.UUID(tag["id"])


def test_tag_ids_are_stable_and_distinct_per_question(tmp_path: Path) -> None:
    first = card_of(nominee(), tmp_path)["dataset_query"]["native"]["template-tags"]  # type: ignore[index]
    again = card_of(nominee(name="Renamed"), tmp_path)["dataset_query"]["native"]["template-tags"]  # type: ignore[index]
    other = card_of(nominee(key="other"), tmp_path)["dataset_query"]["native"]["template-tags"]  # type: ignore[index]
    assert {n: t["id"] for n, t in first.items()} == {n: t["id"] for n, t in again.items()}
    assert not {t["id"] for t in first.values()} & {t["id"] for t in other.values()}
    assert len({t["id"] for t in first.values()}) == 3


def test_parameters_are_derived_from_tags(tmp_path: Path) -> None:
    body = card_of(nominee(), tmp_path)
    tags = body["dataset_query"]["native"]["template-tags"]  # type: ignore[index]
    parameters = {p["slug"]: p for p in body["parameters"]}  # type: ignore[attr-defined]
    assert parameters["user_id"] == {
        "id": tags["user_id"]["id"],
        "type": "category",
        "target": ["variable", ["template-tag", "user_id"]],
        "name": "User ID",
        "slug": "user_id",
        "required": True,
    }
    assert parameters["channel"]["type"] == "string/="
    assert parameters["channel"]["target"] == ["dimension", ["template-tag", "channel"]]
    assert parameters["top"]["type"] == "number/="
    assert parameters["top"]["default"] == 10


def test_date_and_boolean_variables(tmp_path: Path) -> None:
    question = nominee(
        sql="SELECT 1 WHERE {{since}} < now() AND {{staff}}",
        variables=[DateVariable("since", default=dt.date(2024, 1, 2)), BooleanVariable("staff", default=False)],
    )
    body = card_of(question, tmp_path)
    tags = body["dataset_query"]["native"]["template-tags"]  # type: ignore[index]
    assert (tags["since"]["type"], tags["since"]["default"]) == ("date", "2024-01-02")
    assert (tags["staff"]["type"], tags["staff"]["default"]) == ("boolean", False)
    types = {p["slug"]: p["type"] for p in body["parameters"]}  # type: ignore[attr-defined]
    assert types == {"since": "date/single", "staff": "boolean/="}


def test_collections_are_rendered_for_every_prefix_parents_first(tmp_path: Path) -> None:
    resources = render([nominee(collection="Moderation/Nominations/Archive")], tmp_path)
    assert [str(r.ref) for r in resources] == [
        "metabase-collection/Moderation",
        "metabase-collection/Moderation/Nominations",
        "metabase-collection/Moderation/Nominations/Archive",
        "metabase-question/nominee-channels",
    ]
    question = resources[-1]
    assert question.container == "Moderation/Nominations/Archive"
    assert question.depends_on == (Ref(Kind.METABASE_COLLECTION, "Moderation/Nominations/Archive"),)
    assert resources[1].container == "Moderation"
    assert resources[1].body == {"name": "Nominations"}


def test_root_collection_renders_no_collection(tmp_path: Path) -> None:
    resources = render([nominee(collection=None)], tmp_path)
    assert [r.kind for r in resources] == [Kind.METABASE_QUESTION]
    assert resources[0].container is None
    assert resources[0].depends_on == ()


def test_hints_name_the_grafana_datasource_for_validation(tmp_path: Path) -> None:
    assert card_of(nominee(), tmp_path)["pydis-dash"] == {
        "key": "nominee-channels",
        "database": "Metricity",
        "datasource_uid": "metricity",
    }
    assert "datasource_uid" not in card_of(nominee(database="Sample Database"), tmp_path)["pydis-dash"]  # type: ignore[operator]


def test_sql_file_beside_the_definition_and_its_anchor(tmp_path: Path) -> None:
    (tmp_path / "q.sql").write_text("-- note\nSELECT {{user_id}}\n")
    question = nominee(sql="q.sql", variables=[TextVariable("user_id")])
    # The definition lives in this test file; point its location into tmp_path as the loader would.
    object.__setattr__(question, "defined_at", type(question.defined_at)(tmp_path / "q.py", 3))
    resources = render([question], tmp_path)
    card = resources[-1]
    assert card.body["dataset_query"]["native"]["query"] == "-- note\nSELECT {{user_id}}"
    assert str(card.location_of("/dataset_query/native/query")) == "q.sql:1"
    assert str(card.source) == "q.py:3"


def test_missing_sql_file_is_one_clear_error(tmp_path: Path) -> None:
    question = nominee(sql="nope.sql", variables=[])
    with pytest.raises(DefinitionError, match=r"question 'nominee-channels': SQL file 'nope.sql' not found"):
        render([question], tmp_path)


def test_undeclared_variable_is_an_error_naming_it(tmp_path: Path) -> None:
    question = nominee(variables=[TextVariable("user_id"), NumberVariable("top")])
    with pytest.raises(DefinitionError, match=r"\{\{channel\}\} is used in the SQL \(line 1\) but not declared"):
        render([question], tmp_path)


def test_unused_variable_is_an_error(tmp_path: Path) -> None:
    question = nominee(sql="SELECT 1", variables=[TextVariable("user_id")])
    with pytest.raises(DefinitionError, match=r"variable 'user_id' is declared but never used"):
        render([question], tmp_path)


def test_error_points_at_the_constructor_line(tmp_path: Path) -> None:
    question = nominee(sql="SELECT {{x}}", variables=[])
    with pytest.raises(DefinitionError) as caught:
        render([question], tmp_path)
    assert caught.value.location is not None
    assert caught.value.location.path.name == "test_metabase_render.py"


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("SELECT [[ AND {{a}}", "never closed"),
        ("SELECT [[ [[ {{a}} ]] ]]", "cannot be nested"),
        ("SELECT {{snippet: common}}", "snippets"),
        ("SELECT * FROM {{#12-other}}", "saved-question references"),
        ("SELECT {{user id}}", "not a valid variable name"),
    ],
)
def test_template_syntax_errors(sql: str, message: str) -> None:
    with pytest.raises(TemplateSyntaxError, match=message):
        tag_uses(sql)


def test_tag_uses_report_lines_and_optional_clauses() -> None:
    uses = tag_uses("SELECT {{a}}\nWHERE x [[AND y = {{b}}]]\n  AND {{ a }}")
    assert [(u.name, u.line, u.optional) for u in uses] == [("a", 1, False), ("b", 2, True), ("a", 3, False)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"key": "Has Spaces"}, "key 'Has Spaces' must be lowercase"),
        ({"name": "  "}, "name must be a non-empty string"),
        ({"collection": "Moderation//Nominations"}, "must be names separated by '/'"),
        ({"display": "sparkline"}, "unknown display 'sparkline'"),
        ({"database": ""}, "database must name a data source"),
        ({"variables": [TextVariable("a"), NumberVariable("a")]}, "variable 'a' is declared twice"),
    ],
)
def test_bad_question_arguments(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(DefinitionError, match=message):
        nominee(**overrides)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TextVariable("user id"), "must be an identifier"),
        (lambda: NumberVariable("n", default="7"), "must be a number"),
        (lambda: NumberVariable("n", default=True), "must be a number"),
        (lambda: DateVariable("d", default="yesterday"), "must be a date"),
        (lambda: BooleanVariable("b", default="yes"), "True or False"),
        (lambda: TextVariable("t", default=3), "must be a string"),
        (lambda: FieldFilter("c", field="channels"), "must be 'table.column'"),
        (lambda: FieldFilter("c", field="channels.name", widget_type="string/like"), "unknown widget_type"),
    ],
)
def test_bad_variables(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_marker_round_trip() -> None:
    assert with_marker("Some words.", "k-1") == "Some words.\n\npydis-dash:key=k-1"
    assert with_marker(None, "k") == "pydis-dash:key=k"
    assert key_of(with_marker("text", "k.2_x")) == "k.2_x"
    assert key_of("pydis-dash:key=k\nand more text after it") is None
    assert key_of("hand made card") is None
    assert key_of(None) is None
    assert key_of("pydis-dash:key=Not Valid") is None


def test_bundled_questions_render_with_their_sql_files() -> None:
    files = [p for p in discover(REPO_ROOT) if "metabase" in p.parts]
    definitions = load_definitions(REPO_ROOT, files)
    questions = [d for d in definitions if isinstance(d, Question)]
    assert len(questions) >= 10
    resources = render(questions, REPO_ROOT)
    cards = [r for r in resources if r.kind is Kind.METABASE_QUESTION]
    assert len(cards) == len(questions)
    for card in cards:
        anchor = card.location_of("/dataset_query/native/query")
        assert anchor.path.suffix == ".sql", card.ref
        assert (REPO_ROOT / anchor.path).is_file()
        # Validation checks each card on the schema of the database it reads (datasources/*.yaml uids).
        expected_uid = {"Metricity": "metricity", "Site": "site-db"}[card.body["dataset_query"]["database"]]
        assert card.body["pydis-dash"]["datasource_uid"] == expected_uid, card.ref
    keys = {card.ref.uid for card in cards}
    # questions.md items 6, 7, 8 and 9 (Metricity) and 20, 21 and 22 (the site database) are all there.
    assert {"recent-joiners-unusual-activity", "nominee-channels", "active-members", "event-activity"} <= keys
    assert {"site-nominee-nominations", "site-infractions-per-week", "site-repeat-offenders"} <= keys
