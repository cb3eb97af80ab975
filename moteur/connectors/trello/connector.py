"""``TrelloConnector``: the connector interface (``core/ports.py``) for Trello boards
(``trello:<board id or shortLink>``).

Reads with ``reader`` (one ``/batch`` + a page per further 1,000 cards), maps with ``mapping`` through
``mappings/trello.yaml``, writes with ``writer`` (one ``PUT`` per changed card, one more for its custom
fields). Write-back: quadrant and sprint as managed labels, ICE as a number custom field when the board's
Custom Fields power-up is on (else skipped with one warning).
"""

from __future__ import annotations

import math
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from moteur.connectors.http import HttpClient
from moteur.connectors.http_backed import HttpBacked
from moteur.connectors.migration_loop import Ledger, apply_each
from moteur.connectors.trello import access, account, history, target
from moteur.connectors.trello import incremental as changes
from moteur.connectors.trello.done_days import done_days as trello_done_days
from moteur.connectors.trello.mapping import to_snapshot
from moteur.connectors.trello.migration import MigrationWriter
from moteur.connectors.trello.native import TrelloNative
from moteur.connectors.trello.reader import read_board, resolve_board_id
from moteur.connectors.trello.target import capabilities as board_capabilities
from moteur.connectors.trello.transport import (
    CREDENTIAL_VARS,
    TOKEN_LIMIT,
    TOKEN_PACE,
    WINDOW_SECONDS,
    trello_client,
)
from moteur.connectors.trello.writer import TrelloWriter, apply_ops
from moteur.core.checks import Check
from moteur.core.diff import WriteBack
from moteur.core.history import DoneDays
from moteur.core.model import BoardRef, ItemRef, Snapshot, Tool
from moteur.core.ops import (
    EnsureBucket,
    EnsureField,
    EnsureTag,
    ItemOp,
    Landed,
    MigrationOp,
    OpResult,
    Placement,
    SchemaOp,
)
from moteur.core.phrase import Phrase
from moteur.core.ports import Capabilities, ChangeSet, Credential, Listing, ToolDescription
from moteur.mappings.loader import load_mapping
from moteur.mappings.schema import BoardMapping, WriteTargetKind
from moteur.runtime import Runtime

if TYPE_CHECKING:
    from moteur.settings import Settings

POWER_UP_WARNING = Phrase(  # said in the reader's language where shown
    "the board's Custom Fields power-up is off: ICE is not written (turn the power-up on to get it)"
)
_TARGETS = {
    WriteTargetKind.LABEL: Placement.TAG,
    WriteTargetKind.TAG: Placement.TAG,
    WriteTargetKind.CUSTOM_FIELD: Placement.FIELD,
    WriteTargetKind.COLUMN: Placement.FIELD,
    WriteTargetKind.SECTION: Placement.BUCKET,
}


class TrelloConnector(HttpBacked):
    tool = Tool.TRELLO
    native_model = TrelloNative

    def __init__(
        self, settings: Settings, *, http: HttpClient | None = None, runtime: Runtime | None = None
    ) -> None:
        override = settings.mappings.get("trello")
        self.mapping: BoardMapping = load_mapping(Tool.TRELLO, Path(override) if override else None)
        self.language = settings.language
        self.http = http or trello_client(settings, runtime=runtime)

    @classmethod
    def describe(cls) -> ToolDescription:
        return ToolDescription(
            tool=Tool.TRELLO,
            name="Trello",
            board="board",
            bucket="list",
            item="card",
            batch_size=1,  # one PUT per changed card (reads are batched ten routes to a /batch)
            rate_limit=f"{TOKEN_LIMIT} requests per {WINDOW_SECONDS:g} s per token",
            incremental=True,
            credentials=(
                Credential(CREDENTIAL_VARS[0], "trello_api_key"),
                Credential(CREDENTIAL_VARS[1], "trello_token"),
            ),
        )

    def mapped_with(self) -> object:
        return self.mapping.model_dump(mode="json")

    def read(self, board: BoardRef) -> Snapshot:
        return self._warned(to_snapshot(read_board(self.http, board.board), board, self.mapping))

    def cursor_of(self, board: BoardRef) -> str | None:
        return changes.cursor_of(self.http, board)

    def read_changes(self, board: BoardRef, cached: Snapshot, cursor: str) -> ChangeSet | None:
        found = changes.read_changes(self, self.http, board, cached, cursor, self.mapping)
        if found is None:
            return None
        return ChangeSet(self._warned(found.snapshot), found.cursor, found.requests)

    def feed_worth_reading(self, items: int, written: int) -> bool:
        return changes.feed_worth_reading(items, written)

    def done_days(self, board: BoardRef, snapshot: Snapshot) -> DoneDays:
        """When each card done now went to done, from the board's actions (the history's back-fill)."""
        return trello_done_days(self.http, board, snapshot, self.mapping)

    def reachable_boards(self) -> Listing:
        return account.reachable_boards(self.http)

    def check_access(self, boards: Sequence[BoardRef]) -> list[Check]:
        return access.check_access(self.http, boards)

    def canonical_board(self, board: BoardRef) -> BoardRef:
        """The board by its id (a shortLink not learnt yet costs one request)."""
        return BoardRef(tool=Tool.TRELLO, board=resolve_board_id(self.http, board.board))

    def _warned(self, snapshot: Snapshot) -> Snapshot:
        if not TrelloNative.of(snapshot).custom_fields_on and "ice" in self.mapping.writeback.targets():
            snapshot = snapshot.model_copy(update={"warnings": (*snapshot.warnings, POWER_UP_WARNING)})
        return snapshot

    def writeback(self, snapshot: Snapshot) -> WriteBack:
        targets = self.mapping.writeback.targets()
        skip: set[str] = set()
        state = TrelloNative.of_read(snapshot)  # None: a board just created, its power-up not read
        if state is not None and not state.custom_fields_on:
            skip |= {name for name, t in targets.items() if t.kind is WriteTargetKind.CUSTOM_FIELD}
        return WriteBack(
            targets={name: _TARGETS[t.kind] for name, t in targets.items()},
            language=self.language,
            skip=frozenset(skip),
            field_names={name: t.name for name, t in targets.items() if t.name},
        )

    def apply(
        self,
        snapshot: Snapshot,
        schema_ops: Sequence[SchemaOp],
        item_ops: Sequence[ItemOp],
        progress: Landed | None = None,
    ) -> list[OpResult]:
        writer = TrelloWriter(self.http, snapshot, self.writeback(snapshot))
        return apply_ops(writer, schema_ops, item_ops, progress)

    def estimate(self, schema_ops: Sequence[SchemaOp], item_ops: Sequence[ItemOp]) -> str:
        """The requests ``apply`` would send, and the time Trello's rate limit makes them take at least."""
        creates = sum(1 for op in schema_ops if isinstance(op, EnsureTag | EnsureField | EnsureBucket))
        cards: dict[str, set[str]] = {}
        for op in item_ops:
            kind = "field" if op.kind == "update_fields" else "card"
            cards.setdefault(op.item.item, set()).add(kind)
        requests = creates + sum(len(kinds) for kinds in cards.values())
        windows = max(0, math.ceil(requests / TOKEN_PACE) - 1)
        seconds = windows * WINDOW_SECONDS + requests * 0.1  # ~100 ms per call on a normal link
        return Phrase.counted(
            "≈ {requests} request, ≈ {seconds} s at Trello's rate limit",
            "≈ {requests} requests, ≈ {seconds} s at Trello's rate limit",
            "requests",
            requests=requests,
            seconds=max(1, round(seconds)),
        )

    # -- migration (connectors/migration.py): history, target, migration ---------------------------------

    def capabilities(self, target: Snapshot | None = None, *, workspace: str | None = None) -> Capabilities:
        """What the board read as ``target`` can hold: its Custom Fields power-up state is in the read. A
        new board gets the power-up (``create_board`` turns it on)."""
        state = TrelloNative.of_read(target) if target is not None else None
        return board_capabilities(state.custom_fields_on if state is not None else True)

    def read_full(self, board: BoardRef, *, include_archived: bool = False) -> Snapshot:
        return history.read_full(self.http, board, self.mapping, include_archived=include_archived)

    def create_board(self, name: str, workspace: str | None = None) -> BoardRef:
        return target.create_board(self.http, name, workspace)

    def apply_migration(
        self,
        snapshot: Snapshot,
        ops: Sequence[MigrationOp],
        targets: MutableMapping[str, ItemRef],
        *,
        on_created: Callable[[str, ItemRef], None],
        progress: Callable[[int], None] | None = None,
    ) -> list[OpResult]:
        ledger = Ledger(ops, targets, on_created, progress)
        return apply_each(MigrationWriter(self.http, snapshot, self.mapping, ledger), ledger)
