"""CSV as text: one document model that both the file board (``board``) and a migration's target file
(``table``) read and edit, so they agree on the delimiter, the rows and where the header is.

Terms:

- *Record*: one CSV row as raw text, including its line ending; a quoted cell may span several lines.
- *Row*: a record's cells. ``rows`` are the cells as written; ``plain`` the same with the spreadsheet escape
  of formulas undone (``formulas``), which is what moteur reads. A blank line is ``[]``, so that list
  positions are record positions.
- *Blank row*: a row with no cell holding anything but spaces (``;;;`` is how a spreadsheet saves an empty
  line).
- *Header*: the row that names the columns. People put a title line, a date or blank lines above it, so it
  is the first row, among the first ``HEADER_SEARCH`` rows that are not blank, that names a title column (one
  of the mapping's ``title`` names); when none does, the first row that is not blank (whose missing title
  column the reader then reports). Rows above the header are not actions, and are never rewritten.
- *Delimiter*: ``,``, ``;`` or tab, the one under which the header line names a title column; without such a
  line, what ``csv.Sniffer`` finds in the first lines, checked against the first line that is not blank.

Editing works on records, not on re-serialised rows: a record moteur does not change is copied byte for
byte, and in a record it changes only the edited cells are re-encoded. So the delimiter, the quoting of
every other cell, the line endings (``\\r\\n``, ``\\n``, even mixed) and a last line without a line ending all
survive a write.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence

from moteur.connectors.files.formulas import unescape_rows
from moteur.core.errors import UsageError
from moteur.mappings.schema import BoardMapping

NamesTitle = Callable[[Sequence[str]], bool]
"""Whether a row of cells names a title column: what makes it the header."""

HEADER_SEARCH = 10  # rows that are not blank, from the top, where the header is looked for
_DELIMITERS = ",;\t"
_LINE_ENDINGS = ("\r\n", "\n", "\r")
_SAMPLE = 65536  # characters of the file's start the delimiter is told from


def _blank(cells: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _cells(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _by_sniffer(sample: str, first: str) -> str:
    """What ``csv.Sniffer`` finds in ``sample``, checked against ``first``, the first line that is not blank.

    The Sniffer can be fooled by punctuation in long descriptions; a header rarely holds a delimiter that is
    not its own, so when the Sniffer's pick is absent from that line the line's most frequent candidate wins.
    A one-column file has none of them: ``,``.
    """
    counts = {candidate: first.count(candidate) for candidate in _DELIMITERS}
    by_line = max(_DELIMITERS, key=lambda candidate: counts[candidate])
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed is not None and (counts.get(sniffed, 0) > 0 or counts[by_line] == 0):
        return sniffed
    return by_line if counts[by_line] > 0 else ","


def detect_delimiter(text: str, names_title: NamesTitle) -> str:
    """The delimiter of ``text`` (see the module docstring)."""
    lines = io.StringIO(text[:_SAMPLE], newline="").readlines()[:50]
    filled = [line.rstrip("\r\n") for line in lines if line.strip(" \r\n" + _DELIMITERS)]
    sniffed = _by_sniffer("".join(lines), filled[0] if filled else "")
    for line in filled[:HEADER_SEARCH]:
        naming = [d for d in _DELIMITERS if names_title(_cells(line, d))]
        if sniffed in naming:
            return sniffed
        if naming:  # the widest reading of the header line
            return max(naming, key=lambda candidate: len(_cells(line, candidate)))
    return sniffed


def read_rows(text: str, delimiter: str, source: str) -> list[list[str]]:
    """Every record's cells, blank lines included as ``[]`` so that list positions are row positions."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UsageError(
            f"{source}: not readable as CSV ({exc})", hint="check the quotes on that line"
        ) from exc


def header_at(rows: Sequence[Sequence[str]], names_title: NamesTitle) -> int | None:
    """The header's position in ``rows`` (see the module docstring); None when every row is blank."""
    first: int | None = None
    looked = 0
    for position, cells in enumerate(rows):
        if _blank(cells):
            continue
        if names_title(cells):
            return position
        first = position if first is None else first
        looked += 1
        if looked == HEADER_SEARCH:
            break
    return first


def _split_ending(record: str) -> tuple[str, str]:
    for ending in _LINE_ENDINGS:
        if record.endswith(ending):
            return record[: -len(ending)], ending
    return record, ""


def _raw_cells(body: str, delimiter: str) -> list[str]:
    """The cells of one record as they are written (quotes included)."""
    cells: list[str] = []
    start, size = 0, len(body)
    while True:
        cursor = start
        if cursor < size and body[cursor] == '"':
            cursor += 1
            while True:
                quote = body.find('"', cursor)
                if quote == -1:
                    cursor = size
                    break
                if body.startswith('""', quote):
                    cursor = quote + 2
                    continue
                cursor = quote + 1
                break
        end = body.find(delimiter, cursor)
        if end == -1:
            end = size
        cells.append(body[start:end])
        if end >= size:
            return cells
        start = end + 1


class CsvDocument:
    """A CSV file's text: its delimiter, rows and header, read once; with ``editable``, its records too, for
    cell edits, and ``text()`` gives the edited file."""

    def __init__(self, text: str, source: str, mapping: BoardMapping, *, editable: bool = False) -> None:
        self.source = source

        def names_title(cells: Sequence[str]) -> bool:
            return "title" in mapping.column_for(list(cells))

        self.delimiter = detect_delimiter(text, names_title)
        self.rows = read_rows(text, self.delimiter, source)  # as written: what a new value is compared with
        self.plain = unescape_rows(self.rows, text)  # as read: what moteur's reads see
        if editable and self.plain is self.rows:
            self.plain = list(self.rows)  # an edit replaces a row of ``rows``: ``plain`` stays as read
        self.header_at = header_at(self.plain, names_title)
        self.header: list[str] = list(self.plain[self.header_at]) if self.header_at is not None else []
        self.records: list[str] = []
        if editable:
            self.records = self._split(text)
            # Splitting by quote parity is only sound when it agrees with the csv module; a stray quote in
            # an unquoted cell is where they part, and then the file is left alone rather than damaged.
            if [self._parse(record) for record in self.records] != self.rows:
                raise UsageError(
                    f"{source}: cannot be rewritten safely (a quote inside an unquoted cell?)",
                    hint='quote such cells ("…") or remove the stray quote',
                )

    def body(self) -> list[int]:
        """The positions of the rows under the header that hold cells (blank lines are not rows)."""
        if self.header_at is None:
            return []
        return [n for n in range(self.header_at + 1, len(self.plain)) if self.plain[n]]

    # -- editing (``editable`` only) -------------------------------------------------------------------

    @staticmethod
    def _split(text: str) -> list[str]:
        records: list[str] = []
        pending: list[str] = []
        quotes = 0
        for line in io.StringIO(text, newline=""):
            pending.append(line)
            quotes += line.count('"')
            if quotes % 2 == 0:
                records.append("".join(pending))
                pending, quotes = [], 0
        if pending:
            records.append("".join(pending))
        return records

    def _parse(self, record: str) -> list[str]:
        body, _ = _split_ending(record)
        if not body:
            return []
        return _cells(body, self.delimiter)

    def _encode(self, value: str, quote_all: bool) -> str:
        if quote_all or any(char in value for char in (self.delimiter, '"', "\r", "\n")):
            return '"' + value.replace('"', '""') + '"'
        return value

    def set_cells(self, position: int, cells: dict[int, str]) -> None:
        """Set cells (column index → text) of the record at ``position``, padding a short row with empty
        cells. Quotes follow the record: if every cell of it is quoted, new cells are quoted too."""
        body, ending = _split_ending(self.records[position])
        raw = _raw_cells(body, self.delimiter) if body else []
        quote_all = bool(raw) and all(cell.startswith('"') for cell in raw)
        width = max(len(raw), max(cells) + 1)
        raw.extend(self._encode("", quote_all) for _ in range(width - len(raw)))
        values = self.rows[position] + [""] * (width - len(self.rows[position]))
        for column, value in cells.items():
            raw[column] = self._encode(value, quote_all)
            values[column] = value
        self.records[position] = self.delimiter.join(raw) + ending
        self.rows[position] = values

    def text(self) -> str:
        return "".join(self.records)

    def widen(self, names: list[str], changes: dict[int, dict[int, str]]) -> None:
        """Append columns ``names`` to the header record and, in ``changes``, an empty cell to every other
        row (a rectangular file is what spreadsheets and importers expect). Refused when a row has more
        cells than the header: the new column would land on one of them."""
        if self.header_at is None:
            raise RuntimeError(f"{self.source}: no header to widen")
        width = len(self.rows[self.header_at])
        last = width + len(names) - 1
        for position in range(self.header_at + 1, len(self.rows)):
            cells = self.rows[position]
            if not cells:
                continue
            if len(cells) > width:
                raise UsageError(
                    f"{self.source}: row {position + 1} has more cells than the header, so a new column "
                    "would land on one of them; nothing was written",
                    hint="name the extra column in the header or remove the extra cells",
                )
            changes.setdefault(position, {}).setdefault(last, "")
        self.set_cells(self.header_at, {width + n: name for n, name in enumerate(names)})

    def append_row(self, cells: list[str]) -> None:
        """Add a record after the last one, with the file's line ending and the header's quoting."""
        ending = next((_split_ending(r)[1] for r in self.records if _split_ending(r)[1]), "\n")
        if self.records and not _split_ending(self.records[-1])[1]:
            self.records[-1] += ending  # the last line had no line ending: it needs one now
        header = self.records[self.header_at] if self.header_at is not None else ""
        raw = _raw_cells(_split_ending(header)[0], self.delimiter)
        quote_all = bool(raw) and all(cell.startswith('"') for cell in raw)
        self.records.append(self.delimiter.join(self._encode(c, quote_all) for c in cells) + ending)
        self.rows.append(list(cells))
