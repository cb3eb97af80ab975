"""The children of migrated cards on a Trello target: check items (created, renamed, ticked) and comments.

Terms:

- *Checklist "Checklist"*: the one checklist per card that receives a migration's sub-items (created on the
  card's first one, found by name after an ambiguous create).
- *Linked*: a target object already recorded for some source key; a lookup after an ambiguous create never
  takes a linked one, so two same-named check items or comments each keep their own.

``CardChildren`` is the part of the migration writer (``migration.MigrationWriter``) that writes them; it
needs the writer's client and ``ledger`` (the links, ``connectors/migration_loop.py``). Each create is one
send and one look-up, which the loop runs through ``create_once``.
"""

from __future__ import annotations

from moteur.connectors.create_once import create_once
from moteur.connectors.http import HttpClient
from moteur.connectors.migration_loop import Ledger
from moteur.connectors.trello.reader import _list_of
from moteur.connectors.trello.target import within_limit
from moteur.core.model import ItemRef, Tool
from moteur.core.ops import AddComment, CreateSubitem, UpdateSubitem

CHECKLIST_NAME = "Checklist"
UNTITLED = "(untitled)"
CARD_ACTIONS_PAGE = 50  # Trello's page size for GET /cards/{id}/actions
MAX_COMMENT_PAGES = 20


class CardChildren:
    """Check items and comments of the migrated cards."""

    client: HttpClient
    board: str
    ledger: Ledger
    checklists: dict[str, str]

    def _ref(self, item_id: str, url: str | None = None) -> ItemRef:
        return ItemRef(tool=Tool.TRELLO, board=self.board, item=item_id, url=url)

    def _parent(self, key: str) -> str:
        parent = self.ledger.targets.get(key)
        if parent is None:
            raise LookupError(f"its card ({key}) has not been migrated")
        return parent.item

    def checklist(self, card_id: str) -> str:
        """The card's checklist "Checklist", created on its first check item."""
        if card_id in self.checklists:
            return self.checklists[card_id]

        def create() -> str:
            body = {"idCard": card_id, "name": CHECKLIST_NAME}
            return str(self.client.request_json("POST", "/checklists", json=body, what="a checklist")["id"])

        def find() -> str | None:
            found = _list_of(self.client.request_json("GET", f"/cards/{card_id}/checklists"))
            return next((str(c["id"]) for c in found if c.get("name") == CHECKLIST_NAME), None)

        self.checklists[card_id] = create_once(create, find)
        return self.checklists[card_id]

    def send_check_item(self, op: CreateSubitem) -> ItemRef:
        checklist_id = self.checklist(self._parent(op.parent_key))
        body = {"name": _check_item_name(op), "checked": op.done, "pos": "bottom"}
        item = self.client.request_json(
            "POST", f"/checklists/{checklist_id}/checkItems", json=body, what=f'check item "{op.title}"'
        )
        return self._ref(str(item["id"]))

    def find_check_item(self, op: CreateSubitem) -> ItemRef | None:
        """An unclaimed check item of that name in the card's checklist."""
        checklist_id = self.checklist(self._parent(op.parent_key))
        found = self.client.request_json("GET", f"/checklists/{checklist_id}", params={"checkItems": "all"})
        items = found.get("checkItems") or [] if isinstance(found, dict) else []
        name, claimed = _check_item_name(op), self.ledger.claimed
        item = next((i for i in items if i.get("name") == name and i["id"] not in claimed), None)
        return None if item is None else self._ref(str(item["id"]))

    def update_subitem(self, op: UpdateSubitem) -> None:
        """A migrated check item's name and state, in one ``PUT /cards/{idCard}/checkItem/{idCheckItem}``."""
        card_id = self._parent(op.parent_key)
        body = {
            "name": op.title if op.title.strip() else UNTITLED,  # spaces at either end kept, as the source's
            "state": "complete" if op.done else "incomplete",
        }
        self.client.request_json(
            "PUT", f"/cards/{card_id}/checkItem/{op.target.item}", json=body, what=f'check item "{op.title}"'
        )

    def send_comment(self, op: AddComment) -> ItemRef:
        card_id, text = self._parent(op.item_key), within_limit(op.text)
        action = self.client.request_json(
            "POST", f"/cards/{card_id}/actions/comments", json={"text": text}, what="a comment"
        )
        return self._ref(str(action["id"]))

    def find_comment(self, op: AddComment) -> ItemRef | None:
        """An unclaimed comment of that text on the card, newest first."""
        card_id, text = self._parent(op.item_key), within_limit(op.text)
        # The spec pages card actions by ``page`` (50 a page, newest first), without ``limit``.
        for page in range(MAX_COMMENT_PAGES):
            found = _list_of(
                self.client.request_json(
                    "GET", f"/cards/{card_id}/actions", params={"filter": "commentCard", "page": str(page)}
                )
            )
            for action in found:
                if (action.get("data") or {}).get("text") == text and action["id"] not in self.ledger.claimed:
                    return self._ref(str(action["id"]))
            if len(found) < CARD_ACTIONS_PAGE:
                break
        return None


def _check_item_name(op: CreateSubitem) -> str:
    return op.title if op.title.strip() else UNTITLED  # Trello refuses a check item without a name
