"""Every bad input gives one clear line, a documented exit code and never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

Run = Any


@pytest.mark.parametrize(
    ("args", "toml", "code", "message"),
    [
        (["plan", "trelo:abc"], None, 2, "did you mean trello:abc?"),
        (["plan", "abc"], None, 2, "is not a board reference"),
        (["plan", "file:nope.csv"], None, 2, "nope.csv does not exist"),
        (["plan", "file:plan.xlsx"], None, 2, "unknown file type"),
        (["plan", "file:plan.csv", "--today", "2026-13-01"], None, 2, "is not a date"),
        (["plan", "file:plan.csv"], "[planning\n", 2, "is not valid TOML"),
        (["plan", "file:plan.csv"], "[planning]\nsprint_week = 2\n", 2, "unknown key 'planning.sprint_week'"),
        (["plan", "file:plan.csv"], "colour = 1\n", 2, "unknown key 'colour'"),
        (["plan", "file:plan.csv"], "[planning]\nfirst_sprint = 2026-12-02\n", 2, "is a Wednesday"),
        (["plan", "file:plan.csv"], "[planning]\nsprint_weeks = 9\n", 2, "planning.sprint_weeks"),
        (["plan", "file:plan.csv"], '[planning]\ncountry = "XX"\n', 2, "XX"),
        (["sync"], None, 2, "no board given"),
        (["apply", "missing.json"], None, 2, "plan file missing.json not found"),
        (["rollback", "99"], None, 2, "no run 99"),
    ],
)
def test_bad_input(
    workdir: Path, run: Run, args: list[str], toml: str | None, code: int, message: str
) -> None:
    (workdir / "plan.xlsx").write_text("x", encoding="utf-8")
    if toml is not None:
        (workdir / "moteur.toml").write_text(toml, encoding="utf-8")
    result = run(*args)
    assert result.code == code, result.err
    assert message in result.err
    assert "Traceback" not in result.err + result.out
    assert len(result.err.strip().splitlines()) <= 3


def test_unreadable_score_is_a_warning_naming_the_row(workdir: Path, run: Run) -> None:
    path = workdir / "plan.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Post LinkedIn;4", "Post LinkedIn;beaucoup"), "utf-8"
    )
    result = run("plan", "file:plan.csv", "--today=2026-12-01", "--json")
    assert result.code == 0
    assert "beaucoup" in result.err and "Post LinkedIn" in result.err


def test_help_on_every_command(run: Run) -> None:
    for command in (
        ["--help"],
        ["plan", "--help"],
        ["sync", "--help"],
        ["apply", "--help"],
        ["runs", "--help"],
        ["rollback", "--help"],
        ["sandbox", "serve", "--help"],
    ):
        result = run(*command)
        assert result.code == 0, command
        assert "Usage" in result.out


def test_unknown_option_is_a_usage_error(run: Run) -> None:
    result = run("plan", "--frobnicate")
    assert result.code == 2
