"""What ``moteur doctor`` says of a Trello key and token and of each board (``TrelloConnector.check_access``).

The token's member first (the key and token accepted), then per board: reachable, writable (the member's
type on it, or the board closed), and the Custom Fields Power-Up (a warning when off: ICE is skipped).
Every request goes through the connector's client; nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from moteur.connectors.checks import accepted, attempt, custom_fields, quoted, reachable, writable
from moteur.connectors.http import HttpClient
from moteur.connectors.trello import account
from moteur.core.checks import Check
from moteur.core.model import BoardRef
from moteur.core.phrase import Phrase


def check_access(client: HttpClient, boards: Sequence[BoardRef]) -> list[Check]:
    checks: list[Check] = []
    me = attempt(
        checks,
        accepted("Trello"),
        partial(account.whoami, client),
        lambda m: Phrase("the token of {name} (@{username})", name=m.full_name, username=m.username),
    )
    if me is None:
        return checks
    for ref in boards:
        access = attempt(
            checks,
            reachable(ref),
            partial(account.board_access, client, ref.board, me.id),
            lambda a: quoted(a.name),
        )
        if access is not None:
            checks.extend(_board_checks(ref, access))
    return checks


def _board_checks(ref: BoardRef, access: account.TrelloBoardAccess) -> list[Check]:
    if access.can_write:
        detail = Phrase("you are a {kind} member", kind=access.member_type)
        written = Check(writable(ref), True, detail)
    elif access.closed:
        written = Check(writable(ref), False, Phrase("the board is closed"), Phrase("reopen it in Trello"))
    else:
        detail = (
            Phrase("you are an {kind} of the board", kind=access.member_type)
            if access.member_type
            else Phrase("you are not a member of the board")
        )
        written = Check(writable(ref), False, detail, Phrase("ask a board admin to make you a normal member"))
    if access.custom_fields:
        fields = Check(custom_fields(ref), True, Phrase("Custom Fields Power-Up on: ICE is written"))
    else:
        fix = Phrase("turn on the Custom Fields Power-Up (board menu → Power-Ups → Custom Fields)")
        fields = Check(custom_fields(ref), False, Phrase("Power-Up off: ICE is skipped"), fix, warning=True)
    return [written, fields]
