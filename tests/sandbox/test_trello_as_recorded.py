"""The Trello emulator answers as real Trello did in the recordings of
``tests/contract/fixtures/trello-recorded/`` (ruby-trello cassettes, 2020; trello-for-wolves live answers,
2017), beyond what their replay
(``tests/contract/test_recorded_trello.py``) checks: the values behind the shapes, and the neighbouring cases
(an unknown or malformed shortLink, a write by shortLink, an update's empty value).

The ``lenient`` server is the emulator alone (no contract check in front); ``trello`` is the strict sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from moteur.sandbox.serve import start_sandbox

Sandbox = Any  # the conftest fixture type
NOT_FOUND = "The requested resource was not found."


class Trello:
    def __init__(self, url: str, env: dict[str, str], boards: list[str]) -> None:
        self.base = url
        self.auth = {"key": env["MOTEUR_TRELLO_API_KEY"], "token": env["MOTEUR_TRELLO_TOKEN"]}
        self.demo = boards[0].split(":", 1)[1]

    def call(self, method: str, path: str, form: str | None = None, **params: Any) -> requests.Response:
        """One call; ``form`` is sent as an ``application/x-www-form-urlencoded`` body, as recorded."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form is not None else {}
        return requests.request(
            method,
            self.base + path,
            params={**self.auth, **params},
            data=form.encode() if form is not None else None,
            headers=headers,
            timeout=10,
        )

    def ok(self, path: str, **params: Any) -> Any:
        answer = self.call("GET", path, **params)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def first_card(self) -> dict[str, Any]:
        return next(c for c in self.ok(f"/boards/{self.demo}/cards") if c["idMembers"] and c["idLabels"])


@pytest.fixture(scope="module")
def lenient() -> Iterator[Trello]:
    with start_sandbox(seed="demo", rate_limits=False, strict=False) as handle:
        yield Trello(handle.urls["trello"], handle.env, handle.boards["trello"])


@pytest.fixture
def trello(sandbox: Sandbox) -> Trello:
    return Trello(sandbox.urls["trello"], sandbox.env, sandbox.boards["trello"])


# -- shortLinks (tfw_*: trello-for-wolves, 2017) ------------------------------------------------------------


def test_a_short_link_stands_for_its_board_or_card_on_every_route(trello: Trello) -> None:
    link = trello.ok(f"/boards/{trello.demo}", fields="shortLink")["shortLink"]
    for route in (
        "cards",
        "lists",
        "labels",
        "actions",
        "customFields",
        "members",
        "checklists",
        "boardPlugins",
    ):
        assert trello.ok(f"/boards/{link}/{route}") == trello.ok(f"/boards/{trello.demo}/{route}"), route
    card = trello.first_card()
    by_link, by_id = f"/cards/{card['shortLink']}", f"/cards/{card['id']}"
    for route in ("", "/customFieldItems", "/actions", "/checklists"):
        assert trello.ok(by_link + route) == trello.ok(by_id + route), route
    batch = trello.ok("/batch", urls=f"/boards/{link}/lists,/cards/{card['shortLink']}?fields=name")
    assert batch == [
        {"200": trello.ok(f"/boards/{trello.demo}/lists")},
        {"200": {"id": card["id"], "name": card["name"]}},
    ]
    renamed = trello.call("PUT", f"/cards/{card['shortLink']}", name="Renamed by its shortLink")
    assert renamed.status_code == 200 and renamed.json()["id"] == card["id"]
    assert trello.ok(f"/cards/{card['id']}", fields="name")["name"] == "Renamed by its shortLink"


def test_an_unknown_short_link_is_404_and_a_malformed_one_400(lenient: Trello) -> None:
    for path in ("/boards/abcdEFGH/cards", "/boards/abcdEFGH/actions", "/cards/abcdEFGH"):
        answer = lenient.call("GET", path)
        assert (answer.status_code, answer.text) == (404, NOT_FOUND), path
    for path in ("/boards/abc/lists", "/cards/abc", "/cards/abcdEFGH-x"):
        answer = lenient.call("GET", path)
        assert (answer.status_code, answer.text) == (400, "invalid id"), path
    batch = lenient.ok("/batch", urls="/boards/abcdEFGH/lists,/cards/abc")
    assert batch == [{"404": NOT_FOUND}, {"400": "invalid id"}]


# -- paths as Trello routes them -------------------------------------------------------------------------


def test_paths_are_routed_case_insensitively_and_a_doubled_slash_is_one(lenient: Trello) -> None:
    """``GET /1/customfields/{id}/options`` answered 200 (can_get_custom_field_options_of_custom_field, 2020),
    ``GET /1//boards/…`` and ``GET /1//batch`` too (tfw_*, 2017)."""
    fields = {f["name"]: f for f in lenient.ok(f"/boards/{lenient.demo}/customFields")}
    objective = fields["Objective"]
    options = lenient.ok(f"/customfields/{objective['id']}/options")
    assert options == [
        {"_id": o["id"], "value": o["value"], "color": o["color"], "pos": o["pos"]}
        for o in objective["options"]
    ]
    assert lenient.ok(f"//boards/{lenient.demo}/lists") == lenient.ok(f"/Boards/{lenient.demo}/Lists")
    assert lenient.ok("//batch", urls=f"/boards/{lenient.demo}?fields=name") == [
        {"200": {"id": lenient.demo, "name": "Plan marketing (démo)"}}
    ]


# -- form bodies (ruby-trello, 2020) ----------------------------------------------------------------------


def test_a_create_reads_an_empty_form_value_as_not_given_and_keeps_a_due_in_utc(trello: Trello) -> None:
    """can_success_create_a_card_when_due_is_time: ``due=2020-12-22 01:59:00 +0000`` with empty-valued keys,
    answered with ``due: 2020-12-22T01:59:00.000Z``."""
    list_id = trello.ok(f"/boards/{trello.demo}/lists")[0]["id"]
    form = (
        f"name=Spaced&desc&idList={list_id}&idMembers&idLabels&pos&due=2020-12-22+01%3A59%3A00+%2B0000"
        "&dueComplete=false&idCardSource&keepFromSource=all"
    )
    created = trello.call("POST", "/cards", form=form)
    assert created.status_code == 200, created.text
    card = created.json()
    assert (card["due"], card["desc"], card["idLabels"], card["idMembers"]) == (
        "2020-12-22T01:59:00.000Z", "", [], [],
    )  # fmt: skip
    assert card["pos"] > 0 and card["stickers"] == []
    shifted = trello.call("PUT", f"/cards/{card['id']}", form="due=2026-12-24T14%3A00%3A00%2B02%3A00")
    assert shifted.json()["due"] == "2026-12-24T12:00:00.000Z"


def test_an_update_still_reads_an_empty_value_as_clear(trello: Trello) -> None:
    card = trello.first_card()
    cleared = trello.call("PUT", f"/cards/{card['id']}", form="idLabels=&due=")
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["idLabels"], cleared.json()["due"]) == ([], None)


def test_a_bracketed_form_key_sets_a_custom_field_value(trello: Trello) -> None:
    """custom_field_item_save_1: ``value[text]=cool`` on ``PUT /cards/{id}/customField/{id}/item``."""
    card = trello.first_card()
    channel = next(f for f in trello.ok(f"/boards/{trello.demo}/customFields") if f["type"] == "text")
    path = f"/cards/{card['id']}/customField/{channel['id']}/item"
    answer = trello.call("PUT", path, form="value%5Btext%5D=cool")
    assert answer.status_code == 200, answer.text
    assert answer.json()["value"] == {"text": "cool"}
    items = trello.ok(f"/cards/{card['id']}/customFieldItems")
    [item] = [i for i in items if i["idCustomField"] == channel["id"]]
    assert item["value"] == {"text": "cool"}


# -- narrowed and nested answers ----------------------------------------------------------------------------


def test_fields_narrow_single_objects_and_members_nest_in_a_card(lenient: Trello) -> None:
    """list_find_with_id_and_get_specific_fields and card_find_with_id_and_get_specific_fields (2020)."""
    list_id = lenient.ok(f"/boards/{lenient.demo}/lists")[0]["id"]
    assert set(lenient.ok(f"/lists/{list_id}", fields="name,pos")) == {"id", "name", "pos"}
    label_id = lenient.ok(f"/boards/{lenient.demo}/labels")[0]["id"]
    assert set(lenient.ok(f"/labels/{label_id}", fields="color")) == {"id", "color"}
    card = lenient.first_card()
    answer = lenient.ok(f"/cards/{card['id']}", fields="desc,pos", members="true")
    assert set(answer) == {"id", "desc", "pos", "members"}
    assert [m["id"] for m in answer["members"]] == card["idMembers"]
    assert set(answer["members"][0]) == {
        "id", "username", "activityBlocked", "avatarHash", "avatarUrl", "fullName", "idMemberReferrer",
        "initials", "nonPublic", "nonPublicAvailable",
    }  # fmt: skip
    assert "members" not in lenient.ok(f"/cards/{card['id']}", fields="desc")


def test_a_single_custom_field_carries_limits_and_the_boards_list_does_not(lenient: Trello) -> None:
    """can_get_custom_field_options_of_custom_field / can_get_custom_fields_of_board (2020)."""
    listed = lenient.ok(f"/boards/{lenient.demo}/customFields")
    assert all("limits" not in f for f in listed)
    single = lenient.ok(f"/customFields/{listed[0]['id']}")
    assert single["limits"]["customFieldOptions"]["perField"] == {
        "status": "ok",
        "disableAt": 50,
        "warnAt": 45,
    }


def test_a_board_names_its_labels_per_colour(lenient: Trello) -> None:
    """``labelNames``: one key per colour (tfw_batch_board_and_card, 2017)."""
    names = lenient.ok(f"/boards/{lenient.demo}", fields="labelNames")["labelNames"]
    labels = lenient.ok(f"/boards/{lenient.demo}/labels")
    assert list(names) == [
        "green",
        "yellow",
        "orange",
        "red",
        "purple",
        "blue",
        "sky",
        "lime",
        "pink",
        "black",
    ]
    assert names["green"] == next(lb["name"] for lb in labels if lb["color"] == "green")


# -- actions ------------------------------------------------------------------------------------------------


def test_create_card_actions_name_the_list_and_the_card_as_recorded(trello: Trello) -> None:
    """can_get_actions_of_board (2020): ``data`` carries ``card {id, name, idShort, shortLink}`` and
    ``list {id, name}``, for the seeded cards and for one created through the API."""
    lst = trello.ok(f"/boards/{trello.demo}/lists")[0]
    created = trello.call("POST", "/cards", idList=lst["id"], name="Fresh").json()
    actions = trello.ok(f"/boards/{trello.demo}/actions", filter="createCard", limit="1000")
    assert len(actions) == 41
    for action in actions:
        assert set(action["data"]["card"]) == {"id", "name", "idShort", "shortLink"}
        assert set(action["data"]["list"]) == {"id", "name"}
    assert actions[0]["data"]["card"] == {k: created[k] for k in ("id", "name", "idShort", "shortLink")}
    assert actions[0]["data"]["list"] == {"id": lst["id"], "name": lst["name"]}
