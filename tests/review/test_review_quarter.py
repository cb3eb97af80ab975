"""``moteur review`` after a quarter of syncs on the sandbox's demo board, dates injected.

Thirteen weeks of ``sync`` from Monday 2026-09-07 (Sprint 1), twice a week (``history/support``), the team
moving one action to done every Monday and starting one: on 2026-12-07 (Sprint 7) the review must show the
true velocity (the effort moved to done, sprint by sprint), late actions with their true reasons (checked
against the calendar and the moves, not against moteur's own words), alignment shares that add up to the
planned effort of ``plan``, and it must render in headless Chromium with every section and chart visible, its
figures equal to the JSON's.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from history.support import Built, Sandbox, build_history, sandbox_env

from moteur.cli import main
from moteur.core.calendar import SprintCalendar
from moteur.core.policy import Language, PlanningPolicy

from .browser import A4_WIDTH, print_pdf, rendered, screenshot
from .test_review_page import SECTION_TITLES, assert_figures_match

START = date(2026, 9, 7)  # a Monday: Sprint 1
TODAY = START + timedelta(weeks=13)  # 2026-12-07, in Sprint 7; Sprints 1–6 finished
OBJECTIVES = """
[[objectives]]
name = "leads"
share = 50
kpi = "MQL / month"
target = 120
[[objectives]]
name = "retention"
share = 30
"""


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("quarter")


def reviewed(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Built, dict[str, Any], dict[str, Any], Path]:
    """The quarter built, then ``review --json``, the page, and ``plan --json`` for the same day."""
    sandbox_env(monkeypatch, sandbox, tmp_path, first_sprint=START, extra_toml=OBJECTIVES)
    built = build_history(sandbox, "trello", start=START, weeks=13, done_per_week=1)
    page = tmp_path / "review.html"
    capsys.readouterr()
    assert main(["review", built.ref, "--today", TODAY.isoformat(), "--out", str(page), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert main(["plan", built.ref, "--today", TODAY.isoformat(), "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    return built, payload["reviews"][0], plan, page


def test_a_quarter_of_syncs_reviews_true_velocity_late_reasons_and_alignment(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    chromium: str,
) -> None:
    built, review, plan, page = reviewed(sandbox, monkeypatch, tmp_path, capsys)
    calendar = SprintCalendar(PlanningPolicy(first_sprint=START), TODAY)
    assert review["filling"] == [] and review["history_since"] == START.isoformat()
    assert review["history_days"] == len(built.days) == 26

    # Velocity: the effort the team moved to done, sprint by sprint; the mean of the last three.
    sprints = review["velocity"]["sprints"]
    assert [s["number"] for s in sprints] == [1, 2, 3, 4, 5, 6]
    for s in sprints:
        truth = built.done_effort(date.fromisoformat(s["start"]), date.fromisoformat(s["end"]))
        assert s["done_effort"] == truth > 0, s
    mean = round(sum(s["done_effort"] for s in sprints[-3:]) / 3, 1)
    assert review["velocity"]["mean"] == mean
    assert review["velocity"]["sprints_to_finish"] == round(review["velocity"]["open_effort"] / mean, 1)
    delivered = review["delivered"]
    assert delivered["number"] == 6 and delivered["done_effort"] == sprints[-1]["done_effort"]
    sprint_6 = calendar.sprint(6)
    assert {a["key"] for a in delivered["actions"]} == {
        k for k, day in built.done.items() if sprint_6.start <= day <= sprint_6.end
    }
    line = review["sprint"]
    assert line["number"] == 7 and line["done_effort"] == built.done_effort(calendar.sprint(7).start, TODAY)

    # Late and at risk, each reason checked against the calendar and what the team did.
    open_keys = {a["board"] + ":" + a["id"] for a in plan["actions"] if a["status"] in ("todo", "doing")}
    kinds: set[str] = set()
    for item in review["late"]:
        key = item["action"]["key"]
        assert key in open_keys and key not in built.done
        for reason in item["reasons"]:
            kinds.add(reason["kind"])
            due = date.fromisoformat(reason["due"]) if reason["due"] else None
            if reason["kind"] == "overdue":
                assert due is not None and reason["days"] == (TODAY - due).days > 0
            elif reason["kind"] == "due_before_sprint_end":
                end = calendar.sprint(reason["sprint"]).last_working_day
                assert due is not None and reason["sprint_end"] == end.isoformat() and due < end
                assert reason["sprint"] == item["action"]["sprint"]
            elif reason["kind"] == "doing_too_long":
                since = built.doing.get(key, START)
                assert reason["since"] == since.isoformat() and reason["days"] == (TODAY - since).days > 14
                assert reason["at_least"] == (since == START)
            else:  # an owner holds more than the mean they finished per sprint over the last three
                assert reason["kind"] == "owner_over_capacity"
                owner = reason["owner"]
                mean_done = round(sum(s["by_person"].get(owner, 0.0) for s in sprints[-3:]) / 3, 1)
                assert reason["owner_capacity"] == mean_done < reason["owner_load"]
    # The demo board holds both: the year-end e-mail campaign due 2026-12-10 in Sprint 7, whose last working
    # day is 2026-12-11, and the actions "doing" since the history began.
    assert {"due_before_sprint_end", "doing_too_long"} <= kinds

    # Alignment: the rows add up to the effort `plan` puts in the horizon's sprints.
    planned = sum(
        a["effort"] or 0
        for a in plan["actions"]
        if a["sprint"] is not None and a["status"] in ("todo", "doing")
    )
    alignment = review["alignment"]
    for table in ("by_objective", "by_channel"):
        assert (
            round(sum(r["planned_effort"] for r in alignment[table]), 1)
            == alignment["planned_total"]
            == planned
        )
        assert abs(sum(r["planned_share"] for r in alignment[table]) - 1) < 0.01
    done_since = date.fromisoformat(alignment["done_since"])
    assert alignment["done_total"] == built.done_effort(done_since, TODAY)
    rows = {r["name"]: r for r in alignment["by_objective"]}
    assert (rows["leads"]["target_share"], rows["retention"]["target_share"]) == (0.5, 0.3)
    assert rows["awareness"]["configured"] is False and alignment["unknown_objectives"] == ["awareness"]

    # As a person sees it.
    seen = rendered(chromium, page, tmp_path)
    assert seen["scrollWidth"] <= A4_WIDTH and seen["wide"] == []
    for section, title in SECTION_TITLES.items():
        shown = seen["sections"][f"{section}-0"]
        assert shown["visible"] and title in shown["text"]
        assert "start filling" not in shown["text"].lower()
    for chart in ("velocity", "matrix", "alignment"):
        assert seen["charts"][f"chart-{chart}-0"]["paths"] > 10, chart
    assert_figures_match(
        [(f["path"], f["value"], f["text"]) for f in seen["figures"]], {"reviews": [review]}, Language.EN
    )
    assert f"Sprint 6 ({sprint_6.start.isoformat()}" in seen["sections"]["delivered-0"]["text"]
    screenshot(chromium, page, tmp_path / "quarter.png", height=2400)


@pytest.mark.perf  # a year of syncs: over 20 s
def test_a_year_of_history_on_asana_renders_whole_at_a4_width(
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    chromium: str,
) -> None:
    start = date(2025, 12, 8)  # a Monday, a year before TODAY: Sprint 1
    sandbox_env(monkeypatch, sandbox, tmp_path, first_sprint=start, extra_toml=OBJECTIVES)
    built = build_history(sandbox, "asana", start=start, weeks=52, done_per_week=1, weekdays=(0,))
    page = tmp_path / "review.html"
    capsys.readouterr()
    assert main(["review", built.ref, "--today", TODAY.isoformat(), "--out", str(page), "--json"]) == 0
    (review,) = json.loads(capsys.readouterr().out)["reviews"]
    assert review["history_days"] == 52 and review["filling"] == []
    assert review["sprint"]["number"] == 27
    for s in review["velocity"]["sprints"]:
        assert s["done_effort"] == built.done_effort(
            date.fromisoformat(s["start"]), date.fromisoformat(s["end"])
        )
    alignment = review["alignment"]
    assert round(sum(r["planned_effort"] for r in alignment["by_objective"]), 1) == alignment["planned_total"]
    seen = rendered(chromium, page, tmp_path)
    assert seen["scrollWidth"] <= A4_WIDTH and seen["wide"] == []
    for section, title in SECTION_TITLES.items():
        assert (
            seen["sections"][f"{section}-0"]["visible"] and title in seen["sections"][f"{section}-0"]["text"]
        )
    # The board's work ran out during the year (one action done a week): the alignment has no effort left to
    # draw, and says so in its table; velocity and the matrix (the time sinks remain) are drawn.
    assert alignment["planned_total"] == 0 and "chart-alignment-0" not in seen["charts"]
    for chart in ("velocity", "matrix"):
        assert seen["charts"][f"chart-{chart}-0"]["paths"] > 10, chart
    figures = [(f["path"], f["value"], f["text"]) for f in seen["figures"]]
    assert_figures_match(figures, {"reviews": [review]}, Language.EN)
    assert print_pdf(chromium, page, tmp_path / "review.pdf") >= 2
