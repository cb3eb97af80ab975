"""The children of migrated cards on a Trello target: check items (created, renamed, ticked) and comments.

Terms:

- *Checklist "Checklist"*: the one checklist per card that receives a migration's sub-items (created on the
  card's first one, found by name after an ambiguous create).
- *Linked*: a target object already recorded for some source key; a lookup after an ambiguous create never
  takes a linked one, so two same-named check items or comments each keep their own.

``CardChildren`` is the part of the migration writer (``migration.MigrationWriter``) that writes them; it
needs the writer's client, links and ``on_created``.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

from moteur.connectors.http import HttpClient
from moteur.connectors.trello.board_schema import create_once
from moteur.connectors.trello.reader import _list_of
from moteur.connectors.trello.target import within_limit
from moteur.core.model import ItemRef, Tool
from moteur.core.ops import AddComment, CreateSubitem, OpResult, UpdateSubitem

CHECKLIST_NAME = "Checklist"
UNTITLED = "(untitled)"
CARD_ACTIONS_PAGE = 50  # Trello's page size for GET /cards/{id}/actions
MAX_COMMENT_PAGES = 20


class CardChildren:
    """Check items and comments of the migrated cards; ``targets``/``linked`` grow as it creates."""

    client: HttpClient
    board: str
    targets: MutableMapping[str, ItemRef]
    on_created: Callable[[str, ItemRef], None]
    linked: set[str]
    checklists: dict[str, str]

    def _created(self, key: str, item_id: str, url: str | None = None) -> ItemRef:
        ref = ItemRef(tool=Tool.TRELLO, board=self.board, item=item_id, url=url)
        self.targets[key] = ref
        self.linked.add(item_id)
        self.on_created(key, ref)
        return ref

    def _parent(self, key: str) -> str:
        parent = self.targets.get(key)
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

    def create_subitem(self, op: CreateSubitem) -> OpResult:
        checklist_id = self.checklist(self._parent(op.parent_key))
        name = op.title if op.title.strip() else UNTITLED  # Trello refuses a check item without a name
        body = {"name": name, "checked": op.done, "pos": "bottom"}

        def create() -> dict[str, Any]:
            item: dict[str, Any] = self.client.request_json(
                "POST", f"/checklists/{checklist_id}/checkItems", json=body, what=f'check item "{op.title}"'
            )
            return item

        def find() -> dict[str, Any] | None:
            found = self.client.request_json(
                "GET", f"/checklists/{checklist_id}", params={"checkItems": "all"}
            )
            items = found.get("checkItems") or [] if isinstance(found, dict) else []
            return next((i for i in items if i.get("name") == name and i["id"] not in self.linked), None)

        item = create_once(create, find)
        return OpResult(op, True, created=self._created(op.key, str(item["id"])))

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

    def add_comment(self, op: AddComment) -> OpResult:
        card_id = self._parent(op.item_key)
        text = within_limit(op.text)

        def create() -> dict[str, Any]:
            action: dict[str, Any] = self.client.request_json(
                "POST", f"/cards/{card_id}/actions/comments", json={"text": text}, what="a comment"
            )
            return action

        def find() -> dict[str, Any] | None:
            # The spec pages card actions by ``page`` (50 a page, newest first), without ``limit``.
            for page in range(MAX_COMMENT_PAGES):
                found = _list_of(
                    self.client.request_json(
                        "GET",
                        f"/cards/{card_id}/actions",
                        params={"filter": "commentCard", "page": str(page)},
                    )
                )
                for action in found:
                    if (action.get("data") or {}).get("text") == text and action["id"] not in self.linked:
                        match: dict[str, Any] = action
                        return match
                if len(found) < CARD_ACTIONS_PAGE:
                    break
            return None

        action = create_once(create, find)
        return OpResult(op, True, created=self._created(op.key, str(action["id"])))
