"""What the monday.com connector keeps in ``Snapshot.native`` (``core/native.py``): the board's ids its
writers and its incremental reads need.

A sync read (``mapping``) fills the board's id, its columns (id, title, type), the pages its items took and
the guessed score scales. A migration's full read (``history``) adds each column's settings, the groups and
each item's children: its subitems and its updates, so that a migration into this board tells a child
already there from one to create. None: not read.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from moteur.connectors.monday.daily import DailyCap
from moteur.core.native import Kept, NativeState

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class MondayColumn(BaseModel):
    model_config = _FROZEN

    id: str
    title: str = ""
    type: str = ""
    settings: Any = None  # as monday answers it (JSON text or an object); a full read's only


class MondayGroup(BaseModel):
    model_config = _FROZEN

    id: str
    title: str = ""


class MondaySubitem(BaseModel):
    model_config = _FROZEN

    id: str
    name: str = ""
    done: bool = False
    status: str | None = None  # the id of its status column (the subitems board's)


class MondayUpdate(BaseModel):
    model_config = _FROZEN

    id: str
    text: str = ""


class MondayChildren(BaseModel):
    """An item's subitems and updates (its comments), oldest update first."""

    model_config = _FROZEN

    subitems: tuple[MondaySubitem, ...] = ()
    updates: tuple[MondayUpdate, ...] = ()


class MondayPeople(BaseModel):
    """Who a board can assign and the account's daily call cap, as its full read found them
    (``migration_target.account_people``): what ``capabilities`` says of a migration target."""

    model_config = _FROZEN

    emails: tuple[str, ...] | None = None  # lower case; None: the account has too many people to list
    unassignable: int = 0  # the account's people the board cannot take (pending, view-only, guests…)
    daily: DailyCap | None = None


class MondayNative(NativeState):
    board_id: str
    columns: tuple[MondayColumn, ...] = ()
    pages: Annotated[int, Kept.UNKEPT] = 0  # the item pages the read took: how it was read, not the board
    # Guessed scales are part of how every item was read: a change refuses an incremental read.
    scales: dict[str, int] = Field(default_factory=dict)
    groups: tuple[MondayGroup, ...] | None = None
    children: dict[str, MondayChildren] | None = None  # item id -> its children
    people: Annotated[MondayPeople | None, Kept.UNKEPT] = None  # a full read's
