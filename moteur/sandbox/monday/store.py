"""The monday.com emulator's in-memory state: account, users, workspaces, boards, columns, groups, items,
updates and the activity log.

Terms:

- *Board*: a table of *items* split into *groups*; its *columns* define the item fields. Column ``name`` is
  always there (it is the item's name).
- *Stored value*: what monday keeps per (item, column), the JSON object its API returns in
  ``column_values.value`` (see :mod:`moteur.sandbox.monday.columns` for each type's form).
- *Subitems board*: monday keeps subitems on a hidden board of their own, created with the first subitem.

Ids are deterministic: counters, never random (same seed → same ids). Board and item ids are 10-digit
numeric strings drawn from one counter (monday's ids share one sequence); users 8 digits; workspaces 7.
The store does not lock: :class:`moteur.sandbox.monday.MondayEmulator` holds its lock around every request.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from moteur.sandbox.monday import errors

_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
GROUP_COLORS = ("#579bfc", "#00c875", "#fdab3d", "#e2445c", "#a25ddc", "#037f4c", "#c4c4c4", "#66ccff")


def iso(ts: float) -> str:
    """monday's timestamp form: ``2025-10-24T18:26:35Z``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class User:
    """A person of the account. ``kind`` is monday's ``User.kind`` (admin, member, guest, view_only) and
    ``status`` its ``UserStatus`` (ACTIVE, PENDING: invited, not yet joined; INACTIVE: deactivated); the
    2026-07 booleans ``is_guest`` / ``is_view_only`` / ``is_pending`` / ``enabled`` derive from them."""

    id: str
    name: str
    email: str
    created_at: str
    title: str = ""
    kind: str = "member"
    status: str = "ACTIVE"

    @property
    def enabled(self) -> bool:
        return self.status != "INACTIVE"

    @property
    def is_guest(self) -> bool:
        return self.kind == "guest"

    @property
    def is_view_only(self) -> bool:
        return self.kind == "view_only"

    @property
    def is_pending(self) -> bool:
        return self.status == "PENDING"

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"


@dataclass
class Workspace:
    id: str
    name: str
    kind: str = "open"
    description: str | None = None
    created_at: str = ""
    state: str = "active"


@dataclass
class Column:
    id: str
    title: str
    type: str
    settings: dict[str, Any] = field(default_factory=dict)
    description: str | None = None
    archived: bool = False
    width: int | None = None

    @property
    def settings_str(self) -> str:
        return json.dumps(self.settings, ensure_ascii=False)


@dataclass
class Group:
    id: str
    title: str
    color: str
    position: str
    archived: bool = False
    deleted: bool = False


@dataclass
class Item:
    id: str
    name: str
    board_id: str
    group_id: str
    creator_id: str
    created_at: float
    updated_at: float
    values: dict[str, Any] = field(default_factory=dict)  # column id -> stored value (JSON-able)
    state: str = "active"
    parent_id: str | None = None
    subitem_ids: list[str] = field(default_factory=list)


@dataclass
class Update:
    id: str
    item_id: str
    body: str
    creator_id: str
    created_at: float


@dataclass
class ActivityLog:
    id: str
    board_id: str
    event: str
    entity: str
    data: str
    created_at: float  # seconds; monday renders it in 100-nanosecond units as a string
    user_id: str
    item_id: str | None = None
    column_id: str | None = None
    group_id: str | None = None


@dataclass
class Board:
    id: str
    name: str
    kind: str
    workspace_id: str | None
    created_at: float
    updated_at: float
    description: str | None = None
    state: str = "active"
    columns: list[Column] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)  # board order
    subitems_board_id: str | None = None
    is_subitems_board: bool = False
    subscriber_ids: list[str] = field(default_factory=list)  # board members; the owners among them
    owner_ids: list[str] = field(default_factory=list)

    def column(self, column_id: str) -> Column:
        for column in self.columns:
            if column.id == column_id:
                return column
        raise errors.invalid_column(column_id, self.id)

    def group(self, group_id: str) -> Group:
        for group in self.groups:
            if group.id == group_id and not group.deleted:
                return group
        raise errors.invalid_group(group_id, self.id)


class MondayStore:
    """Everything one sandbox account holds, plus the deterministic id counters."""

    ACCOUNT_ID = 24_308_083

    def __init__(self) -> None:
        self.account: dict[str, Any] = {
            "id": str(self.ACCOUNT_ID),
            "name": "Moteur Sandbox",
            "slug": "moteur-sandbox",
            "tier": "pro",
            "is_during_trial": False,
            "plan": {"tier": "pro", "max_users": 10, "period": "monthly", "version": 1},
        }
        self.users: dict[str, User] = {}
        self.me_id: str | None = None
        self.workspaces: dict[str, Workspace] = {}
        self.boards: dict[str, Board] = {}
        self.items: dict[str, Item] = {}
        self.updates: dict[str, Update] = {}
        self.logs: list[ActivityLog] = []
        self._counters = {"entity": 9_100_000_000, "user": 71_000_000, "workspace": 4_200_000, "short": 0}

    # -- ids ------------------------------------------------------------------------------------------

    def next_id(self, kind: str = "entity") -> str:
        # Steps like monday's (ids are sparse there): keeps ids 10 digits long for any realistic seed.
        self._counters[kind] += 137 if kind == "entity" else 1
        return str(self._counters[kind])

    def short_suffix(self) -> str:
        """A deterministic 6-character base-36 tag, like the ``mkq1x2ab`` tails of monday's column ids."""
        self._counters["short"] += 1
        n, out = self._counters["short"] * 7_919 + 1_000_000, ""
        while n:
            n, r = divmod(n, 36)
            out = _BASE36[r] + out
        return out[-6:]

    # -- lookups ---------------------------------------------------------------------------------------

    def board(self, board_id: object) -> Board:
        board = self.boards.get(str(board_id))
        if board is None or board.state == "deleted":
            raise errors.invalid_board(board_id)
        return board

    def item(self, item_id: object) -> Item:
        item = self.items.get(str(item_id))
        if item is None or item.state == "deleted":
            raise errors.invalid_item(item_id)
        return item

    def user_by_email(self, email: str) -> User | None:
        return next((u for u in self.users.values() if u.email == email), None)

    def assignable(self, user: User, board: Board) -> str | None:
        """Why ``user`` cannot be assigned on ``board`` (a people value), or None when they can.

        The emulator's reading, conservative where monday publishes nothing (see
        :func:`moteur.sandbox.monday.columns.write_value`): a deactivated, pending (invited, not joined) or
        view-only user is never assignable; a guest only on a board they were added to; anyone only on a
        private or shareable board they are a member of. A member or admin of the account may be assigned
        on any public (main) board.
        """
        if user.status == "INACTIVE":
            return "deactivated"
        if user.status == "PENDING":
            return "pending (has not accepted the invitation)"
        if user.kind == "view_only":
            return "a viewer (view-only)"
        member = user.id in board.subscriber_ids or user.id in board.owner_ids
        if user.kind == "guest" and not member:
            return "a guest who is not a member of the board"
        if board.kind != "public" and not member:
            return f"not a member of this {board.kind} board"
        return None

    # -- creation -------------------------------------------------------------------------------------

    def add_user(
        self, name: str, email: str, now: float, kind: str = "member", status: str = "ACTIVE"
    ) -> User:
        user = User(self.next_id("user"), name, email, iso(now), kind=kind, status=status)
        self.users[user.id] = user
        if self.me_id is None:
            self.me_id = user.id
        return user

    def add_workspace(self, name: str, now: float, description: str | None = None) -> Workspace:
        workspace = Workspace(self.next_id("workspace"), name, description=description, created_at=iso(now))
        self.workspaces[workspace.id] = workspace
        return workspace

    def add_board(
        self, name: str, kind: str, workspace_id: str | None, now: float, description: str | None = None
    ) -> Board:
        board = Board(self.next_id(), name, kind, workspace_id, now, now, description)
        if self.me_id is not None:  # the token's user makes the board: its owner, so a subscriber
            board.owner_ids.append(self.me_id)
            board.subscriber_ids.append(self.me_id)
        board.columns.append(Column("name", "Name", "name"))
        self.boards[board.id] = board
        return board

    def add_group(
        self, board: Board, title: str, color: str | None = None, group_id: str | None = None
    ) -> Group:
        group = Group(
            group_id or f"group_mk{self.short_suffix()}",
            title,
            color or GROUP_COLORS[len(board.groups) % len(GROUP_COLORS)],
            str(float(65_536 * (len(board.groups) + 1))),
        )
        board.groups.append(group)
        return group

    def add_item(
        self, board: Board, name: str, group: Group, creator_id: str, now: float, parent_id: str | None = None
    ) -> Item:
        item = Item(self.next_id(), name, board.id, group.id, creator_id, now, now, parent_id=parent_id)
        self.items[item.id] = item
        board.item_ids.append(item.id)
        board.updated_at = now
        return item

    def log(
        self,
        board: Board,
        event: str,
        data: dict[str, Any],
        user_id: str,
        now: float,
        item: Item | None = None,
        column_id: str | None = None,
    ) -> None:
        """Append one activity-log entry (what ``boards{activity_logs}`` reads back)."""
        entry = ActivityLog(
            self.next_id("entity"),
            board.id,
            event,
            "pulse" if item else "board",
            json.dumps(data, ensure_ascii=False),
            now,
            user_id,
            item.id if item else None,
            column_id,
            item.group_id if item else None,
        )
        self.logs.append(entry)

    # -- dump -----------------------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """The whole state, JSON-able (for ``GET /_sandbox/state``)."""
        return {
            "account": self.account,
            "me": self.me_id,
            "users": [asdict(u) for u in self.users.values()],
            "workspaces": [asdict(w) for w in self.workspaces.values()],
            "boards": [asdict(b) for b in self.boards.values()],
            "items": [asdict(i) for i in self.items.values()],
            "updates": [asdict(u) for u in self.updates.values()],
            "activity_logs": [asdict(entry) for entry in self.logs],
        }
