"""The monday.com migration target at account level: what a board can hold (``capabilities``, with the
account's people) and ``create_board`` (a new, empty board in a workspace). Item-level writes are in
``migration`` / ``migration_apply``.

*The account's people*: ``users(limit: 1000) { email kind status }``, one request — monday's ``users``
answers active and pending users by default, at most 1,000 a page (SDL 2026-07, ``Query.users``); an account
with more is "unknown" (None) rather than listed in part, so the plan never drops an assignee who is there.

*Assignable*: who a people column of the target takes (``assignable``). monday documents no rule; what a
refusal looks like is known from public clients handling it ("unable to assign person with id: N",
``invalidPersonAssignment``): people who are deactivated, pending (invited, not joined), view-only, and
guests or members who are not on a board they would need to be on. The reading here is the conservative
one the sandbox holds too: PENDING or INACTIVE status, or kind ``view_only``, never; a guest only as a
member (subscriber) of the board; anyone on a private or shareable board only as its member; members and
admins on a public board (a board moteur creates is public). The plan reports everyone else as "not on
the target, so not assigned" before anything is written.
"""

from __future__ import annotations

from typing import Any

from moteur.connectors.http import AmbiguousWrite
from moteur.connectors.migration import Capabilities
from moteur.connectors.monday import custom_fields as custom
from moteur.connectors.monday import migration_documents as docs
from moteur.connectors.monday.daily import DailyCap, parse_daily
from moteur.connectors.monday.errors import classify
from moteur.connectors.monday.transport import MondayTransport
from moteur.core.errors import NotFound, RemoteError, UsageError
from moteur.core.model import BoardRef, Tool
from moteur.core.phrase import Phrase
from moteur.mappings.schema import fold

USERS_LIMIT = 1000  # ``users``' maximum per page: an account with more cannot be listed in one request


# "The long text column holds up to 2,000 characters" (developer.monday.com, long text column reference); the
# description lives there, identity footer included: a longer one is cut by the plan, the full text an update.
LONG_TEXT_LIMIT = 2000


def capabilities(
    emails: frozenset[str] | None = None, daily: DailyCap | None = None, unassignable: int = 0
) -> Capabilities:
    """What a monday.com board can hold: every plan has numbers, text, date, status and dropdown columns (a
    single choice becomes a status column, its options the labels, or a one-label dropdown past 40 options);
    ``emails`` are the people it can assign; ``daily`` the account's daily call cap."""
    # Phrases: English for --json, said in the reader's language by the migration's human report.
    notes: list[str] = [
        Phrase("monday.com: comments are posted as the token's user, prefixed with their author and date"),
        Phrase("monday.com: a due time is kept in UTC (the same moment)"),
        Phrase("monday.com: subitems carry their name and done state"),
        Phrase(
            "monday.com: a single-choice field becomes a status column (a single-choice dropdown column past "
            "{limit} options)",
            limit=custom.MAX_STATUS_LABELS,
        ),
    ]
    if unassignable:
        notes.append(
            Phrase(
                "monday.com: {n} people of this account cannot be assigned on this board (pending, "
                "view-only, deactivated, or guests and members the board does not have)",
                n=unassignable,
            )
        )
    if daily is not None and daily.cap is not None:
        notes.append(Phrase("monday.com: daily API calls — {calls}", calls=daily.describe()))
    return Capabilities(
        tool=Tool.MONDAY,
        custom_fields=frozenset(custom.NEW_TYPE),
        description_limit=LONG_TEXT_LIMIT,
        emails=emails,
        notes=tuple(notes),
        choice_options_limit=custom.MAX_STATUS_LABELS,
        wide_choice="a single-choice dropdown column",
        tag_colours=True,  # on the Tags column's description (``label_colours``)
    )


def assignable(user: dict[str, Any], board_kind: str | None, members: set[str] | None) -> str | None:
    """Why ``user`` (``{id, email, kind, status}``) cannot be assigned on a board of ``board_kind`` whose
    members are ``members`` (ids or e-mails, lower case; None: not known), or None when they can (see
    *Assignable*)."""
    status, kind = str(user.get("status") or "ACTIVE").upper(), str(user.get("kind") or "member").casefold()
    if status == "INACTIVE":
        return "deactivated"
    if status == "PENDING":
        return "pending (has not accepted the invitation)"
    if kind == "view_only":
        return "a viewer (view-only)"
    keys = {str(user.get("id", "")), str(user.get("email", "")).casefold()} - {""}
    member = members is not None and bool(keys & members)
    if kind == "guest" and not member:
        return "a guest who is not a member of the board"
    if board_kind not in (None, "public") and members is not None and not member:
        return f"not a member of this {board_kind} board"
    return None


def account_people(
    transport: MondayTransport, board: str | None = None
) -> tuple[frozenset[str] | None, int, DailyCap | None]:
    """The lower-case e-mails of the people a board can assign (``board`` None: a new public board), how
    many of the account's people it cannot, and the daily cap — one request. The e-mails are None when the
    account has more than one page of people (the plan then cannot tell who is unknown)."""
    variables = {"limit": USERS_LIMIT, "board": [board] if board else None, "withBoard": bool(board)}
    answer = transport.send(docs.ACCOUNT_USERS, variables, what="users", idempotent=True)
    daily = parse_daily(answer.data)
    users = [u for u in answer.data.get("users") or [] if isinstance(u, dict)]
    if answer.problems or len(users) >= USERS_LIMIT:
        return None, 0, daily
    boards = [b for b in answer.data.get("boards") or [] if isinstance(b, dict)]
    kind = str(boards[0].get("board_kind")) if boards else None
    members = (
        {
            str(u.get("email", "")).casefold()
            for u in boards[0].get("subscribers") or []
            if isinstance(u, dict)
        }
        if boards
        else None
    )
    fine = {str(u["email"]).casefold() for u in users if u.get("email") and not assignable(u, kind, members)}
    return frozenset(fine), sum(1 for u in users if u.get("email")) - len(fine), daily


def create_board(transport: MondayTransport, name: str, workspace: str | None = None) -> BoardRef:
    """A new, empty, public board ``name`` in ``workspace`` (id or name; the only one when not given)."""
    answer = transport.send(docs.WORKSPACES, {"limit": 100}, what="workspaces", idempotent=True)
    spaces = [w for w in answer.data.get("workspaces") or [] if isinstance(w, dict)]
    chosen: str | None = None
    if workspace is not None:
        match = [
            w for w in spaces if str(w.get("id")) == workspace or fold(str(w.get("name"))) == fold(workspace)
        ]
        if not match:
            raise NotFound(f"monday.com: no workspace {workspace}", hint=_spaces(spaces))
        chosen = str(match[0]["id"])
    elif len(spaces) > 1:
        raise UsageError(
            "monday.com: this account has several workspaces", hint="pass --workspace: " + _spaces(spaces)
        )
    elif spaces:
        chosen = str(spaces[0]["id"])
    variables = {"name": name, "kind": "public", "workspace": chosen, "empty": True}
    try:
        created = transport.send(docs.CREATE_BOARD, variables, what=f'board "{name}"', idempotent=False)
    except AmbiguousWrite as exc:
        raise RemoteError(
            f'monday.com may or may not have created the board "{name}"',
            hint="find it in monday.com and pass monday:<its id> as the target, or delete it and run again",
        ) from exc
    board = created.data.get("create_board")
    if created.problems or not isinstance(board, dict):
        raise (
            classify(created.problems[0], f'board "{name}"') if created.problems else RemoteError("no board")
        )
    return BoardRef(tool=Tool.MONDAY, board=str(board["id"]))


def _spaces(spaces: list[dict[str, Any]]) -> str:
    return ", ".join(f"{w.get('id')} ({w.get('name')})" for w in spaces) or "none"
