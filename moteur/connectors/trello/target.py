"""What a Trello board can hold as a migration target (``capabilities``), and a new board (``create_board``).

*Capabilities* are declared before anything is written so the plan's loss report is exact: Trello has no
date-only due (a date-only due is written at 12:00 UTC), hides members' e-mails (an assignee is matched
only where an e-mail or username is visible), posts every comment as the token's member, and keeps ICE, the
scores and the carried custom fields (number, text, date, list) only when the board's Custom Fields power-up
is on (else scores ride as labels "Impact: 8", ICE and custom fields are not carried). A board created for
a migration gets the power-up turned on through ``boardPlugins`` (refused on a free workspace).

The text forms a card's description takes are here too: ``card_description`` / ``within_limit`` (Trello
refuses a description or comment past 16,384 characters: the body is cut, marked, and the identity footer
always kept). A due as Trello stores it is ``custom_values.trello_due``.
"""

from __future__ import annotations

from typing import Any

from moteur.connectors.create_once import create_once
from moteur.connectors.http import HttpClient
from moteur.connectors.migration import Capabilities
from moteur.connectors.trello.custom_values import CARRIED_KINDS
from moteur.connectors.trello.power_ups import CUSTOM_FIELDS_PLUGIN, read_custom_fields_on
from moteur.core.errors import AuthError, MoteurError, PermissionDenied
from moteur.core.identity import with_identity
from moteur.core.model import BoardRef, Tool
from moteur.core.phrase import Phrase

# Phrases: English for --json, said in the reader's language by the migration's human report.
NOTES = (
    Phrase(
        "Trello dues always have a time of day: a date-only due is written at 12:00 UTC "
        "(the same calendar day from UTC−11 to UTC+11)"
    ),
    Phrase(
        "Trello hides members' e-mails: an assignee is kept only when the e-mail (or username) is visible "
        "on the board; the others are not assigned"
    ),
    Phrase("comments are posted as the token's member (the text names the original author and date)"),
    Phrase(
        'sub-items become check items of one checklist "Checklist" per card (no assignee or due of their own)'
    ),
    Phrase(
        "descriptions and comments longer than 16,384 characters (Trello's limit) are cut, marked where cut"
    ),
)
TEXT_LIMIT = 16384  # Trello refuses a longer description or comment (400)
CUT_MARK = "\n\n[… cut at Trello's 16,384-character limit]"
POWER_UP_OFF = Phrase(
    "the board's Custom Fields power-up is off: impact, effort, confidence, objective and channel are "
    'written as labels ("Impact: 8"), ICE and custom fields are not carried (turn the power-up on in the '
    "board's menu, on a Standard or Premium workspace, to carry them)"
)


def capabilities(power_up: bool) -> Capabilities:
    """What a board can hold, its Custom Fields power-up on or off (a full read says which).

    Trello shows no member's e-mail but the token's own, so ``emails`` stays unknown (None)."""
    on = power_up
    return Capabilities(
        tool=Tool.TRELLO,
        due_date_only=False,
        doing_status=False,  # "doing" is a list/section name here
        closed_buckets=True,  # a closed list, with cards in it (``PUT /lists/{id}``)
        tag_colours=True,  # a label's colour, set on its ``POST /labels`` (``core/colours.py``)
        description_limit=TEXT_LIMIT,
        moteur_fields=on,
        custom_fields=CARRIED_KINDS if on else frozenset(),
        notes=NOTES if on else (*NOTES, POWER_UP_OFF),
    )


def create_board(client: HttpClient, name: str, workspace: str | None = None) -> BoardRef:
    """A new empty board: no default lists (the migration's lists come in the source's order), labels kept,
    the Custom Fields power-up turned on (a board made through the API has none).

    A ``POST /boards`` that fails ambiguously is followed by a look at the token's boards: one named ``name``
    that was not there before the call is the one it made (the "before" costs one request per migration).
    """
    params: dict[str, Any] = {"name": name, "defaultLists": "false"}
    if workspace:
        params["idOrganization"] = workspace
    before = _boards_named(client, name)

    def create() -> str:
        return str(client.request_json("POST", "/boards/", params=params, what=f'board "{name}"')["id"])

    def find() -> str | None:
        return next(iter(sorted(_boards_named(client, name) - before)), None)

    board_id = create_once(create, find)
    enable_custom_fields(client, board_id)
    return BoardRef(tool=Tool.TRELLO, board=board_id)


def enable_custom_fields(client: HttpClient, board_id: str) -> bool:
    """Turn the Custom Fields power-up on (``POST /boards/{id}/boardPlugins?idPlugin=…``); False when Trello
    refuses it (a free workspace has no Custom Fields): the board is kept, and the capabilities read after it
    report scores as labels and custom fields as lost, rather than failing the migration."""
    what = f"the Custom Fields power-up of board {board_id}"

    def enable() -> bool:
        params = {"idPlugin": CUSTOM_FIELDS_PLUGIN}
        client.request_json("POST", f"/boards/{board_id}/boardPlugins", params=params, what=what)
        return True

    def find() -> bool | None:
        return True if read_custom_fields_on(client, board_id, what) else None

    try:
        return create_once(enable, find)
    except PermissionDenied:
        return False  # the workspace's plan has no Custom Fields
    except AuthError:
        raise  # a rejected token: every later call would fail the same way
    except MoteurError:
        return False


def _boards_named(client: HttpClient, name: str) -> set[str]:
    boards = client.request_json(
        "GET", "/members/me/boards", params={"fields": "id,name", "filter": "open"}, what="the token's boards"
    )
    return {str(b["id"]) for b in boards if isinstance(b, dict) and b.get("name") == name and b.get("id")}


def within_limit(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` cut to Trello's limit for a description or comment, marked where it was cut."""
    return text if len(text) <= limit else text[: limit - len(CUT_MARK)] + CUT_MARK


def card_description(description: object, key: str) -> str:
    """The description with its identity footer, the body cut (never the footer) to fit Trello's limit."""
    full = with_identity(str(description or ""), key)
    if len(full) <= TEXT_LIMIT:
        return full
    room = TEXT_LIMIT - (len(full) - len(str(description or "").rstrip()))
    return with_identity(within_limit(str(description or "").rstrip(), room), key)
