"""Settings: flags > ``MOTEUR_*`` environment > ``.env`` > ``moteur.toml`` > defaults.

The TOML file is ``--config FILE``, else ``$MOTEUR_CONFIG``, else ``./moteur.toml`` when it exists; the paths
written in it (``file:`` boards, mapping files, a SQLite ``state_url``) are read relative to it, so moteur
runs from any directory. ``.env`` is the one beside that file, else the one in the current directory. Secrets
(tokens, keys) are read from the environment or ``.env`` only — never from flags, which land in shell
history — and are held as ``SecretStr`` so they never print.

Every key has one environment variable (``settings_keys``); a bad value is refused naming the variable or
file it came from, in words (``settings_errors``).
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    InitSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from moteur.core.errors import ConfigError
from moteur.core.objectives import Objective, check_objectives
from moteur.core.phrase import N_
from moteur.core.policy import DEFAULT_LANGUAGE, Language, PlanningPolicy
from moteur.settings_errors import Places, check_file_keys, check_variables, describe, unparsable

DEFAULT_CONFIG = Path("moteur.toml")
NO_CONFIG = "no moteur.toml here or in $MOTEUR_CONFIG; run moteur init"


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

    language: Language = DEFAULT_LANGUAGE
    # NoDecode: MOTEUR_BOARDS reaches ``_boards`` as written, so both trello:a,asana:b and JSON work.
    boards: Annotated[list[str], NoDecode] = Field(default_factory=list)
    planning: PlanningPolicy = Field(default_factory=PlanningPolicy)
    teams: list[TeamGroup] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)  # [[objectives]]: core/objectives
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
    asana_tier: Literal["paid", "free"] = "paid"
    state_url: str | None = None

    # Where these settings were read (``load_settings`` sets them): for messages, doctor and init.
    _config_file: Path | None = PrivateAttr(default=None)
    _env_file: Path | None = PrivateAttr(default=None)

    @property
    def config_file(self) -> Path | None:
        """The ``moteur.toml`` read, or None when there was none."""
        return self._config_file

    @property
    def env_file(self) -> Path | None:
        """The ``.env`` read, or None when there was none."""
        return self._env_file

    @field_validator("boards", mode="before")
    @classmethod
    def _boards(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if not text.startswith("["):
            return [part.strip() for part in text.split(",") if part.strip()]
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(
                'a list of board references, as trello:5f1c…,file:plan.csv or ["trello:5f1c…", '
                '"file:plan.csv"]; this one starts with [ but is not JSON'
            ) from None

    @field_validator("objectives")
    @classmethod
    def _objectives(cls, value: list[Objective]) -> list[Objective]:
        return check_objectives(value)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        load = _LOADING.get()
        if load is None:  # built directly (tests): the environment and ./.env, no file
            return (init_settings, env_settings, dotenv_settings)
        sources: list[PydanticBaseSettingsSource] = [
            init_settings,
            _MappingEnvSource(settings_cls, load.environ),
        ]
        if load.dotenv is not None:
            sources.append(DotEnvSettingsSource(settings_cls, env_file=load.dotenv))
        sources.append(InitSettingsSource(settings_cls, dict(load.toml)))
        return tuple(sources)


class _MappingEnvSource(EnvSettingsSource):
    """The environment source reading a given mapping (``load_settings(env=…)``), not ``os.environ``."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # As pydantic-settings reads os.environ with case_sensitive=False: names in lower case.
        return {key.lower(): value for key, value in self._environ.items()}


@dataclass(frozen=True)
class _Load:
    toml: Mapping[str, Any]
    environ: Mapping[str, str]
    dotenv: Path | None


# What ``load_settings`` is building the settings from (set around building them).
_LOADING: ContextVar[_Load | None] = ContextVar("moteur_settings_load", default=None)


def near(path: Path) -> Path:
    """``path`` as short as it can be said: relative when under the current directory, else absolute."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd())
    except ValueError:
        return absolute


def config_path(explicit: Path | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read, absolute; None when none is given and ``./moteur.toml`` does not exist."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} not found", hint="check the --config path")
        return explicit.absolute()
    from_env = env.get("MOTEUR_CONFIG")
    if from_env:
        path = Path(from_env).expanduser()
        if not path.is_file():
            raise ConfigError(f"config file {path} (MOTEUR_CONFIG) not found", hint="fix MOTEUR_CONFIG")
        return path.absolute()
    return DEFAULT_CONFIG.absolute() if DEFAULT_CONFIG.is_file() else None


def find_dotenv(config: Path | None) -> Path | None:
    """The ``.env`` beside ``config``, else the one in the current directory, else None."""
    candidates = [config.parent / ".env"] if config is not None else []
    for candidate in [*candidates, Path(".env")]:
        if candidate.is_file():
            return near(candidate)
    return None


def read_toml(path: Path) -> dict[str, Any]:
    shown = near(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{shown} is not valid TOML: {exc}", hint="fix the line it names") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown} is not UTF-8 text", hint="save it as UTF-8") from exc
    check_file_keys(data, shown)
    return data


def _anchor(text: str, base: Path) -> str:
    """A path written in the config file, read relative to the file's directory."""
    path = Path(text).expanduser()
    return text if path.is_absolute() else str(near(base / path))


def _anchor_ref(ref: Any, base: Path) -> Any:
    if isinstance(ref, str) and ref.strip().lower().startswith("file:"):
        return "file:" + _anchor(ref.strip()[5:].strip(), base)
    return ref


def anchored(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """The file's paths made relative to ``base`` (its directory) rather than the current directory.

    Run from the file's own directory they are left as written: a ``file:`` board keeps the name its state
    and its messages have always had (``file:plan.csv``, not an absolute path).
    """
    if base.resolve() == Path.cwd().resolve():
        return data
    data = dict(data)
    if isinstance(data.get("boards"), list):
        data["boards"] = [_anchor_ref(ref, base) for ref in data["boards"]]
    if isinstance(data.get("teams"), list):
        data["teams"] = [
            {**team, "boards": [_anchor_ref(r, base) for r in team["boards"]]}
            if isinstance(team, dict) and isinstance(team.get("boards"), list)
            else team
            for team in data["teams"]
        ]
    if isinstance(data.get("mappings"), dict):
        data["mappings"] = {
            tool: _anchor(path, base) if isinstance(path, str) else path
            for tool, path in data["mappings"].items()
        }
    url = data.get("state_url")
    if isinstance(url, str) and url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        database = url.removeprefix("sqlite:///")
        if database and not database.startswith(":memory:"):
            data["state_url"] = f"sqlite:///{_anchor(database, base)}"
    return data


def load_settings(
    config: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings from every source; a bad value raises ``ConfigError`` naming where it came from.

    ``env`` replaces the process environment, and then no ``.env`` is read either: ``load_settings(path,
    env={})`` checks the file alone (``init`` does, on what it wrote).
    """
    environ = os.environ if env is None else env
    path = config_path(config, environ)
    data = anchored(read_toml(path), path.parent) if path else {}
    dotenv = find_dotenv(path) if env is None else None
    places = Places(
        environ=environ,
        dotenv={k: v for k, v in dotenv_values(dotenv).items()} if dotenv else {},
        dotenv_path=dotenv,
        toml=data,
        toml_path=near(path) if path else None,
    )
    check_variables(places)
    token = _LOADING.set(_Load(data, environ, dotenv))
    try:
        settings = Settings(**dict(overrides or {}))
    except ValidationError as exc:
        raise describe(exc, places) from None
    except SettingsError as exc:
        raise unparsable(exc, places) from None
    finally:
        _LOADING.reset(token)
    settings._config_file = path
    settings._env_file = dotenv
    return settings


def dotenv_warning(path: Path = Path(".env")) -> str | None:
    """A warning when ``.env`` (which holds tokens) is readable by group or others."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return f"{path} is readable by other users; run: chmod 600 {path}"
    return None


# Where a person gets each token: the same words in the README, init's .env, doctor and the errors.
TOKEN_PAGES = {
    "trello": "https://trello.com/power-ups/admin",
    "asana": "https://app.asana.com/0/my-apps",
    "monday": N_("your avatar → Developers → My access tokens"),  # words: translated where shown
}

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
