"""A migration's ``EnsureTag`` ops on monday.com: the tags' colours on the Tags column's description
(``label_colours`` says why there and in what form).

The colours ride in the ``create_column`` that makes the Tags column (``MondayMigrator.ensure_columns`` gives
it ``column_description``), so a new board costs no request for them. A board whose Tags column holds other
colours gets one ``change_column_metadata`` (the colours it holds for tags the run does not name are kept).
The dropdown labels themselves are made by the item writes that use them (``create_labels_if_missing``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from moteur.connectors.migration_loop import Ledger
from moteur.connectors.monday.errors import classify
from moteur.connectors.monday.label_colours import colours_of, with_colours
from moteur.connectors.monday.migration_columns import role_columns
from moteur.connectors.monday.transport import MondayTransport
from moteur.core.errors import MoteurError, RemoteError
from moteur.core.ops import EnsureTag, MigrationOp
from moteur.mappings.schema import BoardMapping

CHANGE_DESCRIPTION = """
mutation ChangeColumnDescription($board: ID!, $column: String!, $value: String!) {
  change_column_metadata(board_id: $board, column_id: $column, column_property: description, value: $value) {
    id
    description
  }
}
"""


class TargetBoard(Protocol):
    """What of the migrator (``migration.MondayMigrator``) the tags' colours use."""

    transport: MondayTransport
    mapping: BoardMapping
    board_id: str
    columns: list[dict[str, Any]]
    ledger: Ledger

    def ensure_columns(self, roles: set[str]) -> str | None: ...


def wanted_colours(ops: Sequence[MigrationOp]) -> dict[str, str | None]:
    """Tag name -> the colour the run gives it (its ``EnsureTag``)."""
    return {op.name: op.color for op in ops if isinstance(op, EnsureTag)}


def column_description(ops: Sequence[MigrationOp], role: str) -> str | None:
    """The description a new column of ``role`` is created with: the tags' colours for the Tags column."""
    colours = wanted_colours(ops)
    return with_colours(None, colours) if role == "tags" and colours else None


def apply_tag_colours(port: TargetBoard, ops: Sequence[MigrationOp], tick: Callable[[int], None]) -> None:
    """Every ``EnsureTag``: ok once the Tags column's description holds its colour."""
    tagged = [i for i, op in enumerate(ops) if isinstance(op, EnsureTag)]
    if not tagged:
        return
    try:
        _describe(port, wanted_colours(ops))
    except MoteurError as exc:
        for index in tagged:
            port.ledger.fail(index, str(exc))
    else:
        for index in tagged:
            port.ledger.succeed(index)
    tick(len(tagged))


def _describe(port: TargetBoard, colours: dict[str, str | None]) -> None:
    problem = port.ensure_columns({"tags"})  # no request when the item writes made it (with the colours)
    column = role_columns(port.mapping, port.columns).get("tags")
    if column is None:
        raise RemoteError(problem or "monday.com: no Tags column")
    have = str(column.get("description") or "")
    if all(colours_of(have).get(name, "?") == colour for name, colour in colours.items()):
        return
    wanted = with_colours(have, colours)
    variables = {"board": port.board_id, "column": str(column["id"]), "value": wanted}
    what = f'the description of column "{column.get("title")}"'
    answer = port.transport.send(CHANGE_DESCRIPTION, variables, what=what, idempotent=True)
    if answer.problems:
        raise classify(answer.problems[0], f"{what} on board {port.board_id}")
    column["description"] = wanted
