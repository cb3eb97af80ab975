"""A mapping file is input like a plan: an alias bomb is refused at once with one ConfigError (exit 2)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from moteur.core.errors import ConfigError
from moteur.core.model import Tool
from moteur.mappings.loader import load_mapping

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip(["", "a", "b", "c", "d", "e", "f", "g"], "abcdefgh", strict=False)
)


def test_a_mapping_with_aliases_is_refused_without_expanding_them(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text("tool: file\n" + BOMB, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(ConfigError, match="YAML alias") as refused:
        load_mapping(Tool.FILE, path)
    assert time.perf_counter() - started < 2
    assert refused.value.exit_code == 2
