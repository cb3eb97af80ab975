"""The rows of a migration's target file, as dicts: loaded whole, changed, written in one atomic replace.

The target is written like a board annotated by ``sync`` (``board``): in a file that exists, only the cells
(JSON/YAML: keys) moteur sets change, and the actions it adds go after the last one; every other row, cell,
key, comment and layout stays as written. A file that does not exist is created whole. In a CSV every cell
moteur writes is escaped against formula injection, and cells are read unescaped (``formulas``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from moteur.connectors.files.csv_text import CsvDocument
from moteur.connectors.files.documents import Document, load_json, load_yaml
from moteur.connectors.files.formulas import escape_cell
from moteur.connectors.files.rows import ItemIds
from moteur.connectors.files.storage import decode, nesting_guard, read_board, replace_atomically
from moteur.core.errors import UsageError
from moteur.mappings.schema import BoardMapping

# The columns of a file a migration creates, in this order (``checklist``/``comments`` for JSON/YAML only).
COLUMNS = (
    "id", "title", "description", "status", "bucket", "due", "tags", "assignees", "impact", "effort",
    "confidence", "objective", "channel", "quadrant", "sprint", "ice",
)  # fmt: skip
NESTED = ("checklist", "comments")


def file_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix == ".json":
        return "json"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    raise UsageError(f"{path}: unknown file type", hint="a board file ends in .csv, .json, .yaml or .yml")


class Table:
    """A target file's rows. Change them with ``set`` (and ``rows.append`` for a new row), then ``save``."""

    def __init__(self, path: Path, mapping: BoardMapping, name: str) -> None:
        self.path, self.mapping, self.kind = path, mapping, file_kind(path)
        self.bom = False
        self.document: Document | None = None
        self.csv: CsvDocument | None = None  # an existing CSV, read as a file board reads it
        self.loaded: list[tuple[int, list[str]]] = []  # CSV: each loaded row's record and cells as read
        self.header: list[str] = []
        self.rows: list[dict[str, Any]] = []
        self.column = {name: name for name in (*COLUMNS, *NESTED)}
        if not path.exists():
            self.header = list(COLUMNS) + ([] if self.kind == "csv" else list(NESTED))
            if self.kind != "csv":
                top: dict[str, Any] = {"name": name, "actions": []}
                self.document = Document(kind=self.kind, top=top, items=top["actions"], source=str(path))
                self.rows = self.document.items
            return
        text, self.bom = decode(read_board(path), str(path))
        with nesting_guard(str(path)):
            if self.kind == "csv":
                self._load_csv(text)
            else:
                source = str(path)
                self.document = (
                    load_json(text, source) if self.kind == "json" else load_yaml(text, source, editable=True)
                )
                self.rows = self.document.items
                self.header = list(self.document.columns) or list(COLUMNS)
        found = mapping.column_for(self.header)
        self.column = {name: found.get(name, name) for name in (*COLUMNS, *NESTED)}

    def _load_csv(self, text: str) -> None:
        if not text.strip():
            self.header = list(COLUMNS)
            return
        document = CsvDocument(text, str(self.path), self.mapping, editable=True)
        if document.header_at is None:  # blank lines only: written whole
            self.header = list(COLUMNS)
            return
        self.csv = document
        self.header = list(document.header)
        for position in document.body():
            cells = document.plain[position]
            self.loaded.append((position, cells))
            self.rows.append(dict(zip(self.header, cells, strict=False)))

    def by_id(self) -> dict[str, dict[str, Any]]:
        ids = ItemIds()
        out: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            item = ids.assign(row.get(self.column["id"]), row.get(self.column["title"]))
            if item is not None:
                out[item] = row
        return out

    def cell(self, value: Any) -> Any:
        if self.kind != "csv":
            return value
        if value is None:
            return ""
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    def set(self, row: dict[str, Any], name: str, value: Any) -> None:
        column = self.column.get(name, name)
        if column not in self.header:
            self.header.append(column)
        if self.document is not None:
            self.document.set(row, column, value)
        else:
            row[column] = self.cell(value)

    # -- writing -----------------------------------------------------------------------------------------

    def save(self) -> None:
        if self.kind == "csv":
            text = self._csv_text()
        else:
            if self.document is None:  # every JSON/YAML table has one (see __init__)
                raise RuntimeError(f"{self.path}: no document to write")
            with nesting_guard(str(self.path)):
                text = self.document.dump()
        data = (b"\xef\xbb\xbf" if self.bom else b"") + text.encode("utf-8")
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(b"")
        replace_atomically(self.path, data)

    def _csv_text(self) -> str:
        if self.csv is None:  # a new (or empty) file: written whole
            stream = io.StringIO()
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow([escape_cell(name) for name in self.header])
            for row in self.rows:
                writer.writerow([escape_cell(row.get(c, "")) for c in self.header])
            return stream.getvalue()
        document = self.csv
        width = len(document.header)
        at = {name: n for n, name in enumerate(self.header)}  # a repeated name: its last column
        changes: dict[int, dict[int, str]] = {}
        for (position, cells), row in zip(self.loaded, self.rows, strict=False):
            for name, column in at.items():
                new = row.get(name, "")
                if new != (cells[column] if column < len(cells) else ""):
                    changes.setdefault(position, {})[column] = escape_cell(new)
        if len(self.header) > width:
            document.widen([escape_cell(n) for n in self.header[width:]], changes)
        for position, cells_to_set in changes.items():
            document.set_cells(position, cells_to_set)
        for row in self.rows[len(self.loaded) :]:
            document.append_row([escape_cell(row.get(c, "")) for c in self.header])
        return document.text()
