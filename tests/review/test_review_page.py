"""``moteur review`` on the sandbox's demo boards, read as a person reads it: in a real headless Chromium.

The page is opened at A4 width (794 CSS pixels): every section is there with its text, every chart is an
SVG with drawn paths, nothing is wider than the page, and it prints. The JSON (``--json``) holds the same
figures as the page: each ``data-figure`` of the rendered page equals the value at its path in the JSON, as
the page formats it. A board with no history says which sections start filling after the next runs (exit 0).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from moteur.core.policy import Language
from moteur.views.review_html import format_figure

from .browser import A4_WIDTH, print_pdf, rendered
from .conftest import Run

Sandbox = Any  # tests/conftest.py
TODAY = "2026-12-07"
SECTION_TITLES = {
    "sprint": "1. The sprint",
    "late": "2. Late and at risk",
    "delivered": "3. What the last sprint delivered",
    "velocity": "4. Velocity and forecast",
    "matrix": "5. Priority matrix and decisions",
    "alignment": "6. Alignment with the objectives",
    "flags": "7. Flags",
}
FIGURE = re.compile(r'<span class="fig" data-figure="([^"]+)" data-value="([^"]*)">([^<]*)</span>')


def demo_config(work: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, language: str = "en") -> Path:
    for key, value in sandbox.env.items():
        monkeypatch.setenv(key, value)
    boards = [refs[0] for refs in sandbox.boards.values() if refs]  # each tool's demo board
    config = work / "moteur.toml"
    config.write_text(
        f'language = "{language}"\nboards = {json.dumps(boards)}\n'
        "[planning]\nfirst_sprint = 2026-11-30\nsprint_weeks = 2\nhorizon = 4\ncapacity_per_sprint = 30\n"
        '[[objectives]]\nname = "leads"\nweight = 3\nkpi = "MQL / month"\ntarget = 120\n'
        '[[objectives]]\nname = "retention"\nweight = 1\n',
        encoding="utf-8",
    )
    return config


def at(payload: Any, path: str) -> Any:
    for part in path.split("."):
        payload = payload[int(part)] if isinstance(payload, list) else payload[part]
    return payload


def kind_of(path: str, text: str) -> str:
    if text.endswith("%"):
        return "share" if path.endswith("_share") else "percent"
    return "day" if re.fullmatch(r"\d{4}-\d\d-\d\d", text) else "number"


def assert_figures_match(
    figures: list[tuple[str, str, str]], payload: dict[str, Any], language: Language
) -> None:
    assert len(figures) > 40
    for path, raw, text in figures:
        value = at(payload, path)
        assert format_figure(value, kind_of(path, text), language) == text, path
        assert raw == ("" if value is None else str(value)) or float(raw) == float(value), path


@pytest.fixture
def demo_review(
    sandbox: Sandbox, workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, dict[str, Any], str]:
    config = demo_config(workdir, sandbox, monkeypatch)
    page = workdir / "review.html"
    made = run("review", "--config", str(config), "--today", TODAY, "--out", str(page))
    assert made.code == 0, made.err
    assert f"review written to {page}" in made.err
    listed = run("review", "--config", str(config), "--today", TODAY, "--json")
    assert listed.code == 0, listed.err
    return page, json.loads(listed.out), made.err


def test_a_board_with_no_history_says_which_sections_fill_after_the_next_runs(
    demo_review: tuple[Path, dict[str, Any], str],
) -> None:
    page, payload, err = demo_review
    assert "sprint, late, delivered, velocity, alignment start filling after the next runs" in err
    assert len(payload["reviews"]) == 3  # one per demo board, each planned alone as `plan` does
    for review in payload["reviews"]:
        assert review["filling"] == ["sprint", "late", "delivered", "velocity", "alignment"]
        assert review["delivered"] is None and review["velocity"]["mean"] is None
    text = page.read_text(encoding="utf-8")
    assert text.count("These sections start filling after the next runs") == 3
    assert "No history yet for these boards" in text


def test_the_page_holds_the_json_figures_and_board_text_only_as_text(
    demo_review: tuple[Path, dict[str, Any], str],
) -> None:
    page, payload, _ = demo_review
    text = page.read_text(encoding="utf-8")
    assert_figures_match(FIGURE.findall(text), payload, Language.EN)
    # Self-contained: nothing fetched, nothing run.
    assert not re.search(r"<link|<script|src=|@import|url\((?!#)|https?://[^\s\"<]*\.(css|js|woff)", text)
    for review in payload["reviews"]:
        rows = review["alignment"]["by_objective"]
        assert round(sum(r["planned_effort"] for r in rows), 1) == review["alignment"]["planned_total"]
        names = [r["name"] for r in rows]
        assert names[:2] == ["leads", "retention"] and "awareness" in names  # named on cards, not configured
        assert review["alignment"]["unknown_objectives"] == ["awareness"]
        late = {item["action"]["title"]: item["reasons"] for item in review["late"]}
        # Due 2026-12-10, in Sprint 1 that ends Friday 2026-12-11: late, with that reason.
        (reason,) = late["Campagne e-mail de fin d'année"]
        assert (reason["kind"], reason["due"], reason["sprint_end"]) == (
            "due_before_sprint_end",
            "2026-12-10",
            "2026-12-11",
        )
        (overdue,) = late["Campagne Meta Ads Noël"]  # due 2026-12-05, still doing
        assert (overdue["kind"], overdue["days"]) == ("overdue", 2)


def test_every_section_is_visible_at_a4_width_with_its_charts_and_it_prints(
    chromium: str, demo_review: tuple[Path, dict[str, Any], str], tmp_path: Path
) -> None:
    page, payload, _ = demo_review
    seen = rendered(chromium, page, tmp_path)
    assert seen["innerWidth"] == A4_WIDTH
    assert seen["scrollWidth"] <= A4_WIDTH, seen["wide"][:5]
    assert seen["wide"] == []
    for team in range(3):
        for section, title in SECTION_TITLES.items():
            shown = seen["sections"][f"{section}-{team}"]
            assert shown["visible"] and shown["height"] > 20 and title in shown["text"], (section, team)
        for chart in ("matrix", "alignment"):
            drawn = seen["charts"][f"chart-{chart}-{team}"]
            assert drawn["paths"] > 10 and drawn["width"] > 500 and drawn["height"] > 100, (chart, drawn)
    # The matrix numbers its points; their titles are listed under it, as text, one per open scored action.
    listed = re.findall(
        r'<ol class="points" id="points-0">(.*?)</ol>', page.read_text(encoding="utf-8"), re.S
    )
    scored = sum(
        q["actions"] for q in payload["reviews"][0]["matrix"]["quadrants"] if q["quadrant"] != "unscored"
    )
    assert listed and listed[0].count("<li ") == scored > 20
    assert 'Campagne e-mail de fin d&#39;année <span class="muted">(Sprint 1)</span>' in listed[0]
    late = seen["sections"]["late-0"]["text"]
    assert (
        "due 2026-12-10, before the end of Sprint 1 that holds it (its last working day: 2026-12-11)" in late
    )
    assert "past due: due 2026-12-05, 2 days ago" in late
    figures = [(f["path"], f["value"], f["text"]) for f in seen["figures"]]
    assert_figures_match(figures, payload, Language.EN)
    assert print_pdf(chromium, page, tmp_path / "review.pdf") >= 2


def test_board_text_is_escaped_and_french_is_spoken(
    chromium: str, sandbox: Sandbox, workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (workdir / "plan.csv").write_text(
        "id;titre;impact;effort;objectif;canal;échéance;statut\n"
        'a1;<img src=x onerror="alert(1)"> Webinar;8;3;leads;SEO;2026-12-09;à faire\n'
        "a2;Refonte \x1b[8m du site;9;9;<b>leads</b>;SEO;;à faire\n",
        encoding="utf-8",
    )
    config = demo_config(workdir, sandbox, monkeypatch, language="fr")
    page = workdir / "revue.html"
    made = run("review", "file:plan.csv", "--config", str(config), "--today", TODAY, "--out", str(page))
    assert made.code == 0, made.err
    text = page.read_text(encoding="utf-8")
    assert "<img" not in text and "&lt;img src=x" in text and "\x1b" not in text
    seen = rendered(chromium, page, tmp_path)
    assert '<img src=x onerror="alert(1)"> Webinar' in seen["sections"]["late-0"]["text"]
    assert "1. Le sprint" in seen["sections"]["sprint-0"]["text"]
    assert seen["scrollWidth"] <= A4_WIDTH
