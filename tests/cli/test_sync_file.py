"""``moteur sync`` on a CSV board, end to end: dry-run, sync, no-op rerun, pins, rollback, lock."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from moteur.engine.state import StateStore

Run = Any

TODAY = "--today=2026-12-01"
# moteur's sprint label, with or without the sprint's first day after it (``core/labels``).
SPRINT_1 = r"Sprint 1(?: · \d{4}-\d{2}-\d{2})?"
WEBINAR_ROW = re.compile(
    r'a1;Webinar SEO;8;3;7;leads;webinar;2026-12-18;à faire;garder "ceci";Quick win;' + SPRINT_1 + ";448\n"
)


def test_dry_run_leaves_the_file_byte_for_byte_unchanged(workdir: Path, run: Run) -> None:
    before = (workdir / "plan.csv").read_bytes()
    result = run("sync", "file:plan.csv", TODAY, "--dry-run", "--detailed-exitcode")
    assert result.code == 4
    assert (workdir / "plan.csv").read_bytes() == before
    summary = "Plan: 3 to create, 5 actions to update (12 field changes), 0 to remove, 0 conflicts."
    assert summary in result.out
    assert '~ quadrant = (none) -> "Quick win"' in result.out


def test_sync_writes_then_a_second_dry_run_has_no_changes(workdir: Path, run: Run) -> None:
    assert run("sync", "file:plan.csv", TODAY).code == 0
    text = (workdir / "plan.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0].endswith(";notes;quadrant;sprint;ice")
    assert WEBINAR_ROW.search(text)
    again = run("sync", "file:plan.csv", TODAY, "--dry-run", "--detailed-exitcode")
    assert again.code == 0
    assert "No changes." in again.out


def test_a_hand_edited_sprint_survives_the_next_sync(workdir: Path, run: Run) -> None:
    run("sync", "file:plan.csv", TODAY)
    path = workdir / "plan.csv"
    edited, count = re.subn(
        "(Post LinkedIn;4;2;;notoriété;social;;à faire;;Fill-in;)Sprint 1",
        r"\g<1>Sprint 5",
        path.read_text(encoding="utf-8"),
    )
    assert count == 1
    path.write_text(edited, encoding="utf-8")
    pinned = re.search("Fill-in;(Sprint 5[^;]*);", edited)
    assert pinned is not None
    result = run("sync", "file:plan.csv", TODAY, "--json")
    payload = json.loads(result.out)
    assert [p["sprint"] for p in payload["pinned"]] == [pinned.group(1)]
    assert f"Fill-in;{pinned.group(1)};" in path.read_text(encoding="utf-8")
    replanned = run("sync", "file:plan.csv", TODAY, "--replan")
    assert replanned.code == 0
    assert re.search(f"Fill-in;{SPRINT_1};", path.read_text(encoding="utf-8"))


def test_rollback_restores_the_file(workdir: Path, run: Run) -> None:
    before = (workdir / "plan.csv").read_text(encoding="utf-8")
    run("sync", "file:plan.csv", TODAY)
    runs = json.loads(run("runs", "--json").out)["runs"]
    assert runs[0]["outcome"] == "ok"
    assert run("rollback", str(runs[0]["id"])).code == 0
    after = (workdir / "plan.csv").read_text(encoding="utf-8")
    # The managed cells are empty again; the columns moteur added stay (empty) — nothing else changed.
    assert [line.rsplit(";", 3)[0] for line in after.splitlines()[1:]] == before.splitlines()[1:]
    assert all(line.endswith(";;;") for line in after.splitlines()[1:])
    assert json.loads(run("runs", "--json").out)["runs"][1]["outcome"] == "rolled_back"


def test_an_overlapping_run_on_the_same_board_is_refused(workdir: Path, run: Run) -> None:
    store = StateStore(f"sqlite:///{workdir / 'state.db'}")
    # A file's lock is its absolute path's (docs/state.md), whatever name the run was given.
    board = f"file:{(workdir / 'plan.csv').resolve()}"
    with store.lock(board, "other-host:42", 600, lambda: datetime.now(UTC)):
        result = run("sync", "file:plan.csv", TODAY)
    store.close()
    assert result.code == 1
    assert "other-host:42" in result.err


def test_saved_plan_applies_and_skips_items_changed_since(workdir: Path, run: Run) -> None:
    assert run("sync", "file:plan.csv", TODAY, "--dry-run", "--plan-out", "plan.json").code == 0
    path = workdir / "plan.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Livre blanc;;5", "Livre blanc;7;5"), encoding="utf-8"
    )
    result = run("apply", "plan.json")
    assert result.code == 0
    assert 'skipped "Livre blanc"' in result.err
    text = path.read_text(encoding="utf-8")
    assert WEBINAR_ROW.search(text)
    assert "Livre blanc;7;5;;leads;contenu;;à faire;;;;" in text


def test_plan_json_contract(workdir: Path, run: Run) -> None:
    result = run("plan", "file:plan.csv", TODAY, "--json")
    assert result.code == 0
    payload = json.loads(result.out)
    assert payload["format_version"] == "1"
    first = payload["actions"][0]
    assert set(first) == {
        "id",
        "board",
        "title",
        "status",
        "impact",
        "effort",
        "confidence",
        "ice",
        "quadrant",
        "sprint",
        "flags",
        "explanation",
    }
    by_id = {a["id"]: a for a in payload["actions"]}
    assert by_id["a1"]["quadrant"] == "quick_win" and by_id["a1"]["sprint"] == 1 and by_id["a1"]["ice"] == 448
    assert by_id["a4"]["flags"] == ["stop"] and by_id["a4"]["sprint"] is None
    assert "score_me" in by_id["a5"]["flags"]
    sprint = payload["sprints"][1]
    assert set(sprint) == {"index", "name", "start", "end", "working_days", "capacity", "load", "holidays"}
    assert sprint["working_days"] == 9 and sprint["holidays"][0]["date"] == "2026-12-25"
    start = datetime.fromisoformat(payload["sprints"][0]["start"])
    assert start.weekday() == 0 and start + timedelta(days=14) == datetime.fromisoformat(sprint["start"])


def test_a_lock_left_by_a_killed_run_on_this_host_is_taken_over(workdir: Path, run: Run) -> None:
    """Regression: a sync killed with SIGKILL blocked its board for the whole 10-minute lease."""
    import socket
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    store = StateStore(f"sqlite:///{workdir / 'state.db'}")
    store.lock(
        "file:plan.csv", f"{socket.gethostname()}:{gone.pid}", 600, lambda: datetime.now(UTC)
    ).acquire()
    store.close()
    result = run("sync", "file:plan.csv", TODAY)
    assert result.code == 0, result.err
    assert "Quick win" in (workdir / "plan.csv").read_text(encoding="utf-8")
