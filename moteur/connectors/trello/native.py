"""What the Trello connector keeps in ``Snapshot.native`` (``core/native.py``): the board's ids and settings
its writers and its incremental reads need.

A sync read (``mapping``) fills the board's part: its id, labels, custom fields (with the
options of list fields), the Custom Fields power-up state, the guessed score scales, and each card's label
ids. A migration's full read (``history``) adds the members, each card's list and its checklists by name; a
target's schema loaded without a read (``board_schema.load_native``) adds the lists. None: not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from moteur.core.native import Kept, NativeState

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class TrelloLabel(BaseModel):
    model_config = _FROZEN

    id: str
    name: str = ""
    color: str | None = None


class TrelloOption(BaseModel):
    """An option of a list custom field: Trello's ``{"id", "value": {"text"}}``, as its id and text."""

    model_config = _FROZEN

    id: str
    text: str

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> TrelloOption:
        # ``GET /customFields/{id}/options`` keys each option ``_id``; the field's own ``options``: ``id``.
        value = record.get("value")
        text = value.get("text", "") if isinstance(value, dict) else ""
        return cls(id=str(record.get("id") or record.get("_id")), text=str(text))


class TrelloField(BaseModel):
    """A custom field definition: its id, name, type (number, text, list, date, checkbox) and options."""

    model_config = _FROZEN

    id: str
    name: str = ""
    type: str = ""
    options: tuple[TrelloOption, ...] = ()

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> TrelloField:
        """The definition as Trello answers it (``/customFields``)."""
        options = record.get("options") or []
        return cls(
            id=str(record.get("id")),
            name=str(record.get("name") or ""),
            type=str(record.get("type") or ""),
            options=tuple(TrelloOption.of(o) for o in options if isinstance(o, dict)),
        )

    def record(self) -> dict[str, Any]:
        """The definition in Trello's own form, for code that keeps it beside Trello's answers."""
        options = [{"id": o.id, "value": {"text": o.text}} for o in self.options]
        return {"id": self.id, "name": self.name, "type": self.type, "options": options}


class TrelloList(BaseModel):
    model_config = _FROZEN

    id: str
    name: str = ""
    closed: bool = False


class TrelloMember(BaseModel):
    """A member of the board; Trello shows an e-mail for the token's own member only."""

    model_config = _FROZEN

    id: str
    username: str = ""
    full_name: str = ""
    email: str = ""

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> TrelloMember:
        return cls(
            id=str(record.get("id")),
            username=str(record.get("username") or ""),
            full_name=str(record.get("fullName") or ""),
            email=str(record.get("email") or ""),
        )


class TrelloNative(NativeState):
    board_id: str
    labels: tuple[TrelloLabel, ...] = ()
    # Each card's label ids, by card id: merged card by card by an incremental read.
    card_labels: Annotated[dict[str, list[str]], Kept.PER_ITEM] = Field(default_factory=dict)
    fields: tuple[TrelloField, ...] = ()
    ice_field_id: str | None = None
    custom_fields_on: bool  # the Custom Fields power-up
    # Guessed scales are part of how every card was read: a change refuses an incremental read.
    scales: dict[str, int] = Field(default_factory=dict)
    lists: tuple[TrelloList, ...] | None = None  # the lists, when no read gave the buckets
    members: tuple[TrelloMember, ...] | None = None
    card_lists: dict[str, str] | None = None  # card id -> list id
    card_checklists: dict[str, dict[str, str]] | None = None  # card id -> {checklist name: id}
