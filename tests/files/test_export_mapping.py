"""A Trello "Export as JSON" named as a file board is read with the user's Trello mapping
(``mappings.trello``) by ``migrate`` as by ``plan``: a list the user's mapping gives another status carries
that status into the migrated file, as ``plan`` shows it. The export is the built board of
``tests/boards/built.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from boards.built import built_board
from boards.test_real_boards import _statuses_in_csv

from files.conftest import Run

TODAY = "--today=2026-06-01"


def _plan_statuses(run: Run) -> dict[str, str]:
    result = run("plan", "file:export.json", TODAY, "--json")
    assert result.code == 0, result.err
    return {a["id"]: a["status"] for a in json.loads(result.out)["actions"]}


@pytest.mark.parametrize("user_mapping", [False, True], ids=["default mapping", "user mapping"])
def test_migrate_reads_an_export_with_the_users_trello_mapping_as_plan_does(
    workdir: Path, run: Run, user_mapping: bool
) -> None:
    (workdir / "export.json").write_text(json.dumps(built_board(), ensure_ascii=False), encoding="utf-8")
    if user_mapping:  # "Backlog 📥" is started work for this team
        (workdir / "trello.yaml").write_text("tool: trello\nstatuses:\n  backlog: doing\n", encoding="utf-8")
        (workdir / "moteur.toml").write_text('mappings = { trello = "trello.yaml" }\n', encoding="utf-8")
    planned = _plan_statuses(run)
    backlog = "doing" if user_mapping else "todo"
    assert list(planned.values()).count(backlog) >= 5  # the backlog's cards, and the "En cours…" ones
    assert ("todo" in planned.values()) is not user_mapping
    migrated = run("migrate", "file:export.json", "file:out.csv")
    assert migrated.code == 0, migrated.err
    open_cards = {card: status for card, status in planned.items() if status != "archived"}
    assert _statuses_in_csv(workdir / "out.csv") == open_cards  # archived ones are left out without a flag
