"""Applying a plan's ops to a monday.com board with the fewest mutations, serially.

- Schema ops first: ``EnsureField`` reuses a column with that title (case- and accent-insensitive, whatever
  its type) or creates it with ``create_column``: the quadrant as a status column whose ``defaults`` carry
  every quadrant label of the board's language with its colour, the sprint as a dropdown with its options,
  ICE as a numbers column. A create that may or may not have been applied (connection dropped) is followed
  by a look-up of the board's columns before any second try, so it never leaves a duplicate column.
- Then per item: ONE ``change_multiple_column_values`` carrying every changed column of that item (values
  serialised by column type, ``create_labels_if_missing: true`` so a new quadrant or sprint label appears on
  its own), up to ``MAX_ALIASES`` items aliased in one request, requests sent one after the other.
- *Partial answer*: some aliases failed and others applied. A failed alias whose problem is retriable (a
  budget refusal, an internal error) is sent again with the other retriable ones; the rest are reported on
  their own items (a deleted item fails its ops, the others go on).

- *Daily cap*: a ``DAILY_LIMIT_EXCEEDED`` answer stops the writes. Before any item was written it is
  raised (the run stops with that one line, nothing to journal); after, the items not yet written fail
  with it and are not sent (what was written is journaled as usual).

One ``OpResult`` per op, in the order given.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from moteur.connectors.create_once import ensure_once
from moteur.connectors.http import AmbiguousWrite
from moteur.connectors.monday import columns, documents
from moteur.connectors.monday.daily import DailyLimitExceeded
from moteur.connectors.monday.errors import classify
from moteur.connectors.monday.native import MondayColumn, MondayNative
from moteur.connectors.monday.transport import MAX_PER_QUERY, WRITE_COST_PER_ITEM, MondayTransport
from moteur.core.diff import WriteBack
from moteur.core.errors import MoteurError, RemoteError
from moteur.core.labels import QUADRANT_COLOURS, QUADRANT_NAMES, QUADRANT_ORDER, quadrant_from_name
from moteur.core.model import FieldKind, Snapshot
from moteur.core.ops import EnsureField, ItemOp, Landed, OpResult, SchemaOp, UpdateFields
from moteur.mappings.schema import fold
from moteur.redaction import scrub

COLUMN_TYPES = {FieldKind.NUMBER: "numbers", FieldKind.ENUM: "dropdown", FieldKind.TEXT: "text"}
# Neutral colour -> (monday StatusColumnColors name, the label index monday gives that colour).
STATUS_COLOURS: dict[str, tuple[str, int]] = {
    "green": ("done_green", 1),
    "red": ("stuck_red", 2),
    "blue": ("dark_blue", 3),
    "yellow": ("egg_yolk", 9),
    "sky": ("chili_blue", 16),
}
RETRY_ROUNDS = 2  # resends of retriable aliases after the first answer


def aliases_per_request(cost_per_item: int = WRITE_COST_PER_ITEM) -> int:
    """How many item writes one request holds: ``MAX_ALIASES``, unless the per-query cap allows fewer."""
    return max(1, min(documents.MAX_ALIASES, MAX_PER_QUERY // max(cost_per_item, 1)))


class MondayWriter:
    """Applies ops to one board. Holds the board's columns (by folded title) as the run creates them."""

    def __init__(
        self,
        transport: MondayTransport,
        snapshot: Snapshot,
        writeback: WriteBack,
        column_types: dict[str, str],
    ) -> None:
        self.transport = transport
        self.writeback = writeback
        self.column_types = column_types  # managed field -> monday column type to create it with
        state = MondayNative.of(snapshot)
        self.board_id: str = state.board_id
        self.columns: dict[str, MondayColumn] = {}
        for column in state.columns:
            self.columns.setdefault(fold(column.title), column)
        self.batch = aliases_per_request()
        self.landed = 0  # item writes monday applied in this run
        self.stopped: str | None = None  # why no more writes are sent (the day's calls are used up)

    # -- schema -----------------------------------------------------------------------------------------

    def _defaults(self, column_type: str, op: EnsureField) -> str | None:
        if column_type == "status":
            names = QUADRANT_NAMES[self.writeback.language]
            wanted = [names[q] for q in QUADRANT_ORDER] + [o for o in op.options if o not in names.values()]
            labels = []
            used: set[int] = set()
            for name in wanted:
                quadrant = quadrant_from_name(name)
                colour, index = STATUS_COLOURS.get(
                    QUADRANT_COLOURS[quadrant] if quadrant else "", ("american_gray", 17)
                )
                while index in used or index == 5:  # 5 is monday's blank label
                    index += 1
                used.add(index)
                labels.append({"label": name, "color": colour, "index": index})
            return json.dumps({"labels": labels}, ensure_ascii=False)
        if column_type == "dropdown" and op.options:
            options = [{"id": i + 1, "name": name} for i, name in enumerate(op.options)]
            return json.dumps({"settings": {"labels": options}}, ensure_ascii=False)
        return None

    def _look_up_columns(self) -> None:
        answer = self.transport.send(
            documents.BOARD_COLUMNS, {"board": self.board_id}, what=f"board {self.board_id}", idempotent=True
        )
        for board in answer.data.get("boards") or []:
            for column in board.get("columns") or []:
                self.columns.setdefault(fold(str(column["title"])), _column(column))

    def ensure_field(self, op: EnsureField) -> None:
        if fold(op.name) in self.columns:
            return
        names = self.writeback.field_names.items()
        managed = next((m for m, native in names if fold(native) == fold(op.name)), "")
        column_type = self.column_types.get(managed) or COLUMN_TYPES[op.field_kind]
        variables = {
            "board": self.board_id,
            "title": op.name,
            "type": column_type,
            "defaults": self._defaults(column_type, op),
        }

        def create() -> None:
            answer = self.transport.send(
                documents.CREATE_COLUMN, variables, what=f'column "{op.name}"', idempotent=False
            )
            if answer.problems:
                raise classify(answer.problems[0], f'column "{op.name}"')
            created = answer.data.get("create_column")
            if not isinstance(created, dict):
                raise RemoteError(f'monday.com created no column "{op.name}"', retriable=True)
            self.columns[fold(op.name)] = _column(created)

        def found() -> bool:
            self._look_up_columns()
            return fold(op.name) in self.columns

        try:
            ensure_once(create, found)
        except AmbiguousWrite:
            return  # every send was ambiguous, no look-up found it: ``schema`` reports it not created

    def schema(self, op: SchemaOp) -> OpResult:
        if not isinstance(op, EnsureField):
            return OpResult(op, False, f"monday.com boards take moteur's results as columns, not {op.kind}")
        try:
            self.ensure_field(op)
        except DailyLimitExceeded:
            raise  # nothing of the items is written yet: the run stops on this one line
        except MoteurError as exc:
            return OpResult(op, False, scrub(str(exc)))
        if fold(op.name) not in self.columns:
            return OpResult(op, False, f'the column "{op.name}" could not be created')
        return OpResult(op, True)

    # -- items ------------------------------------------------------------------------------------------

    def values_of(self, ops: Sequence[ItemOp]) -> tuple[dict[str, Any], dict[int, str]]:
        """One item's column values (column id -> write form), and {index in ops: error} for refused ops."""
        values: dict[str, Any] = {}
        failed: dict[int, str] = {}
        for i, op in enumerate(ops):
            if not isinstance(op, UpdateFields):
                failed[i] = f"monday.com boards take moteur's results as columns, not {op.kind}"
                continue
            native = self.writeback.field_names.get(op.field, op.field)
            column = self.columns.get(fold(native))
            if column is None:
                failed[i] = f'the column "{native}" does not exist on the board'
                continue
            try:
                values[column.id] = columns.serialise(column.type, op.after)
            except ValueError as exc:
                failed[i] = f'column "{native}": {exc}'
        return values, failed

    def write(self, writes: list[tuple[str, str, str]]) -> dict[str, str]:
        """Send ``(item id, title, column values JSON)`` writes; returns {item id: error} for failed ones."""
        failed: dict[str, str] = {}
        for start in range(0, len(writes), self.batch):
            pending = writes[start : start + self.batch]
            if self.stopped is not None:
                failed.update({item: self.stopped for item, _, _ in pending})
                continue
            for round_ in range(RETRY_ROUNDS + 1):
                retry = self._send(pending, failed, last=round_ == RETRY_ROUNDS)
                if not retry:
                    break
                pending = retry
        return failed

    def _send(
        self, batch: list[tuple[str, str, str]], failed: dict[str, str], *, last: bool
    ) -> list[tuple[str, str, str]]:
        """One aliased request; records failures, returns the writes worth sending again."""
        document = documents.write_items(len(batch))
        variables = documents.write_variables(self.board_id, [(item, values) for item, _, values in batch])
        try:
            answer = self.transport.send(
                document,
                variables,
                what=f"{len(batch)} items of board {self.board_id}",
                idempotent=True,  # setting values twice sets them once
                cost=len(batch) * WRITE_COST_PER_ITEM,
            )
        except DailyLimitExceeded as exc:
            if not self.landed:
                raise
            self.stopped = scrub(str(exc))
            failed.update({item: self.stopped for item, _, _ in batch})
            return []
        except MoteurError as exc:
            for item, _, _ in batch:
                failed[item] = scrub(str(exc))
            return []
        by_alias = {p.alias: p for p in answer.problems if p.alias}
        again: list[tuple[str, str, str]] = []
        for index, write in enumerate(batch):
            item, title, _ = write
            name = documents.alias(index)
            problem = by_alias.get(name)
            if problem is None and isinstance(answer.data.get(name), dict):
                failed.pop(item, None)
                self.landed += 1
                continue
            error = (
                classify(problem, f'item "{title}" ({item})')
                if problem is not None
                else RemoteError(f'monday.com answered nothing for item "{title}" ({item})', retriable=True)
            )
            failed[item] = scrub(str(error))
            if not last and isinstance(error, RemoteError) and error.retriable:
                again.append(write)
        return again


def _column(raw: dict[str, Any]) -> MondayColumn:
    return MondayColumn(id=str(raw.get("id")), title=str(raw.get("title", "")), type=str(raw.get("type", "")))


def apply_ops(
    writer: MondayWriter,
    schema_ops: Sequence[SchemaOp],
    item_ops: Sequence[ItemOp],
    progress: Landed | None = None,
) -> list[OpResult]:
    """Schema ops, then every item's ops in aliased requests; results in the ops' order."""
    results: list[OpResult] = [writer.schema(op) for op in schema_ops]
    by_item: dict[str, list[int]] = {}
    for index, op in enumerate(item_ops):
        by_item.setdefault(op.item.item, []).append(index)
    errors: dict[int, str] = {}
    writes: list[tuple[str, str, str]] = []
    for item, indexes in by_item.items():
        values, refused = writer.values_of([item_ops[i] for i in indexes])
        errors.update({indexes[position]: text for position, text in refused.items()})
        if values:
            writes.append((item, item_ops[indexes[0]].title, columns.encode_values(values)))
    reported: set[int] = set()
    for start in range(0, len(writes), writer.batch):
        chunk = writes[start : start + writer.batch]
        failed = writer.write(chunk)
        for item, _, _ in chunk:
            if item in failed:
                errors.update({i: failed[item] for i in by_item[item] if i not in errors})
        done = [i for item, _, _ in chunk for i in by_item[item]]
        reported.update(done)
        if progress is not None:
            progress([OpResult(item_ops[i], i not in errors, errors.get(i)) for i in done])
    if progress is not None and len(item_ops) > len(reported):  # items whose every op was refused up front
        progress(
            [
                OpResult(op, i not in errors, errors.get(i))
                for i, op in enumerate(item_ops)
                if i not in reported
            ]
        )
    results.extend(OpResult(item_ops[i], i not in errors, errors.get(i)) for i in range(len(item_ops)))
    return results
