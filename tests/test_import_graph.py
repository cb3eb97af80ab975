"""The import graph of ``moteur``: no module reaches itself through its imports.

A circle means neither module can be read, tested or moved without the other (commands importing ``Output``
from ``cli`` while ``cli`` imports every command was one). Imports under ``TYPE_CHECKING`` count: they tie
the modules together for a reader just the same. ``make lint`` checks the layers (``lint-imports``, the
contracts in pyproject.toml); this test fails on a circle with the modules named, whatever its length.
"""

from __future__ import annotations

import grimp

# Circles allowed today, each one to go (docs/architecture.md, "Deferred"); any other circle fails.
ALLOWED: set[tuple[str, str]] = set()


def circles(graph: grimp.ImportGraph) -> list[tuple[str, ...]]:
    """One circle through each direct import that is part of one: the import, then the way back."""
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                found.append((importer, *back))
    return found


def test_no_module_of_moteur_reaches_itself_through_its_imports() -> None:
    graph = grimp.build_graph("moteur", cache_dir=None)
    for importer, imported in ALLOWED:
        graph.remove_import(importer=importer, imported=imported)
    assert circles(graph) == []


def test_a_circle_is_found_and_named() -> None:
    graph = grimp.ImportGraph()
    for module in ("p.a", "p.b", "p.c"):
        graph.add_module(module)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    assert ("p.a", "p.b", "p.c", "p.a") in circles(graph)
