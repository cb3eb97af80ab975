"""Items of a migration created on a monday.com board, never twice: ``create_item`` aliased
``CREATE_BATCH`` to a request, sent through ``create_all_once`` — after an ambiguous send, the items still
pending are looked up by their identity footer (``find_items``: one filtered ``items_page`` on the
Description column, see ``migration``'s *Never doubled*) and only those not found are sent again. A people
value monday refuses is taken out and the item sent again at once (``migration_people``): a refusal created
nothing, so it needs no look-up.
"""

from __future__ import annotations

from typing import Any

from moteur.connectors.create_once import Sent, create_all_once
from moteur.connectors.monday import migration_columns as schema
from moteur.connectors.monday import migration_documents as docs
from moteur.connectors.monday import migration_people as people
from moteur.connectors.monday.migration import MondayMigrator, retriable
from moteur.core.identity import FOOTER_PREFIX, split_identity
from moteur.core.model import ItemRef
from moteur.core.ops import CreateItem

ItemCreate = tuple[int, CreateItem, dict[str, Any]]  # (op index, op, its aliased-mutation variables)


def find_items(migrator: MondayMigrator, keys: list[str]) -> dict[str, ItemRef]:
    """Items of the board whose identity footer is one of ``keys`` (one filtered query)."""
    column = schema.role_columns(migrator.mapping, migrator.columns).get("description")
    if column is None or not keys:
        return {}
    rules = [
        {"column_id": column["id"], "compare_value": [FOOTER_PREFIX + k], "operator": "contains_text"}
        for k in keys
    ]
    variables = {
        "board": migrator.board_id,
        "limit": 500,
        "query": {"rules": rules, "operator": "or"},
        "columns": [column["id"]],
    }
    answer = migrator.transport.send(
        docs.FIND_BY_IDENTITY, variables, what="items by identity", idempotent=True
    )
    found: dict[str, ItemRef] = {}
    for board in answer.data.get("boards") or []:
        for item in (board.get("items_page") or {}).get("items") or []:
            for cell in item.get("column_values") or []:
                key = split_identity(cell.get("text"))[1]
                if key in keys and key not in found:
                    found[key] = migrator.ref(item["id"], item.get("url"))
    return found


def create_items(migrator: MondayMigrator, batch: list[ItemCreate]) -> list[str]:
    """Create ``(index, op, entry)`` once each (``create_all_once``: after an ambiguous send the items are
    looked up by identity footer first); the ids of the items created (or found) for archived sources."""
    archive: list[str] = []

    def made(pending: ItemCreate, ref: ItemRef) -> None:
        index, op, _ = pending
        migrator.created(index, ref)
        if op.fields.get("status") == "archived":
            archive.append(ref.item)

    def send(pending: list[ItemCreate]) -> Sent[ItemRef]:
        answers, errors = migrator.send_aliased(
            "items", [e for _, _, e in pending], f"{len(pending)} items", idempotent=False
        )
        new = {k: migrator.ref(a["id"], a.get("url")) for k, a in answers.items()}
        unsure: dict[int, str] = {}
        again: dict[int, str] = {}
        failed: dict[int, str] = {}
        for k, problem in errors.items():
            index, op, entry = pending[k]
            note = people.drop_people(entry, problem, op.title)
            if note is not None:
                migrator.note(index, note)
                again[k] = str(problem)  # refused as a whole, created by nothing: send again
            elif retriable(problem):
                unsure[k] = str(problem)
            else:
                failed[k] = str(problem)
        return Sent(new, unsure, again, failed)

    def find(pending: list[ItemCreate]) -> dict[int, ItemRef]:
        found = find_items(migrator, [op.key for _, op, _ in pending])
        return {k: found[op.key] for k, (_, op, _) in enumerate(pending) if op.key in found}

    errors = create_all_once(batch, send, find, made)
    for k, error in errors.items():
        migrator.ledger.fail(batch[k][0], error)
    return archive
