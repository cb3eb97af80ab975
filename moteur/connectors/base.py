"""The Connector protocol: the small surface every tool adapter offers, and the registry that opens one.

A *connector* reads one board into a ``Snapshot``, says where moteur's results go on it (``writeback``), and
applies a ``Plan``'s ops with as few requests as its API allows, reporting one ``OpResult`` per op.
Pagination, auth and batching stay private to each connector.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from moteur.core.errors import UsageError
from moteur.core.model import BoardRef, Snapshot, Tool
from moteur.core.ops import ItemOp, Landed, OpResult, SchemaOp, Target
from moteur.core.plan import WriteBack
from moteur.core.policy import Language
from moteur.mappings.schema import BoardMapping

if TYPE_CHECKING:
    from moteur.settings import Settings


class Connector(Protocol):
    tool: Tool

    def read(self, board: BoardRef) -> Snapshot: ...

    def writeback(self, snapshot: Snapshot) -> WriteBack: ...

    def apply(
        self,
        snapshot: Snapshot,
        schema_ops: Sequence[SchemaOp],
        item_ops: Sequence[ItemOp],
        progress: Landed | None = None,  # each op's result as soon as it is known (``core.ops.Landed``)
    ) -> list[OpResult]: ...

    def request_count(self) -> int: ...

    def close(self) -> None: ...


def columns_writeback(mapping: BoardMapping, language: Language) -> WriteBack:
    """Every managed field in a column/field named by the mapping (a file board, a monday board)."""
    targets = mapping.writeback.targets()
    return WriteBack(
        targets={name: Target.FIELD for name in targets},
        language=language,
        field_names={name: t.name or name for name, t in targets.items()},
    )


def open_connector(ref: BoardRef, settings: Settings) -> Connector:
    """The connector for ``ref``'s tool, configured from ``settings``."""
    if ref.tool is Tool.FILE:
        from moteur.connectors.file_connector import FileConnector

        connector: Connector = FileConnector(settings)
        return connector
    if ref.tool is Tool.TRELLO:
        from moteur.connectors.trello import TrelloConnector

        trello: Connector = TrelloConnector(settings)
        return trello
    if ref.tool is Tool.ASANA:
        from moteur.connectors.asana import AsanaConnector

        asana: Connector = AsanaConnector(settings)
        return asana
    if ref.tool is Tool.MONDAY:
        from moteur.connectors.monday import MondayConnector

        monday: Connector = MondayConnector(settings)
        return monday
    raise UsageError(
        f"the {ref.tool.value} connector is not available yet in this version",
        hint="use a file: board for now",
    )
