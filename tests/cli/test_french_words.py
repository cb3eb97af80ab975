"""French beyond the sentences: numbers written the French way, plurals that agree, ``init`` in French.

- Numbers: where English groups thousands with a comma (``1,500``), French groups them with a narrow
  no-break space (U+202F: ``1 500``), and writes a decimal comma (``2,5``) where English writes a point;
  both in a view's own figures (``words.number``) and in a phrase's number fields (``tr``).
- Plurals: a failed exchange says ``1 attempt`` / ``3 attempts`` (``tentative`` / ``tentatives``), an estimate
  ``≈ 1 request`` / ``≈ 14 requests``, and French ``≈ 0 requête`` (French counts 0 as one).
- ``init`` asks its questions in ``MOTEUR_LANGUAGE`` (there is no ``moteur.toml`` yet to say it), and the
  file it writes stays English, like ``moteur.example.toml``.
"""

from __future__ import annotations

import io
import pickle
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_run import Run

from moteur.connectors.http.failures import Failure, default_classification
from moteur.core.phrase import Phrase
from moteur.core.policy import DEFAULT_LANGUAGE, Language
from moteur.i18n import set_language, tr
from moteur.views.words import number

THIN = "\u202f"


@pytest.fixture(autouse=True)
def english_afterwards() -> Iterator[None]:
    """The language is the process's (``set_language``): put the default back for the tests that follow."""
    yield
    set_language(DEFAULT_LANGUAGE)


def test_numbers_are_grouped_and_pointed_as_each_language_writes_them() -> None:
    assert (number(1500), number(2.5, places=1), number(1234567.25, places=2)) == (
        "1,500",
        "2.5",
        "1,234,567.25",
    )
    set_language(Language.FR)
    assert (number(1500), number(2.5, places=1)) == (f"1{THIN}500", "2,5")
    assert number(1234567.25, places=2) == f"1{THIN}234{THIN}567,25"
    assert number(12) == "12"


def test_a_phrase_keeps_english_numbers_in_english_and_writes_french_ones_in_french() -> None:
    budget = Phrase("paid workspace (custom fields available): {budget:,} a minute", budget=1500)
    assert budget == "paid workspace (custom fields available): 1,500 a minute"  # JSON and logs: English
    assert tr(budget, Language.EN) == budget
    french = tr(budget, Language.FR)
    assert f"1{THIN}500 par minute" in french and "1,500" not in french, french


ESTIMATE = (
    "≈ {requests} request, ≈ {seconds} s at Trello's rate limit",
    "≈ {requests} requests, ≈ {seconds} s at Trello's rate limit",
)


@pytest.mark.parametrize(
    ("count", "english", "french"),
    [
        (0, "≈ 0 requests", "≈ 0 requête,"),
        (1, "≈ 1 request,", "≈ 1 requête,"),
        (14, "≈ 14 requests", "≈ 14 requêtes"),
    ],
)
def test_an_estimate_counts_its_requests_in_agreement(count: int, english: str, french: str) -> None:
    estimate = Phrase.counted(*ESTIMATE, "requests", requests=count, seconds=3)
    assert estimate.startswith(english) and tr(estimate, Language.EN) == estimate
    assert tr(estimate, Language.FR).startswith(french), tr(estimate, Language.FR)
    again = pickle.loads(pickle.dumps(estimate))  # copied or pickled, it stays a counting phrase
    assert (again, again.plural, tr(again, Language.FR)) == (estimate, ESTIMATE[1], tr(estimate, Language.FR))


@pytest.mark.parametrize(
    ("attempts", "english", "french"),
    [(1, "1 attempt)", "1 tentative)"), (3, "3 attempts)", "3 tentatives)")],
)
def test_a_failed_exchange_counts_its_attempts_in_agreement(attempts: int, english: str, french: str) -> None:
    failure = Failure(
        "Trello", "api.trello.com", "GET", "/1/boards/x", error=TimeoutError("timed out"), attempts=attempts
    )
    assert default_classification(failure).message.endswith(english)
    set_language(Language.FR)
    said = default_classification(failure).message
    assert said.startswith("impossible de joindre api.trello.com") and said.endswith(french), said


def test_init_asks_in_the_language_of_the_environment_and_writes_an_english_file(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTEUR_LANGUAGE", "fr")
    for name in ("MOTEUR_TRELLO_API_KEY", "MOTEUR_TRELLO_TOKEN", "MOTEUR_ASANA_TOKEN", "MOTEUR_MONDAY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    # A Tuesday first, refused (in French), then a Monday.
    answers = ["file", "plan.csv", "fr", "2", "2026-12-01", "2026-11-30", "20", "FR", "", ""]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(answers) + "\n"))
    result = run("init")
    assert result.code == 0, result.err
    for question in (
        "Outils (trello, asana, monday, file)",
        "Durée d'un sprint en semaines",
        "Jours fériés du pays",
    ):
        assert question in result.err, result.err
    assert "le 2026-12-01 est un mardi ; les sprints commencent un lundi" in result.err, result.err
    assert "ensuite : remplissez .env" in result.out, result.out
    config = (workdir / "moteur.toml").read_text(encoding="utf-8")
    assert config.startswith("# moteur.toml — written by `moteur init`.")
    settings = tomllib.loads(config)
    assert settings["language"] == "fr" and settings["planning"]["first_sprint"].isoformat() == "2026-11-30"


@pytest.mark.parametrize(("language", "shown", "not_shown"), [("fr", "22,5", "22.5"), ("en", "22.5", "22,5")])
def test_the_sprint_table_writes_its_decimals_as_the_language_does(
    workdir: Path, run: Run, language: str, shown: str, not_shown: str
) -> None:
    settings = f'language = "{language}"\n[planning]\ncapacity_per_sprint = 22.5\nfirst_sprint = 2026-11-30\n'
    (workdir / "moteur.toml").write_text(settings, encoding="utf-8")
    result = run("plan", "file:plan.csv", "--today", "2026-12-01")
    assert result.code == 0, result.err
    row = next(line for line in result.out.splitlines() if "Sprint 1 " in line and "│" in line)
    assert shown in row and not_shown not in row, row
