"""The monday.com migration target at account level: what a board can hold (``capabilities``, with the
account's people) and ``create_board`` (a new, empty board in a workspace). Item-level writes are in
``migration`` / ``migration_apply``.

*The account's people*: ``users(limit: 1000) { email }``, one request — monday's ``users`` answers active
and pending users by default, at most 1,000 a page (SDL 2026-07, ``Query.users``); an account with more is
"unknown" (None) rather than listed in part, so the plan never drops an assignee who is there.
"""

from __future__ import annotations

from typing import Any

from moteur.connectors.http import AmbiguousWrite
from moteur.connectors.migration import Capabilities
from moteur.connectors.monday import custom_fields as custom
from moteur.connectors.monday import migration_documents as docs
from moteur.connectors.monday.errors import classify
from moteur.connectors.monday.transport import MondayTransport
from moteur.core.errors import NotFound, RemoteError, UsageError
from moteur.core.model import BoardRef, Tool
from moteur.mappings.schema import fold

USERS_LIMIT = 1000  # ``users``' maximum per page: an account with more cannot be listed in one request


# "The long text column holds up to 2,000 characters" (developer.monday.com, long text column reference); the
# description lives there, identity footer included: a longer one is cut by the plan, the full text an update.
LONG_TEXT_LIMIT = 2000


def capabilities(emails: frozenset[str] | None = None) -> Capabilities:
    """What a monday.com board can hold: every plan has numbers, text, date and status columns (a single
    choice becomes a status column, its options the labels); ``emails`` are the people it can assign."""
    return Capabilities(
        tool=Tool.MONDAY,
        custom_fields=frozenset(custom.NEW_TYPE),
        description_limit=LONG_TEXT_LIMIT,
        emails=emails,
        notes=(
            "monday.com: comments are posted as the token's user, prefixed with their author and date",
            "monday.com: a due time is kept in UTC (the same moment)",
            "monday.com: subitems carry their name and done state",
            "monday.com: a single-choice field becomes a status column",
        ),
    )


def account_emails(transport: MondayTransport) -> frozenset[str] | None:
    """The lower-case e-mails of the account's people (one request); None when the account has more than
    one page of them (the plan then cannot tell who is unknown)."""
    answer = transport.send(docs.ACCOUNT_USERS, {"limit": USERS_LIMIT}, what="users", idempotent=True)
    users = [u for u in answer.data.get("users") or [] if isinstance(u, dict)]
    if answer.problems or len(users) >= USERS_LIMIT:
        return None
    return frozenset(str(u["email"]).casefold() for u in users if u.get("email"))


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
