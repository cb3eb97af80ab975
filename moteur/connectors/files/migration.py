"""The file side of a migration: a CSV/JSON/YAML file, or a Trello "Export as JSON" file, as source or target.

As a *source*, a file is read in full: JSON/YAML items may carry ``checklist`` (``[{"text", "done"}]``) and
``comments`` (``[{"author", "date", "text"}]``) as nested lists. A JSON file that is a Trello "Export as
JSON" is read by ``trello_export``, with the user's Trello mapping, as ``plan`` reads it.

As a *target*, a file that does not exist is created (format by suffix). Rows get an ``id`` column (a hash of
the source key) and the identity footer in ``description``. A CSV has no place for nested lists, so its
capabilities say no checklists and no comments (losses). Every op of one ``apply_migration`` lands in one
atomic file replace; only then are the creates reported through ``on_created`` — before that nothing exists.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, MutableMapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from moteur.connectors.files.board import FileBoard
from moteur.connectors.files.table import COLUMNS, NESTED, Table, file_kind
from moteur.connectors.files.trello_export import TrelloExports, trello_export_at
from moteur.connectors.migration import Capabilities
from moteur.connectors.migration_loop import Creation, Ensure, Ledger, OneByOne, apply_each
from moteur.core.errors import UsageError
from moteur.core.identity import split_identity, with_identity
from moteur.core.model import (
    Action,
    BoardRef,
    ChecklistItem,
    Comment,
    CustomField,
    FieldKind,
    ItemRef,
    Snapshot,
    Tool,
)
from moteur.core.ops import (
    AddComment,
    CreateItem,
    CreateSubitem,
    EnsureBucket,
    MigrationOp,
    OpResult,
    UpdateItem,
    UpdateSubitem,
)
from moteur.mappings.schema import BoardMapping

_ALL_KINDS = frozenset({FieldKind.NUMBER, FieldKind.ENUM, FieldKind.TEXT, FieldKind.DATE})
# A checklist entry's ``done`` as people write it in a file (YAML 1.2 reads ``yes`` as text, not true).
_DONE_WORDS = frozenset({"true", "yes", "y", "on", "1", "x", "done", "oui", "fait"})


def target_item_id(source_key: str) -> str:
    """A created row's id: stable for its source, short, and no ``:`` (item keys split on it)."""
    return "m-" + hashlib.sha1(source_key.encode("utf-8")).hexdigest()[:12]


# -- reading ------------------------------------------------------------------------------------------------


def _nested(action: Action) -> Action:
    """Move ``checklist`` / ``comments`` lists that a JSON/YAML row carries from ``extra`` to their fields,
    and the identity footer out of the description into ``extra["moteur_source"]`` (as the tool ports do)."""
    description, key = split_identity(action.description)
    if key is not None:
        extra = {**action.extra, "moteur_source": key}
        action = action.model_copy(update={"description": description, "extra": extra})
    if not any(name in action.extra for name in NESTED):
        return action
    extra = dict(action.extra)
    entry_id = f"{action.ref.item}-checklist-{{}}"  # as ``apply_migration`` names the entries it adds
    checklist = [
        ChecklistItem(text=str(e.get("text") or ""), done=_done(e.get("done")), id=entry_id.format(n))
        if isinstance(e, dict)
        else ChecklistItem(text=str(e), id=entry_id.format(n))
        for n, e in enumerate(extra.pop("checklist", None) or [], start=1)
    ]
    comments = [
        Comment(author=c.get("author"), date=c.get("date") or None, text=str(c.get("text") or ""))
        if isinstance(c, dict)
        else Comment(text=str(c))
        for c in extra.pop("comments", None) or []
    ]
    return action.model_copy(
        update={"checklist": tuple(checklist), "comments": tuple(comments), "extra": extra}
    )


def _done(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().casefold() in _DONE_WORDS
    return bool(value)


_PAST_LAST_COLUMN = re.compile(r"column \d+")  # cells past the header (``files/rows.py``): not a field


def _as_number(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and "." not in str(value) else number


def _is_iso_date(value: Any) -> bool:
    if isinstance(value, date):
        return True
    text = str(value).strip()
    try:
        date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def with_custom_fields(snapshot: Snapshot) -> Snapshot:
    """Name a file's role-less columns as custom fields (``field:<name>``), kinds inferred from their values.

    A column whose every value is a number is a number field (its values become numbers); every value an ISO
    date or datetime, a date field; else text. A file has no single-choice type: such a column is text.
    """
    names: dict[str, list[Any]] = {}
    for action in snapshot.actions:
        for name, value in action.extra.items():
            if name in NESTED or name == "moteur_source" or _PAST_LAST_COLUMN.fullmatch(name):
                continue
            values = names.setdefault(name, [])
            if value not in (None, ""):
                values.append(value)
    if not names:
        return snapshot
    kinds: dict[str, FieldKind] = {}
    for name, values in names.items():
        if values and all(_as_number(v) is not None for v in values):
            kinds[name] = FieldKind.NUMBER
        elif values and all(_is_iso_date(v) for v in values):
            kinds[name] = FieldKind.DATE
        else:
            kinds[name] = FieldKind.TEXT
    actions = []
    for action in snapshot.actions:
        extra = {k: v for k, v in action.extra.items() if k not in kinds}
        for name, kind in kinds.items():
            value = action.extra.get(name)
            if value in (None, ""):
                continue
            if kind is FieldKind.NUMBER:
                value = _as_number(value)
            elif kind is FieldKind.DATE:
                value = value.isoformat() if isinstance(value, date) else str(value).strip()
            extra[f"field:{name}"] = value
        actions.append(action.model_copy(update={"extra": extra}))
    fields = tuple(CustomField(name=name, kind=kind) for name, kind in kinds.items())
    return snapshot.model_copy(update={"actions": tuple(actions), "custom_fields": fields})


# -- the port ------------------------------------------------------------------------------------------------


class FileMigration:
    """``file:`` boards as a migrating ``Connector`` (``FileConnector`` delegates to it); ``exports`` reads
    a Trello export (default: with the default Trello mapping)."""

    tool = Tool.FILE

    def __init__(self, mapping: BoardMapping, exports: TrelloExports | None = None) -> None:
        self.mapping = mapping
        self.exports = exports or TrelloExports()

    def capabilities(self, target: Snapshot | None = None, *, workspace: str | None = None) -> Capabilities:
        """What the file read as ``target`` can hold: its format says (a CSV row has no nested lists)."""
        if target is not None and file_kind(Path(target.board.board)) == "csv":
            return Capabilities(
                tool=Tool.FILE,
                subitems=False,
                comments=False,
                archived_done=False,
                custom_fields=_ALL_KINDS,
                typeless_fields=True,
                notes=("a CSV row has no place for checklists or comments",),
            )
        # One status cell per row: "archived" or "done", not both.
        return Capabilities(
            tool=Tool.FILE, archived_done=False, custom_fields=_ALL_KINDS, typeless_fields=True
        )

    def read_full(self, board: BoardRef, *, include_archived: bool = False) -> Snapshot:
        """The whole file (archived rows too: the plan decides what is carried); a missing file is empty."""
        path = Path(board.board)
        if not path.exists():
            return Snapshot(board=board, name=path.stem)
        export = trello_export_at(path)  # None for a file that is not valid JSON: FileBoard names the line
        if export is not None:
            return self.exports.read(path, export)
        snapshot = FileBoard(path, self.mapping).read()
        snapshot = snapshot.model_copy(update={"actions": tuple(_nested(a) for a in snapshot.actions)})
        return with_custom_fields(snapshot)

    def create_board(self, name: str, workspace: str | None = None) -> BoardRef:
        raise UsageError(
            "file:new has no path to create", hint="name the file instead, e.g. file:plan.json (created)"
        )

    def apply_migration(
        self,
        snapshot: Snapshot,
        ops: Sequence[MigrationOp],
        targets: MutableMapping[str, ItemRef],
        *,
        on_created: Callable[[str, ItemRef], None],
        progress: Callable[[int], None] | None = None,
    ) -> list[OpResult]:
        """The ops through the one migration apply loop (``connectors/migration_loop.py``), all in one atomic
        replace of the file; only then are the creates linked (``on_created``): before it nothing exists."""
        ledger = Ledger(ops, targets, on_created, progress, deferred=True)
        table = Table(Path(snapshot.board.board), self.mapping, snapshot.name)
        results = apply_each(RowWriter(table, snapshot.board.board, ledger), ledger)
        if any(r.ok and not isinstance(r.op, EnsureBucket) for r in results):
            table.save()
        ledger.commit()
        return results


class RowWriter(OneByOne):
    """A file's part of the one migration apply loop: each op changes the rows in memory. Nothing is sent
    before the file is replaced, so no create is ever ambiguous (``find`` finds nothing)."""

    def __init__(self, table: Table, board: str, ledger: Ledger) -> None:
        self.table, self.board, self.ledger = table, board, ledger
        self.rows = table.by_id()

    def ensure(self, op: Ensure) -> None:
        return None  # a bucket is a column value, a field a column, a tag a word of a cell: nothing to create

    def create(self, op: Creation) -> ItemRef:
        if not isinstance(op, CreateItem):
            return self._add_child(op)
        table, item = self.table, target_item_id(op.key)
        row: dict[str, Any] = {}
        table.rows.append(row)
        self.rows[item] = row
        table.set(row, "id", item)
        table.set(row, "title", op.title)
        table.set(row, "description", with_identity(str(op.fields.get("description") or ""), op.key))
        table.set(row, "status", op.fields.get("status"))
        table.set(row, "bucket", op.bucket)
        for name in COLUMNS[5:]:
            table.set(row, name, op.fields.get(name))
        for name, value in (op.fields.get("custom") or {}).items():
            table.set(row, name, value)
        return ItemRef(tool=Tool.FILE, board=self.board, item=item)

    def find(self, op: Creation) -> ItemRef | None:
        return None

    def update(self, op: UpdateItem | UpdateSubitem) -> None:
        if isinstance(op, UpdateSubitem):
            self._update_entry(op)
            return
        row = self.rows.get(op.target.item)
        if row is None:
            raise LookupError(f"no row with id {op.target.item} in {self.board}")
        self.table.set(row, "title", op.title)
        if op.bucket is not None:
            self.table.set(row, "bucket", op.bucket)
        for name, value in op.fields.items():
            if name == "custom":
                for field_name, field_value in value.items():
                    self.table.set(row, field_name, field_value)
                continue
            if name == "description":
                value = with_identity(str(value or ""), op.key)
            self.table.set(row, name, value)

    def _add_child(self, op: CreateSubitem | AddComment) -> ItemRef:
        parent_key = op.parent_key if isinstance(op, CreateSubitem) else op.item_key
        parent = self.ledger.targets.get(parent_key)
        row = self.rows.get(parent.item) if parent is not None else None
        if parent is None or row is None:
            raise LookupError(f"its parent {parent_key} is not on {self.board}")
        if self.table.kind == "csv":
            raise LookupError("a CSV row has no place for checklists or comments")
        name = "checklist" if isinstance(op, CreateSubitem) else "comments"
        existing = row.get(self.table.column[name])
        # A new list, not the row's own appended to: the document sees the change through ``set``.
        entries = list(existing) if isinstance(existing, list) else []
        entries.append(
            {"text": op.title, "done": op.done} if isinstance(op, CreateSubitem) else {"text": op.text}
        )
        self.table.set(row, name, entries)
        return ItemRef(tool=Tool.FILE, board=self.board, item=f"{parent.item}-{name}-{len(entries)}")

    def _update_entry(self, op: UpdateSubitem) -> None:
        """Set a checklist entry's text and done state; its id is ``<row id>-checklist-<n>``."""
        parent = self.ledger.targets.get(op.parent_key)
        row = self.rows.get(parent.item) if parent is not None else None
        prefix = f"{parent.item if parent is not None else ''}-checklist-"
        entries = row.get(self.table.column["checklist"]) if row is not None else None
        n = op.target.item.removeprefix(prefix)
        if row is None or not isinstance(entries, list) or not n.isdigit() or not 0 < int(n) <= len(entries):
            raise LookupError(f"no checklist entry {op.target.item} on {self.board}")
        entries = [*entries[: int(n) - 1], {"text": op.title, "done": op.done}, *entries[int(n) :]]
        self.table.set(row, "checklist", entries)
