"""Who a migration may assign on its monday.com target, and what happens to the others.

Terms:

- *Assignee*: an e-mail in a create's or update's ``fields["assignees"]``. It becomes a person id through
  the users ``BoardSchema`` asks for (``users(emails:) { id email kind status }``, with the board's kind and
  members in the same request).
- *Unassignable*: an assignee monday would refuse on this board (``migration_target.assignable``: pending,
  view-only, deactivated, a guest or — on a private board — a member the board does not have). Such a value
  fails monday's whole ``create_item`` / ``change_multiple_column_values`` (``invalidPersonAssignment``),
  so it is never sent: the item is written without that person, and the op's result says who was left out
  (a warning: the op succeeds). An e-mail monday does not know at all is left out the same way (the plan
  already reported it as not on the target).
- *Refused anyway*: monday refusing a people value moteur thought assignable (its rules are not published):
  the refused column is dropped from that item's values and the item written again — the rest of the item
  is never lost for one person — and the result says so.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from moteur.connectors.monday.errors import UnassignablePerson
from moteur.connectors.monday.migration_target import assignable
from moteur.core.errors import MoteurError

log = logging.getLogger("moteur.monday")


def read_people(
    users: Sequence[Any], board: Mapping[str, Any] | None
) -> tuple[dict[str, int], dict[str, str]]:
    """``({e-mail: person id}`` of the assignable, ``{e-mail: why not}`` of the others); e-mails in lower
    case."""
    kind = str(board.get("board_kind")) if board and board.get("board_kind") else None
    members: set[str] | None = None
    if board is not None and isinstance(board.get("subscribers"), list):
        members = {str(u.get("id")) for u in board["subscribers"] if isinstance(u, dict)}
    ok: dict[str, int] = {}
    refused: dict[str, str] = {}
    for user in users:
        if not isinstance(user, dict) or not user.get("email") or not str(user.get("id", "")).isdigit():
            continue
        email = str(user["email"]).casefold()
        why = assignable(user, kind, members)
        if why is None:
            ok[email] = int(user["id"])
        else:
            refused[email] = why
    return ok, refused


def left_out(
    fields: Mapping[str, Any], refused: Mapping[str, str], role_column: Mapping[str, Mapping[str, Any]]
) -> str | None:
    """The warning of an op whose assignees include people the board's people column cannot take, or None
    (None too when the assignees go to a column of another type, a text column: nobody is assigned)."""
    if str(role_column.get("assignees", {}).get("type")) != "people":
        return None
    dropped = [
        f"{email} ({refused[email.casefold()]})"
        for email in fields.get("assignees") or ()
        if email.casefold() in refused
    ]
    if not dropped:
        return None
    note = "not assigned on monday.com: " + ", ".join(dropped)
    log.warning(note)
    return note


def without_column(values: str | None, column: str | None) -> tuple[str | None, bool]:
    """``column_values`` (JSON text) without ``column``'s cell, and whether there was one to remove."""
    if not values:
        return values, False
    cells = json.loads(values)
    if not isinstance(cells, dict) or column not in cells:
        return values, False
    del cells[column]
    return json.dumps(cells, ensure_ascii=False, separators=(",", ":")), True


def refused_note(column: str | None, person: str | None, title: str) -> str:
    """The warning of a people value monday refused although moteur thought it assignable."""
    who = f"person {person}" if person else "a person"
    note = f'monday.com refused to assign {who} on item "{title}" (column {column}): written without them'
    log.warning(note)
    return note


def drop_people(entry: dict[str, Any], problem: MoteurError | None, title: str) -> str | None:
    """Take the people cell monday refused out of ``entry``'s values (``"v"``): the warning for the item's
    op, or None when there was none to take out (the refusal then stands). The caller writes it again."""
    if not isinstance(problem, UnassignablePerson):
        return None
    entry["v"], removed = without_column(entry.get("v"), problem.column)
    return refused_note(problem.column, problem.person, title) if removed else None
