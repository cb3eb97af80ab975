"""A setting that cannot be used, told in a person's words and traced to where its value came from.

Settings have three places a value can come from besides the defaults: the environment, ``.env`` and
``moteur.toml``. pydantic's error names neither the place nor the form expected ("Input should be a valid
tuple"); this module turns it into ``/srv/moteur/moteur.toml: planning.closures: each entry is a pair of
dates ["2026-12-24", "2027-01-01"], not ["2026-12-24"]``. The place is the first of the sources, in the order
they win (environment, ``.env``, file), that holds a value for the key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import SettingsError

from moteur.core.errors import ConfigError
from moteur.settings_keys import (
    SECRETS,
    TABLE_KEYS,
    check_keys,
    form,
    home_of,
    misplaced_variable,
    unknown_key,
    variable,
)

SEE = "see the settings table in the README, or moteur.example.toml"


@dataclass(frozen=True)
class Places:
    """Where the values were read: the environment, the ``.env`` file used and the config file used."""

    environ: Mapping[str, str]
    dotenv: Mapping[str, str | None]
    dotenv_path: Path | None
    toml: Mapping[str, Any]
    toml_path: Path | None


def _lookup(variables: Mapping[str, Any], name: str) -> tuple[str, Any] | None:
    """The variable ``name`` in ``variables``, matched ignoring case as pydantic-settings does."""
    for key, value in variables.items():
        if key.upper() == name:
            return key, value
    return None


def _in_toml(data: Mapping[str, Any], parts: Sequence[str | int]) -> bool:
    node: Any = data
    for part in parts:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return False
        elif not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def origin(places: Places, loc: Sequence[str | int]) -> tuple[str, bool]:
    """Where the value at ``loc`` came from, and whether that place names the key itself (a variable of
    its own: ``MOTEUR_PLANNING__SPRINT_WEEKS``) or holds it inside a larger value (``MOTEUR_PLANNING``)."""
    names = [str(p) for p in loc if not isinstance(p, int)]
    for depth in range(len(names), 0, -1):
        name = variable(".".join(names[:depth]))
        for variables, where in (
            (places.environ, "in the environment"),
            (places.dotenv, f"in {places.dotenv_path}"),
        ):
            found = _lookup(variables, name)
            if found is not None:
                return f"{found[0]} {where}", depth == len(names)
    if places.toml_path is not None and _in_toml(places.toml, loc[:1]):
        return str(places.toml_path), False
    return "the settings", False


def _key(loc: Sequence[str | int]) -> tuple[str, str, bool]:
    """The catalogue's path of ``loc``, how to show it (``planning.team.vacations (entry 2 of
    [[planning.team]])``), and whether ``loc`` goes on inside the key's value (``closures[0][1]``)."""
    parts: list[str] = []
    entry = ""
    inside = False
    for part in loc:
        if isinstance(part, int):
            path = ".".join(parts)
            if path in ("planning.team", "teams", "objectives") and not entry:
                entry = f" (entry {part + 1} of [[{path}]])"
                continue
            inside = True  # a position inside a list value: the key is the list itself
            break
        parts.append(part)
    whole = ".".join(parts)
    while parts and form(".".join(parts)) is None:
        parts.pop()  # pydantic's own steps (a union's branch, a validator's name) are not keys
    known = ".".join(parts) or whole
    return known, known + entry, inside or known != whole


def _shown(value: Any, secret: bool) -> str:
    if secret:
        return "(a value not shown)"
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def describe(exc: ValidationError, places: Places) -> ConfigError:
    """The first error of ``exc`` as one message naming its place and key, in words."""
    err = exc.errors()[0]
    loc: Sequence[str | int] = err["loc"]
    where, whole = origin(places, loc)
    path, shown_key, inside = _key(loc)
    subject = "" if whole else f"{shown_key}: "
    if err["type"] == "extra_forbidden":
        table, _, key = ".".join(str(p) for p in loc if not isinstance(p, int)).rpartition(".")
        message, hint = unknown_key(key, table or None)
        home = home_of(key, table or None)
        if where.startswith("MOTEUR_") and home != "?":  # from a variable: the variable to write instead
            hint = f"write {variable(f'{home}.{key}' if home else key)}"
        return ConfigError(f"{where}: {message}", hint=hint)
    if err["type"] == "missing" and not inside:
        return ConfigError(f"{where}: {shown_key}: missing", hint=f"write it: {form(path) or 'required'}")
    if err["type"] == "value_error":  # our own validators speak plainly already ("ends before it starts")
        problem = str(err["msg"]).removeprefix("Value error, ")
        return ConfigError(f"{where}: {'' if path in TABLE_KEYS else subject}{problem}", hint=SEE)
    expected = form(path) or str(err["msg"])
    shown = _shown(err.get("input"), secret=path in SECRETS)
    return ConfigError(f"{where}: {subject}{expected}, not {shown}", hint=SEE)


def check_file_keys(data: Mapping[str, Any], path: Path) -> None:
    """``ConfigError`` for the first key of the file that is unknown or in the wrong table."""
    problem = check_keys(dict(data))
    if problem is not None:
        message, hint = problem
        raise ConfigError(f"{path}: {message}", hint=hint)


def check_variables(places: Places) -> None:
    """``ConfigError`` for a variable that names a key of a table as if it were top-level
    (``MOTEUR_SPRINT_WEEKS``): otherwise it would be ignored without a word."""
    for variables, where in ((places.environ, "the environment"), (places.dotenv, str(places.dotenv_path))):
        for name in variables:
            problem = misplaced_variable(name)
            if problem is not None:
                message, hint = problem
                raise ConfigError(f"{message} (in {where})", hint=hint)


# pydantic-settings decodes list and table variables as JSON before any validator sees them.
_JSON_FORMS = {
    "teams": ("a JSON list of teams", """'[{"name": "Growth", "boards": ["file:plan.csv"]}]'"""),
    "objectives": (
        "a JSON list of objectives",
        """'[{"name": "Notoriété", "share": 40}, {"name": "Leads", "share": 60}]'""",
    ),
    "mappings": ("a JSON table", """'{"trello": "my-trello.yaml"}' (or MOTEUR_MAPPINGS__TRELLO=…)"""),
    "planning": ("a JSON table", """'{"sprint_weeks": 2}' (or MOTEUR_PLANNING__SPRINT_WEEKS=2)"""),
    "planning.team": ("a JSON list of people", """'[{"name": "Camille", "points_per_day": 1.5}]'"""),
    "planning.closures": ("a JSON list of pairs of dates", """'[["2026-12-24", "2027-01-01"]]'"""),
}
_SETTINGS_ERROR = re.compile(r'field "(?P<field>\w+)" from source "(?P<source>\w+)"')


def unparsable(exc: SettingsError, places: Places) -> ConfigError:
    """A variable pydantic-settings could not decode (``MOTEUR_TEAMS=Growth``), named with its form."""
    found = _SETTINGS_ERROR.search(str(exc))
    if found is None:
        return ConfigError(f"a MOTEUR_* setting cannot be read ({exc})", hint=SEE)
    field = found["field"]
    where = f"in {places.dotenv_path}" if "DotEnv" in found["source"] else "in the environment"
    # The variable at fault: the field's own, or a nested one under it (MOTEUR_PLANNING__CLOSURES).
    variables = places.dotenv if "DotEnv" in found["source"] else places.environ
    prefix = variable(field)
    named = sorted((k.upper() for k in variables if k.upper().startswith(prefix)), key=len)
    name = named[-1] if named else prefix
    path = name.removeprefix("MOTEUR_").lower().replace("__", ".")
    shape, example = _JSON_FORMS.get(path, ("JSON", "'…'"))
    return ConfigError(
        f"{name} {where} is not {shape}",
        hint=f"write it as {name}={example}, or set {path} in moteur.toml",
    )
