"""Write-back to columns: where a board that holds every managed field as a named column (a file, a monday
board) takes moteur's results."""

from __future__ import annotations

from moteur.core.diff import WriteBack
from moteur.core.ops import Placement
from moteur.core.policy import Language
from moteur.mappings.schema import BoardMapping


def columns_writeback(mapping: BoardMapping, language: Language) -> WriteBack:
    """Every managed field in a column/field named by the mapping (a file board, a monday board)."""
    targets = mapping.writeback.targets()
    return WriteBack(
        targets={name: Placement.FIELD for name in targets},
        language=language,
        field_names={name: t.name or name for name, t in targets.items()},
    )
