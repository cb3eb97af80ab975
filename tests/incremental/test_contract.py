"""What the incremental reads send, held to the vendors' own specs (``moteur/sandbox/contracts``): monday's
two documents validate against both official SDLs; the Trello URLs and the Asana events call
use only parameters the OpenAPI specs declare."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import graphql
import pytest
import yaml

from moteur.connectors.asana import incremental as asana
from moteur.connectors.monday import incremental as monday
from moteur.connectors.trello import incremental as trello
from moteur.connectors.trello import reader as trello_reader

REPO = Path(__file__).resolve().parents[2]
SPECS = Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))


def _spec(name: str) -> Path:
    path = SPECS / name
    if not path.is_file():
        pytest.skip(f"{name} not found in {SPECS} (set MOTEUR_SPECS_DIR)")
    return path


@pytest.mark.parametrize("version", ["2026-07", "2026-10"])
@pytest.mark.parametrize("document", [monday.READ_CHANGES, monday.NEWEST_UPDATE])
def test_monday_documents_validate_against_the_official_sdl(version: str, document: str) -> None:
    schema = graphql.build_schema(_spec(f"monday_schema_{version}.graphql").read_text(encoding="utf-8"))
    problems = graphql.validate(schema, graphql.parse(document))
    assert not problems, [p.message for p in problems]


def test_monday_rules_variables_are_valid_input() -> None:
    schema = graphql.build_schema(_spec("monday_schema_2026-10.graphql").read_text(encoding="utf-8"))
    rule_type = schema.get_type("ItemsQueryRule")
    assert isinstance(rule_type, graphql.GraphQLInputObjectType)
    for rule in monday.rules_since("2026-11-29T10:00:00Z"):
        assert set(rule) <= set(rule_type.fields)


def _declared(spec: dict[str, Any], template: str) -> set[str]:
    entry = spec["paths"][template]
    parameters = entry["get"].get("parameters", []) + entry.get("parameters", [])
    return {p["name"] for p in parameters if "name" in p}


def test_trello_change_urls_use_declared_parameters() -> None:
    spec = json.loads(_spec("trello_openapi.json").read_text(encoding="utf-8"))
    actions = (
        f"/boards/b/actions?since=c&limit={trello.ACTIONS_PAGE}&filter={trello.ACTION_TYPES}"
        "&fields=id,type,data"
    )
    card = f"/cards/x?fields={trello_reader.CARD_FIELDS}&customFieldItems=true"
    for url, template in ((actions, "/boards/{boardId}/actions"), (card, "/cards/{id}")):
        keys = {k for k, _ in parse_qsl(urlsplit(url).query)}
        assert keys <= _declared(spec, template), keys - _declared(spec, template)


def test_asana_events_call_uses_declared_parameters() -> None:
    spec = yaml.safe_load(_spec("asana_oas.yaml").read_text(encoding="utf-8"))
    entry = spec["paths"]["/events"]
    names = set()
    for p in entry["get"].get("parameters", []) + entry.get("parameters", []):
        if "$ref" in p:
            p = spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[-1]]
        names.add(p["name"])
    action = asana._events_action("123", "token")
    assert set(action["data"]) <= names, set(action["data"]) - names
    assert "/batch" in spec["paths"]
