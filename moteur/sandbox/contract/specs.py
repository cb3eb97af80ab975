"""The vendors' OpenAPI documents, read once per process from the package (``moteur/sandbox/contracts/``).

Asana's spec is 3 MB of YAML (about 0.6 s with libyaml's loader, several seconds without): it is parsed at
most once per process, on the first request that needs it, under a lock so that two server threads never
parse it twice. The document is passed through JSON so that status codes are string keys, as JSON Schema
expects.
"""

from __future__ import annotations

import json
import threading
from functools import cache
from importlib import resources
from typing import Any

import yaml

SPEC_FILES = {"trello": "trello_openapi.json", "asana": "asana_oas.yaml"}
_LOCK = threading.Lock()


def spec_text(name: str) -> str:
    """The text of one file of ``moteur/sandbox/contracts``."""
    return (resources.files("moteur.sandbox") / "contracts" / name).read_text(encoding="utf-8")


@cache
def _load(tool: str) -> dict[str, Any]:
    name = SPEC_FILES[tool]
    text = spec_text(name)
    if name.endswith(".json"):
        return json.loads(text)  # type: ignore[no-any-return]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return json.loads(json.dumps(yaml.load(text, Loader=loader)))  # type: ignore[no-any-return]


def openapi_document(tool: str) -> dict[str, Any]:
    """The parsed OpenAPI document of ``tool`` (``"trello"`` or ``"asana"``), shared: never mutate it."""
    with _LOCK:
        return _load(tool)
