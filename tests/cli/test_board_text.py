"""Text from boards is text: a title is never parsed as Rich markup, and no control
sequence in it reaches the terminal, with or without colour.

The hostile cards are created through the sandbox's Trello API, as anyone with access to a board could:
``[/x] crash me`` (a closing tag that matches nothing: it used to crash every plan and sync of its board)
and a title carrying OSC 52 (writes the clipboard), OSC 0 (sets the window title), SGR 8 (hides the text
after it) and an 8-bit CSI. Both must go through ``plan`` and ``sync --dry-run``: the first printed as
written, the second with each control character shown as a visible stand-in (``␛``, ``␇``, ``�``).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from moteur.views.terminal import SafeConsole

Run = Any
Sandbox = Any  # tests/conftest.py
TODAY = "2026-12-01"
MARKUP = "[/x] crash me"
ESCAPES = "\x1b]52;c;SGVsbG8=\x07clip \x1b]0;title\x07win \x1b[8mhidden\x1b[0m c1\x9b2J"
# How ESCAPES looks once shown: each control character as a visible stand-in, in pieces that never wrap.
SHOWN = ("␛]52;c;SGVsbG8=␇clip", "␛]0;title␇win", "␛[8mhidden␛[0m", "c1�2J")
SGR = re.compile(r"\x1b\[[0-9;]*m")  # Rich's own colours and styles
# What Rich itself writes at a terminal: styles, and the cursor moves of its progress bars on stderr.
RICH_OWN = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _assert_nothing_obeyed(text: str, *, coloured: bool) -> None:
    """None of the hostile sequences raw, and no control character but those Rich writes itself."""
    for raw in ("\x1b]", "\x07", "\x1b[8m", "\x9b"):
        assert raw not in text
    if coloured:
        assert SGR.search(text), "no colour at all: the coloured case would prove nothing"
    assert CONTROL.search(RICH_OWN.sub("", text)) is None


@pytest.fixture
def hostile_board(sandbox: Sandbox, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sandbox's demo Trello board with the two hostile cards added; its REF."""
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("COLUMNS", "120")
    ref = sandbox.boards["trello"][0]
    board = ref.split(":", 1)[1]
    auth = {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}
    trello = sandbox.urls["trello"]
    lists = requests.get(f"{trello}/boards/{board}/lists", params=auth, timeout=10)
    lists.raise_for_status()
    for title in (MARKUP, ESCAPES):
        created = requests.post(
            f"{trello}/cards", params={**auth, "idList": lists.json()[0]["id"], "name": title}, timeout=10
        )
        assert created.status_code == 200, created.text
    return ref


def _colour(monkeypatch: pytest.MonkeyPatch, coloured: bool) -> None:
    if coloured:  # captured output is no terminal: FORCE_COLOR makes Rich style it all the same
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("FORCE_COLOR", "1")
    else:
        monkeypatch.setenv("NO_COLOR", "1")
        monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.mark.parametrize("coloured", [False, True], ids=["NO_COLOR", "colour"])
@pytest.mark.parametrize("command", [["plan"], ["sync", "--dry-run"]], ids=["plan", "sync-dry-run"])
def test_hostile_titles_are_printed_as_text(
    hostile_board: str, run: Run, monkeypatch: pytest.MonkeyPatch, command: list[str], coloured: bool
) -> None:
    _colour(monkeypatch, coloured)
    result = run(command[0], hostile_board, *command[1:], "--today", TODAY)
    assert result.code == 0, result.err
    shown = SGR.sub("", result.out)
    assert MARKUP in shown
    for piece in SHOWN:
        assert piece in shown
    _assert_nothing_obeyed(result.out + result.err, coloured=coloured)


@pytest.mark.parametrize("command", [["plan"], ["sync", "--dry-run"]], ids=["plan", "sync-dry-run"])
def test_hostile_titles_keep_their_exact_text_in_json(
    hostile_board: str, run: Run, command: list[str]
) -> None:
    result = run(command[0], hostile_board, *command[1:], "--json", "--today", TODAY)
    assert result.code == 0, result.err
    assert CONTROL.search(result.out) is None  # every control character escaped: \u001b, \u009b
    titles = {action["title"] for action in json.loads(result.out)["actions"]}
    assert {MARKUP, ESCAPES} <= titles


def test_a_board_with_hostile_titles_syncs_and_lists_its_runs(
    hostile_board: str, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    _colour(monkeypatch, True)
    synced = run("sync", hostile_board, "--today", TODAY)
    assert synced.code == 0, synced.err
    runs = run("runs")
    assert runs.code == 0, runs.err
    for result in (synced, runs):
        _assert_nothing_obeyed(result.out + result.err, coloured=True)


# -- files: names, warnings, charts ------------------------------------------------------------------------

CSV = 'id;titre;impact;effort\na1;"{title}";15;3\na2;Webinar;5;3\n'  # quoted: ESCAPES holds ";"


@pytest.mark.parametrize("coloured", [False, True], ids=["NO_COLOR", "colour"])
@pytest.mark.parametrize(
    "title", [MARKUP, "[bold]loud[/bold] :smile:", ESCAPES], ids=["close", "open", "esc"]
)
def test_a_warning_quoting_a_title_prints_it_as_text(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch, title: str, coloured: bool
) -> None:
    _colour(monkeypatch, coloured)
    (workdir / "board.csv").write_text(CSV.format(title=title), encoding="utf-8")
    result = run("sync", "file:board.csv", "--dry-run", "--today", TODAY)
    assert result.code == 0, result.err
    warning = " ".join(SGR.sub("", result.err).split())
    if title == ESCAPES:
        assert all(piece in warning for piece in SHOWN)
    else:
        assert f'("{title}"): impact "15"' in warning  # literally: no tag eaten, no emoji
    _assert_nothing_obeyed(result.out + result.err, coloured=coloured)


@pytest.mark.parametrize("command", ["plan", "sync"])
def test_a_file_name_that_looks_like_markup_is_named_as_written(
    workdir: Path, run: Run, command: str
) -> None:
    missing = run(command, "file:[/red]x.csv", "--today", TODAY)
    assert missing.code == 2
    assert "/[/red]x.csv does not exist" in missing.err  # named by its absolute path, markup as written
    assert "Traceback" not in missing.out + missing.err
    (workdir / "[b]x.csv").write_text(CSV.format(title="Salon"), encoding="utf-8")
    found = run(command, "file:[b]x.csv", "--today", TODAY, *(["--dry-run"] if command == "sync" else []))
    assert found.code == 0, found.err
    if command == "sync":
        assert "file [b]x.csv" in found.out


def test_a_chart_draws_titles_as_text_not_tex(workdir: Path, run: Run) -> None:
    pytest.importorskip("matplotlib")
    (workdir / "board.csv").write_text(
        "id;titre;impact;effort\na1;cost $\\frac{x$ y;5;3\na2;" + ESCAPES + ";7;2\n", encoding="utf-8"
    )
    result = run("plan", "file:board.csv", "--chart", "matrix.png", "--today", TODAY)
    assert result.code == 0, result.err
    assert (workdir / "matrix.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")  # a PNG, not an empty file


# -- the net under lines other code builds with f-strings ---------------------------------------------------


def test_the_console_prints_a_line_built_around_a_title_without_raising() -> None:
    """``sync`` prints ``[red]failed:[/red] "TITLE": …`` when a write fails; that path needs a failing
    vendor, so the console it prints through is exercised directly: a tag that matches nothing is shown
    as written, and a control character never passes, in a string or in a ``Text``."""
    buffer = io.StringIO()
    console = SafeConsole(file=buffer, no_color=True, width=200)
    console.print(f'[red]failed:[/red] "{MARKUP}": HTTP 500')
    console.print(f'failed: "{ESCAPES}"', markup=False)
    text = buffer.getvalue()
    assert f'"{MARKUP}": HTTP 500' in text
    assert all(piece in text for piece in SHOWN)
    assert CONTROL.search(text) is None
