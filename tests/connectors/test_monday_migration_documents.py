"""Every GraphQL document of the monday migration port validates against both official SDLs, and carries
its values as variables only (the same checks ``test_monday_documents`` makes of the sync documents)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import graphql
import pytest

from moteur.connectors.monday import migration_documents
from moteur.sandbox.monday.schema import served_schema

REPO = Path(__file__).resolve().parents[2]
SPECS = Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))
VERSIONS = ("2026-07", "2026-10")
DOCUMENTS = migration_documents.every_document()


@pytest.fixture(scope="module")
def schemas() -> dict[str, graphql.GraphQLSchema]:
    built = {}
    for version in VERSIONS:
        path = SPECS / f"monday_schema_{version}.graphql"
        if not path.is_file():
            pytest.skip(f"monday SDL {path.name} not found in {SPECS} (set MOTEUR_SPECS_DIR)")
        built[version] = graphql.build_schema(path.read_text(encoding="utf-8"))
    return built


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_migration_document_validates_against_the_official_sdl(
    schemas: dict[str, graphql.GraphQLSchema], version: str, name: str
) -> None:
    problems = graphql.validate(schemas[version], graphql.parse(DOCUMENTS[name]))
    assert not problems, [p.message for p in problems]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_every_migration_document_is_served_by_the_sandbox(name: str) -> None:
    problems = graphql.validate(served_schema(), graphql.parse(DOCUMENTS[name]))
    assert not problems, [p.message for p in problems]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_migration_documents_carry_no_values_only_variables(name: str) -> None:
    literals = [
        node
        for node in _walk(graphql.parse(DOCUMENTS[name]))
        if isinstance(node, graphql.StringValueNode | graphql.IntValueNode)
    ]
    assert not literals  # every id, title, limit and value travels as a variable (flags may be constants)


def test_an_aliased_mutation_holds_one_to_fifty_fields() -> None:
    document = migration_documents.aliased("items", 3)
    assert [migration_documents.alias(k) for k in range(3)] == ["m0", "m1", "m2"]
    assert document.count("create_item(") == 3
    with pytest.raises(ValueError, match="1–50"):
        migration_documents.aliased("items", 51)


def _walk(node: Any) -> list[Any]:
    found = [node]
    for key in getattr(node, "keys", ()):
        value = getattr(node, key, None)
        for child in value if isinstance(value, tuple | list) else [value]:
            if isinstance(child, graphql.Node):
                found.extend(_walk(child))
    return found
