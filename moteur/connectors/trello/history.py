"""Reading a Trello board *in full* for a migration: cards with their checklists and comments, in a handful of
requests (``read_full``).

Terms:

- *Full read*: one ``GET /batch`` of ten routes (Trello's maximum) — the board, all its lists, labels,
  custom field definitions, members and enabled Power-Ups (the sync read's board parts), the token's own
  member (the only one whose e-mail Trello shows), the first 1,000 cards (``all``: archived ones too),
  every checklist of the board, and the first 1,000 comment actions — then one more request per
  further 1,000 cards or comments (paged with ``before``, ids being creation-ordered). A board costs
  ``⌈cards/1000⌉ + ⌈comments/1000⌉ − 1`` requests, never one per card, whether given by id or shortLink.
- *Identity*: the ``moteur-source: <key>`` footer a migration wrote on a card (``core/identity``); it is
  stripped from the action's description and kept in ``extra["moteur_source"]``, so a lost state can be
  rebuilt from the board alone.
- *Carried as is*: the check items of all a card's checklists, in checklist then item order (their done state
  and id kept); comments oldest first, with their author's full name and date; the role-less custom fields
  with their kinds and canonical values (``custom_values``).

Every card is read, archived ones and those of archived lists too, all with status ``archived``
(``mapping``): the migration plan leaves them out unless ``--include-archived``, and says how many it left
out — the same count as from the board's JSON export, which holds them all. ``include_archived`` is kept in
the signature for the port protocol; what is carried is the plan's decision.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from moteur.connectors.http import HttpClient
from moteur.connectors.trello.batch import Route, batch_answers, route
from moteur.connectors.trello.custom_values import with_custom_fields
from moteur.connectors.trello.mapping import to_snapshot
from moteur.connectors.trello.native import TrelloMember, TrelloNative
from moteur.connectors.trello.reader import (
    BOARD_PARTS,
    CARD_FIELDS,
    PAGE_SIZE,
    RawBoard,
    _answer,
    _list_of,
    board_key,
    board_parts,
    board_routes,
    cards_route,
    learn_board_id,
    more_pages,
)
from moteur.core.identity import split_identity
from moteur.core.migrate import checklist_names
from moteur.core.model import Action, BoardRef, ChecklistItem, Comment, Snapshot
from moteur.mappings.schema import BoardMapping, fold

FULL_CARD_FIELDS = CARD_FIELDS + ",badges,cover,dueReminder"
MEMBER_FIELDS = "id,username,fullName,email"
ME, CARDS, CHECKLISTS, COMMENTS = range(BOARD_PARTS, BOARD_PARTS + 4)  # where each answer sits


def full_batch_routes(board_id: str, card_filter: str) -> list[Route]:
    """The ten routes of the full read (Trello's maximum per ``/batch``)."""
    return [
        *board_routes(board_id),
        route("/members/me", fields=MEMBER_FIELDS),
        cards_route(board_id, card_filter, FULL_CARD_FIELDS),
        route(f"/boards/{board_id}/checklists"),
        comments_route(board_id),
    ]


def comments_route(board_id: str) -> Route:
    return route(f"/boards/{board_id}/actions", filter="commentCard", limit=str(PAGE_SIZE))


class FullBoard:
    """The raw pieces of a full read: the sync read's ``RawBoard`` plus checklists, comments and the token's
    member; ``requests`` counts the calls it took."""

    def __init__(self, raw: RawBoard, me: dict[str, Any], checklists: list[Any], comments: list[Any]) -> None:
        self.raw, self.me, self.checklists, self.comments = raw, me, checklists, comments


def fetch_full(client: HttpClient, board: str, *, include_archived: bool) -> FullBoard:
    """The full read, by id or by shortLink alike: the shortLink in the batch's routes, the id learnt from
    the board's answer for the pages after it (``reader``'s *Board reference*)."""
    what = f"board {board}"
    card_filter = "all"  # archived cards too: the plan counts what it leaves out (module docstring)
    answers = batch_answers(client, full_batch_routes(board_key(client, board), card_filter), what)
    raw = board_parts(answers, what)
    board_id = learn_board_id(client, board, raw.board)
    me = _answer(answers[ME], "the token's member")
    first_cards = _list_of(_answer(answers[CARDS], f"cards of {what}"), keep_all=True)
    raw.cards = more_pages(
        client, first_cards, cards_route(board_id, card_filter, FULL_CARD_FIELDS), f"cards of {what}"
    )
    if isinstance(me, dict) and me.get("email"):  # the one member whose e-mail Trello shows
        raw.members = [{**m, **me} if m.get("id") == me.get("id") else m for m in raw.members]
    checklists = _list_of(_answer(answers[CHECKLISTS], f"checklists of {what}"))
    comments = more_pages(
        client,
        _list_of(_answer(answers[COMMENTS], f"comments of {what}")),
        comments_route(board_id),
        f"comments of {what}",
    )
    return FullBoard(raw, me if isinstance(me, dict) else {}, checklists, comments)


def _check_items(checklists: list[dict[str, Any]]) -> dict[str, list[ChecklistItem]]:
    """Card id → its check items, checklists in position order, items in position order."""
    out: dict[str, list[ChecklistItem]] = {}
    for checklist in sorted(checklists, key=lambda c: float(c.get("pos") or 0)):
        items = [i for i in checklist.get("checkItems") or [] if isinstance(i, dict)]
        for item in sorted(items, key=lambda i: float(i.get("pos") or 0)):
            out.setdefault(str(checklist.get("idCard")), []).append(
                ChecklistItem(
                    text=str(item.get("name", "")),
                    done=item.get("state") == "complete",
                    id=str(item["id"]) if item.get("id") else None,
                )
            )
    return out


def _comments(actions: list[Any]) -> dict[str, list[Comment]]:
    """Card id → its comments, oldest first (Trello lists actions newest first)."""
    out: dict[str, list[Comment]] = {}
    for action in sorted((a for a in actions if isinstance(a, dict)), key=lambda a: str(a.get("id", ""))):
        data = action.get("data") or {}
        card_id = (data.get("card") or {}).get("id")
        text = data.get("text")
        if not card_id or not isinstance(text, str):
            continue
        creator = action.get("memberCreator") or {}
        author = creator.get("fullName") or creator.get("username") or action.get("idMemberCreator")
        out.setdefault(str(card_id), []).append(
            Comment(author=str(author) if author else None, date=_datetime(action.get("date")), text=text)
        )
    return out


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _losses(card: dict[str, Any], label_names: dict[str, str]) -> dict[str, Any]:
    """What a card holds that no migration carries (shown in the loss report): attachments, a cover, labels
    with a colour but no name, a due reminder."""
    found: dict[str, Any] = {}
    unnamed = sum(1 for i in card.get("idLabels") or [] if not label_names.get(str(i)))
    if unnamed:
        found["unnamed_labels"] = unnamed
    attachments = (card.get("badges") or {}).get("attachments") or 0
    if attachments:
        found["attachments"] = int(attachments)
    cover = card.get("cover") or {}
    if cover.get("idAttachment") or cover.get("idUploadedBackground") or cover.get("color"):
        found["cover"] = True
    if has_due_reminder(card):
        found["due_reminder"] = True
    return found


def check_item_details(checklists: Iterable[Any]) -> dict[str, dict[str, bool]]:
    """Card id -> what its check items hold that no migration carries (shown in the loss report): a member
    (``check_item_members``), a due date (``check_item_dues``). Entries carry their text and state only."""
    out: dict[str, dict[str, bool]] = {}
    for checklist in checklists:
        if not isinstance(checklist, dict):
            continue
        found = out.setdefault(str(checklist.get("idCard")), {})
        for item in checklist.get("checkItems") or []:
            if isinstance(item, dict) and item.get("idMember"):
                found["check_item_members"] = True
            if isinstance(item, dict) and item.get("due"):
                found["check_item_dues"] = True
    return {card: found for card, found in out.items() if found}


def has_due_reminder(card: dict[str, Any]) -> bool:
    """Whether a card asks Trello to remind its members before its due: ``dueReminder`` is the minutes before
    (0: at the due), -1 or null none. No target holds a reminder a migration could set: a loss to report."""
    minutes = card.get("dueReminder")
    try:
        return minutes is not None and int(minutes) >= 0
    except (TypeError, ValueError):
        return False


def label_colours(labels: list[Any]) -> dict[str, str | None]:
    """Each named label's colour (None: none) as ``Snapshot.tag_colours`` holds it; of two labels with one
    name, the first (the one the card's tag is read as, and a migration writes to)."""
    found: dict[str, str | None] = {}
    for label in labels:
        if isinstance(label, dict) and label.get("name"):
            found.setdefault(str(label["name"]), str(label["color"]) if label.get("color") else None)
    return found


def _value_labels(mapping: BoardMapping) -> dict[str, str]:
    """Folded label prefix → the field a *value label* ("Impact: 8", "Channel: SEO") carries."""
    names = mapping.field_names()
    roles = ("impact", "effort", "confidence", "objective", "channel")
    return {fold(name): role for role in roles for name in names.get(role, ())}


def _tags(action: Action, value_labels: dict[str, str]) -> tuple[str, ...]:
    """The action's tags without the value labels whose value the action carries as a field: a migration
    writes the value once, in the field (or as the same label again where the target has no field)."""
    kept = []
    for tag in action.tags:
        prefix, sep, _ = tag.partition(":")
        role = value_labels.get(fold(prefix)) if sep else None
        if role is None or getattr(action, role) is None:
            kept.append(tag)
    return tuple(kept)


def _position(record: dict[str, Any]) -> float:
    try:
        return float(record.get("pos") or 0)
    except (TypeError, ValueError):
        return 0.0


def board_place(
    lists: list[dict[str, Any]], cards: dict[str, dict[str, Any]]
) -> Callable[[Action], tuple[int, float, str]]:
    """An action's place on the board: its list's rank by position, then its own position in the list.
    Cards come newest first (the order of their pages), and a migration creates items in the order it reads
    them: read in that order, a copy would show the cards of each list the other way round. Two of one
    position (real boards have them) go by id: the older first."""
    ordered = sorted(lists, key=lambda x: (_position(x), str(x.get("id"))))
    rank = {str(x.get("id")): n for n, x in enumerate(ordered)}

    def place(action: Action) -> tuple[int, float, str]:
        card = cards.get(action.ref.item, {})
        return rank.get(str(card.get("idList")), len(rank)), _position(card), action.ref.item

    return place


def to_full_snapshot(
    full: FullBoard, ref: BoardRef, mapping: BoardMapping, *, include_archived: bool
) -> Snapshot:
    """The sync snapshot, each action completed with its checklist, comments and identity."""
    snapshot = to_snapshot(full.raw, ref, mapping)
    cards = {str(c.get("id")): c for c in full.raw.cards if isinstance(c, dict)}
    items, comments = _check_items(full.checklists), _comments(full.comments)
    details = check_item_details(full.checklists)
    label_names = {str(x.get("id")): str(x.get("name") or "") for x in full.raw.labels}
    value_labels = _value_labels(mapping)
    titles: dict[str, list[str]] = {}  # card id -> its checklists' names, for the loss report
    for checklist in sorted(full.checklists, key=lambda c: float(c.get("pos") or 0)):
        titles.setdefault(str(checklist.get("idCard")), []).append(str(checklist.get("name") or ""))
    actions: list[Action] = []
    for action in snapshot.actions:
        card = cards.get(action.ref.item, {})
        description, source = split_identity(action.description)
        extra = {**action.extra, **_losses(card, label_names), **details.get(action.ref.item, {})}
        named = checklist_names(titles.get(action.ref.item, []))
        if named:
            extra["checklist_names"] = named
        if source is not None:
            extra["moteur_source"] = source
        update: dict[str, Any] = {
            "description": description,
            "tags": _tags(action, value_labels),
            "checklist": tuple(items.get(action.ref.item, ())),
            "comments": tuple(comments.get(action.ref.item, ())),
            "extra": extra,
        }
        actions.append(action.model_copy(update=update))
    actions.sort(key=board_place(full.raw.lists, cards))
    card_checklists: dict[str, dict[str, str]] = {}
    for checklist in full.checklists:
        by_name = card_checklists.setdefault(str(checklist.get("idCard")), {})
        by_name.setdefault(str(checklist.get("name", "")), str(checklist.get("id")))
    state = TrelloNative.of(snapshot).model_copy(
        update={
            "members": tuple(TrelloMember.of(m) for m in [*full.raw.members, full.me] if m.get("id")),
            "card_lists": {str(c.get("id")): str(c.get("idList")) for c in cards.values()},
            "card_checklists": card_checklists,
        }
    )
    colours = label_colours(full.raw.labels)
    snapshot = snapshot.model_copy(
        update={"actions": tuple(actions), "native": state.dump(), "tag_colours": colours}
    )
    return with_custom_fields(snapshot, full.raw.custom_fields, cards, mapping)


def read_full(
    client: HttpClient, board: BoardRef, mapping: BoardMapping, *, include_archived: bool
) -> Snapshot:
    full = fetch_full(client, board.board, include_archived=include_archived)
    return to_full_snapshot(full, board, mapping, include_archived=include_archived)
