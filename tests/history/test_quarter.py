"""A quarter of syncs on a sandbox board, dates injected: the history holds what happened, the velocity is
the effort the team moved to done, and ``plan`` with ``capacity = "velocity"`` packs sprints from it."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from history.conftest import START
from history.support import Built, Sandbox, build_history, sync
from moteur.cli import main
from moteur.core.calendar import SprintCalendar
from moteur.core.model import Status
from moteur.core.policy import PlanningPolicy
from moteur.core.velocity import velocities
from moteur.engine.state import StateStore


@pytest.mark.parametrize("tool", ["trello", "asana", "monday"])
def test_a_quarter_of_syncs_gives_the_true_velocity(sandbox: Sandbox, history_env: str, tool: str) -> None:
    started = time.perf_counter()
    built = build_history(sandbox, tool, start=START, weeks=13)
    print(f"\n{tool}: {len(built.days)} syncs in {time.perf_counter() - started:.1f} s")
    today = START + timedelta(weeks=13)
    calendar = SprintCalendar(PlanningPolicy(first_sprint=START), today)
    with StateStore(history_env) as store:
        history = store.history([built.ref])
        measured = velocities(history, calendar, today, last=6)
    assert history.since == START and len(history.recorded_days()) == len(built.days) == 26
    assert [v.number for v in measured] == [1, 2, 3, 4, 5, 6]
    for v in measured:
        assert v.done_effort == built.done_effort(v.start, v.end), v
        assert v.done_effort > 0
        assert v.planned_effort > 0  # what the plan held as the sprint began
        assert sum(v.by_person.values()) + v.unassigned == v.done_effort
    latest = history.latest()
    for key, day in built.done.items():
        assert (latest[key].status, latest[key].done_on) == (Status.DONE, day)
    for key, day in built.doing.items():
        assert latest[key].status is Status.DOING and history.status_since(key) == day


def test_plan_packs_sprints_from_the_measured_velocity(
    sandbox: Sandbox, history_env_any: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built: Built = build_history(sandbox, "trello", start=START, weeks=7)
    today = START + timedelta(weeks=7)  # sprints 1–3 finished
    config = (tmp_path / "moteur.toml").read_text(encoding="utf-8")
    (tmp_path / "moteur.toml").write_text(
        config.replace("[planning]\n", '[planning]\ncapacity = "velocity"\nvelocity_sprints = 3\n'),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["plan", built.ref, "--today", today.isoformat(), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    capacity = payload["capacity"]
    done = built.done_effort(START, START + timedelta(weeks=6, days=-1))
    assert capacity["source"] == "velocity" and capacity["sprints_used"] == 3
    calendar = SprintCalendar(PlanningPolicy(first_sprint=START), today)
    working = sum(calendar.sprint(i).working_days for i in (1, 2, 3))
    assert capacity["per_sprint"] == round(done / working * 10, 1)
    sprint_4 = next(s for s in payload["sprints"] if s["index"] == 4)
    assert sprint_4["capacity"] == round(capacity["per_sprint"] * calendar.sprint(4).working_days / 10, 1)
    assert main(["plan", built.ref, "--today", today.isoformat()]) == 0
    assert f"Capacity: {capacity['per_sprint']:g} points a full sprint — velocity:" in capsys.readouterr().out


def test_velocity_with_too_few_sprints_falls_back_and_says_so(
    sandbox: Sandbox, history_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = (tmp_path / "moteur.toml").read_text(encoding="utf-8")
    (tmp_path / "moteur.toml").write_text(
        config.replace("[planning]\n", '[planning]\ncapacity = "velocity"\ncapacity_per_sprint = 17\n'),
        encoding="utf-8",
    )
    ref = str(sandbox.boards["asana"][0])
    sync(ref, START)
    capsys.readouterr()
    assert main(["plan", ref, "--today", (START + timedelta(days=3)).isoformat(), "--json"]) == 0
    capacity = json.loads(capsys.readouterr().out)["capacity"]
    assert capacity == {
        "per_sprint": 17.0,
        "source": "setting",
        "reason": "capacity_per_sprint = 17 (velocity needs 3 finished sprints, 0 finished sprints recorded "
        "since 2026-06-01)",
        "sprints_used": 0,
    }


def test_a_dry_run_and_a_plan_record_the_day_too(sandbox: Sandbox, history_env: str) -> None:
    ref = str(sandbox.boards["monday"][0])
    assert main(["sync", ref, "--today", START.isoformat(), "--dry-run", "--quiet"]) == 0
    assert main(["plan", ref, "--today", (START + timedelta(days=1)).isoformat(), "--json"]) == 0
    with StateStore(history_env) as store:
        assert store.history([ref]).recorded_days() == [START, START + timedelta(days=1)]
    assert date.today()  # the real clock is not the history's
