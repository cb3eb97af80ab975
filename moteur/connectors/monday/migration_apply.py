"""``apply_migration`` for monday.com: the ops in waves (schema, groups, columns, items, updates of items,
subitems, comments), each wave in aliased requests — see ``migration`` for what each wave sends and how a
create is never doubled. One ``OpResult`` per op, in the order given.

*Daily cap*: the schema read reports the account's daily call cap and today's calls (``daily``); a
migration that needs more requests than are left (``requests_needed``, a lower bound) stops there, before
writing anything, with one line saying so. A ``DAILY_LIMIT_EXCEEDED`` met later stops the run the same way
(``DailyLimitExceeded`` propagates): every create already made is linked, so the next run resumes.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

from moteur.connectors.migration_loop import Ledger
from moteur.connectors.monday import columns as column_values
from moteur.connectors.monday import custom_fields as custom
from moteur.connectors.monday import migration_children as children
from moteur.connectors.monday import migration_columns as schema
from moteur.connectors.monday import migration_documents as docs
from moteur.connectors.monday import migration_people as people
from moteur.connectors.monday import migration_tags as tags
from moteur.connectors.monday.daily import DailyLimitExceeded, would_exceed
from moteur.connectors.monday.migration import MondayMigrator
from moteur.connectors.monday.migration_items import create_items
from moteur.connectors.monday.transport import MondayTransport
from moteur.core.errors import MoteurError
from moteur.core.model import ItemRef, Snapshot, Status
from moteur.core.ops import (
    AddComment,
    CreateItem,
    CreateSubitem,
    EnsureBucket,
    EnsureField,
    EnsureTag,
    MigrationOp,
    OpResult,
    PlaceItems,
    UpdateItem,
    UpdateSubitem,
)
from moteur.core.policy import Language
from moteur.mappings.schema import BoardMapping, fold

log = logging.getLogger("moteur.monday")


def apply_migration(
    transport: MondayTransport,
    mapping: BoardMapping,
    language: Language,
    snapshot: Snapshot,
    ops: Sequence[MigrationOp],
    targets: MutableMapping[str, ItemRef],
    *,
    on_created: Callable[[str, ItemRef], None],
    progress: Callable[[int], None] | None = None,
) -> list[OpResult]:
    ledger = Ledger(ops, targets, on_created, progress)
    migrator = MondayMigrator(transport, mapping, language, snapshot, ledger)
    if not _has_work(ops, targets, snapshot):
        # A re-run of a finished migration: everything is on the board, not one request.
        for index in range(len(ops)):
            if not ledger.linked(index):
                ledger.succeed(index)
        ledger.tick(len(ops))
        return ledger.ordered()
    tick = ledger.tick
    emails = sorted(
        {e for op in ops if isinstance(op, CreateItem | UpdateItem) for e in op.fields.get("assignees") or ()}
    )
    migrator.load_schema(emails)
    _check_daily(migrator, ops)
    _buckets(migrator, ops, tick)
    _items(migrator, ops, tick)
    tags.apply_tag_colours(migrator, ops, tick)
    _updates(migrator, ops, tick)
    _subitems(migrator, ops, tick)
    children.update_subitems(migrator, [(i, op) for i, op in enumerate(ops) if isinstance(op, UpdateSubitem)])
    tick(sum(1 for op in ops if isinstance(op, UpdateSubitem)))
    _comments(migrator, ops, tick)
    return ledger.ordered()


def requests_needed(migrator: MondayMigrator, ops: Sequence[MigrationOp]) -> int:
    """The fewest requests the waves send after the schema read: creates by ``CREATE_BATCH``, children by
    ``CHILD_BATCH``, updates by ``MAX_BATCH``, and the groups to make (look-ups, retries, moves and
    archives not counted: a refusal on this figure is never wrong)."""
    todo = [
        op for op in ops if isinstance(op, UpdateItem | UpdateSubitem) or _key(op) not in migrator.targets
    ]
    count: dict[type, int] = {}
    for op in todo:
        count[type(op)] = count.get(type(op), 0) + 1
    groups = {fold(op.name) for op in todo if isinstance(op, EnsureBucket)} - set(migrator.groups)
    return (
        (1 if groups and not migrator.groups else len(groups))
        + math.ceil(count.get(CreateItem, 0) / docs.CREATE_BATCH)
        + math.ceil(count.get(UpdateItem, 0) / docs.MAX_BATCH)
        + math.ceil((count.get(CreateSubitem, 0) + count.get(AddComment, 0)) / docs.CHILD_BATCH)
        + math.ceil(count.get(UpdateSubitem, 0) / docs.MAX_BATCH)
    )


def _check_daily(migrator: MondayMigrator, ops: Sequence[MigrationOp]) -> None:
    """Stop before writing when today has fewer calls left than the migration needs (see *Daily cap*)."""
    daily = migrator.transport.daily
    if daily is None or daily.cap is None:
        return
    left = migrator.transport.calls_left()
    needed = requests_needed(migrator, ops)
    if needed > (daily.cap if left is None else left):
        raise would_exceed(
            daily, needed, daily.cap if left is None else left, f"migrating to board {migrator.board_id}"
        )


def _key(op: MigrationOp) -> str:
    return "" if isinstance(op, EnsureBucket | EnsureField | EnsureTag | PlaceItems) else op.key


def _has_work(ops: Sequence[MigrationOp], targets: MutableMapping[str, ItemRef], snapshot: Snapshot) -> bool:
    buckets = {fold(b.name) for b in snapshot.buckets}
    fields = {fold(f.name): f for f in snapshot.custom_fields}
    for op in ops:
        if isinstance(op, EnsureBucket):
            if fold(op.name) not in buckets:
                return True
        elif isinstance(op, EnsureField):
            # A column of that kind is enough: a label it lacks is added with the first value that uses it
            # (``create_labels_if_missing``), so options alone send nothing.
            there = fields.get(fold(op.name))
            if there is None or there.kind is not op.field_kind:
                return True
        elif isinstance(op, PlaceItems):
            continue  # never planned for monday: its creates land in order
        elif isinstance(op, EnsureTag | UpdateItem | UpdateSubitem) or op.key not in targets:
            return True  # an ``EnsureTag`` is planned only for a colour the board lacks
    return False


def _skip(migrator: MondayMigrator, index: int) -> bool:
    """A creation whose key is already on the board: reported ok, nothing sent (a resumed run)."""
    return migrator.ledger.linked(index)


def _buckets(migrator: MondayMigrator, ops: Sequence[MigrationOp], tick: Callable[[int], None]) -> None:
    migrator.create_groups_at_once([op.name for op in ops if isinstance(op, EnsureBucket)])
    previous: str | None = None
    for index, op in enumerate(ops):
        if isinstance(op, EnsureBucket):
            try:
                previous = migrator.ensure_group(op.name, previous)
                migrator.ledger.succeed(index)
            except DailyLimitExceeded:
                raise
            except MoteurError as exc:
                migrator.ledger.fail(index, str(exc))
            tick(1)


def _group_of(migrator: MondayMigrator, bucket: str | None) -> str | None:
    if not bucket:
        return None
    return migrator.groups.get(fold(bucket)) or migrator.ensure_group(bucket, None)


def _items(migrator: MondayMigrator, ops: Sequence[MigrationOp], tick: Callable[[int], None]) -> None:
    creates = [(i, op) for i, op in enumerate(ops) if isinstance(op, CreateItem)]
    roles = {r for _, op in creates for r, v in op.fields.items() if v not in (None, "", [], ())}
    roles |= {r for op in ops if isinstance(op, UpdateItem) for r in op.fields}
    if creates:
        roles.add("description")  # the identity footer's home
    fields = [(i, op) for i, op in enumerate(ops) if isinstance(op, EnsureField)]
    problem = migrator.ensure_columns(roles & set(schema.NEW_COLUMNS), fields) if roles or fields else None
    tick(len(fields))
    if problem:
        log.warning(problem)  # those fields are left out; the items are still carried
    role_column = schema.role_columns(migrator.mapping, migrator.columns)
    if creates and "description" not in role_column:
        # Without its identity an item could be doubled by the next run: create none.
        for index, _ in creates:
            if not _skip(migrator, index):
                migrator.ledger.fail(index, problem or "no Description column")
            tick(1)
        return
    custom_columns = migrator.custom
    batch: list[tuple[int, CreateItem, dict[str, Any]]] = []
    archive: list[str] = []
    for index, op in creates:
        if _skip(migrator, index):
            tick(1)
            continue
        try:
            group = _group_of(migrator, op.bucket)
        except DailyLimitExceeded:
            raise
        except MoteurError as exc:
            migrator.ledger.fail(index, str(exc))
            tick(1)
            continue
        cells, _ = schema.cells(
            op.fields, op.key, role_column, migrator.mapping, migrator.users, creating=True
        )
        migrator.note(
            index, people.left_out(op.fields, migrator.unassignable, role_column)
        )  # they would fail it
        # Custom values ride in the same create_item (their problems are the plan's losses already).
        cells.update(custom.custom_cells(op.fields.get("custom") or {}, custom_columns, creating=True)[0])
        batch.append(
            (index, op, {"g": group, "n": op.title or "(untitled)", "v": column_values.encode_values(cells)})
        )
        if len(batch) == docs.CREATE_BATCH:
            archive += create_items(migrator, batch)
            tick(len(batch))
            batch = []
    if batch:
        archive += create_items(migrator, batch)
        tick(len(batch))
    created_archived = [(i, ops[i], {"i": item}) for i, item in _indexes(migrator, archive)]
    migrator.simple_writes("archives", created_archived)


def _indexes(migrator: MondayMigrator, item_ids: list[str]) -> list[tuple[int, str]]:
    by_item = {r.created.item: i for i, r in migrator.results.items() if r.created is not None}
    return [(by_item[item], item) for item in item_ids if item in by_item]


def _updates(migrator: MondayMigrator, ops: Sequence[MigrationOp], tick: Callable[[int], None]) -> None:
    role_column = schema.role_columns(migrator.mapping, migrator.columns)
    custom_columns = migrator.custom
    values: list[tuple[int, MigrationOp, dict[str, Any]]] = []
    moves: list[tuple[int, MigrationOp, dict[str, Any]]] = []
    archives: list[tuple[int, MigrationOp, dict[str, Any]]] = []
    count = 0
    for index, op in enumerate(ops):
        if not isinstance(op, UpdateItem):
            continue
        count += 1
        item = migrator.targets.get(op.key, op.target).item
        current = migrator.items.get(item)
        cells, problems = schema.cells(
            op.fields, op.key, role_column, migrator.mapping, migrator.users, creating=False
        )
        custom_cells, custom_problems = custom.custom_cells(
            op.fields.get("custom") or {}, custom_columns, creating=False
        )
        cells.update(custom_cells)
        problems += custom_problems
        problems += filter(None, [people.left_out(op.fields, migrator.unassignable, role_column)])
        if op.title and (current is None or current.title != op.title):
            cells["name"] = op.title
        migrator.ledger.succeed(index, "; ".join(problems) or None)
        if cells:
            values.append((index, op, {"i": item, "v": column_values.encode_values(cells)}))
        if op.bucket and (current is None or fold(current.bucket or "") != fold(op.bucket)):
            try:
                moves.append((index, op, {"i": item, "g": _group_of(migrator, op.bucket)}))
            except DailyLimitExceeded:
                raise
            except MoteurError as exc:
                migrator.ledger.fail(index, str(exc))
        # Not archived again when only its done state changed.
        archived = current is not None and current.status is Status.ARCHIVED
        if op.fields.get("status") == "archived" and not archived:
            archives.append((index, op, {"i": item}))
    migrator.simple_writes("values", values)
    migrator.simple_writes("moves", moves)
    migrator.simple_writes("archives", archives)
    if count:
        tick(count)


def _parent(
    migrator: MondayMigrator, index: int, op: CreateSubitem | AddComment, parent_key: str
) -> str | None:
    parent = migrator.targets.get(parent_key)
    if parent is None:
        migrator.ledger.fail(index, f"its item {parent_key} is not on the board")
        return None
    found = children.existing_child(
        migrator,
        parent.item,
        "subitems" if isinstance(op, CreateSubitem) else "updates",
        children.text_of(op),
    )
    if found is not None:
        # Already under its parent (a run whose links were lost): link it, create nothing.
        board = migrator.sub_board if isinstance(op, CreateSubitem) else None
        migrator.created(index, migrator.ref(found, board=board))
        return None
    return parent.item


def _pending(
    migrator: MondayMigrator,
    ops: Sequence[MigrationOp],
    tick: Callable[[int], None],
    entry: Callable[[CreateSubitem | AddComment, str], dict[str, Any]],
    kind: type[CreateSubitem] | type[AddComment],
) -> list[children.Child]:
    """The ``kind`` ops still to create whose parent is on the board, each with its mutation ``entry``;
    the others are ticked off (already there, or their parent is not)."""
    todo: list[children.Child] = []
    for index, op in enumerate(ops):
        if not isinstance(op, kind):
            continue
        parent_key = op.parent_key if isinstance(op, CreateSubitem) else op.item_key
        parent = None if _skip(migrator, index) else _parent(migrator, index, op, parent_key)
        if parent is None:
            tick(1)
            continue
        todo.append((index, op, parent, entry(op, parent)))
    return todo


def _create_in_chunks(
    migrator: MondayMigrator, kind: str, todo: list[children.Child], tick: Callable[[int], None]
) -> None:
    for start in range(0, len(todo), docs.CHILD_BATCH):
        chunk = todo[start : start + docs.CHILD_BATCH]
        children.create_children(migrator, kind, chunk)
        tick(len(chunk))


def _subitems(migrator: MondayMigrator, ops: Sequence[MigrationOp], tick: Callable[[int], None]) -> None:
    def new_subitem(op: CreateSubitem | AddComment, parent: str) -> dict[str, Any]:
        title = op.title if isinstance(op, CreateSubitem) else ""
        return {"p": parent, "n": title or "(untitled)", "v": None}

    todo = _pending(migrator, ops, tick, new_subitem, CreateSubitem)
    if not todo:
        return
    late_done: list[tuple[int, MigrationOp, dict[str, Any]]] = []
    if migrator.sub_status is None and any(op.done for _, op, _, _ in todo if isinstance(op, CreateSubitem)):
        # The subitems board (and its columns) is only known once a subitem exists: create one first.
        first = children.create_children(migrator, "subitems", todo[:1])
        tick(1)
        todo = todo[1:]
        children.ensure_sub_status(migrator)
        late_done = [
            (i, op, {"i": item, "v": None}) for i, op, item, _ in first if getattr(op, "done", False)
        ]
    done_cell = children.done_cell(migrator)
    for _, op, _, entry in todo:
        if isinstance(op, CreateSubitem) and op.done and done_cell:
            entry["v"] = column_values.encode_values(done_cell)
    for entry_index, (i, late_op, entry) in enumerate(late_done):
        late_done[entry_index] = (i, late_op, {**entry, "v": column_values.encode_values(done_cell)})
    if late_done and done_cell and migrator.sub_board:
        migrator.simple_writes("values", late_done, board=migrator.sub_board)
    _create_in_chunks(migrator, "subitems", todo, tick)


def _comments(migrator: MondayMigrator, ops: Sequence[MigrationOp], tick: Callable[[int], None]) -> None:
    def new_update(op: CreateSubitem | AddComment, parent: str) -> dict[str, Any]:
        return {"i": parent, "t": op.text if isinstance(op, AddComment) else ""}

    _create_in_chunks(migrator, "updates", _pending(migrator, ops, tick, new_update, AddComment), tick)
