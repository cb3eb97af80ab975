"""The action model: one shape for what a team keeps in Trello, Asana, monday.com or a file.

Terms defined here and used everywhere:

- *Action*: one card / task / item / row, mapped out of its tool into neutral fields.
- *ItemRef*: where an action lives (tool, board id, item id, url).
- *Annotations*: the values moteur manages on an item (quadrant, sprint, ICE) as the tool shows them now.
- *Snapshot*: everything a connector read from one board at one time: its buckets and actions.
- *Due*: a date **or** a datetime. A date-only due is never turned into a datetime (and so never shifted
  by a timezone); ``due_day`` gives the calendar day either way, in the due's own timezone.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from moteur.core.phrase import Text


class Tool(StrEnum):
    TRELLO = "trello"
    ASANA = "asana"
    MONDAY = "monday"
    FILE = "file"


class Status(StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    ARCHIVED = "archived"

    @property
    def is_closed(self) -> bool:
        return self in (Status.DONE, Status.ARCHIVED)


class Quadrant(StrEnum):
    QUICK_WIN = "quick_win"
    BIG_PROJECT = "big_project"
    FILL_IN = "fill_in"
    TIME_SINK = "time_sink"
    UNSCORED = "unscored"


class Flag(StrEnum):
    """Why an action needs a person's attention; stable names used in JSON and tests."""

    STOP = "stop"  # time sink: never planned, consider dropping it
    SCORE_ME = "score_me"  # impact or effort missing
    SPLIT_ME = "split_me"  # bigger than any sprint's capacity
    LATE = "late"  # the earliest sprint with room ends (its last working day) after the due date
    NO_OBJECTIVE = "no_objective"  # not tied to an objective
    NO_ROOM = "no_room"  # plannable, but no sprint in the horizon has room left
    PINNED = "pinned"  # a person set its sprint by hand; the plan keeps it


def _frozen() -> ConfigDict:
    return ConfigDict(frozen=True, extra="forbid")


class BoardRef(BaseModel):
    """A board as the user names it: ``trello:<id>``, ``asana:<gid>``, ``monday:<id>``, ``file:<path>``."""

    model_config = _frozen()

    tool: Tool
    board: str

    def __str__(self) -> str:
        return f"{self.tool}:{self.board}"  # StrEnum formats as its value (and fast)


class ItemRef(BaseModel):
    model_config = _frozen()

    tool: Tool
    board: str
    item: str
    url: str | None = None

    @property
    def key(self) -> str:
        """A key unique across tools and boards, stable across runs."""
        return f"{self.tool}:{self.board}:{self.item}"


class ChecklistItem(BaseModel):
    model_config = _frozen()

    text: str
    done: bool = False
    id: str | None = None  # the tool's own id of the entry (check item, subtask, subitem), when read in full


class Comment(BaseModel):
    model_config = _frozen()

    author: str | None = None
    date: datetime | None = None
    text: str


class Annotations(BaseModel):
    """What moteur manages on an item, as the tool shows it now (None: not set)."""

    model_config = _frozen()

    quadrant: str | None = None  # the label/section/status text, e.g. "Quick win"
    sprint: str | None = None  # e.g. "Sprint 3"
    ice: float | None = None


Due = date | datetime


def parse_due(value: object) -> date | datetime | None:
    """Parse a due value without ever confusing a date with a datetime.

    ``"2026-12-24"`` → ``date``; ``"2026-12-24T10:00:00+01:00"`` → aware ``datetime``;
    a ``datetime`` stays a ``datetime`` and a ``date`` stays a ``date``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    raise ValueError(f"not a date or datetime: {value!r}")


def due_day(due: date | datetime | None) -> date | None:
    """The calendar day of a due, in the due's own timezone (no conversion)."""
    if due is None:
        return None
    return due.date() if isinstance(due, datetime) else due


def _score(value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 10:
        raise ValueError(f"a score is 1–10, got {value}")
    return value


class Action(BaseModel):
    """One action of a team's plan, whatever tool holds it."""

    model_config = _frozen()

    ref: ItemRef
    title: str
    description: str = ""
    status: Status = Status.TODO
    # An archived item's done state, apart from its archive: Trello's due marked complete or a list whose name
    # means done, Asana's completed (or a done section), monday's done label. Each tool holds both, so a
    # migration carries it (a done card archived comes back done). Always False for an item not archived:
    # its status says whether it is done.
    archived_done: bool = False
    bucket: str | None = None
    tags: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    due: date | datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    impact: int | None = None
    effort: int | None = None
    confidence: int | None = None
    objective: str | None = None
    channel: str | None = None
    checklist: tuple[ChecklistItem, ...] = ()
    comments: tuple[Comment, ...] = ()
    annotations: Annotations = Field(default_factory=Annotations)
    version: str | None = None  # the tool's own modification stamp (dateLastActivity, modified_at…)
    # When the tool says the action was completed (Asana's completed_at), for the history's done days;
    # None where the tool does not say. Not content: left out of ``content_hash``.
    completed_at: datetime | None = None
    extra: dict[str, Any] = Field(default_factory=dict)
    # Score field → the top of the scale its number was read on, when not 1–10 (``{"impact": 5}``: the
    # field scores 1–5 and its 4 became 8). Shown in the explanation; ``core/scales``.
    scales: dict[str, int] = Field(default_factory=dict)

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, value: object) -> date | datetime | None:
        return parse_due(value)

    @field_validator("impact", "effort", "confidence")
    @classmethod
    def _scores(cls, value: int | None) -> int | None:
        return _score(value)

    @property
    def key(self) -> str:
        return self.ref.key

    @property
    def due_day(self) -> date | None:
        return due_day(self.due)

    @property
    def content_hash(self) -> str:
        """Hash of the mapped fields moteur reads (not the version, not what moteur writes).

        Two snapshots of an item with the same hash carry the same content, whatever their versions say.
        """
        # ``scales`` is how the scores were read: the scores themselves are in the hash.
        unread = {"version", "annotations", "updated_at", "ref", "scales", "completed_at"}
        if not self.archived_done:  # the hash of every item read before the field existed stays the same
            unread.add("archived_done")
        payload = self.model_dump(mode="json", exclude=unread)
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


class FieldKind(StrEnum):
    """What a custom field holds. ``ENUM`` is a single choice among named options; ``OTHER`` is anything with
    no counterpart across tools (multi-select, people, formula, checkbox…), which a migration reports lost."""

    NUMBER = "number"
    ENUM = "enum"
    TEXT = "text"
    DATE = "date"
    OTHER = "other"


class CustomField(BaseModel):
    """A custom field / column of a board that no role reads (a migration carries it as it is).

    Its values live in ``Action.extra["field:<name>"]`` in a canonical form: a number for ``NUMBER``, the
    option's name for ``ENUM``, ISO text for ``DATE`` (a date stays a date), a string for ``TEXT``.
    """

    model_config = _frozen()

    name: str
    kind: FieldKind
    options: tuple[str, ...] = ()  # ENUM options, in the tool's order


class Bucket(BaseModel):
    """A list (Trello), section (Asana), group (monday) or the bucket column of a file."""

    model_config = _frozen()

    id: str
    name: str
    closed: bool = False


class Snapshot(BaseModel):
    """What one read of one board returned. ``warnings`` name rows/values that could not be parsed."""

    model_config = _frozen()

    board: BoardRef
    name: str
    buckets: tuple[Bucket, ...] = ()
    actions: tuple[Action, ...] = ()
    tags: tuple[str, ...] = ()  # label/tag names that exist on the board
    fields: tuple[str, ...] = ()  # custom field / column names that exist on the board
    custom_fields: tuple[CustomField, ...] = ()  # the role-less ones with their kinds (filled by full reads)
    # Tag name -> its colour in the tool's palette (``core/colours.py``; None: no colour), for the tags whose
    # colour the full read knows; a tag left out has a colour moteur cannot tell.
    tag_colours: dict[str, str | None] = Field(default_factory=dict)
    warnings: tuple[Text, ...] = ()  # a Phrase stays one, to be said in the reader's language
    aliases: tuple[str, ...] = ()  # other names the tool knows the board by (a Trello shortLink)
    # The connector's own state (label ids, field ids…): the JSON form of its ``native_model``, which core
    # carries and never reads into (``core/native.py``).
    native: dict[str, Any] = Field(default_factory=dict)
