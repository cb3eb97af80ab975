"""The ``file:`` connector: a CSV/JSON/YAML action plan as a board (``board``), a migration's source or
target (``migration``).

Every managed field is a column (``quadrant``, ``sprint``, ``ice`` by default, per the mapping). All of a
run's changes to one file land in one atomic replace, so a crash leaves the old file or the new one.

A JSON file that is a Trello "Export as JSON" (``trello_export``) is read as the Trello board it was, with
the user's Trello mapping (``mappings.trello``, as a live board), by the reader ``migrate`` uses (one
``TrelloExports`` for both): a card gets the status it has on the live board (and, as in a read of the
live board, archived cards are left out; cards of archived lists are read as archived).
It is read-only: ``read_only`` says why, ``sync`` asks it before it locks the file and refuses, since the
board to change is the Trello board itself; the snapshot's native state carries the same words (``read_only``)
and a warning, and its write-back skips every field, so a dry-run plans but lists no change.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from moteur.connectors.columns import columns_writeback
from moteur.connectors.files.board import FileBoard
from moteur.connectors.files.migration import FileMigration
from moteur.connectors.files.native import FileNative
from moteur.connectors.files.trello_export import TrelloExports, trello_export_at
from moteur.core.checks import Check
from moteur.core.diff import WriteBack
from moteur.core.errors import MoteurError
from moteur.core.model import BoardRef, ItemRef, Snapshot, Tool
from moteur.core.ops import ItemOp, Landed, MigrationOp, OpResult, SchemaOp
from moteur.core.phrase import Phrase
from moteur.core.ports import Capabilities, Connector, ToolDescription
from moteur.i18n import ngettext
from moteur.mappings.loader import load_mapping
from moteur.mappings.schema import BoardMapping

if TYPE_CHECKING:
    from moteur.settings import Settings


class FileConnector(Connector):
    tool = Tool.FILE
    native_model = FileNative

    def __init__(self, settings: Settings) -> None:
        override = settings.mappings.get("file")
        self.mapping: BoardMapping = load_mapping(Tool.FILE, Path(override) if override else None)
        trello = settings.mappings.get("trello")
        self.exports = TrelloExports(Path(trello) if trello else None)  # the user's Trello mapping
        self.migration = FileMigration(self.mapping, self.exports)
        self.language = settings.language
        self._boards: dict[BoardRef, FileBoard] = {}

    def _board(self, ref: BoardRef) -> FileBoard:
        if ref not in self._boards:
            self._boards[ref] = FileBoard(Path(ref.board), self.mapping)
        return self._boards[ref]

    @classmethod
    def describe(cls) -> ToolDescription:
        return ToolDescription(
            tool=Tool.FILE,
            name="file",
            board="file",
            bucket="status",
            item="row",
            batch_size=None,  # every change of a run in one atomic replace of the file
            rate_limit="",
            incremental=False,
        )

    def mapped_with(self) -> object:
        return self.mapping.model_dump(mode="json")

    def read(self, board: BoardRef) -> Snapshot:
        path = Path(board.board)
        export = trello_export_at(path)
        if export is None:
            return self._board(board).read()
        snapshot = self.exports.read(path, export)
        # As a read of the live board: its open cards, those of archived lists included (read as archived).
        closed = {str(c.get("id")) for c in export["cards"] if isinstance(c, dict) and c.get("closed")}
        actions = tuple(a for a in snapshot.actions if a.ref.item not in closed)
        why = _read_only(export)
        board_id = export.get("id") or "<board id>"
        said = (
            f"a Trello export, which moteur only reads: nothing is written; sync trello:{board_id} to write"
        )
        warnings = (*snapshot.warnings, said)
        native = FileNative(format="trello-export", read_only=why).dump()
        update = {"board": board, "actions": actions, "native": native, "warnings": warnings}
        return snapshot.model_copy(update=update)

    def read_only(self, board: BoardRef) -> str | None:
        """Why ``board`` may not be written (a Trello export), or None: asked before a sync locks it."""
        export = trello_export_at(Path(board.board))
        return None if export is None else _read_only(export)

    def writeback(self, snapshot: Snapshot) -> WriteBack:
        columns = columns_writeback(self.mapping, self.language)
        state = FileNative.of_read(snapshot)
        if state is not None and state.read_only:
            # A dry-run of a Trello export plans, but lists no change: ``sync`` would write none.
            return replace(columns, skip=frozenset(columns.targets))
        return columns

    def apply(
        self,
        snapshot: Snapshot,
        schema_ops: Sequence[SchemaOp],
        item_ops: Sequence[ItemOp],
        progress: Landed | None = None,
    ) -> list[OpResult]:
        # Columns are added by the write itself: schema ops succeed with it.
        updates: dict[str, dict[str, str | None]] = {}
        for op in item_ops:
            updates.setdefault(op.item.item, {})[op.field] = op.after
        try:
            self._board(snapshot.board).write_annotations(updates)
        except MoteurError as exc:
            return [OpResult(op, False, str(exc)) for op in (*schema_ops, *item_ops)]
        results = [OpResult(op, True) for op in (*schema_ops, *item_ops)]
        if progress is not None:
            progress(results)  # one atomic replace of the file: every op landed at once
        return results

    # -- migration (``connectors/migration.py``): delegated to ``migration`` -------------------------------

    def capabilities(self, target: Snapshot | None = None, *, workspace: str | None = None) -> Capabilities:
        return self.migration.capabilities(target, workspace=workspace)

    def read_full(self, board: BoardRef, *, include_archived: bool = False) -> Snapshot:
        return self.migration.read_full(board, include_archived=include_archived)

    def create_board(self, name: str, workspace: str | None = None) -> BoardRef:
        return self.migration.create_board(name, workspace)

    def apply_migration(
        self,
        snapshot: Snapshot,
        ops: Sequence[MigrationOp],
        targets: MutableMapping[str, ItemRef],
        *,
        on_created: Callable[[str, ItemRef], None],
        progress: Callable[[int], None] | None = None,
    ) -> list[OpResult]:
        self._boards.pop(snapshot.board, None)  # the file changes: a later read must not reuse a parse
        return self.migration.apply_migration(
            snapshot, ops, targets, on_created=on_created, progress=progress
        )

    # -- account: a file has none; the doctor checks each one can be read -------------------------------

    def check_access(self, boards: Sequence[BoardRef]) -> list[Check]:
        checks = []
        for ref in boards:
            path = Path(ref.board)
            name = Phrase("{board} readable", board=str(ref))
            if path.is_file():
                size = path.stat().st_size
                unit = ngettext("byte", "bytes", size)  # outside the f-string, where the extractor sees it
                checks.append(Check(name, True, f"{size} {unit}"))
            else:
                fix = Phrase("fix the path in `boards`")
                checks.append(Check(name, False, Phrase("{path} not found", path=str(path)), fix))
        return checks

    def close(self) -> None:
        self._boards.clear()


def _read_only(export: dict[str, object]) -> str:
    board = f"trello:{export.get('id') or '<board id>'}"
    return f"is a Trello export, which moteur only reads: sync the Trello board itself ({board}) instead"
