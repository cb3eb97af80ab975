"""Trello's "Export as JSON" file as a migration source (``file:board.json``).

A JSON file whose top level has ``cards``, ``lists`` and ``actions`` is a *Trello export*. Its cards are
mapped like the Trello connector maps a live board (``trello.yaml``), its checklists become checklist
entries (checklists in order, then their items, with their ids) and its ``commentCard`` actions comments
(oldest first, with their author's full name and date); its ``customFields`` definitions and the cards'
``customFieldItems`` give the same ``custom_fields`` and canonical values as a live read (``custom_values``);
attachments, covers, colour-only labels, due reminders and check items' members and dues are counted in
``extra`` for the loss report. Item keys are the live board's (``trello:<board id>:<card id>``), so a later
migration from the live board finds the same links.

An export is read with the user's Trello mapping (``mappings.trello`` of the settings), as the live board
would be, by every reader of a ``file:`` board — ``plan``, ``sync --dry-run`` and ``migrate`` alike: they
hold one ``TrelloExports``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from moteur.connectors.files.native import FileNative
from moteur.connectors.files.storage import decode, read_board, too_deep
from moteur.connectors.trello.custom_values import with_custom_fields
from moteur.connectors.trello.history import (
    board_place,
    check_item_details,
    has_due_reminder,
    label_colours,
)
from moteur.connectors.trello.mapping import to_snapshot
from moteur.connectors.trello.reader import RawBoard
from moteur.core.migrate import checklist_names
from moteur.core.model import BoardRef, ChecklistItem, Comment, Snapshot, Tool
from moteur.mappings.loader import load_mapping
from moteur.mappings.schema import BoardMapping

_EXPORT_KEYS = {"cards", "lists", "actions"}


def is_trello_export(top: object) -> bool:
    return isinstance(top, dict) and top.keys() >= _EXPORT_KEYS and isinstance(top.get("cards"), list)


def trello_export_at(path: Path) -> dict[str, Any] | None:
    """The top level of ``path`` when it is a Trello export, else None (not JSON, or another plan).

    The one test every reader of a ``file:`` board makes. A file that is not valid JSON is None here: the
    file board's own reader names the line and column.
    """
    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    text, _ = decode(read_board(path), str(path))
    if not all(f'"{key}"' in text for key in _EXPORT_KEYS):
        return None  # most plans: no second parse
    try:
        top = json.loads(text)
    except json.JSONDecodeError:
        return None
    except RecursionError as exc:
        raise too_deep(str(path)) from exc
    return top if is_trello_export(top) else None


class TrelloExports:
    """Trello exports read with one Trello mapping: the file ``mapping_file`` (the user's), or the default
    one; loaded at the first export read, since most file boards are not exports."""

    def __init__(self, mapping_file: Path | None = None) -> None:
        self.mapping_file = mapping_file
        self._mapping: BoardMapping | None = None

    @property
    def mapping(self) -> BoardMapping:
        if self._mapping is None:
            self._mapping = load_mapping(Tool.TRELLO, self.mapping_file)
        return self._mapping

    def read(self, path: Path, export: dict[str, Any]) -> Snapshot:
        """The export ``trello_export_at(path)`` found, read with this mapping (``read_trello_export``)."""
        return read_trello_export(path, export, self.mapping)


def _labels(top: dict[str, Any]) -> list[dict[str, Any]]:
    """The board's labels; an export of 2015 has no top-level ``labels``, only each card's own (``labels``
    on the card), which the API read answers as the board's: gathered from the cards, by id."""
    listed = [x for x in top.get("labels") or [] if isinstance(x, dict)]
    if "labels" in top:
        return listed
    found: dict[str, dict[str, Any]] = {}
    for card in top.get("cards") or []:
        for label in (card.get("labels") if isinstance(card, dict) else None) or []:
            if isinstance(label, dict) and label.get("id"):
                found.setdefault(str(label["id"]), label)
    return list(found.values())


def read_trello_export(path: Path, top: dict[str, Any], mapping: BoardMapping) -> Snapshot:
    """A Trello "Export as JSON" board, with checklists, comments, attachments and covers."""
    raw = RawBoard(
        board=top,
        lists=[x for x in top.get("lists") or [] if isinstance(x, dict)],
        labels=_labels(top),
        custom_fields=[x for x in top.get("customFields") or [] if isinstance(x, dict)],
        members=[x for x in top.get("members") or [] if isinstance(x, dict)],
        cards=list(top.get("cards") or []),
    )
    board_id = str(top.get("id") or path.stem)
    snapshot = to_snapshot(raw, BoardRef(tool=Tool.TRELLO, board=board_id), mapping)
    checklists: dict[str, list[ChecklistItem]] = {}
    titles: dict[str, list[str]] = {}  # card id -> its checklists' names, for the loss report
    for checklist in sorted(
        (c for c in top.get("checklists") or [] if isinstance(c, dict)), key=lambda c: c.get("pos") or 0
    ):
        titles.setdefault(str(checklist.get("idCard")), []).append(str(checklist.get("name") or ""))
        entries = sorted(
            (i for i in checklist.get("checkItems") or [] if isinstance(i, dict)),
            key=lambda i: i.get("pos") or 0,
        )
        checklists.setdefault(str(checklist.get("idCard")), []).extend(
            ChecklistItem(
                text=str(i.get("name") or ""),
                done=i.get("state") == "complete",
                id=str(i["id"]) if i.get("id") else None,
            )
            for i in entries
        )
    comments: dict[str, list[Comment]] = {}
    for event in reversed([a for a in top["actions"] if isinstance(a, dict)]):  # the export is newest first
        data = event.get("data") or {}
        if event.get("type") != "commentCard" or not isinstance(data, dict):
            continue
        card = (data.get("card") or {}).get("id")
        author = (event.get("memberCreator") or {}).get("fullName")
        when = event.get("date")
        comments.setdefault(str(card), []).append(
            Comment(
                author=author if isinstance(author, str) else None,
                date=datetime.fromisoformat(when.replace("Z", "+00:00")) if isinstance(when, str) else None,
                text=str(data.get("text") or ""),
            )
        )
    unnamed = {str(x.get("id")) for x in raw.labels if not x.get("name")}
    cards = {str(c.get("id")): c for c in raw.cards if isinstance(c, dict)}
    details = check_item_details(top.get("checklists") or [])
    actions = []
    for action in snapshot.actions:
        card = cards.get(action.ref.item, {})
        extra = dict(action.extra)
        attachments = card.get("attachments")
        count = (
            len(attachments)
            if isinstance(attachments, list)
            else (card.get("badges") or {}).get("attachments")
        )
        if count:
            extra["attachments"] = count
        cover = card.get("cover") or {}
        # An image, a background or only a colour: a cover, as the API read counts it (``trello/history``).
        if isinstance(cover, dict) and (
            cover.get("idAttachment") or cover.get("idUploadedBackground") or cover.get("color")
        ):
            extra["cover"] = True
        if any(str(i) in unnamed for i in card.get("idLabels") or []):
            extra["unnamed_labels"] = True
        if has_due_reminder(card):
            extra["due_reminder"] = True
        extra.update(details.get(action.ref.item, {}))
        named = checklist_names(titles.get(action.ref.item, []))
        if named:
            extra["checklist_names"] = named
        actions.append(
            action.model_copy(
                update={
                    "checklist": tuple(checklists.get(action.ref.item, ())),
                    "comments": tuple(comments.get(action.ref.item, ())),
                    "extra": extra,
                }
            )
        )
    actions.sort(key=board_place(raw.lists, cards))  # as the API read orders them
    snapshot = snapshot.model_copy(
        update={
            "board": BoardRef(tool=Tool.FILE, board=str(path)),
            "actions": tuple(actions),
            "native": FileNative(format="trello-export").dump(),
            "tag_colours": label_colours(raw.labels),
        }
    )
    return with_custom_fields(snapshot, raw.custom_fields, cards, mapping)
