"""The ``file:`` connector: a CSV/JSON/YAML action plan as a board (see ``connectors/files``).

Every managed field is a column (``quadrant``, ``sprint``, ``ice`` by default, per the mapping). All of a
run's changes to one file land in one atomic replace, so a crash leaves the old file or the new one.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from moteur.connectors.base import columns_writeback
from moteur.connectors.file_migration import FileMigration
from moteur.connectors.files import FileBoard
from moteur.connectors.migration import Capabilities
from moteur.core.errors import MoteurError
from moteur.core.model import BoardRef, ItemRef, Snapshot, Tool
from moteur.core.ops import ItemOp, Landed, MigrationOp, OpResult, SchemaOp
from moteur.core.plan import WriteBack
from moteur.mappings.loader import load_mapping
from moteur.mappings.schema import BoardMapping

if TYPE_CHECKING:
    from moteur.settings import Settings


class FileConnector:
    tool = Tool.FILE

    def __init__(self, settings: Settings) -> None:
        override = settings.mappings.get("file")
        self.mapping: BoardMapping = load_mapping(Tool.FILE, Path(override) if override else None)
        self.language = settings.language
        self._boards: dict[BoardRef, FileBoard] = {}

    def _board(self, ref: BoardRef) -> FileBoard:
        if ref not in self._boards:
            self._boards[ref] = FileBoard(Path(ref.board), self.mapping)
        return self._boards[ref]

    def read(self, board: BoardRef) -> Snapshot:
        return self._board(board).read()

    def writeback(self, snapshot: Snapshot) -> WriteBack:
        return columns_writeback(self.mapping, self.language)

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

    # -- migration (``connectors/migration.py``): delegated to ``file_migration`` --------------------------

    def capabilities(self, board: BoardRef | None = None, *, workspace: str | None = None) -> Capabilities:
        return FileMigration(self.mapping).capabilities(board, workspace=workspace)

    def read_full(self, board: BoardRef, *, include_archived: bool = False) -> Snapshot:
        return FileMigration(self.mapping).read_full(board, include_archived=include_archived)

    def create_board(self, name: str, workspace: str | None = None) -> BoardRef:
        return FileMigration(self.mapping).create_board(name, workspace)

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
        return FileMigration(self.mapping).apply_migration(
            snapshot, ops, targets, on_created=on_created, progress=progress
        )

    def request_count(self) -> int:
        return 0

    def close(self) -> None:
        self._boards.clear()
