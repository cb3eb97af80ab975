"""Settings: flags > ``MOTEUR_*`` environment > ``.env`` > ``moteur.toml`` > defaults.

The TOML file is ``--config FILE``, else ``$MOTEUR_CONFIG``, else ``./moteur.toml`` when it exists. Secrets
(tokens, keys) are read from the environment or ``.env`` only — never from flags, which land in shell
history — and are held as ``SecretStr`` so they never print.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from moteur.core.errors import ConfigError
from moteur.core.policy import Language, PlanningPolicy

DEFAULT_CONFIG = Path("moteur.toml")


class TeamGroup(BaseModel):
    """Boards that share one team's capacity (``[[teams]]``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    boards: list[str]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MOTEUR_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        env_nested_delimiter="__",
    )

    language: Language = Language.EN
    boards: list[str] = Field(default_factory=list)
    planning: PlanningPolicy = Field(default_factory=PlanningPolicy)
    teams: list[TeamGroup] = Field(default_factory=list)
    mappings: dict[str, str] = Field(default_factory=dict)  # tool -> path of a mapping file override
    full_every: int = Field(default=24, ge=1)

    trello_api_key: SecretStr | None = None
    trello_token: SecretStr | None = None
    asana_token: SecretStr | None = None
    monday_token: SecretStr | None = None
    trello_url: str = "https://api.trello.com/1"
    asana_url: str = "https://app.asana.com/api/1.0"
    monday_url: str = "https://api.monday.com/v2"
    monday_api_version: str = "2026-10"
    asana_tier: str = "paid"
    state_url: str | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = _TOML_DATA.get()
        return (init_settings, env_settings, dotenv_settings, InitSettingsSource(settings_cls, toml))


# The TOML data for the settings being built (set by ``load_settings`` around building them).
_TOML_DATA: ContextVar[dict[str, Any]] = ContextVar("moteur_toml", default={})  # noqa: B039

_TOML_KEYS = {"language", "boards", "planning", "teams", "mappings", "full_every", "state_url"}
_TOML_KEYS |= {"trello_url", "asana_url", "monday_url", "monday_api_version", "asana_tier"}


def config_path(explicit: Path | None, env: Mapping[str, str]) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} not found", hint="check the --config path")
        return explicit
    from_env = env.get("MOTEUR_CONFIG")
    if from_env:
        path = Path(from_env)
        if not path.is_file():
            raise ConfigError(f"config file {path} (MOTEUR_CONFIG) not found", hint="fix MOTEUR_CONFIG")
        return path
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}", hint="fix the line it names") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text", hint="save it as UTF-8") from exc
    unknown = sorted(set(data) - _TOML_KEYS)
    if unknown:
        known = ", ".join(sorted(_TOML_KEYS))
        raise ConfigError(f"{path}: unknown key {unknown[0]!r}", hint=f"known top-level keys: {known}")
    return data


def _describe(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "(top level)"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        return f"{source}: unknown key {where!r}"
    return f"{source}: {where}: {msg}"


# pydantic-settings reads list and table settings from the environment as JSON. What each one looks like:
_JSON_FORMS = {
    "boards": ("a JSON list", """'["trello:5f1c…", "file:plan.csv"]'"""),
    "teams": ("a JSON list of teams", """'[{"name": "Growth", "boards": ["file:plan.csv"]}]'"""),
    "mappings": ("a JSON table", """'{"trello": "my-trello.yaml"}'"""),
    "planning": ("a JSON table", """'{"sprint_weeks": 2}' (or MOTEUR_PLANNING__SPRINT_WEEKS=2)"""),
}
_SETTINGS_ERROR = re.compile(r'field "(?P<field>\w+)" from source "(?P<source>\w+)"')


def _unparsable(exc: SettingsError) -> ConfigError:
    """A variable pydantic-settings could not decode (``MOTEUR_BOARDS=file:a.csv``), named with its form."""
    found = _SETTINGS_ERROR.search(str(exc))
    if found is None:
        return ConfigError(f"a MOTEUR_* setting cannot be read ({exc})", hint="see moteur.example.toml")
    field = found["field"]
    variable = f"MOTEUR_{field.upper()}"
    where = ".env" if "DotEnv" in found["source"] else "the environment"
    form, example = _JSON_FORMS.get(field, ("JSON", "'…'"))
    return ConfigError(
        f"{variable} in {where} is not {form}",
        hint=f"write it as {variable}={example}, or set {field} in moteur.toml",
    )


def load_settings(
    config: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from every source; a bad value raises ``ConfigError`` naming it."""
    env = os.environ if env is None else env
    path = config_path(config, env)
    data = read_toml(path) if path else {}
    source = str(path) if path else "settings"
    token = _TOML_DATA.set(data)
    try:
        return Settings(**dict(overrides or {}))
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source), hint="see moteur.example.toml") from exc
    except SettingsError as exc:
        raise _unparsable(exc) from None
    finally:
        _TOML_DATA.reset(token)


def dotenv_warning(path: Path = Path(".env")) -> str | None:
    """A warning when ``.env`` (which holds tokens) is readable by group or others."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return f"{path} is readable by other users; run: chmod 600 {path}"
    return None


SECRET_VARIABLES = {
    "trello_api_key": "MOTEUR_TRELLO_API_KEY",
    "trello_token": "MOTEUR_TRELLO_TOKEN",
    "asana_token": "MOTEUR_ASANA_TOKEN",
    "monday_token": "MOTEUR_MONDAY_TOKEN",
}


def _token_problem(value: str) -> str | None:
    """What makes ``value`` impossible as a token, in words that never quote it; None when it may be one.

    Every vendor's token is one word of printable ASCII. Anything else is a copy-and-paste accident (a
    trailing newline from ``echo``, a curly quote, a non-breaking space) that would otherwise surface as a
    confusing header-encoding failure, or a 401 naming the wrong cause.
    """
    if value != value.strip():
        return "it begins or ends with a space or a line break"
    for position, char in enumerate(value, 1):
        if char.isspace() or not char.isprintable():
            return f"character {position} of {len(value)} is a space or a control character"
        if not char.isascii():
            return f"character {position} of {len(value)} is not ASCII (a token is plain ASCII)"
    return None


def check_secrets(settings: Settings) -> None:
    """``ConfigError`` (exit 2) for a token that cannot be one; the message never shows the value."""
    for field, variable in SECRET_VARIABLES.items():
        secret = getattr(settings, field)
        problem = _token_problem(secret.get_secret_value()) if secret is not None else None
        if problem:  # an empty value is "not set" (``init`` writes the names with empty values)
            raise ConfigError(
                f"{variable} is malformed: {problem}",
                hint="copy the token again, as one line without spaces or quotes (moteur never shows it)",
            )
