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

from moteur.connectors.http import AmbiguousWrite
from moteur.connectors.monday import columns as column_values
from moteur.connectors.monday import migration_columns as schema
from moteur.connectors.monday import migration_documents as docs
from moteur.connectors.monday.migration import CREATE_ATTEMPTS, MondayMigrator, retriable
from moteur.core.ops import AddComment, CreateSubitem, MigrationOp, UpdateSubitem

# (op index, op, its parent's id (the child's own id once made), its aliased-mutation variables)
Child = tuple[int, CreateSubitem | AddComment, str, dict[str, Any]]


def existing_child(port: MondayMigrator, parent: str, kind: str, text: str) -> str | None:
    """A child of ``parent`` with this name / text that no key is linked to yet."""
    for child in port.children.get(parent, {}).get(kind, []):
        if (
            child["id"] not in port.claimed
            and (child.get("name") or child.get("text") or "").strip() == text.strip()
        ):
            return str(child["id"])
    return None


def look_up_children(port: MondayMigrator, parents: list[str]) -> None:
    for start in range(0, len(parents), 100):
        ids = sorted(set(parents[start : start + 100]))
        answer = port.transport.send(
            docs.CHILDREN, {"ids": ids, "limit": 100}, what="children", idempotent=True
        )
        for item in answer.data.get("items") or []:
            port.children[str(item["id"])] = {
                "subitems": [
                    {"id": str(s["id"]), "name": s.get("name", "")} for s in item.get("subitems") or []
                ],
                "updates": [
                    {"id": str(u["id"]), "text": u.get("text_body") or u.get("body") or ""}
                    for u in item.get("updates") or []
                ],
            }


def create_children(port: MondayMigrator, kind: str, batch: list[Child]) -> list[Child]:
    """Create subitems or updates; answers what was created with the created ids in the entries."""
    child_kind = "subitems" if kind == "subitems" else "updates"
    made: list[Child] = []
    pending, error = batch, "not sent"
    for attempt in range(CREATE_ATTEMPTS):
        if attempt:
            look_up_children(port, [parent for _, _, parent, _ in pending])
            still = []
            for index, op, parent, entry in pending:
                found = existing_child(port, parent, child_kind, text_of(op))
                if found:
                    port.created(
                        index,
                        op,
                        op.key,
                        port.ref(found, board=port.sub_board if kind == "subitems" else None),
                    )
                else:
                    still.append((index, op, parent, entry))
            pending = still
            if not pending:
                break
        try:
            answers, errors = port.send_aliased(
                kind, [e for _, _, _, e in pending], f"{len(pending)} {child_kind}", idempotent=False
            )
        except AmbiguousWrite as exc:
            error = str(exc)
            continue
        again = []
        for k, (index, op, parent, entry) in enumerate(pending):
            if k in answers:
                board = answers[k].get("board")
                if isinstance(board, dict):
                    port.sub_board = str(board.get("id"))
                    _learn_sub_status(port, board.get("columns") or [])
                port.created(
                    index,
                    op,
                    op.key,
                    port.ref(answers[k]["id"], board=port.sub_board if kind == "subitems" else None),
                )
                made.append((index, op, str(answers[k]["id"]), entry))
            elif retriable(errors[k]):
                again.append((index, op, parent, entry))
                error = str(errors[k])
            else:
                port._done(index, op, False, str(errors[k]))
        pending = again
        if not pending:
            break
    for index, op, _, _ in pending:
        port._done(index, op, False, error)
    return made


def _learn_sub_status(port: MondayMigrator, board_columns: list[dict[str, Any]]) -> None:
    if port.sub_status is None:
        port.sub_status = next((c for c in board_columns if c.get("type") == "status"), None)


def ensure_sub_status(port: MondayMigrator) -> None:
    """The subitems board's status column (created there when the board has none)."""
    if port.sub_status is not None or port.sub_board is None:
        return
    title, kind = schema.SUBITEM_STATUS
    entry = {"t": title, "c": kind, "d": None}
    try:
        answers, _ = port.send_aliased(
            "columns", [entry], "the subitems' status column", idempotent=False, board=port.sub_board
        )
    except AmbiguousWrite:
        answers = {}
    port.sub_status = answers.get(0)


def done_cell(port: MondayMigrator) -> dict[str, Any]:
    if port.sub_status is None:
        return {}
    label = schema.status_label(port.sub_status, "done", port.mapping)
    return {str(port.sub_status["id"]): column_values.serialise("status", label)}


def text_of(op: CreateSubitem | AddComment) -> str:
    return op.title if isinstance(op, CreateSubitem) else op.text


def learn_sub_board(port: MondayMigrator, subitem: str) -> None:
    """The subitems board and its status column (with its labels), from one of its subitems."""
    answer = port.transport.send(
        docs.SUBITEMS_BOARD, {"ids": [subitem]}, what="subitems board", idempotent=True
    )
    for item in answer.data.get("items") or []:
        board = item.get("board") if isinstance(item, dict) else None
        if isinstance(board, dict):
            port.sub_board = str(board.get("id"))
            port.sub_status = next((c for c in board.get("columns") or [] if c.get("type") == "status"), None)


def update_subitems(port: MondayMigrator, ops: list[tuple[int, UpdateSubitem]]) -> None:
    """Set the name and done state of migrated subitems (see *Subitem update*)."""
    if not ops:
        return
    known = {
        str(entry["id"]): entry
        for kinds in port.children.values()
        for entry in kinds.get("subitems", [])
        if isinstance(entry, dict)
    }
    if port.sub_board is None or port.sub_status is None or "settings" not in port.sub_status:
        learn_sub_board(port, ops[0][1].target.item)
    if port.sub_board is None:
        for index, op in ops:
            port._done(index, op, False, f"monday.com: subitem {op.target.item} not found")
        return
    ensure_sub_status(port)
    done = column_values.serialise("status", schema.status_label(port.sub_status or {}, "done", port.mapping))
    writes: list[tuple[int, MigrationOp, dict[str, Any]]] = []
    for index, op in ops:
        entry = known.get(op.target.item, {})
        cells: dict[str, Any] = {}
        if entry.get("name") != op.title:
            cells["name"] = op.title or "(untitled)"
        # The status column the read found the done state in, else the subitems board's first one.
        status = entry.get("status") or (port.sub_status or {}).get("id")
        if entry.get("done") is not op.done and status:
            cells[str(status)] = done if op.done else None
        port._done(index, op)
        if cells:
            writes.append((index, op, {"i": op.target.item, "v": column_values.encode_values(cells)}))
    port.simple_writes("values", writes, board=port.sub_board)
