"""From a raw monday.com board to a ``Snapshot``: each item mapped to an ``Action`` through ``monday.yaml``.

Terms:

- *Role*: the Action field a column feeds, found by the column's title through the mapping's names
  (``Statut`` → status, ``Échéance`` → due, ``Impact`` → impact, ``Quadrant`` → the quadrant annotation…).
  A column without a role is kept in ``Action.extra`` as ``column:<title>`` → its text.
- The item's name is the title, its group the bucket, its ``updated_at`` the version. An archived item is
  ``archived`` (and done or not by its status label: ``Action.archived_done``); otherwise the status its
  status label means (``BoardMapping.status_of``: ``Done 🎉``, ``✅ Fait``…; else todo). When no label on
  the board means a status, the snapshot says which labels were read as to-do, once.
- Scores come from numbers columns (or text / status labels holding a word) through ``parse_score``; a
  rating column (1–5 stars) counts ``stars_factor`` points per star. A score column's *scale*
  (``core/scales``): the mapping's, else a status or dropdown column's numeric labels, else guessed from the
  numbers the items hold (with a warning); ``known_scales`` keeps an incremental read's guess from shrinking.
- *Native*: what the writer needs and core must not see: the board id, its columns (id, title, type), the
  guessed scales.

An item whose JSON is malformed (wrong types, missing id or name) is skipped with a warning. A user's
``--mapping`` that names a column or status word the board does not have stops the read (``mappings/check``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from moteur.connectors.malformed import well_formed
from moteur.connectors.monday import columns
from moteur.connectors.monday.custom_fields import options_of
from moteur.connectors.monday.native import MondayColumn, MondayNative
from moteur.connectors.monday.reader import RawBoard
from moteur.core.model import Action, Annotations, BoardRef, Bucket, ItemRef, Snapshot, Status, Tool
from moteur.core.names import unmatched_warning
from moteur.core.scales import TEN, Scale
from moteur.mappings.check import check_names
from moteur.mappings.schema import BoardMapping, fold
from moteur.mappings.scores import guessed_tops, parse_number, parse_score, read_on, score_scales

SCORES = ("impact", "effort", "confidence")
# Roles read from columns; title and bucket are the item's own name and group.
COLUMN_ROLES = (
    "description",
    "status",
    "objective",
    "channel",
    "due",
    "assignees",
    "tags",
    *SCORES,
    "quadrant",
    "sprint",
    "ice",
)


def _datetime(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _one(value: object) -> str | None:
    """A single text out of a cell's meaning (the first label of a dropdown)."""
    if isinstance(value, tuple):
        return str(value[0]) if value else None
    if value is None:
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _joined(value: object) -> str | None:
    """A dropdown's labels as one text ("Sprint 3"); other cells as ``_one`` reads them."""
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or None
    return _one(value)


class BoardMapper:
    """Maps the items of one raw board; built once per read (it indexes columns and groups)."""

    def __init__(
        self,
        raw: RawBoard,
        ref: BoardRef,
        mapping: BoardMapping,
        known_scales: dict[str, int] | None = None,
    ) -> None:
        self.raw, self.ref, self.mapping = raw, ref, mapping
        self.groups = {str(g.get("id")): str(g.get("title", "")) for g in raw.groups}
        self.columns = {str(c.get("id")): c for c in raw.columns}
        by_title = mapping.column_for([str(c.get("title", "")) for c in raw.columns])
        role_by_title = {fold(title): role for role, title in by_title.items() if role in COLUMN_ROLES}
        self.role_of: dict[str, str] = {}  # column id -> role
        for column in raw.columns:
            role = role_by_title.get(fold(str(column.get("title", ""))))
            if role is not None:
                self.role_of[str(column.get("id"))] = role
        self.warnings: list[str] = list(raw.warnings)
        self.labels_read: dict[str, Status | None] = {}  # status label -> the status it means
        self.scales = self._scales(known_scales or {})

    def _scales(self, known: dict[str, int]) -> dict[str, Scale]:
        """Each score column's scale (``score_scales``): a status or dropdown column's labels, else the
        numbers its items hold. Rating columns are stars, read with ``stars_factor``."""
        values: dict[str, list[object]] = {}
        options: dict[str, list[object]] = {}
        names: dict[str, str] = {}
        for column_id, role in self.role_of.items():
            column = self.columns[column_id]
            if role not in SCORES or role in names or column.get("type") == "rating":
                continue
            names[role] = str(column.get("title", ""))
            if column.get("type") in ("status", "dropdown"):
                options[role] = list(options_of(column))
                continue
            found = values.setdefault(role, [])
            for item in self.raw.items:
                cells = item.get("column_values") if isinstance(item, dict) else None
                for cell in cells or []:
                    if isinstance(cell, dict) and str(cell.get("id")) == column_id:
                        found.append(columns.parse(cell))
        scales, warnings = score_scales(self.mapping, values, options=options, names=names, known=known)
        self.warnings.extend(warnings)
        return scales

    def _status(self, item: dict[str, Any], text: str | None) -> Status:
        if item.get("state") == "archived":
            return Status.ARCHIVED
        if not text:
            return Status.TODO
        if text not in self.labels_read:
            self.labels_read[text] = self.mapping.status_of(text)
        return self.labels_read[text] or Status.TODO

    def _label_done(self, text: str | None) -> bool:
        """Whether an archived item's status label means done (``Action.archived_done``)."""
        return bool(text) and self.mapping.status_of(text) is Status.DONE

    def _score_input(self, column_id: str, value: object) -> object:
        if self.columns.get(column_id, {}).get("type") == "rating" and isinstance(value, float):
            return value * self.mapping.stars_factor
        return _one(value) if isinstance(value, tuple) else value

    def action(self, item: dict[str, Any]) -> Action:
        item_id, title = item["id"], item["name"]
        if not isinstance(item_id, str) or not isinstance(title, str):
            raise TypeError("id and name must be strings")
        values: dict[str, object] = {}
        score_inputs: dict[str, object] = {}
        extra: dict[str, Any] = {}
        for cell in item.get("column_values") or []:
            column_id = str(cell["id"])
            value = columns.parse(cell)
            role = self.role_of.get(column_id)
            if role in SCORES:
                score_inputs[role] = self._score_input(column_id, value)
            elif role is not None:
                values[role] = value
            elif value not in (None, ()):
                name = str(self.columns.get(column_id, {}).get("title", column_id))
                extra[f"column:{name}"] = cell.get("text")
        scores: dict[str, int | None] = {}
        for role in SCORES:
            score, warning = parse_score(
                score_inputs.get(role),
                self.mapping.words,
                field=role,
                stars_factor=self.mapping.stars_factor,
                scale=self.scales.get(role, TEN),
            )
            scores[role] = score
            if warning:
                self.warnings.append(f'item "{title}": {warning}')
        group = item.get("group")
        bucket = self.groups.get(str(group.get("id"))) if isinstance(group, dict) else None
        tags, assignees = values.get("tags"), values.get("assignees")
        due = values.get("due")
        label = _one(values.get("status"))
        status = self._status(item, label)
        return Action(
            ref=ItemRef(tool=Tool.MONDAY, board=self.ref.board, item=item_id, url=item.get("url")),
            title=title,
            description=_one(values.get("description")) or "",
            status=status,
            archived_done=status is Status.ARCHIVED and self._label_done(label),
            bucket=bucket,
            tags=tags if isinstance(tags, tuple) else tuple(columns.split_labels(str(tags or ""))),
            assignees=assignees if isinstance(assignees, tuple) else (),
            due=due if not isinstance(due, str) else columns.parse_date_text(due),
            created_at=_datetime(item.get("created_at")),
            updated_at=_datetime(item.get("updated_at")),
            impact=scores["impact"],
            effort=scores["effort"],
            confidence=scores["confidence"],
            objective=_one(values.get("objective")),
            channel=_one(values.get("channel")),
            annotations=Annotations(
                quadrant=_one(values.get("quadrant")),
                sprint=_joined(values.get("sprint")),
                ice=parse_number(_one(values.get("ice"))),
            ),
            version=str(item["updated_at"]) if item.get("updated_at") else None,
            extra=extra,
            scales=read_on(self.scales, scores),
        )

    def _status_column(self) -> dict[str, Any] | None:
        column_id = next((cid for cid, role in self.role_of.items() if role == "status"), None)
        return self.columns.get(column_id) if column_id is not None else None

    def check_mapping(self) -> None:
        """Stop (``ConfigError``) when the user's mapping names a column or status word this board lacks."""
        status = self._status_column()
        names = [*(options_of(status) if status is not None else ()), *self.groups.values()]
        titles = [str(c.get("title", "")) for c in self.raw.columns]
        check_names(self.mapping, str(self.ref), fields=titles, statuses=names)

    def _unmatched(self) -> None:
        """Say once when no status label read means a status: every item is then read as to-do."""
        if self.labels_read and all(status is None for status in self.labels_read.values()):
            self.warnings.append(unmatched_warning("status label", self.labels_read))

    def snapshot(self) -> Snapshot:
        self.check_mapping()
        actions: list[Action] = []
        for _, action in well_formed(
            self.raw.items, self.action, noun="item", id_key="id", warnings=self.warnings
        ):
            actions.append(action)
        self._unmatched()
        board = self.raw.board
        native = MondayNative(
            board_id=str(board.get("id", self.ref.board)),
            columns=tuple(
                MondayColumn(id=str(c.get("id")), title=str(c.get("title", "")), type=str(c.get("type", "")))
                for c in self.raw.columns
            ),
            pages=self.raw.pages,
            scales=guessed_tops(self.scales),
        )
        return Snapshot(
            board=self.ref,
            name=str(board.get("name", self.ref.board)),
            buckets=tuple(
                Bucket(id=str(g.get("id")), name=str(g.get("title", "")), closed=bool(g.get("archived")))
                for g in self.raw.groups
            ),
            actions=tuple(actions),
            fields=tuple(str(c.get("title", "")) for c in self.raw.columns),
            warnings=tuple(self.warnings),
            native=native.dump(),
        )


def to_snapshot(
    raw: RawBoard, ref: BoardRef, mapping: BoardMapping, known_scales: dict[str, int] | None = None
) -> Snapshot:
    """The snapshot of a raw board; ``known_scales``: the guessed scales of the read this one updates."""
    return BoardMapper(raw, ref, mapping, known_scales).snapshot()
