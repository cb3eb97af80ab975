"""Trello as a migration target: capabilities, a new board, and the migration ops applied with few requests.

How each canonical field lands on a card (``core/ops.py``):

- title → ``name``; description → ``desc`` (Markdown, as Trello shows it) ending with the identity footer;
  bucket → the list of that name (a closed source list: closed, ``PUT /lists/{id}``, the cards going in all
  the same); status done, or archived and done → ``dueComplete``; archived → ``closed`` (a second ``PUT``:
  Trello creates no card archived); due → ``due`` (a datetime in UTC, same instant; a date-only due is written
  at 12:00 UTC so its calendar day is the same from UTC−11 to UTC+11 — Trello has no date-only due, a loss
  the capabilities declare); tags, quadrant and sprint → labels, reused or created by name; assignees →
  ``idMembers`` for e-mails that match a member (``board_schema``).
- impact / effort / confidence / ICE → number custom fields, objective / channel → text custom fields (an
  existing same-named field is reused whatever its type: list fields get an option); the carried custom
  fields (``fields["custom"]``, ``custom_values``) → their fields by name; all in ONE
  ``PUT /cards/{id}/customFields``. Without the Custom Fields power-up scores become labels ``Impact: 8``,
  ``Objective: leads`` (which the Trello read maps back); ICE and custom fields are not carried (the
  capabilities say so before the run).
- ``EnsureField`` → the field created (``POST /customFields``, a list field with its options) or the
  same-named one reused, its missing options added (``POST /customFields/{id}/options``).
- ``EnsureTag`` → the label created with its colour (``POST /labels``, before the cards that carry it), or
  the same-named one recoloured (``PUT /labels/{id}``) — ``board_schema.colour_label``.
- sub-items → check items of one checklist "Checklist" per card (created once); ``UpdateSubitem`` → the check
  item's name and state (``PUT /cards/{idCard}/checkItem/{id}``); comments → card comments, posted as the
  token's member (the text already names the original author and date) — see ``migration_children``.

Requests: one ``POST /cards`` per item carrying every card field (+ one ``PUT`` for its custom fields and
scores together, + one to archive it), one ``POST`` per check item or comment and one ``PUT`` per check item
to update (Trello has no write batch), one per new list, label, field, option or checklist. Every create that
fails ambiguously is looked up before it is retried: a card by its identity footer among its list's cards, a
check item by name, a comment by text — among those not already linked to another source key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from moteur.connectors.http import HttpClient
from moteur.connectors.migration_loop import Creation, Ensure, Ledger, OneByOne
from moteur.connectors.trello.board_schema import BoardSchema
from moteur.connectors.trello.custom_values import custom_item, ensure_custom_field, trello_due
from moteur.connectors.trello.migration_children import CHECKLIST_NAME, CardChildren
from moteur.connectors.trello.native import TrelloNative
from moteur.connectors.trello.reader import _list_of
from moteur.connectors.trello.target import card_description
from moteur.core.errors import MoteurError, SkippableError
from moteur.core.identity import split_identity
from moteur.core.labels import QUADRANT_COLOURS, is_own_sprint, quadrant_from_name
from moteur.core.model import ItemRef, Snapshot
from moteur.core.ops import (
    CreateItem,
    CreateSubitem,
    EnsureBucket,
    EnsureField,
    UpdateItem,
    UpdateSubitem,
    is_done,
)
from moteur.mappings.schema import BoardMapping, fold
from moteur.redaction import scrub

DEFAULT_LIST = "To Do"
NUMBER_FIELDS = {"impact": "Impact", "effort": "Effort", "confidence": "Confidence"}
TEXT_FIELDS = {"objective": "Objective", "channel": "Channel"}
LABEL_ROLES = ("tags", "quadrant", "sprint", *NUMBER_FIELDS, *TEXT_FIELDS)
SPRINT_COLOUR = "purple"


class MigrationWriter(CardChildren, OneByOne):
    """Trello's part of the one migration apply loop (``migration_loop.apply_each``): each op sent on its
    own, every create looked up after an ambiguous failure; the links (``ledger``) and the schema grow as it
    creates."""

    def __init__(self, client: HttpClient, snapshot: Snapshot, mapping: BoardMapping, ledger: Ledger) -> None:
        self.client, self.ledger = client, ledger
        self.schema = BoardSchema(client, snapshot)
        self.board = snapshot.board.board
        state = TrelloNative.of_read(snapshot)  # None: a board just created, nothing on it yet
        self.card_lists: dict[str, str] = dict(state.card_lists or {}) if state else {}
        self.card_labels: dict[str, list[str]] = (
            {k: list(v) for k, v in state.card_labels.items()} if state else {}
        )
        self.checklists: dict[str, str] = {
            card: ids[CHECKLIST_NAME]
            for card, ids in (state.card_checklists or {} if state else {}).items()
            if CHECKLIST_NAME in ids
        }
        self.titles = {action.ref.item: action.title for action in snapshot.actions}  # card id -> its name
        names = mapping.field_names()
        self.role_names: dict[str, tuple[str, ...]] = {
            role: tuple(names.get(role, ())) or (display,)
            for role, display in {**NUMBER_FIELDS, **TEXT_FIELDS}.items()
        }
        ice = mapping.writeback.ice
        self.ice_name = ice.name if ice is not None and ice.name else "ICE"
        self.label_role = {fold(n): role for role, ns in self.role_names.items() for n in ns}

    # -- the ops (``OneByOne``) -------------------------------------------------------------------------

    def ensure(self, op: Ensure) -> None:
        if isinstance(op, EnsureBucket):
            self.schema.ensure_list(op.name, op.closed)
        elif isinstance(op, EnsureField):
            ensure_custom_field(self.schema, op)
        else:
            self.schema.colour_label(op.name, op.color)

    def update(self, op: UpdateItem | UpdateSubitem) -> None:
        if isinstance(op, UpdateSubitem):
            self.update_subitem(op)
        else:
            self.update_card(op)

    def create(self, op: Creation) -> ItemRef:
        if isinstance(op, CreateItem):
            return self.send_card(op)
        if isinstance(op, CreateSubitem):
            return self.send_check_item(op)
        return self.send_comment(op)

    def find(self, op: Creation) -> ItemRef | None:
        if isinstance(op, CreateItem):
            return self.find_card(op)
        if isinstance(op, CreateSubitem):
            return self.find_check_item(op)
        return self.find_comment(op)

    def finish(self, op: Creation, ref: ItemRef) -> str | None:
        return self.finish_card(op, ref) if isinstance(op, CreateItem) else None

    # -- cards ------------------------------------------------------------------------------------------

    def _card_list(self, op: CreateItem) -> str:
        """The id of the list a new card goes to (created with the first card that needs it)."""
        return self.schema.ensure_list(op.bucket or self._default_list())

    def send_card(self, op: CreateItem) -> ItemRef:
        """One ``POST /cards`` carrying every card field."""
        fields = op.fields
        labels = self._labels({}, fields)
        body: dict[str, Any] = {
            "idList": self._card_list(op),
            "name": op.title,
            "desc": card_description(fields.get("description"), op.key),
            "pos": "bottom",
        }
        due = trello_due(fields.get("due"))
        if due is not None:
            body["due"] = due
        if is_done(fields):
            body["dueComplete"] = True
        if labels:
            body["idLabels"] = ",".join(labels)
        members = self._members(fields.get("assignees") or ())
        if members:
            body["idMembers"] = ",".join(members)
        card = self.client.request_json("POST", "/cards", json=body, what=f'card "{op.title}"')
        return self._ref(str(card["id"]), card.get("url"))

    def find_card(self, op: CreateItem) -> ItemRef | None:
        """The card of the list it went to whose identity footer is ``op.key``."""
        # The spec declares no query parameter here (no ``fields``): the cards come whole.
        path = f"/lists/{self._card_list(op)}/cards"
        cards = self.client.request_json("GET", path, what=f'card "{op.title}"')
        card = next((c for c in _list_of(cards) if split_identity(c.get("desc"))[1] == op.key), None)
        return None if card is None else self._ref(str(card["id"]), card.get("url"))

    def finish_card(self, op: CreateItem, ref: ItemRef) -> str | None:
        """What ``POST /cards`` cannot carry: the custom values (one ``PUT``), the archive (another)."""
        fields, what = op.fields, f'card "{op.title}"'
        self.card_lists[ref.item], self.card_labels[ref.item] = self._card_list(op), self._labels({}, fields)
        problems = []
        try:
            self._put_fields(ref.item, fields, what, creating=True)
        except MoteurError as exc:
            problems.append(f"its custom fields were not set: {scrub(str(exc))}")
        if fields.get("status") == "archived":
            try:
                self.client.request_json("PUT", f"/cards/{ref.item}", json={"closed": True}, what=what)
            except MoteurError as exc:
                problems.append(f"it was not archived: {scrub(str(exc))}")
        return f"{what} was created, but " + "; ".join(problems) if problems else None

    def update_card(self, op: UpdateItem) -> None:
        card_id, fields, what = op.target.item, op.fields, f'card "{op.title}"'
        params: dict[str, Any] = {"name": op.title}
        if "description" in fields:
            params["desc"] = card_description(fields.get("description"), op.key)
        if op.bucket is not None:
            list_id = self.schema.list_id(op.bucket)
            if list_id is None:
                raise LookupError(f'the list "{op.bucket}" does not exist on the board')
            params["idList"] = list_id
        if "due" in fields:
            params["due"] = trello_due(fields.get("due"))
        if "status" in fields:
            params["dueComplete"] = is_done(fields)
            params["closed"] = fields["status"] == "archived"
        if "assignees" in fields:
            params["idMembers"] = ",".join(self._members(fields.get("assignees") or ()))
        if any(role in fields for role in self._label_roles()):
            current = self.card_labels.get(card_id)
            if current is None:
                card = self.client.request_json("GET", f"/cards/{card_id}", params={"fields": "idLabels"})
                current = [str(i) for i in card.get("idLabels") or []]
            params["idLabels"] = ",".join(self._labels(self._by_role(current), fields))
        if set(params) != {"name"} or self.titles.get(card_id) != op.title:  # a custom-values-only change
            self.client.request_json("PUT", f"/cards/{card_id}", json=params, what=what)  # costs one PUT
        if "idLabels" in params:
            self.card_labels[card_id] = [i for i in params["idLabels"].split(",") if i]
        self._put_fields(card_id, fields, what, creating=False)

    def _default_list(self) -> str:
        lists = self.schema.lists
        return next((name for name, i in lists.items() if i not in self.schema.closed), DEFAULT_LIST)

    def _members(self, emails: Sequence[str]) -> list[str]:
        found = (self.schema.member_id(str(e)) for e in emails)
        return list(dict.fromkeys(m for m in found if m))

    # -- labels and custom fields -----------------------------------------------------------------------

    def _label_roles(self) -> tuple[str, ...]:
        """The canonical fields carried by labels on this board (scores too when custom fields are off)."""
        return LABEL_ROLES if not self.schema.custom_fields_on else ("tags", "quadrant", "sprint")

    def _role_of_label(self, name: str) -> str:
        if quadrant_from_name(name) is not None:
            return "quadrant"
        if is_own_sprint(name):  # a team's plain "Sprint 2" is a tag, as the reader reads it
            return "sprint"
        prefix, sep, _ = name.partition(":")
        if sep and fold(prefix) in self.label_role and not self.schema.custom_fields_on:
            return self.label_role[fold(prefix)]
        return "tags"

    def _by_role(self, label_ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for label_id in label_ids:
            out.setdefault(self._role_of_label(self.schema.label_names.get(label_id, "")), []).append(
                label_id
            )
        return out

    def _labels(self, current: dict[str, list[str]], fields: Any) -> list[str]:
        """The card's label ids: ``current`` (by role), each label-carried role in ``fields`` replaced."""
        wanted: dict[str, list[tuple[str, str | None]]] = {}
        if "tags" in fields:
            wanted["tags"] = [(str(t), None) for t in fields.get("tags") or () if str(t).strip()]
        if "quadrant" in fields:
            quadrant = fields.get("quadrant")
            known = quadrant_from_name(str(quadrant)) if quadrant else None
            colour = QUADRANT_COLOURS[known] if known is not None else None
            wanted["quadrant"] = [(str(quadrant), colour)] if quadrant else []
        if "sprint" in fields:
            wanted["sprint"] = [(str(fields["sprint"]), SPRINT_COLOUR)] if fields.get("sprint") else []
        if not self.schema.custom_fields_on:
            for role, display in {**NUMBER_FIELDS, **TEXT_FIELDS}.items():
                if role in fields:
                    value = fields.get(role)
                    wanted[role] = [(f"{display}: {value}", None)] if value not in (None, "") else []
        out: list[str] = []
        for role in self._label_roles():
            if role in wanted:
                out.extend(self.schema.ensure_label(name, colour) for name, colour in wanted[role])
            else:
                out.extend(current.get(role, []))
        return list(dict.fromkeys(out))

    def _put_fields(self, card_id: str, fields: Any, what: str, *, creating: bool) -> None:
        """Scores, ICE, objective, channel and the carried custom fields (``fields["custom"]``) in ONE
        ``PUT /cards/{id}/customFields`` (power-up on only). A custom value the board cannot hold fails the op
        with its reason; the card's other values are still written."""
        custom: dict[str, Any] = dict(fields.get("custom") or {})
        if not self.schema.custom_fields_on:
            if any(v not in (None, "") for v in custom.values()):
                raise SkippableError(
                    "the board's Custom Fields power-up is off: "
                    + ", ".join(f'"{n}"' for n in custom)
                    + " not set"
                )
            return
        kinds = {**{r: "number" for r in NUMBER_FIELDS}, **{r: "text" for r in TEXT_FIELDS}, "ice": "number"}
        names = {**self.role_names, "ice": (self.ice_name,)}
        displays = {**NUMBER_FIELDS, **TEXT_FIELDS, "ice": self.ice_name}
        items = []
        for role, kind in kinds.items():
            if role not in fields:
                continue
            value = fields.get(role)
            if creating and value in (None, ""):
                continue
            field = self.schema.field(names[role])
            if field is None:
                if value in (None, ""):
                    continue
                field = self.schema.ensure_field(displays[role], kind)
            item = self.schema.field_item(field, value)
            if item is None:
                raise SkippableError(f'the custom field "{field.get("name")}" cannot hold {role}')
            items.append(item)
        problems = []
        for name, value in custom.items():
            if creating and value in (None, ""):
                continue
            try:
                items.append(custom_item(self.schema, name, value))
            except (LookupError, ValueError) as exc:
                problems.append(str(exc).strip("'\""))
        if items:
            self.client.request_json(
                "PUT", f"/cards/{card_id}/customFields", json={"customFieldItems": items}, what=what
            )
        if problems:
            raise SkippableError("; ".join(problems))
