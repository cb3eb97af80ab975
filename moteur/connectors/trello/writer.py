"""Applying a plan's ops to a Trello board with the fewest writes.

- Schema ops first: ``EnsureTag`` reuses a label of that name (case-insensitive) or creates it
  (``POST /labels``); ``EnsureField`` reuses or creates a custom field (``POST /customFields``);
  ``EnsureBucket`` reuses or creates a list.
- Then per card: ONE ``PUT /cards/{id}`` carrying the whole new ``idLabels`` (current labels + adds −
  removes; a label is removed only if it is a managed one) and the new list when moved, and ONE
  ``PUT /cards/{id}/customFields`` for every custom field value of that card.

*Ambiguous create*: when a ``POST`` may have been applied (connection dropped after sending), the writer
re-reads the board's labels / fields and reuses the one with that name before ever posting again
(``connectors/create_once.py``) — so a commit-then-drop never leaves a duplicate label.

One ``OpResult`` per op, in the order given; a failed request fails only the ops it carried.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from moteur.connectors.create_once import ensure_once
from moteur.connectors.http import HttpClient
from moteur.connectors.trello.mapping import is_managed
from moteur.connectors.trello.native import TrelloField, TrelloNative
from moteur.core.diff import WriteBack
from moteur.core.errors import MoteurError
from moteur.core.labels import sprint_index
from moteur.core.model import FieldKind, Snapshot
from moteur.core.names import name_key
from moteur.core.ops import (
    EnsureBucket,
    EnsureField,
    EnsureTag,
    ItemOp,
    Landed,
    MoveItem,
    OpResult,
    SchemaOp,
    SetTags,
    UpdateFields,
)
from moteur.redaction import scrub

TRELLO_FIELD_TYPES = {FieldKind.NUMBER: "number", FieldKind.TEXT: "text", FieldKind.ENUM: "list"}


def _fold(name: str) -> str:
    # Labels, lists and fields are found by name as moteur compares names (``core/names``).
    return name_key(name)


class TrelloWriter:
    """Applies ops to one board. Holds the board's label, list and field ids as the run changes them."""

    def __init__(self, client: HttpClient, snapshot: Snapshot, writeback: WriteBack) -> None:
        self.client = client
        self.snapshot = snapshot
        self.writeback = writeback
        state = TrelloNative.of(snapshot)
        self.board_id: str = state.board_id
        # Every request's ``what`` names the board, so a refusal reads as one line the user can act on.
        self.on_board = f'on board "{snapshot.name}"'
        self.labels: dict[str, str] = {}
        for label in state.labels:
            self.labels.setdefault(_fold(label.name), label.id)
        self.label_names: dict[str, str] = {label.id: label.name for label in state.labels}
        self.lists = {_fold(b.name): b.id for b in snapshot.buckets if not b.closed}
        self.fields: dict[str, TrelloField] = {_fold(f.name): f for f in state.fields}
        self.card_labels: dict[str, list[str]] = dict(state.card_labels)

    # -- schema -----------------------------------------------------------------------------------------

    def ensure_tag(self, op: EnsureTag) -> None:
        if _fold(op.name) in self.labels:
            return

        def create() -> None:
            params = {"idBoard": self.board_id, "name": op.name, "color": op.color or "null"}
            what = f'label "{op.name}" {self.on_board}'
            label = self.client.request_json("POST", "/labels", params=params, what=what)
            self.labels[_fold(op.name)] = str(label["id"])
            self.label_names[str(label["id"])] = op.name

        def find() -> bool:
            found = self.client.request_json(
                "GET", f"/boards/{self.board_id}/labels", params={"fields": "name,color", "limit": "1000"}
            )
            for label in found:
                self.labels.setdefault(_fold(str(label.get("name") or "")), str(label["id"]))
                self.label_names[str(label["id"])] = str(label.get("name") or "")
            return _fold(op.name) in self.labels

        ensure_once(create, find)

    def ensure_field(self, op: EnsureField) -> None:
        if _fold(op.name) in self.fields:
            return

        def create() -> None:
            body: dict[str, Any] = {
                "idModel": self.board_id,
                "modelType": "board",
                "name": op.name,
                "type": TRELLO_FIELD_TYPES[op.field_kind],
                "pos": "bottom",  # required (spec POST /customFields: idModel, modelType, name, type, pos)
                "display_cardFront": True,
            }
            if op.field_kind is FieldKind.ENUM:
                body["options"] = [{"value": {"text": o}, "pos": i} for i, o in enumerate(op.options)]
            what = f'custom field "{op.name}" {self.on_board}'
            field = self.client.request_json("POST", "/customFields", json=body, what=what)
            self.fields[_fold(op.name)] = TrelloField.of(field)

        def find() -> bool:
            for field in self.client.request_json("GET", f"/boards/{self.board_id}/customFields"):
                self.fields.setdefault(_fold(str(field.get("name", ""))), TrelloField.of(field))
            return _fold(op.name) in self.fields

        ensure_once(create, find)

    def ensure_bucket(self, op: EnsureBucket) -> None:
        if _fold(op.name) in self.lists:
            return
        created = self.client.request_json(
            "POST",
            f"/boards/{self.board_id}/lists",
            params={"name": op.name},
            what=f'list "{op.name}" {self.on_board}',
        )
        self.lists[_fold(op.name)] = str(created["id"])

    def schema(self, op: SchemaOp) -> OpResult:
        try:
            if isinstance(op, EnsureTag):
                self.ensure_tag(op)
            elif isinstance(op, EnsureField):
                self.ensure_field(op)
            else:
                self.ensure_bucket(op)
        except MoteurError as exc:
            return OpResult(op, False, scrub(str(exc)))
        return OpResult(op, True)

    # -- items ------------------------------------------------------------------------------------------

    def _field_item(self, op: UpdateFields) -> dict[str, Any]:
        native = self.writeback.field_names.get(op.field, op.field)
        field = self.fields.get(_fold(native))
        if field is None:
            raise LookupError(f'the custom field "{native}" does not exist on the board')
        item: dict[str, Any] = {"idCustomField": field.id}
        kind = field.type
        if op.after is None or op.after == "":
            item["value"] = ""
        elif kind == "list":
            options = {_fold(o.text): o.id for o in field.options}
            if _fold(op.after) not in options:
                raise LookupError(f'"{op.after}" is not an option of the custom field "{native}"')
            item["idValue"] = options[_fold(op.after)]
        else:
            item["value"] = {"number" if kind == "number" else "text": op.after}
        return item

    def card(self, card_id: str, ops: Sequence[ItemOp]) -> dict[int, str]:
        """Apply one card's ops in at most two requests; returns {index in ops: error} for failed ops."""
        failed: dict[int, str] = {}
        labels = list(self.card_labels.get(card_id, []))
        before = list(labels)
        list_id: str | None = None
        card_ops: list[int] = []
        items: list[dict[str, Any]] = []
        field_ops: list[int] = []
        for i, op in enumerate(ops):
            try:
                if isinstance(op, SetTags):
                    for name in op.remove:
                        # Never touch a label moteur does not manage. A plain "Sprint 3" is removed only
                        # when core asks: the state says moteur wrote it (an old-form label, adopted).
                        if is_managed(name) or sprint_index(name) is not None:
                            labels = [x for x in labels if _fold(self.label_names.get(x, "")) != _fold(name)]
                    for name in op.add:
                        if _fold(name) not in self.labels:
                            raise LookupError(f'the label "{name}" could not be created')
                        if self.labels[_fold(name)] not in labels:
                            labels.append(self.labels[_fold(name)])
                    card_ops.append(i)
                elif isinstance(op, MoveItem):
                    if op.after is None or _fold(op.after) not in self.lists:
                        raise LookupError(f'the list "{op.after}" does not exist on the board')
                    list_id = self.lists[_fold(op.after)]
                    card_ops.append(i)
                else:
                    items.append(self._field_item(op))
                    field_ops.append(i)
            except LookupError as exc:
                failed[i] = str(exc).strip("'\"")
        title = ops[0].title if ops else card_id
        what = f'card "{title}" ({card_id}) {self.on_board}'
        if card_ops and (labels != before or list_id is not None):
            params: dict[str, str] = {"idLabels": ",".join(labels)}
            if list_id is not None:
                params["idList"] = list_id
            try:
                self.client.request_json("PUT", f"/cards/{card_id}", params=params, what=what)
                self.card_labels[card_id] = labels
            except MoteurError as exc:
                failed.update({i: scrub(str(exc)) for i in card_ops})
        if items:
            try:
                self.client.request_json(
                    "PUT", f"/cards/{card_id}/customFields", json={"customFieldItems": items}, what=what
                )
            except MoteurError as exc:
                failed.update({i: scrub(str(exc)) for i in field_ops})
        return failed


def apply_ops(
    writer: TrelloWriter,
    schema_ops: Sequence[SchemaOp],
    item_ops: Sequence[ItemOp],
    progress: Landed | None = None,
) -> list[OpResult]:
    """Schema ops, then each card's ops (in the order cards first appear); results in the ops' order."""
    results: list[OpResult] = [writer.schema(op) for op in schema_ops]
    by_card: dict[str, list[int]] = {}
    for index, op in enumerate(item_ops):
        by_card.setdefault(op.item.item, []).append(index)
    outcome: dict[int, OpResult] = {}
    for card_id, indexes in by_card.items():
        ops = [item_ops[i] for i in indexes]
        failed = writer.card(card_id, ops)
        for position, index in enumerate(indexes):
            error = failed.get(position)
            outcome[index] = OpResult(item_ops[index], error is None, error)
        if progress is not None:
            progress([outcome[i] for i in indexes])
    results.extend(outcome[i] for i in range(len(item_ops)))
    return results
