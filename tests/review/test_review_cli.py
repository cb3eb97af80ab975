"""``moteur review`` refuses what it cannot do in one line with a documented exit code; writes where told."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run

PLAN = "id;titre;impact;effort;objectif;canal;échéance;statut\na1;Webinar;8;3;leads;SEO;2026-12-09;à faire\n"


def test_a_sprint_before_the_first_is_a_usage_error(workdir: Path, run: Run) -> None:
    (workdir / "plan.csv").write_text(PLAN, encoding="utf-8")
    result = run("review", "file:plan.csv", "--sprint", "0", "--today", "2026-12-07")
    assert result.code == 2 and "--sprint 0" in result.err and "Traceback" not in result.err


def test_an_out_path_in_a_missing_directory_is_a_usage_error(workdir: Path, run: Run) -> None:
    (workdir / "plan.csv").write_text(PLAN, encoding="utf-8")
    result = run("review", "file:plan.csv", "--today", "2026-12-07", "--out", "nowhere/review.html")
    assert result.code == 2 and "no directory nowhere" in result.err
    assert not (workdir / "nowhere").exists()


def test_the_default_page_is_review_html_and_json_alone_writes_no_page(workdir: Path, run: Run) -> None:
    (workdir / "plan.csv").write_text(PLAN, encoding="utf-8")
    listed = run("review", "file:plan.csv", "--today", "2026-12-07", "--json")
    assert listed.code == 0 and not (workdir / "review.html").exists()
    assert json.loads(listed.out)["reviews"][0]["late"][0]["reasons"][0]["kind"] == "due_before_sprint_end"
    written = run("review", "file:plan.csv", "--today", "2026-12-07")
    assert written.code == 0 and (workdir / "review.html").is_file()
    assert not (workdir / "state.db").exists()  # a review writes nothing, not even a state database
