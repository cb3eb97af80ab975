"""Children of migrated items on monday.com: subitems (checklist entries, with their done state) and updates
(comments), created aliased under their parents, never twice.

- *Existing child*: a subitem of that name / an update of that text already under the parent and linked to no
  other key (a run whose links were lost): it is linked, not created again.
- *Subitems board*: monday keeps subitems on a board of their own, made with the first subitem; its id and
  columns come back in every ``create_subitem`` answer. A done subitem needs a status column there: the
  first one on that board is used, else one "Status" column is created.
- After an ambiguous create (``AmbiguousWrite``), the parents' children are read again (``CHILDREN``) and only
  the children still missing are sent again.
- *Subitem update* (``UpdateSubitem``): the subitem's name and done state, set on the subitems board in
  aliased ``change_multiple_column_values`` (only what differs from the target's read: a new name, the done
  label or a cleared status). The subitems board and its columns are asked once (``SUBITEMS_BOARD``) when
  this run has not created a subitem that revealed them.
"""

from __future__ import annotations

from typing import Any

from moteur.connectors.create_once import Sent, create_all_once
from moteur.connectors.http import AmbiguousWrite
from moteur.connectors.monday import columns as column_values
from moteur.connectors.monday import migration_columns as schema
from moteur.connectors.monday import migration_documents as docs
from moteur.connectors.monday.migration import MondayMigrator, retriable
from moteur.core.model import ItemRef
from moteur.core.ops import AddComment, CreateSubitem, MigrationOp, UpdateSubitem

# (op index, op, its parent's id (the child's own id once made), its aliased-mutation variables)
Child = tuple[int, CreateSubitem | AddComment, str, dict[str, Any]]


def existing_child(migrator: MondayMigrator, parent: str, kind: str, text: str) -> str | None:
    """A child of ``parent`` with this name / text that no key is linked to yet."""
    for child in migrator.children.get(parent, {}).get(kind, []):
        if (
            child["id"] not in migrator.claimed
            and (child.get("name") or child.get("text") or "").strip() == text.strip()
        ):
            return str(child["id"])
    return None


def look_up_children(migrator: MondayMigrator, parents: list[str]) -> None:
    for start in range(0, len(parents), 100):
        ids = sorted(set(parents[start : start + 100]))
        answer = migrator.transport.send(
            docs.CHILDREN, {"ids": ids, "limit": 100}, what="children", idempotent=True
        )
        for item in answer.data.get("items") or []:
            migrator.children[str(item["id"])] = {
                "subitems": [
                    {"id": str(s["id"]), "name": s.get("name", "")} for s in item.get("subitems") or []
                ],
                "updates": [
                    {"id": str(u["id"]), "text": u.get("text_body") or u.get("body") or ""}
                    for u in item.get("updates") or []
                ],
            }


def create_children(migrator: MondayMigrator, kind: str, batch: list[Child]) -> list[Child]:
    """Create subitems or updates once each (``create_all_once``: after an ambiguous send the parents'
    children are read again first); answers what was created or found, with their ids in the entries."""
    child_kind = "subitems" if kind == "subitems" else "updates"
    made: list[Child] = []

    def ref(child: str) -> ItemRef:
        return migrator.ref(child, board=migrator.sub_board if kind == "subitems" else None)

    def linked(pending: Child, child: str) -> None:
        index, op, _, entry = pending
        migrator.created(index, ref(child))
        made.append((index, op, child, entry))

    def send(pending: list[Child]) -> Sent[str]:
        answers, errors = migrator.send_aliased(
            kind, [e for _, _, _, e in pending], f"{len(pending)} {child_kind}", idempotent=False
        )
        for answer in answers.values():
            board = answer.get("board")
            if isinstance(board, dict):  # the subitems board, revealed by its first subitem
                migrator.sub_board = str(board.get("id"))
                _learn_sub_status(migrator, board.get("columns") or [])
        unsure = {k: str(e) for k, e in errors.items() if retriable(e)}
        failed = {k: str(e) for k, e in errors.items() if not retriable(e)}
        return Sent({k: str(a["id"]) for k, a in answers.items()}, unsure, failed=failed)

    def find(pending: list[Child]) -> dict[int, str]:
        look_up_children(migrator, [parent for _, _, parent, _ in pending])
        found: dict[int, str] = {}
        for k, (_, op, parent, _) in enumerate(pending):
            child = existing_child(migrator, parent, child_kind, text_of(op))
            if child is not None:
                migrator.claimed.add(child)  # taken: a same-named sibling further on finds another
                found[k] = child
        return found

    for k, error in create_all_once(batch, send, find, linked).items():
        migrator.ledger.fail(batch[k][0], error)
    return made


def _learn_sub_status(migrator: MondayMigrator, board_columns: list[dict[str, Any]]) -> None:
    if migrator.sub_status is None:
        migrator.sub_status = next((c for c in board_columns if c.get("type") == "status"), None)


def ensure_sub_status(migrator: MondayMigrator) -> None:
    """The subitems board's status column (created there when the board has none)."""
    if migrator.sub_status is not None or migrator.sub_board is None:
        return
    title, kind = schema.SUBITEM_STATUS
    entry = {"t": title, "c": kind, "d": None}
    try:
        answers, _ = migrator.send_aliased(
            "columns", [entry], "the subitems' status column", idempotent=False, board=migrator.sub_board
        )
    except AmbiguousWrite:
        answers = {}
    migrator.sub_status = answers.get(0)


def done_cell(migrator: MondayMigrator) -> dict[str, Any]:
    if migrator.sub_status is None:
        return {}
    label = schema.status_label(migrator.sub_status, "done", migrator.mapping)
    return {str(migrator.sub_status["id"]): column_values.serialise("status", label)}


def text_of(op: CreateSubitem | AddComment) -> str:
    return op.title if isinstance(op, CreateSubitem) else op.text


def learn_sub_board(migrator: MondayMigrator, subitem: str) -> None:
    """The subitems board and its status column (with its labels), from one of its subitems."""
    answer = migrator.transport.send(
        docs.SUBITEMS_BOARD, {"ids": [subitem]}, what="subitems board", idempotent=True
    )
    for item in answer.data.get("items") or []:
        board = item.get("board") if isinstance(item, dict) else None
        if isinstance(board, dict):
            migrator.sub_board = str(board.get("id"))
            migrator.sub_status = next(
                (c for c in board.get("columns") or [] if c.get("type") == "status"), None
            )


def update_subitems(migrator: MondayMigrator, ops: list[tuple[int, UpdateSubitem]]) -> None:
    """Set the name and done state of migrated subitems (see *Subitem update*)."""
    if not ops:
        return
    known = {
        str(entry["id"]): entry
        for kinds in migrator.children.values()
        for entry in kinds.get("subitems", [])
        if isinstance(entry, dict)
    }
    if migrator.sub_board is None or migrator.sub_status is None or "settings" not in migrator.sub_status:
        learn_sub_board(migrator, ops[0][1].target.item)
    if migrator.sub_board is None:
        for index, op in ops:
            migrator.ledger.fail(index, f"monday.com: subitem {op.target.item} not found")
        return
    ensure_sub_status(migrator)
    done = column_values.serialise(
        "status", schema.status_label(migrator.sub_status or {}, "done", migrator.mapping)
    )
    writes: list[tuple[int, MigrationOp, dict[str, Any]]] = []
    for index, op in ops:
        entry = known.get(op.target.item, {})
        cells: dict[str, Any] = {}
        if entry.get("name") != op.title:
            cells["name"] = op.title or "(untitled)"
        # The status column the read found the done state in, else the subitems board's first one.
        status = entry.get("status") or (migrator.sub_status or {}).get("id")
        if entry.get("done") is not op.done and status:
            cells[str(status)] = done if op.done else None
        migrator.ledger.succeed(index)
        if cells:
            writes.append((index, op, {"i": op.target.item, "v": column_values.encode_values(cells)}))
    migrator.simple_writes("values", writes, board=migrator.sub_board)
