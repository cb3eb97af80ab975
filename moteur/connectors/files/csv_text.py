"""CSV as text: finding the delimiter, reading rows, and editing cells without disturbing anything else.

A *record* is one CSV row as raw text, including its line ending; a quoted cell may span several lines.
Editing works on records, not on re-serialised rows: a record moteur does not change is copied byte for
byte, and in a record it changes only the edited cells are re-encoded. So the delimiter, the quoting of
every other cell, the line endings (``\\r\\n``, ``\\n``, even mixed) and a last line without a line ending all
survive a write.
"""

from __future__ import annotations

import csv
import io

from moteur.core.errors import UsageError

_DELIMITERS = ",;\t"
_LINE_ENDINGS = ("\r\n", "\n", "\r")


def detect_delimiter(text: str) -> str:
    """``,``, ``;`` or tab: what ``csv.Sniffer`` finds in the first lines, checked against the header.

    The Sniffer can be fooled by punctuation in long descriptions; a header rarely holds a delimiter that
    is not its own, so when the Sniffer's pick is absent from the header line the header's most frequent
    candidate wins. A one-column file has none of them: ``,``.
    """
    header = text.split("\n", 1)[0]
    counts = {candidate: header.count(candidate) for candidate in _DELIMITERS}
    by_header = max(_DELIMITERS, key=lambda candidate: counts[candidate])
    sample = "".join(io.StringIO(text[:65536], newline="").readlines()[:50])
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    if sniffed is not None and (counts.get(sniffed, 0) > 0 or counts[by_header] == 0):
        return sniffed
    return by_header if counts[by_header] > 0 else ","


def read_rows(text: str, delimiter: str, source: str) -> list[list[str]]:
    """Every record's cells, blank lines included as ``[]`` so that list positions are row positions."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UsageError(
            f"{source}: not readable as CSV ({exc})", hint="check the quotes on that line"
        ) from exc


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
    """A CSV text split into records, ready for cell edits; ``text()`` gives the edited file."""

    def __init__(self, text: str, delimiter: str, source: str) -> None:
        self.delimiter = delimiter
        self.records = self._split(text)
        self.rows = [self._parse(record) for record in self.records]
        # Splitting by quote parity is only sound when it agrees with the csv module; a stray quote in
        # an unquoted cell is where they part, and then the file is left alone rather than damaged.
        if [row for row in self.rows if row] != [row for row in read_rows(text, delimiter, source) if row]:
            raise UsageError(
                f"{source}: cannot be rewritten safely (a quote inside an unquoted cell?)",
                hint='quote such cells ("…") or remove the stray quote',
            )

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
        return next(csv.reader([body], delimiter=self.delimiter), [])

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

    def widen(
        self, header_at: int, names: list[str], changes: dict[int, dict[int, str]], source: str
    ) -> None:
        """Append columns ``names`` to the header record and, in ``changes``, an empty cell to every other
        row (a rectangular file is what spreadsheets and importers expect). Refused when a row has more
        cells than the header: the new column would land on one of them."""
        width = len(self.rows[header_at])
        last = width + len(names) - 1
        for position in range(header_at + 1, len(self.rows)):
            cells = self.rows[position]
            if not cells:
                continue
            if len(cells) > width:
                raise UsageError(
                    f"{source}: row {position + 1} has more cells than the header, so a new column "
                    "would land on one of them; nothing was written",
                    hint="name the extra column in the header or remove the extra cells",
                )
            changes.setdefault(position, {}).setdefault(last, "")
        self.set_cells(header_at, {width + n: name for n, name in enumerate(names)})

    def append_row(self, cells: list[str], header_at: int) -> None:
        """Add a record after the last one, with the file's line ending and the header's quoting."""
        ending = next((_split_ending(r)[1] for r in self.records if _split_ending(r)[1]), "\n")
        if self.records and not _split_ending(self.records[-1])[1]:
            self.records[-1] += ending  # the last line had no line ending: it needs one now
        header = _raw_cells(_split_ending(self.records[header_at])[0], self.delimiter)
        quote_all = bool(header) and all(cell.startswith('"') for cell in header)
        self.records.append(self.delimiter.join(self._encode(c, quote_all) for c in cells) + ending)
        self.rows.append(list(cells))
