"""Settings as documented, through the real CLI.

- Every key of the README's settings table has one environment variable, and it works: set alone, it shows
  in ``doctor --json``'s effective ``settings``; a table's variable is merged into the file's table.
- A mistake is refused (exit 2) naming where the value came from (the environment, ``.env`` or the file with
  its path), the keys of its own table, where a misplaced key belongs, and the form expected in words.
- Any directory: paths in ``moteur.toml`` are read relative to it, ``.env`` beside it is read, and with no
  config the messages say so.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
Run = Any  # tests/cli/conftest.py: run(*args) -> Result(code, out, err)

# One working value per variable of the README's table, and the effective setting it must give.
SAMPLES: dict[str, tuple[str, str, Any]] = {
    "MOTEUR_LANGUAGE": ("fr", "language", "fr"),
    "MOTEUR_BOARDS": ("file:plan.csv,file:plan.csv", "boards", ["file:plan.csv", "file:plan.csv"]),
    "MOTEUR_PLANNING__FIRST_SPRINT": ("2026-11-30", "planning.first_sprint", "2026-11-30"),
    "MOTEUR_PLANNING__SPRINT_WEEKS": ("3", "planning.sprint_weeks", 3),
    "MOTEUR_PLANNING__HORIZON": ("9", "planning.horizon", 9),
    "MOTEUR_PLANNING__COUNTRY": ("BE", "planning.country", "BE"),
    "MOTEUR_PLANNING__SUBDIVISION": ("57", "planning.subdivision", "57"),
    "MOTEUR_PLANNING__CLOSURES": (
        '[["2026-12-24", "2027-01-01"]]',
        "planning.closures",
        [["2026-12-24", "2027-01-01"]],
    ),
    "MOTEUR_PLANNING__CAPACITY_PER_SPRINT": ("33", "planning.capacity_per_sprint", 33.0),
    "MOTEUR_PLANNING__CAPACITY": ("velocity", "planning.capacity", "velocity"),
    "MOTEUR_PLANNING__VELOCITY_SPRINTS": ("4", "planning.velocity_sprints", 4),
    "MOTEUR_PLANNING__IMPACT_THRESHOLD": ("7", "planning.impact_threshold", 7),
    "MOTEUR_PLANNING__EFFORT_THRESHOLD": ("4", "planning.effort_threshold", 4),
    "MOTEUR_PLANNING__DEFAULT_CONFIDENCE": ("8", "planning.default_confidence", 8),
    "MOTEUR_PLANNING__ICE_FORMULA": ("mean", "planning.ice_formula", "mean"),
    "MOTEUR_PLANNING__TEAM": (
        '[{"name": "Camille", "points_per_day": 1.5}]',
        "planning.team.0.name",
        "Camille",
    ),
    "MOTEUR_TEAMS": ('[{"name": "Growth", "boards": ["file:plan.csv"]}]', "teams.0.name", "Growth"),
    "MOTEUR_OBJECTIVES": ('[{"name": "Leads", "share": 60}]', "objectives.0.name", "Leads"),
    "MOTEUR_MAPPINGS__TRELLO": ("my-trello.yaml", "mappings.trello", "my-trello.yaml"),
    "MOTEUR_MAPPINGS__ASANA": ("my-asana.yaml", "mappings.asana", "my-asana.yaml"),
    "MOTEUR_MAPPINGS__MONDAY": ("my-monday.yaml", "mappings.monday", "my-monday.yaml"),
    "MOTEUR_MAPPINGS__FILE": ("my-file.yaml", "mappings.file", "my-file.yaml"),
    "MOTEUR_ASANA_TIER": ("free", "asana_tier", "free"),
    "MOTEUR_MONDAY_API_VERSION": ("2026-07", "monday_api_version", "2026-07"),
    "MOTEUR_TRELLO_URL": ("http://127.0.0.1:9/trello", "trello_url", "http://127.0.0.1:9/trello"),
    "MOTEUR_ASANA_URL": ("http://127.0.0.1:9/asana", "asana_url", "http://127.0.0.1:9/asana"),
    "MOTEUR_MONDAY_URL": ("http://127.0.0.1:9/monday", "monday_url", "http://127.0.0.1:9/monday"),
    "MOTEUR_STATE_URL": ("sqlite:///{workdir}/other.db", "state_url", "sqlite:///{workdir}/other.db"),
    "MOTEUR_FULL_EVERY": ("5", "full_every", 5),
}


def readme_table() -> list[tuple[str, str]]:
    """``(key, variable)`` for each row of the README's settings table."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Configuration: `moteur.toml`") :]
    section = section[: section.index("\n## ", 10)]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("`MOTEUR_"):
            rows.append((cells[0].strip("`"), cells[1].strip("`")))
    return rows


def effective(settings: dict[str, Any], path: str) -> Any:
    """The value at ``path`` (``planning.team.0.name``), or None when there is none."""
    node: Any = settings
    for part in path.split("."):
        try:
            node = node[int(part)] if part.isdigit() else node[part]
        except (KeyError, IndexError):
            return None
    return node


def doctor_settings(run: Run) -> dict[str, Any]:
    result = run("doctor", "--json")
    payload = json.loads(result.out)
    assert isinstance(payload, dict), result.out
    settings: dict[str, Any] = payload["settings"]
    return settings


def test_the_readme_table_gives_every_key_one_variable(workdir: Path) -> None:
    rows = readme_table()
    variables = [variable for _, variable in rows]
    assert len(variables) == len(set(variables)) == len(rows) >= 25
    assert set(variables) == set(SAMPLES), "a row of the README's table has no sample here, or the reverse"
    # Every key moteur.example.toml sets is a row of the table.
    example = tomllib.loads((REPO / "moteur.example.toml").read_text(encoding="utf-8"))
    keys = {key for key, _ in rows}
    for key, value in example.items():
        if isinstance(value, dict):
            assert all(f"[{key}] {sub}" in keys for sub in value), key
        else:
            assert key in keys, key


@pytest.mark.parametrize("variable", sorted(SAMPLES))
def test_each_documented_variable_works(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    value, path, expected = SAMPLES[variable]
    before = effective(doctor_settings(run), path.split(".0.")[0])
    monkeypatch.setenv(variable, value.replace("{workdir}", str(workdir)))
    after = doctor_settings(run)
    if isinstance(expected, str):
        expected = expected.replace("{workdir}", str(workdir))
    assert effective(after, path) == expected
    assert effective(after, path.split(".0.")[0]) != before


def test_a_table_variable_merges_into_the_file_table(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "moteur.toml").write_text("[planning]\nsprint_weeks = 3\nhorizon = 5\n", encoding="utf-8")
    monkeypatch.setenv("MOTEUR_PLANNING__SPRINT_WEEKS", "1")
    planning = doctor_settings(run)["planning"]
    assert (planning["sprint_weeks"], planning["horizon"]) == (1, 5)


# -- mistakes, in a person's words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        ("sprint_weeks = 3\n", ["moteur.toml: sprint_weeks belongs under [planning]"]),
        (
            '[planning]\nsprint_weeks = 2\nboards = ["file:plan.csv"]\n',
            ["boards is a top-level key, not a key of [planning]", "move it above the first [table] line"],
        ),
        (
            "[planning]\nsprint_week = 2\n",
            ["unknown key 'planning.sprint_week'", "did you mean sprint_weeks?", "first_sprint", "closures"],
        ),
        ("colour = 1\n", ["unknown key 'colour'", "language", "boards", "[planning]"]),
        (
            '[planning]\nclosures = [["2026-12-24"]]\n',
            [
                "planning.closures: each entry is a pair of dates",
                '["2026-12-24", "2027-01-01"], not ["2026-12-24"]',
            ],
        ),
        ('[planning]\nfirst_sprint = "30/11/2026"\n', ["planning.first_sprint: a date as 2026-11-30"]),
        (
            'trello_token = "x"\n',
            ["tokens are read from the environment or .env only", "MOTEUR_TRELLO_TOKEN"],
        ),
        ('asana_tier = "pro"\n', ['asana_tier: "paid" or "free", not "pro"']),
    ],
)
def test_a_bad_file_names_its_path_and_says_what_to_write(
    workdir: Path, run: Run, toml: str, needles: list[str]
) -> None:
    (workdir / "moteur.toml").write_text(toml, encoding="utf-8")
    result = run("plan", "file:plan.csv")
    assert result.code == 2, result.err
    flat = " ".join(result.err.split())
    for needle in needles:
        assert needle in flat, result.err
    assert "Input should" not in flat and "validation error" not in flat and "Traceback" not in flat


@pytest.mark.parametrize(
    ("variable", "value", "needles"),
    [
        (
            "MOTEUR_SPRINT_WEEKS",
            "2",
            ["MOTEUR_SPRINT_WEEKS is not a setting", "write MOTEUR_PLANNING__SPRINT_WEEKS"],
        ),
        (
            "MOTEUR_PLANNING__SPRINT_WEEKS",
            "9",
            ["MOTEUR_PLANNING__SPRINT_WEEKS", "a whole number of weeks from 1 to 4"],
        ),
        ("MOTEUR_PLANNING__BOARDS", "file:plan.csv", ["boards is a top-level key", "write MOTEUR_BOARDS"]),
        ("MOTEUR_PLANNING__CLOSURES", '[["2026-12-24"]]', ["each entry is a pair of dates"]),
        ("MOTEUR_PLANNING__FIRST_SPRINT", "30/11/2026", ["a date as 2026-11-30"]),
    ],
)
@pytest.mark.parametrize("where", ["environment", ".env"])
def test_a_bad_variable_names_itself_and_where_it_was(
    workdir: Path,
    run: Run,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    variable: str,
    value: str,
    needles: list[str],
) -> None:
    if where == "environment":
        monkeypatch.setenv(variable, value)
    else:
        (workdir / ".env").write_text(f"{variable}='{value}'\n", encoding="utf-8")
        (workdir / ".env").chmod(0o600)
    result = run("plan", "file:plan.csv")
    assert result.code == 2, result.err
    flat = " ".join(result.err.split())
    assert "in the environment" in flat if where == "environment" else "in .env" in flat
    for needle in needles:
        assert needle in flat, result.err
    assert "Input should" not in flat and "Traceback" not in flat


# -- any directory ----------------------------------------------------------------------------------


@pytest.fixture
def project(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``project/``: its config, plan, mapping, .env and state database; the test runs from ``elsewhere/``."""
    folder = workdir / "project"
    folder.mkdir()
    (workdir / "plan.csv").rename(folder / "plan.csv")
    (folder / "my-file.yaml").write_text("tool: file\n", encoding="utf-8")
    (folder / "moteur.toml").write_text(
        'boards = ["file:plan.csv"]\nstate_url = "sqlite:///state.db"\n'
        '[mappings]\nfile = "my-file.yaml"\n[planning]\nfirst_sprint = 2026-11-30\n',
        encoding="utf-8",
    )
    (folder / ".env").write_text("MOTEUR_LANGUAGE=fr\n", encoding="utf-8")
    (folder / ".env").chmod(0o600)
    monkeypatch.delenv("MOTEUR_STATE_URL")  # the file's own state_url, relative to it
    elsewhere = workdir / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    return folder


def test_the_config_works_from_any_directory(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTEUR_CONFIG", str(project / "moteur.toml"))
    result = run("sync", "--dry-run", "--today", "2026-12-01")
    assert result.code == 0, result.err
    assert "Victoire rapide" in result.out  # language = "fr" from the .env beside the config
    assert (project / "state.db").is_file() and not Path("state.db").exists()
    payload = json.loads(run("doctor", "--json").out)
    assert payload["config_file"] == str(project / "moteur.toml")
    assert payload["env_file"] == str(project / ".env")
    assert payload["settings"]["boards"] == [f"file:{project / 'plan.csv'}"]
    assert payload["settings"]["mappings"]["file"] == str(project / "my-file.yaml")
    (payload["checks"][0],) = [c for c in payload["checks"] if c["check"] == "configuration"]
    assert payload["checks"][0]["ok"]
    assert run("plan", "--today", "2026-12-01", "--config", str(project / "moteur.toml")).code == 0


def test_the_dotenv_of_the_current_directory_is_read_when_none_is_beside_the_config(
    project: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / ".env").unlink()
    Path(".env").write_text("MOTEUR_PLANNING__HORIZON=3\n", encoding="utf-8")
    Path(".env").chmod(0o600)
    monkeypatch.setenv("MOTEUR_CONFIG", str(project / "moteur.toml"))
    payload = json.loads(run("doctor", "--json").out)
    assert payload["env_file"] == str(Path(".env").absolute())
    assert payload["settings"]["planning"]["horizon"] == 3


def test_with_no_config_the_messages_say_so(workdir: Path, run: Run) -> None:
    said = "no moteur.toml here or in $MOTEUR_CONFIG; run moteur init"
    result = run("sync", "--dry-run")
    assert result.code == 2 and said in " ".join(result.err.split())
    doctor = run("doctor")
    assert doctor.code == 1
    assert re.search(r"✗ configuration — no moteur.toml here or in \$MOTEUR_CONFIG", doctor.out), doctor.out
    assert "moteur init" in doctor.out
