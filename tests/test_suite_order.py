"""The suite's order for ``-n`` (``tests/suite_order.py``): every module it puts first exists,
so that a module moved or renamed is not silently sent back to its place in the collection."""

from __future__ import annotations

from pathlib import Path

from suite_order import LONGEST_FIRST

REPO = Path(__file__).resolve().parents[1]


def test_each_module_collected_first_exists() -> None:
    assert [module for module in LONGEST_FIRST if not (REPO / module).is_file()] == []
    assert len(set(LONGEST_FIRST)) == len(LONGEST_FIRST)
