"""What the monday connector sends and what it understands, held to monday's own artefacts: every GraphQL
document validates against both official SDLs, the recorded exchanges in ``monday-cassettes`` go through
the connector's response handling, and column values take the documented write forms."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import graphql
import pytest
import responses
import yaml

from moteur.connectors.http import HeaderAuth, HttpClient
from moteur.connectors.monday import columns, documents
from moteur.connectors.monday.errors import AUTH_MESSAGE, classify, problems_of
from moteur.connectors.monday.mapping import to_snapshot
from moteur.connectors.monday.reader import RawBoard, board_of, item_pages, page_of
from moteur.connectors.monday.transport import ComplexityPacer, MondayTransport, monday_options
from moteur.core.errors import AuthError, RemoteError, SkippableError
from moteur.core.model import BoardRef, Tool
from moteur.mappings.loader import load_mapping
from moteur.runtime import Runtime

REPO = Path(__file__).resolve().parents[2]
SPECS = Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))
CASSETTES = (
    Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures")) / "monday-cassettes"
)
VERSIONS = ("2026-07", "2026-10")
URL = "https://api.monday.com/v2"


@pytest.fixture(scope="module")
def schemas() -> dict[str, graphql.GraphQLSchema]:
    """Each official SDL, built once for the module."""
    built = {}
    for version in VERSIONS:
        path = SPECS / f"monday_schema_{version}.graphql"
        if not path.is_file():
            pytest.skip(f"monday SDL {path.name} not found in {SPECS} (set MOTEUR_SPECS_DIR)")
        built[version] = graphql.build_schema(path.read_text(encoding="utf-8"))
    return built


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", sorted(documents.every_document()))
def test_every_document_validates_against_the_official_sdl(
    schemas: dict[str, graphql.GraphQLSchema], version: str, name: str
) -> None:
    document = graphql.parse(documents.every_document()[name])
    problems = graphql.validate(schemas[version], document)
    assert not problems, [p.message for p in problems]


def test_documents_carry_no_values_only_variables() -> None:
    for name, text in documents.every_document().items():
        operation = graphql.parse(text).definitions[0]
        assert isinstance(operation, graphql.OperationDefinitionNode)
        literals = [
            node
            for node in _walk(operation)
            if isinstance(node, graphql.StringValueNode | graphql.IntValueNode | graphql.ListValueNode)
            and not isinstance(node, graphql.ListValueNode)
        ]
        assert not literals, name  # every id, title and value travels as a variable


def _walk(node: Any) -> list[Any]:
    found = [node]
    for key in getattr(node, "keys", ()):
        value = getattr(node, key, None)
        for child in value if isinstance(value, tuple | list) else [value]:
            if isinstance(child, graphql.Node):
                found.extend(_walk(child))
    return found


# -- the recorded exchanges ------------------------------------------------------------------------------


def _cassette(name: str) -> list[dict[str, Any]]:
    path = CASSETTES / name
    if not path.is_file():
        pytest.skip(f"monday cassette {name} not found in {CASSETTES} (set MOTEUR_FIXTURES_DIR)")
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(loaded["http_interactions"])


def _replay(interaction: dict[str, Any]) -> Any:
    """Send the recorded request through the connector's transport, answered with the recorded response."""
    response = interaction["response"]
    with responses.RequestsMock() as mock:
        mock.post(URL, body=response["body"]["string"], status=response["status"]["code"])
        runtime = Runtime(sleep=lambda _s: None, jitter=lambda: 0.0)
        options = monday_options("recorded", "2026-10", runtime=runtime)
        http = HttpClient("https://api.monday.com", HeaderAuth({"Authorization": "recorded"}), options)
        transport = MondayTransport(http, "v2", ComplexityPacer(sleep=lambda _s: None))
        query = yaml.safe_load(interaction["request"]["body"]["string"])["query"]
        return transport.send(query, {}, what="board 7084890609", idempotent=True)


def test_recorded_board_pages_parse_into_items_and_cursors() -> None:
    interactions = _cassette("monday_board_items_page_cursor_pagination.yml")
    cursor = item_pages("board")
    items: list[Any] = []
    for interaction in interactions:
        answer = _replay(interaction)
        assert answer.problems == []
        if "boards" not in answer.data:
            continue
        page, next_cursor = page_of(board_of(answer, "18265981856").get("items_page"), "board")
        items.extend(page)
        cursor.advance(next_cursor)
    assert len(items) == 1 + 5 + 5  # three items_page answers: 1 item, then two pages of 5 with a cursor
    repeat = item_pages("b")
    repeat.advance("abc")
    with pytest.raises(RemoteError, match="did not advance"):  # the loop guard
        repeat.advance("abc")
    raw = RawBoard(board={"id": "18265981856", "name": "Pagination Test Board"}, items=items)
    snapshot = to_snapshot(raw, BoardRef(tool=Tool.MONDAY, board="18265981856"), load_mapping(Tool.MONDAY))
    assert [a.title for a in snapshot.actions][:2] == ["Task 1", "Task 1"]
    assert snapshot.warnings == ()


def test_recorded_columns_and_writes_parse() -> None:
    for name in (
        "monday_column_query.yml",
        "monday_board_query.yml",
        "monday_column_change_multiple_values.yml",
    ):
        for interaction in _cassette(name):
            answer = _replay(interaction)
            assert answer.problems == [] and answer.data, name
    columns_answer = _replay(_cassette("monday_column_query.yml")[2])
    raw = RawBoard(board={"id": "6976620241"}, columns=columns_answer.data["boards"][0]["columns"])
    snapshot = to_snapshot(raw, BoardRef(tool=Tool.MONDAY, board="6976620241"), load_mapping(Tool.MONDAY))
    assert snapshot.fields == ("Name", "Test Column")
    written = _replay(_cassette("monday_column_change_multiple_values.yml")[3])
    assert written.data["change_multiple_column_values"]["id"] == "7084899216"


def test_recorded_legacy_error_in_a_200_is_a_skippable_item_error() -> None:
    interaction = _cassette("monday_column_change_multiple_values_invalid.yml")[3]
    assert interaction["response"]["status"]["code"] == 200
    with pytest.raises(SkippableError, match="InvalidColumnIdException"):
        _replay(interaction)
    body = yaml.safe_load(interaction["response"]["body"]["string"])
    (problem,) = problems_of(body)
    assert isinstance(classify(problem, "item 1"), SkippableError)


def test_recorded_401_is_an_auth_error_naming_the_variable() -> None:
    (interaction,) = _cassette("monday_account_query_unauthenticated.yml")
    with pytest.raises(AuthError) as caught:
        _replay(interaction)
    assert str(caught.value).startswith(AUTH_MESSAGE) and "MOTEUR_MONDAY_TOKEN" in str(caught.value)


# -- column values ----------------------------------------------------------------------------------------

PARIS = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("kind", "value", "sent"),
    [
        ("status", "Quick win", {"label": "Quick win"}),
        ("dropdown", "Sprint 3", {"labels": ["Sprint 3"]}),
        ("numbers", "512", "512"),
        ("numbers", 8.25, "8.25"),
        ("rating", 4, {"rating": 4}),
        ("text", "leads", "leads"),
        ("long_text", "Nouveau CMS", {"text": "Nouveau CMS"}),
        ("date", date(2026, 12, 24), {"date": "2026-12-24"}),
        ("date", datetime(2026, 12, 24, 10, 0, tzinfo=PARIS), {"date": "2026-12-24", "time": "09:00:00"}),
        ("people", [columns.Person(123)], {"personsAndTeams": [{"id": 123, "kind": "person"}]}),
        ("status", None, None),
        ("dropdown", "", None),
    ],
)
def test_values_are_sent_in_mondays_write_forms(kind: str, value: object, sent: object) -> None:
    assert columns.serialise(kind, value) == sent


def test_a_word_is_not_sent_to_a_numbers_column() -> None:
    with pytest.raises(ValueError, match="not a number"):
        columns.serialise("numbers", "élevé")
    assert columns.encode_values({"a": {"label": "Été"}, "b": None}) == '{"a":{"label":"Été"},"b":null}'


def test_a_date_only_cell_stays_a_date_and_a_time_is_utc() -> None:
    assert columns.parse({"type": "date", "date": "2026-12-24", "time": None}) == date(2026, 12, 24)
    moment = columns.parse({"type": "date", "date": "2026-12-24", "time": "09:00:00"})
    assert moment == datetime(2026, 12, 24, 9, 0, tzinfo=UTC)
    assert columns.parse({"type": "dropdown", "text": "a, b", "values": [{"label": "a, b"}]}) == ("a, b",)


def test_a_malformed_item_is_skipped_with_a_warning() -> None:
    good = {"id": "1", "name": "Webinar", "column_values": []}
    raw = RawBoard(board={"id": "5"}, items=[good, {"id": "2"}, "junk"])
    snapshot = to_snapshot(raw, BoardRef(tool=Tool.MONDAY, board="5"), load_mapping(Tool.MONDAY))
    assert [a.title for a in snapshot.actions] == ["Webinar"]
    assert [w.split(":")[0] for w in snapshot.warnings] == ["item 2", "item #3"]
