"""The file board: a CSV, JSON or YAML file read as a board, and written back in place.

*Managed cells*: the write-back columns of the mapping (``quadrant``, ``sprint``, ``ice`` by default).
A write changes only those cells (JSON/YAML: those keys), and only where the value differs; everything
else — other cells, column order, delimiter, quoting, BOM, line endings; in JSON and YAML every other key,
value as written, comment and blank line (``documents``) — stays byte for byte. A write that changes
nothing does not touch the file at all. A write replaces the file atomically (``storage``: temporary file
in the same directory, fsync, ``os.replace``, same permissions; a file with several hard links is written
in place so that the links hold), so a crash leaves either the old or the new file, never half.

A cell moteur writes in a CSV is escaped if a spreadsheet would run it as a formula, and read back
unescaped (``formulas``).

Encoding: UTF-8, with or without BOM (the BOM is kept on write). Anything else is refused with the fix
("save it as UTF-8") rather than guessed as cp1252: a wrong guess would be written back and corrupt the
file silently. Size and nesting are bounded (``storage``, ``documents``).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from moteur.connectors.files.csv_text import CsvDocument
from moteur.connectors.files.documents import Document, load_json, load_yaml
from moteur.connectors.files.formulas import escape_cell
from moteur.connectors.files.native import FileNative
from moteur.connectors.files.rows import ItemIds, RowReader, cell_text, paused_gc, row_version
from moteur.connectors.files.storage import decode, nesting_guard, read_board, replace_atomically
from moteur.core.errors import NotFound, UsageError

__all__ = ["FileBoard", "decode", "replace_atomically"]
from moteur.core.model import Action, BoardRef, Bucket, Snapshot, Tool
from moteur.mappings.check import ALL_ROLES, check_names
from moteur.mappings.schema import BoardMapping, fold
from moteur.mappings.scores import parse_number

_KINDS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
# Every field a file reads from a column of its own, so every name a user's mapping gives must be a column.
_ROLES = ("id", "title", "description", "bucket", *ALL_ROLES)
_HEADER_HINT = "the first line must name the columns, e.g. titre;impact;effort"


class FileBoard:
    """A ``file:<path>`` board. ``read()`` gives a Snapshot; ``write_annotations()`` sets managed cells."""

    def __init__(self, path: Path, mapping: BoardMapping) -> None:
        self.path = path
        self.mapping = mapping
        kind = _KINDS.get(path.suffix.lower())
        if kind is None:
            raise UsageError(
                f"{path}: unknown file type", hint="a board file ends in .csv, .json, .yaml or .yml"
            )
        self.kind = kind

    @property
    def ref(self) -> BoardRef:
        return BoardRef(tool=Tool.FILE, board=str(self.path))

    def _text(self) -> tuple[str, bool]:
        return decode(read_board(self.path), str(self.path))

    # -- reading ---------------------------------------------------------------------------------------

    def read(self) -> Snapshot:
        text, bom = self._text()
        with paused_gc(), nesting_guard(str(self.path)):
            if self.kind == "csv":
                return self._read_csv(text, bom)
            document = (
                load_json(text, str(self.path)) if self.kind == "json" else load_yaml(text, str(self.path))
            )
            return self._read_document(document)

    def _csv(self, text: str, *, editable: bool = False) -> tuple[CsvDocument, int]:
        """The CSV document of ``text`` (the one model a migration's target file uses too: ``csv_text``) and
        where its header is."""
        document = CsvDocument(text, str(self.path), self.mapping, editable=editable)
        if document.header_at is None:
            raise UsageError(f"{self.path} is empty", hint=_HEADER_HINT)
        return document, document.header_at

    def _reader(self, columns: list[str]) -> RowReader:
        reader = RowReader(self.mapping, columns, str(self.path), text_cells=self.kind == "csv")
        if not reader.has("title"):
            names = ", ".join(self.mapping.fields.title)
            shown = ", ".join(columns[:8]) or "nothing"
            raise UsageError(
                f"{self.path}: no title column (looked for {names}; found {shown})", hint=_HEADER_HINT
            )
        return reader

    def _check_names(self, columns: list[str]) -> None:
        """A column the user's mapping names and the file lacks: one line naming it (``check_names``).

        Status words are not checked here: in a file they are cell values, which a plan may not hold yet.
        """
        if columns:
            check_names(self.mapping, str(self.ref), fields=columns, statuses=None, roles=_ROLES)

    def _snapshot(self, reader: RowReader, actions: list[Action], native: FileNative) -> Snapshot:
        reader.unmatched_statuses()
        return Snapshot(
            board=self.ref,
            name=self.path.name,
            buckets=tuple(Bucket(id=name, name=name) for name in reader.buckets),
            actions=tuple(actions),
            tags=tuple(reader.tags),
            fields=native.columns,
            warnings=tuple(reader.warnings),
            native=native.dump(),
        )

    def _read_csv(self, text: str, bom: bool) -> Snapshot:
        document, header_at = self._csv(text)
        rows, header, delimiter = document.plain, document.header, document.delimiter
        self._check_names(header)
        reader = self._reader(header)
        reader.learn_scales(rows[header_at + 1 :])  # a score column's scale, before any row is read
        actions: list[Action] = []
        for position in document.body():
            cells = rows[position]
            action = reader.read(position + 1, cells, row_version(cells))
            if action is not None:
                actions.append(action)
        native = FileNative(format="csv", delimiter=delimiter, bom=bom, columns=tuple(header))
        return self._snapshot(reader, actions, native)

    def _read_document(self, document: Document) -> Snapshot:
        columns = document.columns
        self._check_names(columns)
        reader = RowReader(self.mapping, columns, str(self.path)) if not columns else self._reader(columns)
        reader.learn_scales(document.items)
        actions: list[Action] = []
        for position, item in enumerate(document.items, start=1):
            cells = [item.get(column) for column in columns]
            absent = frozenset(index for index, column in enumerate(columns) if column not in item)
            stamp = row_version([json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)])
            action = reader.read(position, cells, stamp, absent=absent)
            if action is not None:
                actions.append(action)
        return self._snapshot(reader, actions, FileNative(format=document.kind, columns=tuple(columns)))

    # -- writing ---------------------------------------------------------------------------------------

    def _annotation(self, key: str) -> str:
        """The annotation (quadrant/sprint/ice) an update key names: itself, or its column's name."""
        targets = self.mapping.writeback.targets()
        if key in targets:
            return key
        for annotation, target in targets.items():
            if target.name and fold(target.name) == fold(key):
                return annotation
        written = ", ".join(targets) or "nothing (every write-back target is off)"
        raise UsageError(f'"{key}" is not a column moteur writes in {self.path}; it writes {written}')

    def _plan(self, updates: Mapping[str, Mapping[str, str | None]]) -> dict[str, dict[str, str | None]]:
        return {
            item: {self._annotation(key): value for key, value in values.items()}
            for item, values in updates.items()
        }

    def _missing(self, wanted: Mapping[str, object], found: Mapping[str, object]) -> None:
        missing = [item for item in wanted if item not in found]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise NotFound(f"{self.path}: no row with id {shown}; nothing was written")

    def write_annotations(self, updates: Mapping[str, Mapping[str, str | None]]) -> None:
        """Set managed cells: item id → {annotation or its column name: text, None to empty it}.

        All or nothing: an unknown item id raises ``NotFound`` and an unknown key ``UsageError`` before
        anything is written.
        """
        plan = self._plan(updates)
        if not any(plan.values()):
            return
        text, bom = self._text()
        write = self._write_csv if self.kind == "csv" else self._write_document
        with nesting_guard(str(self.path)):
            new_text = write(text, plan)
        if new_text == text:
            return
        data = (codecs.BOM_UTF8 if bom else b"") + new_text.encode("utf-8")
        try:
            replace_atomically(self.path, data)
        except OSError as exc:
            raise UsageError(f"cannot write {self.path}: {exc.strerror}") from exc

    def _write_csv(self, text: str, plan: dict[str, dict[str, str | None]]) -> str:
        document, _ = self._csv(text, editable=True)
        rows = document.rows  # as written: what a new value is compared with
        plain = document.plain  # as read: ids and titles match the read's
        header = list(document.header)
        found = self.mapping.column_for(header)
        if "title" not in found:
            self._reader(header)  # raises the reader's "no title column" error
        id_at = header.index(found["id"]) if "id" in found else None
        title_at = header.index(found["title"])
        ids = ItemIds()
        positions: dict[str, int] = {}
        for position in document.body():
            cells = plain[position]
            id_cell = cells[id_at] if id_at is not None and id_at < len(cells) else None
            item = ids.assign(id_cell, cells[title_at] if title_at < len(cells) else None)
            if item is not None:
                positions[item] = position
        self._missing(plan, positions)
        columns = {
            name: header.index(found[name]) for name in self.mapping.writeback.targets() if name in found
        }
        width = len(header)
        changes: dict[int, dict[int, str]] = {}
        for item, values in plan.items():
            cells = rows[positions[item]]
            for annotation, value in values.items():
                new = escape_cell(value or "")
                column = columns.get(annotation)
                if column is None:
                    if not new:
                        continue  # emptying a column that does not exist: nothing to do
                    column = columns[annotation] = len(header)
                    header.append(self.mapping.writeback.targets()[annotation].name or annotation)
                if (cells[column] if column < len(cells) else "") != new:
                    changes.setdefault(positions[item], {})[column] = new
        if len(header) > width:
            document.widen([escape_cell(name) for name in header[width:]], changes)
        for position, cells_to_set in changes.items():
            document.set_cells(position, cells_to_set)
        return document.text()

    def _write_document(self, text: str, plan: dict[str, dict[str, str | None]]) -> str:
        source = str(self.path)
        document = load_json(text, source) if self.kind == "json" else load_yaml(text, source, editable=True)
        found = self.mapping.column_for(document.columns)
        ids = ItemIds()
        by_id: dict[str, dict[str, Any]] = {}
        for item in document.items:
            id_cell = item.get(found["id"]) if "id" in found else None
            key = ids.assign(id_cell, item.get(found["title"]) if "title" in found else None)
            if key is not None:
                by_id[key] = item
        self._missing(plan, by_id)
        for item_id, values in plan.items():
            item = by_id[item_id]
            for annotation, value in values.items():
                target = self.mapping.writeback.targets()[annotation]
                key = found.get(annotation, target.name or annotation)
                new = self._document_value(annotation, value)
                if key not in item and new is None:
                    continue
                document.set(item, key, new)
        return document.dump()

    @staticmethod
    def _document_value(annotation: str, value: str | None) -> Any:
        """JSON/YAML keep types: the ICE is written as a number when it is one."""
        text = cell_text(value)
        if text is None:
            return None
        if annotation == "ice":
            number = parse_number(text)
            if number is not None:
                return int(number) if number.is_integer() else number
        return text
