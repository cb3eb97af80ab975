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
- *account*: ``reachable_boards``, what ``moteur boards`` and ``moteur init`` list; ``check_access``, what
  ``moteur doctor`` says of the credentials and of each board (``core/checks.py``);
- *identity and history*: ``canonical_board`` (a Trello shortLink as the board's id), ``read_only`` (a board
  moteur must not write), ``done_days`` (when each item was done, from the tool's history);
- *native state*: ``native_model``, the pydantic model of what the connector keeps in ``Snapshot.native``
  (``core/native.py``), which core carries without reading; the defaults of ``merge`` and ``board_kept``
  ask it which of its fields are the items' rather than the board's.

Pagination, auth, batching and rate limits stay private to each connector. ``mapped_with`` says what turns
the tool's items into actions, so a cache mapped otherwise is not reused. No caller probes a connector for a
method: every method exists on every connector.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from moteur.core.checks import Check, unchecked
from moteur.core.diff import WriteBack
from moteur.core.errors import UsageError
from moteur.core.history import DoneDays
from moteur.core.model import BoardRef, FieldKind, ItemRef, Snapshot, Tool
from moteur.core.native import Kept, NativeState, board_kept, merged
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
    # An archived item's done state kept apart from its archive (``Action.archived_done``); a file's status
    # column holds one of the two.
    archived_done: bool = True
    # A bucket archived with the items in it (Trello's closed lists); where none can be (Asana's sections),
    # a closed source bucket is created open and named in the loss report.
    closed_buckets: bool = False
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
    # Its labels or tags hold a colour of the tool's palette (``core/colours.py``), which a migration sets.
    tag_colours: bool = False
    # Its tags belong to more than the board (Asana's are the workspace's): one that exists keeps its colour,
    # which other projects show too; a migration gives a colour only to the tags it creates.
    shared_tags: bool = False
    # Its creates may land out of order and be placed after them (Asana's parallel batches): a run stopped
    # in between leaves items unplaced, so the plan compares the order of the items already there
    # (``PlaceItems``).
    places_items: bool = False


class Connector(ABC):
    """One tool's adapter. Subclasses set ``tool`` and implement the abstract methods; see the module doc."""

    tool: ClassVar[Tool]
    # What the connector keeps in ``Snapshot.native`` (``core/native.py``); the base: nothing.
    native_model: ClassVar[type[NativeState]] = NativeState

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
        state = self.native_model
        return merged(
            cached,
            fresh,
            changed=changed,
            removed=removed,
            per_item=state.kept(Kept.PER_ITEM),
            seen=state.kept(Kept.GATHERED),
        )

    def board_kept(self, cached: Snapshot, fresh: Snapshot) -> bool:
        """True when every board-level part ``cached`` knew is still in ``fresh``, unchanged."""
        state = self.native_model
        skip = (*state.kept(Kept.PER_ITEM), *state.kept(Kept.GATHERED), *state.kept(Kept.UNKEPT))
        return board_kept(cached, fresh, skip=skip)

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

    def capabilities(self, target: Snapshot | None = None, *, workspace: str | None = None) -> Capabilities:
        """What the board ``target`` was read from (by ``read_full``, which puts in it all this needs) can
        hold; ``target`` None: a board this connector would create in ``workspace``. Never remembered from an
        earlier call: the same snapshot gives the same answer."""
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

    def check_access(self, boards: Sequence[BoardRef]) -> list[Check]:
        """What ``moteur doctor`` says of the credentials and of each of ``boards`` (this tool's), one check
        a line, through the connector's own client; nothing is written. The default: one warning line saying
        the tool checks nothing."""
        return [unchecked(self.describe().name)]
