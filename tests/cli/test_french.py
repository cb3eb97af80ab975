"""A French run (``language = "fr"``) prints no English sentence: ``demo``, ``plan``, ``sync --dry-run``,
``doctor`` and ``migrate --dry-run`` against the sandbox.

*An English word* here is a word of moteur's English messages that no French translation uses (so ``plan``,
``sprint``, ``impact`` or ``ICE``, which French shares, do not count), plus the commonest English words of
sentences (``the``, ``will``, ``with``…), so that a message nobody marked for translation is caught too. Each
line of output is checked after the text that comes from the boards is taken out: the demo backlog's titles,
tags and names (``Update pricing page copy`` is a title, not moteur speaking), quoted values, refs, URLs,
environment variable names and the ``moteur …`` command lines. The same check on an English run must find
English on most lines: that is what keeps it from passing by matching nothing.

Also here: what follows a dry-run (the sync's result, ``runs``, ``rollback --dry-run``) in French, ``--json``
staying English, and the usual French status words of a plan file (``fini``, ``en attente``, ``bloqué``…).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from cli_run import Run

from moteur.cli import main
from moteur.core.policy import DEFAULT_LANGUAGE
from moteur.i18n import set_language
from moteur.sandbox.demo_data import BUCKETS, DEMO_ACTIONS, DEMO_MEMBERS

REPO = Path(__file__).resolve().parents[2]
PO = REPO / "moteur" / "locale" / "fr" / "LC_MESSAGES" / "moteur.po"
TODAY = "2026-12-01"

# The words of sentences, in case a sentence escaped the catalogue altogether.
COMMON_ENGLISH = frozenset(
    {
        *("the", "and", "will", "would", "with", "from", "into", "this", "that", "these", "there", "which"),
        *("when", "then", "than", "only", "every", "each", "more", "were", "been", "have", "has", "not"),
        *("none", "are", "was", "read", "request", "requests", "applied", "failed", "updated", "created"),
        *("changes", "change", "warning", "error", "board", "boards", "check", "checks", "passed", "found"),
        *("missing", "written", "skipped", "left", "nothing", "already", "done", "run", "runs", "token"),
        *("in", "of", "to", "for", "at", "by", "is", "it", "on", "retried", "applying", "days", "history"),
    }
)
WORD = re.compile(r"[^\W\d_]+")
# Text that is not moteur's sentence: quoted values ("…", «…»), refs (trello:…), URLs, environment names,
# e-mails, paths, and the command lines moteur shows for a person to type.
NOT_MOTEUR = (
    re.compile(r'"[^"]*"|«[^»]*»|“[^”]*”'),
    re.compile(r"https?://\S+"),
    re.compile(r"\b(?:trello|asana|monday|file):\S+"),
    re.compile(r"\S+@\S+"),
    re.compile(r"(?:/[\w.-]+)+"),
    re.compile(r"\bMOTEUR_[A-Z_]+\b"),
    re.compile(r"\b\w+_\w+\b"),  # settings keys and identifiers: first_sprint, capacity_per_sprint
    re.compile(r"\bmoteur (?:sync|plan|doctor|migrate|demo|rollback|runs|init|sandbox)\b.*"),
)
# Words French shares with the English of the messages (a "public" board is "public" in French too).
FRENCH_TOO = frozenset({"public", "moteur"})


def _catalogue_words() -> set[str]:
    """Words of the msgids that no msgstr uses: English that French never says."""
    with PO.open("rb") as f:
        catalogue = read_po(f, locale="fr")
    english: set[str] = set()
    french: set[str] = set()
    for m in catalogue:
        if not m.id:
            continue
        ids = (m.id,) if isinstance(m.id, str) else m.id
        strings = (m.string,) if isinstance(m.string, str) else m.string
        english.update(w for text in ids for w in _words(text))
        french.update(w for text in strings for w in _words(text))
    return english - french


def _words(message: str) -> Iterator[str]:
    """The words of a message, its {fields} and identifiers (``in_place``, ``asana_tier``) left out."""
    for pattern in (r"\{\w*\}", r"\b\w+_\w+\b"):
        message = re.sub(pattern, " ", message)
    return (w.casefold() for w in WORD.findall(message))


ENGLISH = frozenset((_catalogue_words() | COMMON_ENGLISH) - FRENCH_TOO)
BOARD_TEXT = sorted(
    {a.title for a in DEMO_ACTIONS}
    | {t for a in DEMO_ACTIONS for t in a.tags}
    | {x for a in DEMO_ACTIONS for x in (a.objective, a.channel) if x}
    | {m.full_name for m in DEMO_MEMBERS}
    | set(BUCKETS)
    | {"Plan marketing (démo)", "Plan marketing", "Marketing", "Trello", "Asana", "monday.com"}
    # the sandbox's accounts: the names its tokens belong to
    | {"Sandbox User", "Alex Sandbox"},
    key=len,
    reverse=True,
)


def english_in(line: str) -> set[str]:
    """The English words of one line of output, once the boards' own text is taken out."""
    for pattern in NOT_MOTEUR:
        line = pattern.sub(" ", line)
    for text in BOARD_TEXT:
        line = line.replace(text, " ")
    return {w for w in WORD.findall(line) if w.casefold() in ENGLISH}


def english_lines(output: str) -> list[tuple[str, set[str]]]:
    return [(line, found) for line in output.splitlines() if (found := english_in(line))]


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """The language is the process's (``set_language``): put the default back for the tests that follow."""
    yield
    set_language(DEFAULT_LANGUAGE)


@pytest.fixture
def french(sandbox: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory with ``language = "fr"`` for the sandbox's three demo boards, its tokens in the
    environment (as ``sandbox env`` exports them) and a private state database."""
    for name, value in sandbox.env.items():  # type: ignore[attr-defined]
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    monkeypatch.delenv("MOTEUR_LANGUAGE", raising=False)
    monkeypatch.chdir(tmp_path)
    boards = [refs[0] for refs in sandbox.boards.values() if refs]  # type: ignore[attr-defined]
    (tmp_path / "moteur.toml").write_text(
        f'language = "fr"\nboards = {boards!r}\n'.replace("'", '"')
        + "[planning]\nfirst_sprint = 2026-11-30\ncapacity_per_sprint = 30\nhorizon = 4\n"
        'closures = [["2026-12-24", "2027-01-01"]]\n',
        encoding="utf-8",
    )
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code = main(list(args))
    captured = capsys.readouterr()
    assert code == 0, f"moteur {' '.join(args)} exited {code}\n{captured.out}\n{captured.err}"
    return captured.out + captured.err


def test_the_check_finds_english_in_an_english_run(
    french: Path, capsys: pytest.CaptureFixture[str], sandbox: object
) -> None:
    """Not trivially true: the same commands in English are flagged line after line."""
    config = french / "moteur.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('"fr"', '"en"'), encoding="utf-8")
    output = _run(capsys, "plan", "--today", TODAY) + _run(capsys, "sync", "--dry-run", "--today", TODAY)
    flagged = english_lines(output)
    assert len(flagged) >= 40, flagged
    assert any("will" in found for _, found in flagged)


def test_plan_sync_dry_run_doctor_and_migrate_dry_run_speak_french(
    french: Path, capsys: pytest.CaptureFixture[str], sandbox: object
) -> None:
    trello = sandbox.boards["trello"][0]  # type: ignore[attr-defined]
    outputs = {
        "plan": _run(capsys, "plan", "--today", TODAY),
        "sync --dry-run": _run(capsys, "sync", "--dry-run", "--today", TODAY),
        "doctor": _run(capsys, "doctor"),
        "migrate --dry-run": _run(capsys, "migrate", trello, "asana:new", "--dry-run"),
    }
    # What the French run must say, so a command that printed nothing would not pass.
    assert "Victoire rapide" in outputs["plan"] and "À regarder" in outputs["plan"]
    assert "sera mise à jour" in outputs["sync --dry-run"]
    assert "victoire rapide" in outputs["sync --dry-run"]  # the reasons under each change
    flagged = {name: english_lines(output) for name, output in outputs.items()}
    assert not any(flagged.values()), "English in a French run:\n" + "\n".join(
        f"{name}: {line}    <- {sorted(found)}" for name, lines in flagged.items() for line, found in lines
    )


def test_sync_runs_and_rollback_speak_french(
    french: Path, capsys: pytest.CaptureFixture[str], sandbox: object
) -> None:
    """What follows the dry-run: the sync's result line, ``runs`` and ``rollback --dry-run``."""
    outputs = {"sync": _run(capsys, "sync", "--today", TODAY)}
    outputs["runs"] = _run(capsys, "runs")
    outputs["rollback --dry-run"] = _run(capsys, "rollback", "1", "--dry-run")
    assert "appliquées" in outputs["sync"] and "Annulation" in outputs["rollback --dry-run"], outputs
    flagged = {name: english_lines(output) for name, output in outputs.items()}
    assert not any(flagged.values()), "English in a French run:\n" + "\n".join(
        f"{name}: {line}    <- {sorted(found)}" for name, lines in flagged.items() for line, found in lines
    )


def test_json_stays_english_in_a_french_run(
    french: Path, capsys: pytest.CaptureFixture[str], sandbox: object
) -> None:
    """Machines read ``--json``: its keys and texts do not follow ``language``."""
    assert main(["plan", "--today", TODAY, "--json"]) == 0
    plan = json.loads(capsys.readouterr().out)
    explanations = {a["explanation"] for a in plan["actions"]}
    assert any("→ quick win; ICE" in e for e in explanations), explanations
    assert main(["doctor", "--json"]) == 0
    doctor = json.loads(capsys.readouterr().out)
    assert "Trello: credentials present" in [c["check"] for c in doctor["checks"]]


def test_the_demo_speaks_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Run) -> None:
    """The real command as ``make demo`` runs it (its own sandbox, rate limits on), in this process: its
    sandbox and its pacing share the test's virtual clock, so the vendors' limits cost no real time. The
    demo in a process of its own is ``tests/test_wheel.py``'s, from the installed wheel."""
    for name in [k for k in os.environ if k.startswith("MOTEUR_")]:
        monkeypatch.delenv(name)
    for name, value in {
        "NO_COLOR": "1",
        "COLUMNS": "200",
        "TMPDIR": str(tmp_path),
        "HOME": str(tmp_path),
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again, as a new process would
    monkeypatch.chdir(tmp_path)
    result = run("demo", "--language", "fr", "--today", TODAY)
    output = result.out + result.err
    assert result.code == 0, output
    assert output.count("Aucun changement.") == 3 and "Connecter un vrai tableau" in output, output
    flagged = english_lines(output)
    assert not flagged, "English in the French demo:\n" + "\n".join(
        f"{line}    <- {sorted(found)}" for line, found in flagged
    )


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("à faire", "todo"),
        ("En attente", "todo"),
        ("en cours", "doing"),
        ("Bloquée", "doing"),
        ("fini", "done"),
        ("Terminé", "done"),
        ("terminées", "done"),
        ("Livré", "done"),
        ("archivée", "archived"),
    ],
)
def test_a_plan_file_reads_the_usual_french_status_words(
    word: str,
    status: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    (tmp_path / "plan.csv").write_text(f"titre;impact;effort;statut\nWebinar;8;3;{word}\n", encoding="utf-8")
    assert main(["plan", "file:plan.csv", "--today", TODAY, "--json"]) == 0
    captured = capsys.readouterr()
    assert [a["status"] for a in json.loads(captured.out)["actions"]] == [status]
    assert "status" not in captured.err, "no warning: the word is known"
