"""The order of the suite under ``-n`` (pytest-xdist): the longest tests first.

Each worker starts on its half of the collection, and an idle worker takes over half of what another has left
(``--dist worksteal``, pyproject's ``addopts``). A long test collected last would still start last, and run on
alone after every other test had ended. So the modules whose tests take longest — a process of their own,
real waits, a quarter of syncs, thousands of items — are collected first, longest first, each module's own
order kept (module-scoped fixtures stay shared). ``docs/testing.md`` says how the list was measured;
``tests/test_suite_order.py`` checks that each entry still names a module.
"""

from __future__ import annotations

import pytest

LONGEST_FIRST = (
    "tests/test_wheel.py",
    "tests/soak/test_crash.py",
    "tests/review/test_review_quarter.py",
    "tests/journal/test_interrupts.py",
    "tests/migration/test_resume_end_state.py",
    "tests/history/test_quarter.py",
    "tests/incremental/test_contract.py",
    "tests/cli/test_walkthrough.py",
    "tests/connectors/test_monday.py",
    "tests/migration/test_roundtrips.py",
    "tests/cli/test_schedule_recipes.py",
    "tests/review/test_review_page.py",
    "tests/test_benchmarks_smoke.py",
    "tests/test_secrets.py",
    "tests/core/test_planning.py",
    "tests/migration/test_command.py",
    "tests/core/test_sync_machine.py",
    "tests/journal/test_rollback.py",
    "tests/journal/test_shared_run.py",
)


def longest_first(items: list[pytest.Item]) -> None:
    """Sort ``items`` in place: the modules of ``LONGEST_FIRST`` in its order, then the rest as collected."""
    rank = {module: place for place, module in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))  # stable
