"""The Trello emulator's in-memory state: boards, lists, cards, labels, custom fields, checklists, members and
board actions, each kept as the JSON object Trello sends (so reads render by copying, and imports load as is).

Terms:

- *Object id*: Trello's 24-hex Mongo ObjectId; its first 8 hex digits are the creation time in seconds, so id
  order is creation order (which ``before``/``since`` paging relies on). The sandbox makes them from a virtual
  clock that starts at ``EPOCH`` and advances one second per new object: same seed, same ids.
- *Board action*: the audit record Trello appends for each write (``createCard``, ``updateCard``,
  ``commentCard``…); ``GET /boards/{id}/actions?since=`` reads them for incremental sync.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

from moteur.sandbox.trello.recorded import BOARD_PREFS

EPOCH = int(datetime(2026, 9, 1, tzinfo=UTC).timestamp())
ORGANIZATION_ID = "5f0000000000000000000001"
LIMIT_OK = {"status": "ok"}


def id_time(object_id: str) -> datetime:
    """The creation time encoded in an object id."""
    return datetime.fromtimestamp(int(object_id[:8], 16), tz=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def is_object_id(text: str) -> bool:
    return len(text) == 24 and all(ch in "0123456789abcdef" for ch in text)


def _limit(disable_at: int, warn_at: int) -> dict[str, Any]:
    return {"status": "ok", "disableAt": disable_at, "warnAt": warn_at}


CARD_LIMITS = {
    "attachments": {"perCard": _limit(1000, 800)},
    "checklists": {"perCard": _limit(500, 400)},
    "stickers": {"perCard": _limit(70, 56)},
}


class ObjectIds:
    """Deterministic 24-hex ids on a virtual clock (one second per id, never behind an imported id)."""

    def __init__(self) -> None:
        self.seconds = EPOCH
        self.count = 0

    def new(self) -> str:
        self.seconds += 1
        self.count += 1
        return f"{self.seconds:08x}{self.count:016x}"

    def observe(self, object_id: str) -> None:
        if is_object_id(object_id):
            self.seconds = max(self.seconds, int(object_id[:8], 16))

    def now(self) -> str:
        return iso(datetime.fromtimestamp(self.seconds, tz=UTC))


def short_link(object_id: str) -> str:
    """An 8-character short link derived from the id (stable, URL-safe)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    digest = hashlib.sha1(object_id.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:8])


def node_id(kind: str, object_id: str) -> str:
    return f"ari:cloud:trello::{kind}/workspace/{ORGANIZATION_ID}/{object_id}"


class TrelloStore:
    """Every Trello object the sandbox holds, keyed by id; ``actions`` in creation (= id) order."""

    def __init__(self) -> None:
        self.ids = ObjectIds()
        self.boards: dict[str, dict[str, Any]] = {}
        self.lists: dict[str, dict[str, Any]] = {}
        self.cards: dict[str, dict[str, Any]] = {}
        self.labels: dict[str, dict[str, Any]] = {}
        self.custom_fields: dict[str, dict[str, Any]] = {}
        self.checklists: dict[str, dict[str, Any]] = {}
        self.members: dict[str, dict[str, Any]] = {}
        self.board_members: dict[str, list[str]] = {}
        self.actions: list[dict[str, Any]] = []
        self.me: str = ""  # the member the sandbox token belongs to
        self.board_plugins: dict[str, dict[str, dict[str, Any]]] = {}  # board -> plugin id -> its record
        self.free_organizations: set[str] = set()  # workspaces whose plan has no Custom Fields (plugins.py)

    # -- creation --------------------------------------------------------------------------------------

    def add_member(self, full_name: str, username: str, email: str | None = None) -> dict[str, Any]:
        member_id = self.ids.new()
        initials = "".join(part[0] for part in full_name.split()[:2]).upper()
        member = {
            "id": member_id,
            "activityBlocked": False,
            "avatarHash": None,
            "avatarUrl": None,
            "bio": "",
            "bioData": None,
            "confirmed": True,
            "fullName": full_name,
            "idEnterprise": None,
            "idMemberReferrer": None,
            "idPremOrgsAdmin": [],
            "initials": initials,
            "memberType": "normal",
            "nonPublic": {},
            "nonPublicAvailable": True,
            "products": [],
            "url": f"https://trello.com/{username}",
            "username": username,
            "status": "disconnected",
            "email": email,
            "idBoards": [],
        }
        self.members[member_id] = member
        return member

    def add_board(self, name: str, desc: str = "") -> dict[str, Any]:
        """A board with no Power-Up: Custom Fields is a board plugin (``plugins.add_plugin``)."""
        board_id = self.ids.new()
        link = short_link(board_id)
        board: dict[str, Any] = {
            "id": board_id,
            "nodeId": node_id("board", board_id),
            "name": name,
            "desc": desc,
            "descData": None,
            "closed": False,
            "dateClosed": None,
            "idOrganization": ORGANIZATION_ID,
            "idEnterprise": None,
            "limits": {
                "cards": {"openPerBoard": _limit(5000, 4000), "totalPerBoard": _limit(2000000, 1600000)}
            },
            "pinned": False,
            "starred": False,
            "url": f"https://trello.com/b/{link}/{name.lower().replace(' ', '-')}",
            "prefs": dict(BOARD_PREFS),
            "shortLink": link,
            "subscribed": False,
            "labelNames": {},
            "powerUps": [],  # built-in Power-Ups only (spec enum calendar|cardAging|recap|voting)
            "dateLastActivity": self.ids.now(),
            "dateLastView": self.ids.now(),
            "shortUrl": f"https://trello.com/b/{link}",
            "idTags": [],
            "datePluginDisable": None,
            "creationMethod": None,
            "ixUpdate": "1",
            "templateGallery": None,
            "enterpriseOwned": False,
            "idBoardSource": None,
            "premiumFeatures": [],
            "idMemberCreator": self.me or None,
            "type": None,
        }
        self.boards[board_id] = board
        self.board_members[board_id] = [self.me] if self.me else []
        return board

    def add_list(self, board_id: str, name: str, pos: float | None = None) -> dict[str, Any]:
        list_id = self.ids.new()
        if pos is None:
            pos = (
                max((lst["pos"] for lst in self.lists.values() if lst["idBoard"] == board_id), default=0)
                + 16384
            )
        record = {
            "id": list_id,
            "name": name,
            "closed": False,
            "color": None,
            "idBoard": board_id,
            "pos": pos,
            "subscribed": False,
            "softLimit": None,
            "type": None,
            "datasource": {"filter": False},
            "creationMethod": None,
            "idOrganization": ORGANIZATION_ID,
            "limits": {"cards": {"openPerList": _limit(5000, 4000), "totalPerList": _limit(1000000, 800000)}},
            "nodeId": node_id("list", list_id),
        }
        self.lists[list_id] = record
        return record

    def add_label(self, board_id: str, name: str, color: str | None) -> dict[str, Any]:
        label_id = self.ids.new()
        label = {"id": label_id, "idBoard": board_id, "name": name, "color": color, "uses": 0}
        self.labels[label_id] = label
        return label

    def add_card(self, list_id: str, name: str, **fields: Any) -> dict[str, Any]:
        card_id = self.ids.new()
        board_id = self.lists[list_id]["idBoard"]
        link = short_link(card_id)
        id_short = 1 + sum(1 for c in self.cards.values() if c["idBoard"] == board_id)
        pos = fields.pop("pos", None)
        if pos is None:
            pos = max((c["pos"] for c in self.cards.values() if c["idList"] == list_id), default=0) + 16384
        card: dict[str, Any] = {
            "id": card_id,
            "address": None,
            "agent": {"name": None, "conversationId": None},
            "attachments": [],
            "badges": {},
            "cardRole": None,
            "checkItemStates": [],
            "closed": False,
            "coordinates": None,
            "cover": {"idAttachment": None, "color": None, "idUploadedBackground": None, "size": "normal",
                      "brightness": "dark", "idPlugin": None},
            "creationMethod": None,
            "creationMethodError": None,
            "creationMethodLoadingStartedAt": None,
            "customFieldItems": [],
            "dateClosed": None,
            "dateCompleted": None,
            "dateLastActivity": self.ids.now(),
            "dateViewedByCreator": None,
            "desc": "",
            "descData": {"emoji": {}},
            "due": None,
            "dueComplete": False,
            "dueReminder": None,
            "email": f"sandbox+{card_id}@boards.trello.com",
            "externalSource": None,
            "faviconUrl": None,
            "idAttachmentCover": None,
            "idBoard": board_id,
            "idChecklists": [],
            "idLabels": [],
            "idList": list_id,
            "idMemberCreator": self.me,
            "idMembers": [],
            "idMembersVoted": [],
            "idOrganization": ORGANIZATION_ID,
            "idShort": id_short,
            "isTemplate": False,
            "labels": [],
            "limits": copy.deepcopy(CARD_LIMITS),
            "locationName": None,
            "manifest": None,
            "manualCoverAttachment": False,
            "mirrorSourceId": None,
            "mirrorSourceNodeId": None,
            "name": name,
            "nodeId": node_id("card", card_id),
            "originalDesc": "",
            "originalName": name,
            "pinned": False,
            "pluginData": [],
            "pos": pos,
            "recurrenceRule": None,
            "shortLink": link,
            "shortUrl": f"https://trello.com/c/{link}",
            "singleInstrumentationId": None,
            "sourceEmail": None,
            "start": None,
            "staticMapUrl": None,
            "subscribed": False,
            "url": f"https://trello.com/c/{link}/{id_short}",
            "urlSource": None,
            "urlSourceText": None,
        }  # fmt: skip
        card.update(fields)
        card["originalDesc"] = card["desc"]
        self.cards[card_id] = card
        return card

    def add_custom_field(
        self,
        board_id: str,
        name: str,
        field_type: str,
        options: list[str] | None = None,
        pos: float | None = None,
    ) -> dict[str, Any]:
        field_id = self.ids.new()
        existing = [f for f in self.custom_fields.values() if f["idModel"] == board_id]
        record: dict[str, Any] = {
            "id": field_id,
            "idModel": board_id,
            "modelType": "board",
            "fieldGroup": hashlib.sha1(field_id.encode()).hexdigest(),
            "display": {"cardFront": True},
            "name": name,
            "pos": pos if pos is not None else 16384 * (len(existing) + 1),
            "type": field_type,
            "isSuggestedField": False,
        }
        if field_type == "list":
            record["options"] = [self.new_option(field_id, text, i) for i, text in enumerate(options or [])]
        self.custom_fields[field_id] = record
        return record

    def new_option(self, field_id: str, text: str, index: int) -> dict[str, Any]:
        return {"id": self.ids.new(), "idCustomField": field_id, "value": {"text": text}, "color": "none",
                "pos": 16384 * (index + 1)}  # fmt: skip

    def add_checklist(self, card_id: str, name: str) -> dict[str, Any]:
        checklist_id = self.ids.new()
        card = self.cards[card_id]
        record = {"id": checklist_id, "name": name, "idBoard": card["idBoard"], "idCard": card_id,
                  "pos": 16384 * (len(card["idChecklists"]) + 1), "creationMethod": None,
                  "limits": {"checkItems": {"perChecklist": _limit(200, 160)}}, "checkItems": []}  # fmt: skip
        self.checklists[checklist_id] = record
        card["idChecklists"].append(checklist_id)
        return record

    def add_check_item(self, checklist_id: str, name: str, checked: bool = False) -> dict[str, Any]:
        checklist = self.checklists[checklist_id]
        item = {"id": self.ids.new(), "name": name, "nameData": {"emoji": {}},
                "pos": 16384 * (len(checklist["checkItems"]) + 1), "due": None, "dueReminder": None,
                "idMember": None, "idChecklist": checklist_id,
                "state": "complete" if checked else "incomplete"}  # fmt: skip
        checklist["checkItems"].append(item)
        return item

    def record_action(self, action_type: str, board_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Append a board action, as Trello does for every write, and bump the board's activity date."""
        action_id = self.ids.new()
        board = self.boards[board_id]
        data = {**data, "board": {"id": board_id, "name": board["name"], "shortLink": board["shortLink"]}}
        member = self.members.get(self.me, {})
        action = {
            "id": action_id,
            "idMemberCreator": self.me,
            "data": data,
            "appCreator": None,
            "type": action_type,
            "date": iso(id_time(action_id)),
            "limits": {},
            "memberCreator": {k: member.get(k) for k in ("id", "fullName", "initials", "username")},
        }
        self.actions.append(action)
        board["dateLastActivity"] = action["date"]
        if "card" in data and data["card"].get("id") in self.cards:
            self.cards[data["card"]["id"]]["dateLastActivity"] = action["date"]
        return action

    # -- reading ---------------------------------------------------------------------------------------

    def card_json(self, card_id: str) -> dict[str, Any]:
        """A card as Trello renders it: ``labels`` and ``badges`` computed from the current state.

        A new dict whose values are the store's own (the emulator serializes an answer before it lets go of
        its lock, so nothing changes them meanwhile): a deep copy of every card of every read was about a
        fifth of the sandbox's time in the tests."""
        card = dict(self.cards[card_id])
        card["labels"] = [
            self.labels[i] | {"uses": self.label_uses(i)} for i in card["idLabels"] if i in self.labels
        ]
        items = [
            it
            for cl in card["idChecklists"]
            if cl in self.checklists
            for it in self.checklists[cl]["checkItems"]
        ]
        comments = sum(
            1 for a in self.actions if a["type"] == "commentCard" and a["data"]["card"]["id"] == card_id
        )
        card["badges"] = {
            "attachments": len(card["attachments"]), "fogbugz": "", "checkItems": len(items),
            "checkItemsChecked": sum(1 for it in items if it["state"] == "complete"),
            "checkItemsEarliestDue": None, "comments": comments, "description": bool(card["desc"]),
            "due": card["due"], "dueComplete": card["dueComplete"], "lastUpdatedByAi": False,
            "start": card["start"], "externalSource": None,
            "attachmentsByType": {"trello": {"board": 0, "card": 0}}, "location": False, "votes": 0,
            "maliciousAttachments": 0, "viewingMemberVoted": False, "subscribed": False,
        }  # fmt: skip
        return card

    def label_uses(self, label_id: str) -> int:
        return sum(1 for c in self.cards.values() if label_id in c["idLabels"])

    def board_cards(self, board_id: str) -> list[dict[str, Any]]:
        """The board's cards in board order (list position, then card position)."""
        lists = self.lists
        cards = [c for c in self.cards.values() if c["idBoard"] == board_id]
        return sorted(
            cards, key=lambda c: (lists[c["idList"]]["pos"] if c["idList"] in lists else 0, c["pos"])
        )

    def board_lists(self, board_id: str) -> list[dict[str, Any]]:
        return sorted(
            (lst for lst in self.lists.values() if lst["idBoard"] == board_id), key=lambda x: x["pos"]
        )

    def dump(self) -> dict[str, Any]:
        return {
            "boards": self.boards, "lists": self.lists, "cards": self.cards, "labels": self.labels,
            "customFields": self.custom_fields, "checklists": self.checklists, "members": self.members,
            "boardMembers": self.board_members, "actions": self.actions, "me": self.me,
            "boardPlugins": self.board_plugins,
        }  # fmt: skip
