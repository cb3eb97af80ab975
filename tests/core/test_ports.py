"""The connector interface's defaults (``core/ports.py``): what a tool that implements only the required
parts offers, so that no caller needs to ask whether a connector has a method."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import pytest
from pydantic import Field

from moteur.core.diff import WriteBack
from moteur.core.errors import UsageError
from moteur.core.model import BoardRef, Bucket, Snapshot, Tool
from moteur.core.native import Kept, NativeState
from moteur.core.ops import ItemOp, Landed, OpResult, SchemaOp
from moteur.core.ports import Connector, ToolDescription

REF = BoardRef(tool=Tool.FILE, board="plan.csv")


class Sheet(Connector):
    """A tool with the required parts only: a board it reads, results it cannot write."""

    tool = Tool.FILE

    @classmethod
    def describe(cls) -> ToolDescription:
        return ToolDescription(
            tool=Tool.FILE,
            name="sheet",
            board="sheet",
            bucket="status",
            item="row",
            batch_size=None,
            rate_limit="",
            incremental=False,
        )

    def read(self, board: BoardRef) -> Snapshot:
        return Snapshot(board=board, name="Plan")

    def writeback(self, snapshot: Snapshot) -> WriteBack:
        return WriteBack(targets={})

    def apply(
        self,
        snapshot: Snapshot,
        schema_ops: Sequence[SchemaOp],
        item_ops: Sequence[ItemOp],
        progress: Landed | None = None,
    ) -> list[OpResult]:
        return [OpResult(op, False, "read-only") for op in (*schema_ops, *item_ops)]


def test_the_optional_parts_default_to_a_tool_that_can_say_nothing_more() -> None:
    sheet = Sheet()
    snapshot = sheet.read(REF)
    assert sheet.request_count() == sheet.retried_count() == 0 and sheet.close() is None
    assert sheet.estimate((), ()) is None and sheet.mapped_with() is None
    assert sheet.cursor_of(REF) is None and sheet.read_changes(REF, snapshot, "c") is None
    assert sheet.feed_worth_reading(10, 10)
    assert sheet.reachable_boards() == [] and sheet.read_only(REF) is None
    assert sheet.canonical_board(REF) == REF and sheet.done_days(REF, snapshot) is None


@pytest.mark.parametrize("call", ["capabilities", "read_full", "create_board", "apply_migration"])
def test_a_tool_that_cannot_migrate_refuses_with_one_line_naming_it(call: str) -> None:
    sheet = Sheet()
    calls = {
        "capabilities": lambda: sheet.capabilities(sheet.read(REF)),
        "read_full": lambda: sheet.read_full(REF),
        "create_board": lambda: sheet.create_board("Plan"),
        "apply_migration": lambda: sheet.apply_migration(
            sheet.read(REF), [], {}, on_created=lambda key, ref: None
        ),
    }
    with pytest.raises(UsageError, match="the file connector cannot migrate yet") as caught:
        calls[call]()
    assert caught.value.hint == "migrate through a file: board meanwhile"


def test_merge_and_board_kept_follow_what_the_connector_says_is_the_items() -> None:
    class CardsState(NativeState):
        labels: tuple[str, ...] = ()
        card_labels: Annotated[dict[str, list[str]], Kept.PER_ITEM] = Field(default_factory=dict)

    class Cards(Sheet):
        native_model = CardsState

    cached = Snapshot(
        board=REF,
        name="Plan",
        buckets=(Bucket(id="1", name="To do"),),
        native={"labels": ["Quick win"], "card_labels": {"a": ["l1"], "b": ["l2"]}},
    )
    fresh = cached.model_copy(update={"native": {"labels": ["Quick win"], "card_labels": {"b": ["l3"]}}})
    cards = Cards()
    assert cards.board_kept(cached, fresh)  # card labels are the cards', not the board's
    assert not Sheet().board_kept(cached, fresh)  # read as a board-level part, it changed
    merged = cards.merge(cached, fresh, changed=["b"])
    assert CardsState.of(merged).card_labels == {"a": ["l1"], "b": ["l3"]}
