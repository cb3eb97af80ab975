"""``MondayConnector``: the connector interface (``core/ports.py``) for monday.com boards
(``monday:<board id>``).

Reads with ``reader`` (one query + one ``next_items_page`` per further 500 items), maps with ``mapping``
through ``mappings/monday.yaml``, writes with ``writer`` (one ``change_multiple_column_values`` per item,
up to ``MAX_ALIASES`` aliased per request, serially). Write-back: a status column "Quadrant"
with coloured labels, a dropdown column "Sprint", a numbers column "ICE" — all three ``Placement.FIELD``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from moteur.connectors.columns import columns_writeback
from moteur.connectors.http import HttpClient
from moteur.connectors.http_backed import HttpBacked
from moteur.connectors.monday import access, account, history, migration_apply, migration_target
from moteur.connectors.monday import incremental as changes
from moteur.connectors.monday.daily import would_exceed
from moteur.connectors.monday.documents import MAX_ALIASES
from moteur.connectors.monday.done_days import done_days as monday_done_days
from moteur.connectors.monday.mapping import to_snapshot
from moteur.connectors.monday.native import MondayNative, MondayPeople
from moteur.connectors.monday.reader import read_board
from moteur.connectors.monday.transport import MondayTransport, endpoint, monday_client, shared_pacer
from moteur.connectors.monday.writer import MondayWriter, aliases_per_request, apply_ops
from moteur.core.checks import Check
from moteur.core.diff import WriteBack
from moteur.core.history import DoneDays
from moteur.core.model import BoardRef, ItemRef, Snapshot, Tool
from moteur.core.ops import EnsureField, ItemOp, Landed, MigrationOp, OpResult, SchemaOp
from moteur.core.phrase import Phrase
from moteur.core.ports import Capabilities, ChangeSet, Credential, Listing, ToolDescription
from moteur.mappings.loader import load_mapping
from moteur.mappings.schema import BoardMapping
from moteur.runtime import Runtime

if TYPE_CHECKING:
    from moteur.settings import Settings

DEFAULT_TYPES = {"quadrant": "status", "sprint": "dropdown", "ice": "numbers"}
SECONDS_PER_REQUEST = 0.5  # a GraphQL round trip to monday, writes included, on a normal link


class MondayConnector(HttpBacked):
    tool = Tool.MONDAY
    native_model = MondayNative

    def __init__(
        self,
        settings: Settings,
        *,
        http: HttpClient | None = None,
        runtime: Runtime | None = None,
    ) -> None:
        override = settings.mappings.get("monday")
        self.mapping: BoardMapping = load_mapping(Tool.MONDAY, Path(override) if override else None)
        self.language = settings.language
        self.api_version = settings.monday_api_version  # pinned; the doctor says which version answered
        if http is None:
            http, path = monday_client(settings, runtime=runtime)
        else:
            path = endpoint(settings.monday_url)[1]
        self.http = http
        token = settings.monday_token.get_secret_value() if settings.monday_token else ""
        pacer = shared_pacer(token, runtime)
        self.transport = MondayTransport(http, path, pacer)

    @classmethod
    def describe(cls) -> ToolDescription:
        return ToolDescription(
            tool=Tool.MONDAY,
            name="monday.com",
            board="board",
            bucket="group",
            item="item",
            batch_size=MAX_ALIASES,  # item writes aliased in one request, fewer if the complexity cap says so
            rate_limit="a complexity budget per minute, and a daily call cap by plan (200 to 25,000 calls)",
            incremental=True,
            credentials=(Credential("MOTEUR_MONDAY_TOKEN", "monday_token"),),
        )

    def mapped_with(self) -> object:
        return self.mapping.model_dump(mode="json")

    def reachable_boards(self) -> Listing:
        return account.reachable_boards(self.transport)

    def check_access(self, boards: Sequence[BoardRef]) -> list[Check]:
        return access.check_access(self.transport, boards, self.api_version)

    def read(self, board: BoardRef) -> Snapshot:
        return to_snapshot(read_board(self.transport, board.board), board, self.mapping)

    def cursor_of(self, board: BoardRef) -> str | None:
        return changes.cursor_of(self.transport, board)

    def read_changes(self, board: BoardRef, cached: Snapshot, cursor: str) -> ChangeSet | None:
        return changes.read_changes(self, self.transport, board, cached, cursor, self.mapping)

    def feed_worth_reading(self, items: int, written: int) -> bool:
        return changes.feed_worth_reading(items, written)

    def done_days(self, board: BoardRef, snapshot: Snapshot) -> DoneDays:
        """When each item done now went to done, from the activity log (the history's back-fill)."""
        return monday_done_days(self.transport, board, snapshot, self.mapping)

    def writeback(self, snapshot: Snapshot) -> WriteBack:
        return columns_writeback(self.mapping, self.language)

    def apply(
        self,
        snapshot: Snapshot,
        schema_ops: Sequence[SchemaOp],
        item_ops: Sequence[ItemOp],
        progress: Landed | None = None,
    ) -> list[OpResult]:
        types = {
            name: t.field_type or DEFAULT_TYPES[name] for name, t in self.mapping.writeback.targets().items()
        }
        # The read told the day's calls left (``daily``): a run that cannot finish today is not started.
        needed, left = self._requests(schema_ops, item_ops), self._calls_left()
        daily = self.transport.daily
        if daily is not None and left is not None and needed > left:
            raise would_exceed(daily, needed, left, f"writing to board {snapshot.board.board}")
        writer = MondayWriter(self.transport, snapshot, self.writeback(snapshot), types)
        return apply_ops(writer, schema_ops, item_ops, progress)

    def _requests(self, schema_ops: Sequence[SchemaOp], item_ops: Sequence[ItemOp]) -> int:
        """The requests ``apply`` sends: one per column created, one per aliased batch of items."""
        columns = sum(1 for op in schema_ops if isinstance(op, EnsureField))
        items = len({op.item.item for op in item_ops})
        return columns + math.ceil(items / aliases_per_request())

    def _calls_left(self) -> int | None:
        """Today's calls left, or the whole cap when monday gave the plan but not today's usage."""
        left = self.transport.calls_left()
        daily = self.transport.daily
        return left if left is not None or daily is None else daily.cap

    def estimate(self, schema_ops: Sequence[SchemaOp], item_ops: Sequence[ItemOp]) -> str:
        """The requests ``apply`` would send, the time, and today's calls left when the read told them."""
        requests = self._requests(schema_ops, item_ops)
        seconds = requests * SECONDS_PER_REQUEST
        line = Phrase.counted(
            "≈ {requests} request, ≈ {seconds} s within monday.com's complexity budget",
            "≈ {requests} requests, ≈ {seconds} s within monday.com's complexity budget",
            "requests",
            requests=requests,
            seconds=max(1, round(seconds)),
        )
        left, daily = self.transport.calls_left(), self.transport.daily
        if daily is not None and daily.cap is not None and left is None:
            line = Phrase("{line}; {daily}", line=line, daily=daily.describe())
        elif daily is not None and daily.cap is not None and left is not None:
            calls = Phrase(
                "{left:,} of today's {cap:,} calls left ({plan})",
                left=left,
                cap=daily.cap,
                plan=daily.plan_name,
            )
            if requests > left:
                calls = Phrase("{calls} — not enough: the run would stop before writing", calls=calls)
            line = Phrase("{line}; {calls}", line=line, calls=calls)
        return line

    # -- migration: ``history`` reads, ``migration`` / ``migration_apply`` write -------------------------

    def capabilities(self, target: Snapshot | None = None, *, workspace: str | None = None) -> Capabilities:
        """What a board of this account can hold, with who it can assign (the account's people, the
        board's members) and the daily cap: as the full read of ``target`` found them, or for a new board
        asked now (one request)."""
        if target is None:
            emails, unassignable, daily = migration_target.account_people(self.transport)
            return migration_target.capabilities(emails, daily, unassignable)
        state = MondayNative.of_read(target)
        people = state.people if state is not None else None
        if people is None:  # a snapshot no full read made: who it can assign is unknown
            return migration_target.capabilities()
        emails = frozenset(people.emails) if people.emails is not None else None
        return migration_target.capabilities(emails, people.daily, people.unassignable)

    def read_full(self, board: BoardRef, *, include_archived: bool = False) -> Snapshot:
        """The board in full, with who it can assign and the account's daily cap (one more request)."""
        snapshot = history.read_full(self.transport, board, self.mapping, include_archived=include_archived)
        emails, unassignable, daily = migration_target.account_people(self.transport, board.board)
        people = MondayPeople(
            emails=tuple(sorted(emails)) if emails is not None else None,
            unassignable=unassignable,
            daily=daily,
        )
        state = MondayNative.of(snapshot).model_copy(update={"people": people})
        return snapshot.model_copy(update={"native": state.dump()})

    def create_board(self, name: str, workspace: str | None = None) -> BoardRef:
        return migration_target.create_board(self.transport, name, workspace)

    def apply_migration(
        self,
        snapshot: Snapshot,
        ops: Sequence[MigrationOp],
        targets: MutableMapping[str, ItemRef],
        *,
        on_created: Callable[[str, ItemRef], None],
        progress: Callable[[int], None] | None = None,
    ) -> list[OpResult]:
        return migration_apply.apply_migration(
            self.transport,
            self.mapping,
            self.language,
            snapshot,
            ops,
            targets,
            on_created=on_created,
            progress=progress,
        )
