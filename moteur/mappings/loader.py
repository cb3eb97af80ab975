"""Loading a mapping: the packaged default for a tool, with a user's ``--mapping`` file layered on top.

*Layering*: a user file need only hold what it changes. Tables (``fields``, ``words``, ``writeback``…)
merge key by key into the default; a list or a plain value replaces the default's. So a file holding only
``words: {énorme: 10}`` adds one word and keeps every default word, and ``fields: {title: [Intitulé]}``
replaces the title names and keeps the other fields' names.

The names a user's file gives itself (fields, scores, statuses) are kept on the mapping: a name that exists
on no board read with it is a mistake, reported in one line (``check.check_names``), not a silent no-op.

Every problem becomes a ``ConfigError`` naming the file and the key (``writeback.quadrnt: unknown key``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from moteur.core.errors import ConfigError
from moteur.core.model import Tool
from moteur.mappings.schema import BoardMapping
from moteur.yaml_reading import AliasRefused, read_yaml

_PACKAGE = "moteur.mappings"


def default_mapping_name(tool: Tool) -> str:
    """The packaged default's file name: ``trello.yaml``, ``asana.yaml``, ``monday.yaml``, ``files.yaml``."""
    return "files.yaml" if tool is Tool.FILE else f"{tool.value}.yaml"


def has_packaged_mapping(tool: Tool) -> bool:
    return resources.files(_PACKAGE).joinpath(default_mapping_name(tool)).is_file()


def _read_yaml(text: str, source: str) -> dict[str, Any]:
    try:
        # Aliases refused: a mapping never needs one, and an alias bomb is made of them.
        data = read_yaml(text)
    except AliasRefused as exc:
        raise ConfigError(f"{source}: uses a YAML alias (&/*)", hint="write the values out") from exc
    except RecursionError as exc:
        raise ConfigError(f"{source}: nested too deep") from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"{source}: not valid YAML{line}", hint="check the indentation and quotes") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a mapping file is a YAML table (key: value), got {type(data).__name__}")
    return data


def _packaged(tool: Tool) -> tuple[dict[str, Any], str]:
    resource = resources.files(_PACKAGE).joinpath(default_mapping_name(tool))
    source = f"packaged mapping {default_mapping_name(tool)}"
    if not resource.is_file():
        # A tool whose default file is not written yet runs on the schema's defaults.
        return {"tool": tool.value}, source
    return _read_yaml(resource.read_text(encoding="utf-8"), source), source


def _layer(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _layer(merged[key], value)
        else:
            merged[key] = value
    return merged


def _explain(exc: ValidationError, source: str) -> ConfigError:
    lines = []
    for error in exc.errors()[:5]:
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        text = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        lines.append(f"{key}: {text}")
    more = len(exc.errors()) - len(lines)
    if more > 0:
        lines.append(f"… and {more} more")
    return ConfigError(f"{source}: " + "; ".join(lines), hint="see moteur/mappings/*.yaml for every key")


def parse_mapping(data: dict[str, Any], source: str) -> BoardMapping:
    """Validate already-loaded mapping data; ``source`` names it in errors."""
    try:
        return BoardMapping.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, source) from exc


def load_mapping(tool: Tool | str, path: Path | None = None) -> BoardMapping:
    """The mapping for ``tool``: the packaged default, with the file at ``path`` layered on it if given."""
    try:
        tool = Tool(tool)
    except ValueError as exc:
        known = ", ".join(t.value for t in Tool)
        raise ConfigError(f'unknown tool "{tool}" for a mapping', hint=f"one of {known}") from exc
    default, default_source = _packaged(tool)
    if path is None:
        return parse_mapping(default, default_source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"mapping file {path} does not exist") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"mapping file {path} is not UTF-8", hint="save it as UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"mapping file {path} cannot be read: {exc.strerror}") from exc
    user = _read_yaml(text, str(path))
    declared = user.get("tool")
    if declared is not None and str(declared) != tool.value:
        raise ConfigError(f'{path}: tool: the file is for "{declared}", the board is {tool.value}')
    mapping = parse_mapping(_layer(default, user), str(path))
    # Kept to check the user's own names against the board they are used with (``check.check_names``).
    mapping.remember_user(user, str(path))
    return mapping
