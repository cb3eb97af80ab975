"""From one row of a file board to one Action: column matching, value parsing, ids, warnings.

Terms:

- *Row*: one record of a CSV file or one object of a JSON/YAML list, seen as a sequence of *cells* aligned
  with the board's *columns* (a CSV header; for JSON/YAML, every key in order of first appearance).
- *Row number*: what a person finds the row by. In a CSV it is the spreadsheet row (lines above the header
  and blank lines count: with the header on line 1, the first action is row 2); in JSON/YAML it is the
  object's position from 1.
- *Item id*: the ``id`` cell when there is one; otherwise ``t-`` + the first 8 hex digits of the SHA-1 of
  the folded title. A hash of the title, not the row number, so inserting or sorting rows keeps every id;
  retitling a row gives it a new id (it is a new action as far as the file can tell). Repeated ids — two
  rows with the same title, or the same ``id`` — get ``-2``, ``-3``… in file order.
"""

from __future__ import annotations

import gc
import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from operator import itemgetter
from typing import Any

from moteur.connectors.files.unchecked import unchecked_builder
from moteur.core.model import Action, Annotations, ItemRef, Status, Tool, parse_due
from moteur.core.names import id_fold, unmatched_warning
from moteur.core.scales import TEN, Scale
from moteur.mappings.schema import BoardMapping
from moteur.mappings.scores import column_scales, parse_number, parse_score, read_on

_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2})[:h](\d{2})(?::(\d{2}))?)?$")
_SCORES = ("impact", "effort", "confidence")
# The order ``RowReader.read`` unpacks column positions in.
_FIELDS = (
    "id", "title", "description", "status", "bucket", "objective", "channel", "due", "assignees", "tags",
    *_SCORES, "quadrant", "sprint", "ice",
)  # fmt: skip
_VERDICT_FIELDS = ("status", "due", *_SCORES, "quadrant", "sprint", "ice")
_LABEL_FIELDS = ("bucket", "objective", "channel", "assignees", "tags")
# What ``RowReader._verdict`` and ``RowReader._labels`` make of a row.
_Verdict = tuple[
    Status, date | datetime | None, int | None, int | None, int | None, Annotations, tuple[str, ...]
]
_Labels = tuple[str | None, str | None, str | None, tuple[str, ...], tuple[str, ...]]


_UNKNOWN_STATUS = 'status "{text}" is unknown; read as todo'

_new_annotations = unchecked_builder(Annotations)
_new_ref = unchecked_builder(ItemRef)
_new_action = unchecked_builder(Action)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while a read builds its Actions.

    Every full collection walks all the objects built so far, so with 100,000 rows the collector, not
    the parsing, would take most of the time. Rows make no reference cycles; nothing is lost by waiting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def cell_text(value: object) -> str | None:
    """A cell as text, stripped; None when empty. Lists (JSON/YAML) are joined with ", "."""
    if type(value) is str:  # nearly every cell: the fast path first
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, datetime | date):
        text = value.isoformat()
    elif isinstance(value, list | tuple):
        text = ", ".join(part for part in (cell_text(item) for item in value) if part)
    else:
        text = str(value).strip()
    return text or None


def parse_file_due(value: object) -> date | datetime | None:
    """A due cell: ISO date or datetime, or the French ``24/12/2026`` (``24/12/2026 14:30``).

    A date stays a date. Raises ValueError for anything else.
    """
    if isinstance(value, datetime | date):
        return value
    text = cell_text(value)
    if text is None:
        return None
    french = _FRENCH_DATE.match(text)
    if french is None:
        return parse_due(text)
    day, month, year, hour, minute, second = french.groups()
    if hour is None:
        return date(int(year), int(month), int(day))
    return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))


class ItemIds:
    """Hands out item ids in file order (see the module docstring); the read and write sides share it."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def assign(self, id_cell: object, title_cell: object) -> str | None:
        """The id of the next row, or None for a row without a title (such a row is skipped)."""
        title = cell_text(title_cell)
        if title is None:
            return None
        return self.next_id(cell_text(id_cell), title)

    def next_id(self, id_text: str | None, title: str) -> str:
        """The id of the next row from its id and title cells as text (``cell_text``), title not None."""
        # ``id_fold``, frozen: a title's id must not change when moteur's name comparison does.
        base = id_text or "t-" + hashlib.sha1(id_fold(title).encode("utf-8")).hexdigest()[:8]
        item, copy = base, 1
        while item in self._used:
            copy += 1
            item = f"{base}-{copy}"
        self._used.add(item)
        return item


def row_version(cells: Sequence[object]) -> str:
    """A version stamp for a row: the hash of its raw cells (a file keeps no per-row modification time)."""
    try:
        blob = "\x1f".join(cells)  # type: ignore[arg-type]  # CSV rows: all str, the fast path
    except TypeError:
        blob = "\x1f".join("" if cell is None else str(cell) for cell in cells)
    return hashlib.blake2b(blob.encode("utf-8"), digest_size=8).hexdigest()


# How the warning about a board without a score column ends: ``migrate`` leaves it out (a migration copies the
# scores a board has; a board without any is as good a source as another).
UNSCORED = "every action is to score"


class RowReader:
    """Turns rows into Actions for one board, collecting warnings, buckets and tags as it goes.

    ``columns`` are matched to Action fields once, through the mapping; every unmatched column goes to
    ``Action.extra`` under its own name (a repeated name gets `` (2)``). Cells past the last column go to
    ``extra`` as ``column N``.
    """

    def __init__(
        self, mapping: BoardMapping, columns: Sequence[str], board: str, *, text_cells: bool = False
    ) -> None:
        self.mapping = mapping
        self.board = board
        self.text_cells = text_cells
        first_at: dict[str, int] = {}
        for index, name in enumerate(columns):
            first_at.setdefault(name, index)
        self.index = {field: first_at[name] for field, name in mapping.column_for(list(columns)).items()}
        self._at = tuple(self.index.get(field, -1) for field in _FIELDS)
        # The cells a verdict and the labels are parsed from, as one tuple each (a C-level getter).
        self._verdict_cells = itemgetter(*(self._at[_FIELDS.index(field)] for field in _VERDICT_FIELDS))
        self._label_cells = itemgetter(*(self._at[_FIELDS.index(field)] for field in _LABEL_FIELDS))
        self._verdicts: dict[tuple[object, ...], _Verdict] = {}
        self._label_groups: dict[tuple[object, ...], _Labels] = {}
        mapped = set(self.index.values())
        self._extra: list[tuple[int, str]] = []
        seen: dict[str, int] = {}
        for index, name in enumerate(columns):
            if index in mapped:
                continue
            seen[name] = seen.get(name, 0) + 1
            self._extra.append((index, name if seen[name] == 1 else f"{name} ({seen[name]})"))
        self._extra_at = {name: index for index, name in self._extra}
        self._width = len(columns)
        self.columns = tuple(columns)
        self._padding: list[object] = [None] * (self._width + 1)
        # Cells repeat (statuses, dates, scores): each distinct text is parsed once per read.
        self._scores: dict[str, dict[str, tuple[int | None, str | None]]] = {field: {} for field in _SCORES}
        self._scales: dict[str, Scale] = {}  # a score column's scale when not 1–10 (``learn_scales``)
        self._statuses: dict[str, Status | None] = {}
        self._dues: dict[str, date | datetime | None] = {}
        self._lists: dict[str, tuple[str, ...]] = {}
        self._annotations: dict[tuple[str | None, str | None, float | None], Annotations] = {}
        self._split = re.compile("[" + re.escape(mapping.list_separators) + "]")
        self.ids = ItemIds()
        self.warnings: list[str] = []
        self.buckets: dict[str, None] = {}  # insertion-ordered set
        self.tags: dict[str, None] = {}
        if columns:
            # A score column the mapping names but the board lacks leaves every action "to score": say why
            # once, instead of letting a typo in a mapping file pass as a board nobody scored.
            names = mapping.field_names()
            for field in ("impact", "effort"):
                if field not in self.index:
                    looked = ", ".join(names.get(field, ())) or field
                    self.warnings.append(
                        f"no {field} column (looked for {looked}): {UNSCORED}; "
                        "rename the column or fix the mapping file"
                    )

    def has(self, field: str) -> bool:
        return field in self.index

    def learn_scales(self, rows: Sequence[Sequence[object]] | Sequence[dict[str, Any]]) -> None:
        """Each score column's scale (``column_scales``), learnt before the rows are read: a column scored
        1–5 reads 4 as 8. ``rows``: cell lists, or a document's items."""
        self._scales, warnings = column_scales(self.mapping, self.index, self.columns, rows)
        self.warnings.extend(warnings)

    def _list(self, value: object) -> tuple[str, ...]:
        if value is None or value == "":
            return ()
        if isinstance(value, list | tuple):
            return tuple(part for part in (cell_text(item) for item in value) if part)
        text = value if type(value) is str else cell_text(value) or ""
        found = self._lists.get(text)
        if found is None:
            found = self._lists[text] = tuple(
                part for part in (piece.strip() for piece in self._split.split(text)) if part
            )
        return found

    def _status(self, value: object, warn: list[str]) -> Status:
        text = cell_text(value)
        if text is None:
            return Status.TODO
        if text in self._statuses:
            status = self._statuses[text]
        else:
            status = self._statuses[text] = self.mapping.status_of(text)
        if status is None:
            warn.append(_UNKNOWN_STATUS.format(text=text))
            return Status.TODO
        return status

    def unmatched_statuses(self) -> None:
        """When no status cell of the board means a status, one line naming them instead of one per row.

        Some cells matching and one not is a typo in that row: its own warning names the row. None matching
        is a board written in words moteur does not know: said once, with how to name them.
        """
        names = [text for text, status in self._statuses.items() if status is None]
        if not names or len(names) != len(self._statuses):
            return
        unknown = {_UNKNOWN_STATUS.format(text=text) for text in names}
        kept = [w for w in self.warnings if w[w.rfind(': status "') + 2 :] not in unknown]
        if len(self.warnings) - len(kept) > 1:  # one row's own line is already once
            self.warnings = [unmatched_warning("status", names), *kept]

    def _due(self, value: object, warn: list[str]) -> date | datetime | None:
        if value is None:  # no due column, or a short row
            return None
        if type(value) is str and value in self._dues:
            return self._dues[value]
        try:
            due = parse_file_due(value)
        except ValueError:
            warn.append(f'due "{cell_text(value)}" is not a date (2026-12-24 or 24/12/2026)')
            return None
        if type(value) is str:
            self._dues[value] = due
        return due

    def _ice(self, value: object, warn: list[str]) -> float | None:
        if cell_text(value) is None:
            return None
        number = parse_number(value)
        if number is None:
            warn.append(f'ice "{cell_text(value)}" is not a number')
        return number

    def _score(self, field: str, value: object, warn: list[str]) -> int | None:
        if value is None or value == "":
            return None
        cache = self._scores[field]
        key = value if isinstance(value, str) else None
        found = cache.get(key) if key is not None else None
        if found is None:
            found = parse_score(
                value,
                self.mapping.words,
                field=field,
                stars_factor=self.mapping.stars_factor,
                scale=self._scales.get(field, TEN),
            )
            if key is not None:
                cache[key] = found
        if found[1]:
            warn.append(found[1])
        return found[0]

    def _verdict(self, row: Sequence[object]) -> _Verdict:
        """Status, due, scores and annotations of a row, with the problems found, in warning order."""
        warn: list[str] = []
        status = self._status(row[self._at[3]], warn)
        due = self._due(row[self._at[7]], warn)
        impact = self._score("impact", row[self._at[10]], warn)
        effort = self._score("effort", row[self._at[11]], warn)
        confidence = self._score("confidence", row[self._at[12]], warn)
        # Annotations are frozen and repeat ("Quick win", "Sprint 2"), so equal ones share one instance.
        written = (
            cell_text(row[self._at[13]]),
            cell_text(row[self._at[14]]),
            self._ice(row[self._at[15]], warn),
        )
        annotations = self._annotations.get(written)
        if annotations is None:
            annotations = self._annotations[written] = _new_annotations(
                {"quadrant": written[0], "sprint": written[1], "ice": written[2]}
            )
        return status, due, impact, effort, confidence, annotations, tuple(warn)

    def _labels(self, row: Sequence[object]) -> _Labels:
        """Bucket, objective, channel, assignees and tags of a row."""
        at = self._at
        return (
            cell_text(row[at[4]]),
            cell_text(row[at[5]]),
            cell_text(row[at[6]]),
            self._list(row[at[8]]),
            self._list(row[at[9]]),
        )

    def read(
        self, number: int, cells: Sequence[object], version: str, absent: frozenset[int] = frozenset()
    ) -> Action | None:
        """The Action of row ``number``, or None (with a warning) when the row has no title.

        ``absent`` lists columns the row does not have at all (a JSON object without that key), which
        ``extra`` leaves out rather than recording as None.
        """
        size = len(cells)
        # Pad to the header's width plus one None, so a field without a column (index -1) reads None
        # and a short row reads None past its end, without a bounds check per field.
        row = [*cells, *self._padding[size:]] if size < self._width else [*cells, None]
        title = cell_text(row[self._at[1]])
        if title is None:
            if any(cell_text(cell) for cell in cells):
                self.warnings.append(f"row {number}: no title; skipped")
            return None
        item = self.ids.next_id(cell_text(row[self._at[0]]), title)
        if self.text_cells:
            # Every cell is text, so equal cells read the same: each distinct group is parsed once.
            verdict_cells, label_cells = self._verdict_cells(row), self._label_cells(row)
            verdict = self._verdicts.get(verdict_cells)
            if verdict is None:
                verdict = self._verdicts[verdict_cells] = self._verdict(row)
            labels = self._label_groups.get(label_cells)
            if labels is None:
                labels = self._label_groups[label_cells] = self._labels(row)
        else:
            verdict, labels = self._verdict(row), self._labels(row)
        status, due, impact, effort, confidence, annotations, problems = verdict
        bucket, objective, channel, assignees, tags = labels
        if bucket is not None:
            self.buckets[bucket] = None
        for tag in tags:
            self.tags[tag] = None
        extra: dict[str, Any] = {}
        if self._extra:
            # A CSV row shorter than the header has empty cells, not absent ones: a write that pads the row
            # must not change what it reads as.
            extra = {name: row[index] if index < size else "" for index, name in self._extra}
            if absent:
                extra = {name: value for name, value in extra.items() if self._extra_at[name] not in absent}
        for index in range(self._width, size):
            extra[f"column {index + 1}"] = cells[index]
        ref = _new_ref({"tool": Tool.FILE, "board": self.board, "item": item, "url": None})
        action = _new_action(
            {
                "ref": ref,
                "title": title,
                "description": cell_text(row[self._at[2]]) or "",
                "status": status,
                "archived_done": False,  # one status cell: archived or done, never both
                "bucket": bucket,
                "tags": tags,
                "assignees": assignees,
                "due": due,
                "created_at": None,
                "updated_at": None,
                "impact": impact,
                "effort": effort,
                "confidence": confidence,
                "objective": objective,
                "channel": channel,
                "checklist": (),
                "comments": (),
                "annotations": annotations,
                "version": version,
                "completed_at": None,  # a file does not say when an action was done
                "extra": extra,
                "scales": read_on(
                    self._scales, {"impact": impact, "effort": effort, "confidence": confidence}
                )
                if self._scales
                else {},
            },
        )
        if problems:
            self.warnings.extend(f'row {number} ("{title}"): {problem}' for problem in problems)
        return action
