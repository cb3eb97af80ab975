"""A user's mapping checked against a board (``mappings/check``): only the names the user's own file gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from moteur.core.errors import ConfigError
from moteur.mappings.check import check_names, unknown_names
from moteur.mappings.loader import load_mapping

LISTS = ("Backlog 📥", "En cours…", "Done 🎉", "Livrés ✅")


def _mapping(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return load_mapping("trello", path)


def test_the_packaged_defaults_are_never_checked() -> None:
    assert unknown_names(load_mapping("trello"), fields=(), statuses=()) == []


def test_names_the_board_has_pass_however_they_are_written(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, "statuses:\n  livré: done\nscores:\n  impact: [Valeur (1-5)]\n")
    assert unknown_names(mapping, fields=("VALEUR 1–5",), statuses=LISTS) == []  # "Livrés ✅" holds "livré"


def test_each_missing_name_is_named_in_one_line(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, "statuses:\n  Publié: done\nscores:\n  effort: Charge\n")
    with pytest.raises(ConfigError) as raised:
        check_names(mapping, "trello:b1", fields=("Impact",), statuses=LISTS)
    message = str(raised.value)
    assert "\n" not in message and message.startswith(f"{tmp_path / 'map.yaml'}: ")
    assert 'scores.effort: no field "Charge"' in message
    assert 'statuses: no list, section, group or status label "Publié"' in message
    assert message.endswith("on board trello:b1")


def test_roles_a_tool_does_not_read_from_fields_are_not_checked(tmp_path: Path) -> None:
    mapping = _mapping(tmp_path, "fields:\n  title: [Intitulé]\n")
    assert unknown_names(mapping, fields=(), statuses=(), roles=("impact",)) == []
