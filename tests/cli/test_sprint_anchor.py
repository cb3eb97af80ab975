"""Sprint numbers that never shift: without ``first_sprint``, the first run keeps its week as Sprint 1's.

Through the CLI on the ``file:`` board of ``tests/cli/conftest.py``, with ``--today`` injected: a plan today
and a plan five weeks later number the same fortnights alike; ``plan`` and ``sync --dry-run`` agree on the
same day (and the dry-run writes nothing to the board); ``doctor`` says where Sprint 1's start came from, and
that a ``first_sprint`` set later wins over the kept one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

Run = Any  # tests/cli/conftest.py: run(*args) -> Result(code, out, err)
DAY_ONE = "--today=2026-12-01"  # a Tuesday: its week starts Monday 2026-11-30
FIVE_WEEKS_LATER = "--today=2027-01-05"  # in the third fortnight from 2026-11-30


def plan_json(run: Run, *args: str) -> dict[str, Any]:
    result = run("plan", "file:plan.csv", "--json", *args)
    assert result.code == 0, result.err
    return dict(json.loads(result.out))


def sprint_numbers(payload: dict[str, Any]) -> dict[str, str]:
    """``{"Sprint 3": "2026-12-28", …}``: each sprint's number and first day."""
    return {s["name"]: s["start"] for s in payload["sprints"]}


def test_a_plan_five_weeks_later_numbers_the_same_fortnights_alike(workdir: Path, run: Run) -> None:
    first = plan_json(run, DAY_ONE)
    assert first["first_sprint"]["date"] == "2026-11-30" and first["first_sprint"]["source"] == "state"
    assert first["sprints"][0]["name"] == "Sprint 1" and first["sprints"][0]["start"] == "2026-11-30"

    later = plan_json(run, FIVE_WEEKS_LATER)
    assert later["first_sprint"]["date"] == "2026-11-30"
    assert later["sprints"][0]["name"] == "Sprint 3" and later["sprints"][0]["start"] == "2026-12-28"
    # Every sprint both plans show has the same first day under the same number.
    both = sprint_numbers(first).keys() & sprint_numbers(later).keys()
    assert both and all(sprint_numbers(first)[n] == sprint_numbers(later)[n] for n in both)

    text = run("plan", "file:plan.csv", FIVE_WEEKS_LATER)
    assert text.code == 0, text.err
    assert text.out.splitlines()[0].startswith("Sprint 1 starts on Monday 2026-11-30 (kept in the state")


def test_plan_and_dry_run_agree_on_the_same_day_and_the_dry_run_writes_no_board(
    workdir: Path, run: Run
) -> None:
    board = (workdir / "plan.csv").read_bytes()
    dry = run("sync", "file:plan.csv", "--dry-run", "--json", DAY_ONE)  # the first run: it anchors
    assert dry.code == 0, dry.err
    assert (workdir / "plan.csv").read_bytes() == board

    plan = plan_json(run, FIVE_WEEKS_LATER)
    later = run("sync", "file:plan.csv", "--dry-run", "--json", FIVE_WEEKS_LATER)
    assert later.code == 0, later.err
    dry_payload = json.loads(later.out)
    assert plan["sprints"] == dry_payload["sprints"]
    assert {a["id"]: a["sprint"] for a in plan["actions"]} == {
        a["id"]: a["sprint"] for a in dry_payload["actions"]
    }
    written = {c["after"] for c in dry_payload["changes"] if c["field"] == "sprint"}
    assert written and all(value.startswith("Sprint 3") for value in written), written
    assert (workdir / "plan.csv").read_bytes() == board


def test_doctor_shows_where_sprint_one_starts_and_a_later_setting_wins(workdir: Path, run: Run) -> None:
    assert "not anchored yet" in anchor_check(run)["detail"]
    plan_json(run, DAY_ONE)
    kept = anchor_check(run)
    assert kept["ok"] and "2026-11-30 (kept in the state database since" in kept["detail"]

    (workdir / "moteur.toml").write_text("[planning]\nfirst_sprint = 2026-12-07\n", encoding="utf-8")
    set_later = plan_json(run, FIVE_WEEKS_LATER)
    assert set_later["first_sprint"] == {
        **set_later["first_sprint"],
        "date": "2026-12-07",
        "source": "setting",
        "kept": "2026-11-30",
    }
    assert set_later["sprints"][0]["name"] == "Sprint 3" and set_later["sprints"][0]["start"] == "2027-01-04"
    differs = anchor_check(run)
    assert differs["warning"] and not differs["ok"]
    assert "2026-12-07 (first_sprint in the settings), which differs from the 2026-11-30" in differs["detail"]
    human = run("doctor")
    assert "! sprint numbering — Sprint 1 starts on 2026-12-07" in human.out


def anchor_check(run: Run) -> dict[str, Any]:
    result = run("doctor", "--json")
    (check,) = [c for c in json.loads(result.out)["checks"] if c["check"] == "sprint numbering"]
    return dict(check)


def test_a_plan_without_a_state_url_keeps_the_anchor_in_the_default_database(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOTEUR_STATE_URL")
    monkeypatch.setenv("XDG_STATE_HOME", str(workdir / "xdg"))
    assert plan_json(run, DAY_ONE)["sprints"][0]["name"] == "Sprint 1"
    assert (workdir / "xdg" / "moteur" / "state.db").is_file()
    assert plan_json(run, FIVE_WEEKS_LATER)["sprints"][0]["name"] == "Sprint 3"


def test_with_first_sprint_set_a_first_plan_creates_no_state_file(workdir: Path, run: Run) -> None:
    (workdir / "moteur.toml").write_text("[planning]\nfirst_sprint = 2026-11-30\n", encoding="utf-8")
    payload = plan_json(run, FIVE_WEEKS_LATER)
    assert payload["first_sprint"] == {
        "date": "2026-11-30",
        "source": "setting",
        "kept": None,
        "kept_at": None,
    }
    assert not (workdir / "state.db").exists()


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "terminal"])
def test_the_anchor_in_plan_json_is_what_output_json_prints(
    tty: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.test_plan_json_text import printed, teams

    from moteur.views.plan_json import plan_json_chunks, plan_payload

    anchor = {"date": "2026-11-30", "source": "state", "kept": "2026-11-30", "kept_at": None}
    evaluations = teams()[:1]
    expected = printed(plan_payload(evaluations, first_sprint=anchor), tty=tty, monkeypatch=monkeypatch)
    text = "".join(plan_json_chunks(evaluations, indent=2 if tty else None, first_sprint=anchor))
    assert text == expected
    assert list(json.loads(text))[:4] == ["format_version", "moteur_version", "today", "first_sprint"]
