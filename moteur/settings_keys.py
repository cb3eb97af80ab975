"""Every key ``moteur.toml`` knows, where it lives, its one environment variable and its form in words.

One catalogue serves three readers: the check of a file's keys (an unknown key is refused with the keys of
its own table; a key written in the wrong table is told where it belongs), the messages of a bad value
(``closures: each entry is a pair of dates …`` rather than pydantic's ``Input should be a valid tuple``), and
the README's table of settings, whose environment column ``tests/cli/test_settings_env.py`` holds to it.

A key's *path* is its dotted name without list positions: ``planning.sprint_weeks``,
``planning.team.vacations``. Its variable is ``MOTEUR_`` and the path in capitals with ``__`` between the
parts (``MOTEUR_PLANNING__SPRINT_WEEKS``): pydantic-settings' nested delimiter, so the value is merged into
the file's ``[planning]`` table rather than replacing it. The lists of tables (``[[teams]]``,
``[[planning.team]]``) are one JSON variable each.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

PAIR_OF_DATES = 'each entry is a pair of dates ["2026-12-24", "2027-01-01"]'

# table (None: the top of the file) -> key -> its form, in words, with an example.
TABLES: dict[str | None, dict[str, str]] = {
    None: {
        "language": '"en" or "fr"',
        "boards": 'a list of board references, ["trello:5f1c…", "file:plan.csv"]',
        "planning": "the [planning] table",
        "teams": "a list of [[teams]] tables, each with name and boards",
        "objectives": "a list of [[objectives]] tables, each with name and weight or share",
        "mappings": 'a table of tool = "file.yaml", as { trello = "my-trello.yaml" }',
        "full_every": "a whole number of runs, 1 or more",
        "state_url": 'a database URL, as "sqlite:////var/lib/moteur/state.db"',
        "trello_url": 'a URL, as "https://api.trello.com/1"',
        "asana_url": 'a URL, as "https://app.asana.com/api/1.0"',
        "monday_url": 'a URL, as "https://api.monday.com/v2"',
        "monday_api_version": 'a version name in quotes, as "2026-10"',
        "asana_tier": '"paid" or "free"',
    },
    "planning": {
        "first_sprint": "a date as 2026-11-30 (a Monday)",
        "sprint_weeks": "a whole number of weeks from 1 to 4",
        "horizon": "a whole number of sprints from 1 to 52",
        "country": 'a country code in quotes, as "FR"',
        "subdivision": 'a subdivision code in quotes, as "57"',
        "closures": PAIR_OF_DATES,
        "capacity_per_sprint": "a number of effort points, 0 or more",
        "capacity": '"fixed" (capacity_per_sprint or the team) or "velocity" (measured)',
        "velocity_sprints": "a whole number of finished sprints from 1 to 26",
        "impact_threshold": "a whole number from 1 to 10",
        "effort_threshold": "a whole number from 1 to 10",
        "default_confidence": "a whole number from 1 to 10",
        "ice_formula": '"product" or "mean"',
        "team": "a list of [[planning.team]] tables, each with name, email, points_per_day, vacations",
    },
    "planning.team": {
        "name": 'a name in quotes, as "Camille"',
        "email": 'an e-mail address in quotes, as "camille@exemple.fr"',
        "points_per_day": "a number of effort points a day, 0 or more",
        "vacations": 'each entry is a pair of dates ["2027-02-15", "2027-02-19"]',
    },
    "teams": {
        "name": 'a name in quotes, as "Marketing"',
        "boards": 'a list of board references, ["trello:AbCdEf12", "asana:1201234567890123"]',
    },
    "objectives": {
        "name": 'a name in quotes, as "Notoriété"',
        "weight": "a number above 0, relative to the other objectives' (2 is twice 1)",
        "share": "a percentage of the effort from 0 to 100, as 40",
        "kpi": 'the indicator it moves, in quotes, as "MQL / month"',
        "target": "a number, as 120",
    },
    "mappings": {
        "trello": 'a mapping file, as "my-trello.yaml"',
        "asana": 'a mapping file, as "my-asana.yaml"',
        "monday": 'a mapping file, as "my-monday.yaml"',
        "file": 'a mapping file, as "my-file.yaml"',
    },
}

# How a table is written in the file: in messages, "the keys of [planning]".
HEADINGS = {
    None: "the top of the file",
    "planning": "[planning]",
    "planning.team": "[[planning.team]]",
    "teams": "[[teams]]",
    "objectives": "[[objectives]]",
    "mappings": "[mappings]",
}
# Keys whose value is a table or tables.
TABLE_KEYS = {"planning", "teams", "objectives", "mappings", "planning.team"}

# The tokens: environment or .env only, never the file (they would sit in a file people share).
SECRETS = ("trello_api_key", "trello_token", "asana_token", "monday_token")


def variable(path: str) -> str:
    """``planning.sprint_weeks`` -> ``MOTEUR_PLANNING__SPRINT_WEEKS``."""
    return "MOTEUR_" + "__".join(part.upper() for part in path.split("."))


def form(path: str) -> str | None:
    """The form of the key at ``path`` in words, or None for a path the catalogue does not know."""
    table, _, key = path.rpartition(".")
    return TABLES.get(table or None, {}).get(key)


def heading(table: str | None) -> str:
    return HEADINGS.get(table, f"[{table}]")


def keys_of(table: str | None) -> str:
    """``the keys of [planning] are: first_sprint, sprint_weeks, …`` for a hint."""
    keys = TABLES.get(table, {})
    if table is None:
        plain = [k for k in keys if k not in TABLE_KEYS]
        tables = [heading(k) for k in keys if k in TABLE_KEYS]
        return f"the top-level keys are {', '.join(plain)}; the tables are {', '.join(tables)}"
    return f"the keys of {heading(table)} are {', '.join(keys)}"


def home_of(key: str, besides: str | None) -> str | None:
    """The table other than ``besides`` where ``key`` belongs (None for the top), or ``"?"`` if none.

    ``sprint_weeks`` written at the top of the file belongs under ``[planning]``; ``boards`` written after a
    ``[planning]`` line (so inside it, in TOML) belongs at the top.
    """
    for table in (None, "planning", "planning.team", "teams", "objectives"):
        if table != besides and key in TABLES[table]:
            return table
    return "?"


def unknown_key(key: str, table: str | None) -> tuple[str, str]:
    """The message and hint for ``key`` in ``table``, which does not hold it."""
    where = "" if table is None else f"{table}."
    if key in SECRETS:
        hint = f"put {variable(key)}=… in .env (chmod 600 .env) or in the environment"
        return f"{key} cannot be set in moteur.toml: tokens are read from the environment or .env only", hint
    home = home_of(key, table)
    if home != "?":
        if home is None:
            below = heading(table)
            hint = f"move it above the first [table] line: in TOML every key below {below} is in it"
            return f"{key} is a top-level key, not a key of {heading(table)}", hint
        return f"{key} belongs under {heading(home)}", f"write it below a {heading(home)} line"
    close = difflib.get_close_matches(key, list(TABLES.get(table, {})), n=1, cutoff=0.6)
    guess = f"did you mean {close[0]}? " if close else ""
    return f"unknown key {where + key!r}", guess + keys_of(table)


def check_keys(data: object, table: str | None = None) -> tuple[str, str] | None:
    """The first key of a file's (sub)table that is not where it belongs: its message and hint, or None."""
    if not isinstance(data, dict):
        return None
    known = TABLES.get(table)
    if known is None:
        return None
    for key, value in data.items():
        if key not in known:
            return unknown_key(key, table)
        path = f"{table}.{key}" if table else key
        if path in TABLE_KEYS:
            tables: Iterable[object] = value if isinstance(value, list) else [value]
            for entry in tables:
                problem = check_keys(entry, path)
                if problem is not None:
                    return problem
    return None


def misplaced_variable(name: str) -> tuple[str, str] | None:
    """For ``MOTEUR_SPRINT_WEEKS`` (a key of [planning] named as if it were top-level): message and hint.

    Only a name that is some table's key is refused: other ``MOTEUR_*`` variables (``MOTEUR_CONFIG``, the
    tests' own) are none of the settings' business.
    """
    upper = name.upper()
    if not upper.startswith("MOTEUR_") or "__" in upper:
        return None
    key = upper.removeprefix("MOTEUR_").lower()
    if key in TABLES[None] or key in SECRETS or key == "config":
        return None
    for table in ("planning",):
        if key in TABLES[table]:
            right = variable(f"{table}.{key}")
            return f"{name} is not a setting: {key} belongs under {heading(table)}", f"write {right}"
    return None
