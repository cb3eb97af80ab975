"""The containers of a migration's target board — lists, labels, custom fields, members — found by name and
created once.

Terms:

- *Board schema*: the ids a migration writes with, keyed by folded name: open lists, labels, custom field
  definitions (with their type and options), and the board's members (with e-mail where Trello shows one).
- *Create once*: every ``POST`` that fails ambiguously is followed by a lookup of the object by name before
  it is ever posted again (``connectors/create_once.py``), so a commit-then-drop never leaves a second list,
  label or field.
- *Member match*: Trello hides members' e-mails (only the token's own member shows one), so an assignee
  e-mail maps to a member when it equals that member's visible e-mail, its username, or its id — the
  username being what a Trello read gives as assignee when no e-mail is visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from moteur.connectors.create_once import create_once
from moteur.connectors.http import HttpClient
from moteur.connectors.trello.batch import batch_answers, route
from moteur.connectors.trello.native import TrelloField, TrelloLabel, TrelloList, TrelloMember, TrelloNative
from moteur.connectors.trello.power_ups import custom_fields_on, plugins_route
from moteur.connectors.trello.reader import _answer, _list_of, board_key, learn_board_id
from moteur.core.model import Snapshot
from moteur.mappings.schema import fold

LABEL_COLOURS = ("green", "yellow", "orange", "red", "purple", "blue", "sky", "lime", "pink", "black")
FIELD_VALUE_KEYS = {"number": "number", "text": "text"}
OPTION_STEP = 16384  # Trello's gap between positions


class BoardSchema:
    """The target board's lists, labels, fields and members, as the migration changes them."""

    def __init__(self, client: HttpClient, snapshot: Snapshot) -> None:
        self.client = client
        state = TrelloNative.of_read(snapshot)
        if state is None or not state.board_id:
            state = load_native(client, snapshot.board.board)
        self.board_id: str = state.board_id
        self.custom_fields_on: bool = state.custom_fields_on
        # Every list by name, an open one first where two share it; the closed ones' ids apart (a migration
        # writes into a closed list too: the cards of a source's closed list, archived).
        self.lists: dict[str, str] = {}
        self.closed: set[str] = set()
        found = [(b.name, b.id, b.closed) for b in snapshot.buckets or ()]
        found += [(r.name, r.id, r.closed) for r in state.lists or ()]  # loaded here (no buckets were read)
        self._add_lists(found)
        self.labels: dict[str, str] = {}
        self.label_names: dict[str, str] = {}
        self.label_colours: dict[str, str | None] = {}  # label id -> its colour (None: none)
        for label in state.labels:
            self._add_label(label.model_dump())
        self.fields: dict[str, dict[str, Any]] = {}
        for field in state.fields:  # in Trello's own form: the answers of the creates join them
            self.fields.setdefault(fold(field.name), field.record())
        self.members: list[TrelloMember] = list(state.members or ())

    # -- lists ------------------------------------------------------------------------------------------

    def list_id(self, name: str) -> str | None:
        return self.lists.get(fold(name))

    def _add_lists(self, lists: list[tuple[str, str, bool]]) -> None:
        for name, list_id, closed in sorted(lists, key=lambda x: x[2]):  # open ones first
            self.lists.setdefault(fold(name), list_id)
            if closed:
                self.closed.add(list_id)

    def ensure_list(self, name: str, closed: bool | None = None) -> str:
        """The list named ``name``, created at the right end of the board if absent; closed (archived) or
        reopened when ``closed`` says so (``PUT /lists/{id}``; Trello creates no list closed)."""
        list_id = self.list_id(name)
        if list_id is None:
            list_id = self._create_list(name)
        if closed is not None and (list_id in self.closed) != closed:
            what = f'list "{name}" on board {self.board_id}'
            self.client.request_json("PUT", f"/lists/{list_id}", json={"closed": closed}, what=what)
            if closed:
                self.closed.add(list_id)
            else:
                self.closed.discard(list_id)
        return list_id

    def _create_list(self, name: str) -> str:
        def create() -> str:
            params = {"idBoard": self.board_id, "name": name, "pos": "bottom"}
            what = f'list "{name}" on board {self.board_id}'
            return str(self.client.request_json("POST", "/lists", json=params, what=what)["id"])

        def find() -> str | None:
            lists = self.client.request_json(
                "GET", f"/boards/{self.board_id}/lists", params={"filter": "all", "fields": "name,closed"}
            )
            self._add_lists(
                [(str(r.get("name", "")), str(r["id"]), bool(r.get("closed"))) for r in _list_of(lists)]
            )
            return self.list_id(name)

        list_id = create_once(create, find)
        self.lists[fold(name)] = list_id
        return list_id

    # -- labels -----------------------------------------------------------------------------------------

    def _add_label(self, label: dict[str, Any]) -> None:
        name = str(label.get("name") or "")
        self.label_names[str(label["id"])] = name
        self.label_colours[str(label["id"])] = str(label["color"]) if label.get("color") else None
        if name:
            self.labels.setdefault(fold(name), str(label["id"]))

    def ensure_label(self, name: str, colour: str | None = None) -> str:
        """The label named ``name`` (case and accents ignored), created with ``colour`` if absent."""
        found = self.labels.get(fold(name))
        if found is not None:
            return found
        return self._create_label(name, colour or LABEL_COLOURS[len(self.labels) % len(LABEL_COLOURS)])

    def colour_label(self, name: str, colour: str | None) -> str:
        """The label named ``name`` with exactly ``colour`` (None: none): created with it, or recoloured
        (one ``PUT /labels/{id}``) when it has another (a migration's ``EnsureTag``)."""
        found = self.labels.get(fold(name))
        if found is None:
            return self._create_label(name, colour)
        if self.label_colours.get(found) != colour:
            what = f'label "{name}" on board {self.board_id}'
            self.client.request_json("PUT", f"/labels/{found}", json={"color": colour}, what=what)
            self.label_colours[found] = colour
        return found

    def _create_label(self, name: str, colour: str | None) -> str:
        def create() -> str:
            params = {"idBoard": self.board_id, "name": name, "color": colour}
            what = f'label "{name}" on board {self.board_id}'
            label = self.client.request_json("POST", "/labels", json=params, what=what)
            self._add_label(label)
            return str(label["id"])

        def find() -> str | None:
            labels = self.client.request_json(
                "GET", f"/boards/{self.board_id}/labels", params={"fields": "name,color", "limit": "1000"}
            )
            for label in _list_of(labels):
                self._add_label(label)
            return self.labels.get(fold(name))

        return create_once(create, find)

    # -- custom fields ----------------------------------------------------------------------------------

    def field(self, names: tuple[str, ...]) -> dict[str, Any] | None:
        """The first existing custom field with one of ``names`` (folded)."""
        for name in names:
            found = self.fields.get(fold(name))
            if found is not None:
                return found
        return None

    def ensure_field(self, name: str, kind: str, options: Sequence[str] = ()) -> dict[str, Any]:
        """The custom field ``name``, created as ``kind`` (number / text / date / list with ``options``, in
        that order) at the end of the board's fields if absent."""
        found = self.fields.get(fold(name))
        if found is not None:
            return found

        def create() -> dict[str, Any]:
            body: dict[str, Any] = {
                "idModel": self.board_id,
                "modelType": "board",
                "name": name,
                "type": kind,
                "pos": "bottom",  # required by the spec
                "display_cardFront": True,
            }
            if kind == "list" and options:
                body["options"] = [
                    {"value": {"text": text}, "color": "none", "pos": OPTION_STEP * n}
                    for n, text in enumerate(options, start=1)
                ]
            created: dict[str, Any] = self.client.request_json(
                "POST", "/customFields", json=body, what=f'field "{name}" on board {self.board_id}'
            )
            return created

        def find() -> dict[str, Any] | None:
            for record in _list_of(self.client.request_json("GET", f"/boards/{self.board_id}/customFields")):
                self.fields.setdefault(fold(str(record.get("name", ""))), record)
            return self.fields.get(fold(name))

        field = create_once(create, find)
        self.fields[fold(name)] = field
        return field

    def option_id(self, field: dict[str, Any], text: str, *, exact: bool = False) -> str:
        """The id of ``field``'s option ``text`` (a list field), added to the field if absent. Names compare
        folded (a score "High" finds "high"), or ``exact``ly (a migrated option keeps its spelling)."""
        options = field.setdefault("options", [])

        def same(option: dict[str, Any]) -> bool:
            found = str((option.get("value") or {}).get("text", ""))
            return found.strip() == text.strip() if exact else fold(found) == fold(text)

        for option in options:
            if same(option):
                return str(option["id"])

        def create() -> dict[str, Any]:
            option: dict[str, Any] = self.client.request_json(
                "POST",
                f"/customFields/{field['id']}/options",
                json={"value": {"text": text}, "pos": "bottom"},
                what=f'option "{text}" of the field "{field.get("name")}" on board {self.board_id}',
            )
            return option

        def find() -> dict[str, Any] | None:
            # This route keys each option ``_id`` (recorded: can_get_custom_field_options_of_custom_field,
            # ruby-trello 2020), where the field's own ``options`` say ``id``.
            answer = _list_of(self.client.request_json("GET", f"/customFields/{field['id']}/options"))
            current = [{**o, "id": o.get("id") or o.get("_id")} for o in answer]
            field["options"] = current
            return next((o for o in current if same(o)), None)

        option = create_once(create, find)
        options.append(option)
        return str(option["id"])

    def field_item(self, field: dict[str, Any], value: object) -> dict[str, Any] | None:
        """One ``customFieldItems`` entry setting ``field`` to ``value`` (None clears); None if the field's
        type cannot hold it (checkbox, date)."""
        item: dict[str, Any] = {"idCustomField": str(field["id"])}
        kind = field.get("type")
        if kind == "list":
            item["idValue"] = "" if value in (None, "") else self.option_id(field, _text(value))
        elif kind in FIELD_VALUE_KEYS:
            item["value"] = "" if value in (None, "") else {FIELD_VALUE_KEYS[kind]: _text(value)}
        else:
            return None
        return item

    # -- members ----------------------------------------------------------------------------------------

    def member_id(self, who: str) -> str | None:
        wanted = who.strip().casefold()
        for member in self.members:
            if wanted in {name.casefold() for name in (member.email, member.username, member.id)} - {""}:
                return member.id
        return None


def _text(value: object) -> str:
    """A value as Trello stores it: numbers as strings (``8``, ``2.5``; never ``8.0``)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def load_native(client: HttpClient, board: str) -> TrelloNative:
    """The board schema in one ``/batch`` when no full read gave it (a target the caller did not read), by id
    or by shortLink alike (``reader``'s *Board reference*)."""
    key = board_key(client, board)
    what = f"board {board}"
    routes = [
        route(f"/boards/{key}", fields="name"),
        route(f"/boards/{key}/lists", filter="all", fields="name,closed,pos"),
        route(f"/boards/{key}/labels", fields="name,color", limit="1000"),
        route(f"/boards/{key}/customFields"),
        route(f"/boards/{key}/members"),
        route("/members/me", fields="id,username,fullName,email"),
        plugins_route(key),
    ]
    answers = batch_answers(client, routes, what)
    board_id = learn_board_id(client, board, _answer(answers[0], what))  # a board that is gone raises here
    me = _answer(answers[5], "the token's member")
    members = [*_list_of(_answer(answers[4], "members")), me if isinstance(me, dict) else {}]
    lists = _list_of(_answer(answers[1], "lists"))
    labels = _list_of(_answer(answers[2], "labels"))
    return TrelloNative(
        board_id=board_id,
        custom_fields_on=custom_fields_on(_answer(answers[6], f"Power-Ups of {what}")),
        lists=tuple(
            TrelloList(id=str(x["id"]), name=str(x.get("name") or ""), closed=bool(x.get("closed")))
            for x in lists
        ),
        labels=tuple(
            TrelloLabel(id=str(x["id"]), name=str(x.get("name") or ""), color=x.get("color")) for x in labels
        ),
        fields=tuple(TrelloField.of(f) for f in _list_of(_answer(answers[3], "custom fields"))),
        members=tuple(TrelloMember.of(m) for m in members if m.get("id")),
        card_lists={},
        card_checklists={},
    )
