"""The one connector interface: everything moteur asks of a tool, owned by core.

A *connector* adapts one tool (Trello, Asana, monday.com, a file) to moteur. It subclasses ``Connector``
and implements three things — ``read`` a board into a ``Snapshot``, say where moteur's results go on it
(``writeback``), ``apply`` a plan's ops — plus ``describe``, the facts of the tool. Everything else has a
default here, so a connector overrides only what its tool can do:

- *traffic*: ``request_count`` / ``retried_count`` (0 without a network), ``close``;
- *estimates*: ``estimate`` of what applying ops will cost (None: nothing worth saying);
- *incremental reads* (``describe().incremental``): ``cursor_of`` a board, taken before a full read, and
  ``read_changes`` since a cursor — the cached snapshot with what changed merged in (``merge``), or None when
  the cursor is refused or the board's own parts changed (``board_kept``); ``feed_worth_reading`` weighs
  moteur's own writes against a full read. The terms are defined in ``connectors/incremental.py``;
- *migration*: ``capabilities`` of a target, ``read_full``, ``create_board``, ``apply_migration`` (the
  contract is in ``connectors/migration.py``); the defaults refuse with a ``UsageError`` naming the tool;
- *account*: ``reachable_boards``, what ``moteur boards`` and ``moteur init`` list;
- *identity and history*: ``canonical_board`` (a Trello shortLink as the board's id), ``read_only`` (a board
  moteur must not write), ``done_days`` (when each item was done, from the tool's history).

Pagination, auth, batching and rate limits stay private to each connector. ``mapped_with`` says what turns
the tool's items into actions, so a cache mapped otherwise is not reused. No caller probes a connector for a
method: every method exists on every connector.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel

from moteur.core.diff import WriteBack
from moteur.core.errors import UsageError
from moteur.core.history import DoneDays
from moteur.core.model import Action, BoardRef, FieldKind, ItemRef, Snapshot, Tool
from moteur.core.ops import ItemOp, Landed, MigrationOp, OpResult, SchemaOp

Listing = list[tuple[BoardRef, str]]
"""Boards as ``moteur boards`` lists them: (reference, name)."""


@dataclass(frozen=True)
class Credential:
    """One setting a tool needs: its environment variable and the ``Settings`` field that holds it."""

    variable: str
    field: str


@dataclass(frozen=True)
class ToolDescription:
    """What a tool is, in the words its users know it by."""

    tool: Tool
    name: str  # "Trello", "monday.com"
    board: str  # what a board is called there: board, project, file
    bucket: str  # what groups items: list, section, group, status
    item: str  # card, task, item, row
    batch_size: int | None  # ops sent in one write request; None: the whole run in one write
    rate_limit: str  # the service's documented budget, in words ("" without one)
    incremental: bool  # reads only what changed since a cursor (``cursor_of`` / ``read_changes``)
    credentials: tuple[Credential, ...] = ()


@dataclass(frozen=True)
class ChangeSet:
    """An incremental read: the cached snapshot updated, the next cursor, the requests it took."""

    snapshot: Snapshot
    cursor: str
    requests: int


@dataclass(frozen=True)
class Capabilities:
    """What a board of this tool can hold; each False field is a loss when the source has it."""

    tool: Tool
    subitems: bool = True  # checklists / subtasks / subitems, with their done state
    comments: bool = True
    due_date_only: bool = True  # a due date without a time of day
    due_datetime: bool = True  # a due date with a time of day
    assignees: bool = True
    multi_assignee: bool = True
    tags: bool = True
    scores: bool = True  # impact / effort / confidence as numbers
    objective_channel: bool = True
    moteur_fields: bool = True  # quadrant / sprint / ICE
    # A "doing" state of its own. Without one (Trello, Asana) an open item's status is read from its list or
    # section name, which the migration carries anyway: todo and doing are then the same thing to write.
    doing_status: bool = True
    description_limit: int | None = None  # characters a description holds, identity footer included
    custom_fields: frozenset[FieldKind] = frozenset()  # the kinds of custom field it can create and hold
    typeless_fields: bool = False  # a field holds any value as written (a file's column): no kind clash
    # The e-mails (lower case) of the people the target can assign; None when the connector cannot tell (the
    # plan then reports no unknown assignee before the run).
    emails: frozenset[str] | None = None
    notes: tuple[str, ...] = ()  # caveats shown in the loss report (e.g. "comments are posted as you")
    # The options a new single-choice field may have (None: no limit), and what a wider one is created as
    # instead (None: it cannot be; the plan then reports it as not carried). monday: 40 status labels.
    choice_options_limit: int | None = None
    wide_choice: str | None = None


class Connector(ABC):
    """One tool's adapter. Subclasses set ``tool`` and implement the abstract methods; see the module doc."""

    tool: ClassVar[Tool]
    # ``native`` entries an incremental read merges item by item (keyed by item id: Trello's card labels),
    # gathers from the items read (their union: Asana's tags), or that are not the board's own parts.
    item_native: ClassVar[tuple[str, ...]] = ()
    gathered_native: ClassVar[tuple[str, ...]] = ()
    unkept_native: ClassVar[tuple[str, ...]] = ()

    # -- the sync ------------------------------------------------------------------------------------------

    @classmethod
    @abstractmethod
    def describe(cls) -> ToolDescription: ...

    @abstractmethod
    def read(self, board: BoardRef) -> Snapshot: ...

    @abstractmethod
    def writeback(self, snapshot: Snapshot) -> WriteBack: ...

    @abstractmethod
    def apply(
        self,
        snapshot: Snapshot,
        schema_ops: Sequence[SchemaOp],
        item_ops: Sequence[ItemOp],
        progress: Landed | None = None,  # each op's result as soon as it is known (``core.ops.Landed``)
    ) -> list[OpResult]: ...

    def read_only(self, board: BoardRef) -> str | None:
        """Why moteur may only read ``board`` (a Trello export as a file), or None: it may write it. Asked
        before a sync locks the board."""
        return None

    def canonical_board(self, board: BoardRef) -> BoardRef:
        """``board`` as the tool names it for good (a Trello shortLink: the board's id); the default: as
        given."""
        return board

    def mapped_with(self) -> object:
        """What turns the tool's items into actions (JSON-able): a change invalidates cached snapshots."""
        return None

    def estimate(self, schema_ops: Sequence[SchemaOp], item_ops: Sequence[ItemOp]) -> str | None:
        """What applying these ops would cost (requests, time), in one line; None when nothing to say."""
        return None

    def request_count(self) -> int:
        return 0

    def retried_count(self) -> int:
        return 0

    def close(self) -> None:
        return None

    # -- incremental reads ---------------------------------------------------------------------------------

    def cursor_of(self, board: BoardRef) -> str | None:
        """The cursor to keep, taken just before a full read; None without incremental reads."""
        return None

    def read_changes(self, board: BoardRef, cached: Snapshot, cursor: str) -> ChangeSet | None:
        """``cached`` updated with what changed since ``cursor``; None: read in full instead."""
        return None

    def feed_worth_reading(self, items: int, written: int) -> bool:
        """False when the change feed of a board of ``items`` items, ``written`` of which moteur wrote since
        the cursor, surely costs at least a full read. Only chooses between two correct reads."""
        return True

    def merge(
        self, cached: Snapshot, fresh: Snapshot, *, changed: Iterable[str], removed: Iterable[str] = ()
    ) -> Snapshot:
        """``cached`` with the ``changed`` items taken from ``fresh`` and the ``removed`` dropped."""
        return merged(
            cached,
            fresh,
            changed=changed,
            removed=removed,
            per_item=self.item_native,
            seen=self.gathered_native,
        )

    def board_kept(self, cached: Snapshot, fresh: Snapshot) -> bool:
        """True when every board-level part ``cached`` knew is still in ``fresh``, unchanged."""
        return board_kept(cached, fresh, skip=(*self.item_native, *self.gathered_native, *self.unkept_native))

    # -- history -------------------------------------------------------------------------------------------

    def done_days(self, board: BoardRef, snapshot: Snapshot) -> DoneDays | None:
        """When each item done now was done, from the tool's own history (the back-fill of a new board's
        history); None when the tool cannot say."""
        return None

    # -- migration -----------------------------------------------------------------------------------------

    def _cannot_migrate(self) -> UsageError:
        return UsageError(
            f"the {self.tool.value} connector cannot migrate yet",
            hint="migrate through a file: board meanwhile",
        )

    def capabilities(self, board: BoardRef | None = None, *, workspace: str | None = None) -> Capabilities:
        """What ``board`` can hold; ``board`` None: a board this connector would create in ``workspace``."""
        raise self._cannot_migrate()

    def read_full(self, board: BoardRef, *, include_archived: bool = False) -> Snapshot:
        raise self._cannot_migrate()

    def create_board(self, name: str, workspace: str | None = None) -> BoardRef:
        raise self._cannot_migrate()

    def apply_migration(
        self,
        snapshot: Snapshot,
        ops: Sequence[MigrationOp],
        targets: MutableMapping[str, ItemRef],
        *,
        on_created: Callable[[str, ItemRef], None],
        progress: Callable[[int], None] | None = None,
    ) -> list[OpResult]:
        raise self._cannot_migrate()

    # -- account -------------------------------------------------------------------------------------------

    def reachable_boards(self) -> Listing:
        """Every board the credentials reach, sorted as ``moteur boards`` shows them."""
        return []


def merged(
    cached: Snapshot,
    fresh: Snapshot,
    *,
    changed: Iterable[str],
    removed: Iterable[str] = (),
    per_item: Iterable[str] = (),
    seen: Iterable[str] = (),
) -> Snapshot:
    """``cached`` with the ``changed`` item ids' actions taken from ``fresh`` and the ``removed`` dropped.

    ``fresh`` is a snapshot mapped from the board-level parts just read plus the changed items only, so its
    board-level parts (name, buckets, fields, native) are the current ones and replace the cached. An item
    id in ``changed`` that ``fresh`` lacks is gone (deleted, archived, moved off the board). Cached order is
    kept; new items come after, in ``fresh``'s order.

    ``per_item`` names ``native`` entries keyed by item id (Trello's ``card_labels``): merged like the
    actions. ``seen`` names ``native`` dicts gathered from the items (Asana's ``tags``): their union, and
    ``Snapshot.tags`` then is the union of both snapshots' tags.
    """
    changed = set(changed)
    dropped = changed | set(removed)
    by_item = {a.ref.item: a for a in fresh.actions}
    actions: list[Action] = []
    for action in cached.actions:
        if action.ref.item in by_item:
            actions.append(by_item.pop(action.ref.item))
        elif action.ref.item not in dropped:
            actions.append(action)
    actions.extend(by_item.values())
    native = dict(fresh.native)
    for key in per_item:
        entries = {k: v for k, v in dict(cached.native.get(key) or {}).items() if k not in dropped}
        native[key] = entries | dict(fresh.native.get(key) or {})
    tags = fresh.tags
    for key in seen:
        native[key] = dict(cached.native.get(key) or {}) | dict(fresh.native.get(key) or {})
        tags = tuple(dict.fromkeys((*cached.tags, *fresh.tags)))
    return fresh.model_copy(update={"actions": tuple(actions), "native": native, "tags": tags})


def board_kept(cached: Snapshot, fresh: Snapshot, *, skip: Iterable[str] = ()) -> bool:
    """True when every board-level part the cache knew is still there, unchanged, in ``fresh``.

    The cached actions were mapped through the board's lists/sections/groups, labels, fields and options
    as they were then: a renamed or removed one changes what unchanged items map to, and no change feed
    names those items. So a changed part refuses the cursor (a full read follows). An *added* part cannot
    change an item that does not mention it — an item that starts to is itself in the feed — so additions
    (moteur creating its labels, sections or columns on a first sync) keep the incremental read.
    ``skip`` names ``native`` entries gathered from items (see ``merged``), which are not board-level.
    """
    if not _contains(cached.buckets, fresh.buckets) or not set(cached.fields) <= set(fresh.fields):
        return False
    ignored = set(skip)
    for key, value in cached.native.items():
        if key in ignored:
            continue
        now = fresh.native.get(key)
        if isinstance(value, list):
            if not isinstance(now, list) or not _contains(value, now):
                return False
        elif value is not None and value != now:
            return False
    return True


def _contains(old: Iterable[object], new: Iterable[object]) -> bool:
    def text(entry: object) -> str:
        plain = entry.model_dump(mode="json") if isinstance(entry, BaseModel) else entry
        return json.dumps(plain, sort_keys=True, default=str)

    return {text(e) for e in old} <= {text(e) for e in new}
