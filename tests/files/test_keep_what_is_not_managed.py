"""Issue 17, item 2: a JSON or YAML plan keeps, byte for byte, everything moteur does not manage — keys,
values as written, comments, quotes, order, layout — through ``moteur sync`` and ``moteur migrate``; the
file's mode and hard links survive the replace."""

from __future__ import annotations

import json
import os
import re
import stat
from datetime import date
from pathlib import Path

import pytest

from moteur.connectors.files import FileBoard
from moteur.core.errors import UsageError
from moteur.core.model import Tool
from moteur.mappings.loader import load_mapping

from .conftest import Run

MAPPING = load_mapping(Tool.FILE)
TODAY = "--today=2026-12-01"

# The values of the issue (PyYAML turned them into false, 668, 1350, 1.1), comments everywhere, a flow
# list and a flow mapping, a quoted title, a block scalar, a blank line, a managed key already set with a
# comment after it, and keys in an order no serialiser would choose.
PLAN_YAML = """\
# Plan marketing, T1 — les commentaires restent
version: 1.10   # la version du plan, pas un nombre
actions:
  # la plus importante d'abord
  - id: a1
    titre: Webinar SEO
    impact: 8
    effort: 3
    country: NO
    zip: 01234
    slot: 22:30
    version: 1.10
    tags: [seo, b2b]   # liste en ligne
    sprint: Sprint 9   # sera recalculé

  - {id: a2, titre: "Refonte du site", impact: 9, effort: 9, country: NO}
  - id: a3
    titre: 'Post LinkedIn'
    effort: 2
    impact: 4
    notes: |
      garder
      ceci
# fin du plan
"""

PLAN_JSON = """\
{
  "version": 1.10,
  "équipe": "Marché \\u00e9t\\u00e9",
  "actions": [
    {"id": "a1", "titre": "Webinar SEO", "impact": 8, "effort": 3, "version": 1.10, "big": 1E+3},
    {
      "id": "a2",
      "titre": "Refonte du site",
      "impact": 9,
      "effort": 9,
      "ratio": 1.50,
      "sprint": "Sprint 9"
    },
    {
        "titre": "Post LinkedIn", "impact": 4, "effort": 2, "ratio": -0.0
    }
  ]
}
"""

_MANAGED = "(?:quadrant|sprint|ice)"


def without_managed_yaml(text: str) -> str:
    """``text`` without moteur's keys: their lines in block mappings, their pairs in flow mappings."""
    text = re.sub(rf"^[ \t]*{_MANAGED}:.*(?:\r?\n|$)", "", text, flags=re.MULTILINE)
    return re.sub(rf", {_MANAGED}: [^,}}]*", "", text)


def without_managed_json(text: str) -> str:
    return re.sub(rf',\s*"{_MANAGED}":\s*(?:"(?:[^"\\]|\\.)*"|[^,}}\s]+)', "", text)


def test_a_yaml_plan_is_byte_identical_outside_moteurs_keys_after_a_sync(workdir: Path, run: Run) -> None:
    path = workdir / "plan.yaml"
    path.write_text(PLAN_YAML, encoding="utf-8")
    result = run("sync", "file:plan.yaml", TODAY)
    assert result.code == 0, result.err
    after = path.read_text(encoding="utf-8")
    assert after != PLAN_YAML
    assert without_managed_yaml(after) == without_managed_yaml(PLAN_YAML)
    annotations = {a.ref.item: a.annotations for a in FileBoard(path, MAPPING).read().actions}
    assert {item for item, found in annotations.items() if found.quadrant} == set(annotations)
    # The comment after moteur's own key stays on its line, the key where it was; new keys come after the
    # action's last line, before the blank line that separated it from the next.
    assert re.search(r"\n    sprint: Sprint [^\n]*   # sera recalculé\n    quadrant: [^\n]+\n", after)
    assert re.search(r"\n    ice: \d+\n\n  - \{id: a2", after)
    again = run("sync", "file:plan.yaml", TODAY, "--dry-run", "--detailed-exitcode")
    assert again.code == 0, again.out  # what was written reads back as written


def test_a_json_plan_is_byte_identical_outside_moteurs_keys_after_a_sync(workdir: Path, run: Run) -> None:
    path = workdir / "plan.json"
    path.write_text(PLAN_JSON, encoding="utf-8")
    assert run("sync", "file:plan.json", TODAY).code == 0
    after = path.read_text(encoding="utf-8")
    assert without_managed_json(after) == without_managed_json(PLAN_JSON)
    data = json.loads(after)
    assert all(action["quadrant"] for action in data["actions"])
    # A new key is laid out like the object's last one: inline, or on its own line at the same indent.
    assert '"version": 1.10, "big": 1E+3, "quadrant": ' in after
    assert '\n      "sprint": "Sprint' in after and '"ratio": -0.0, "quadrant": ' in after
    assert run("sync", "file:plan.json", TODAY, "--dry-run", "--detailed-exitcode").code == 0


def test_yaml_values_are_read_as_written_not_as_yaml_1_1(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN_YAML.replace("    slot: 22:30\n", "    slot: 22:30\n    due: 2026-12-18\n"))
    webinar = FileBoard(path, MAPPING).read().actions[0]
    assert webinar.extra == {"country": "NO", "zip": "01234", "slot": "22:30", "version": 1.1}
    assert webinar.due == date(2026, 12, 18) and webinar.tags == ("seo", "b2b")


# Each file's layout, and what moteur's write of ``sprint: Sprint 2`` on action a1 makes of it.
LAYOUTS = {
    "crlf.yaml": ("- id: a1\r\n  titre: A\r\n", "- id: a1\r\n  titre: A\r\n  sprint: Sprint 2\r\n"),
    "end.yaml": (
        "- id: a1\n  titre: A  # no final newline",
        "- id: a1\n  titre: A  # no final newline\n  sprint: Sprint 2",
    ),
    "flow.yaml": ("[{id: a1, titre: A}]\n", "[{id: a1, titre: A, sprint: Sprint 2}]\n"),
    "quoted.yaml": ('- {"id": "a1", "titre": "A"}\n', '- {"id": "a1", "titre": "A", "sprint": Sprint 2}\n'),
    "kept.yaml": (
        "- id: a1\n  titre: A\n  notes: |+\n    x\n\n- id: a2\n",
        "- id: a1\n  titre: A\n  notes: |+\n    x\n\n  sprint: Sprint 2\n- id: a2\n",
    ),
    "compact.json": ('[{"id":"a1","titre":"A"}]', '[{"id":"a1","titre":"A","sprint":"Sprint 2"}]'),
    "tabs.json": (
        '[\n\t{\n\t\t"id": "a1", "titre": "A"\n\t}\n]',
        '[\n\t{\n\t\t"id": "a1", "titre": "A", "sprint": "Sprint 2"\n\t}\n]',
    ),
    "ascii.json": (
        '[{"id": "a1", "titre": "\\u00e9"}]\r\n',
        '[{"id": "a1", "titre": "\\u00e9", "sprint": "Sprint 2"}]\r\n',
    ),
}


@pytest.mark.parametrize("name", LAYOUTS)
def test_layouts_are_followed_and_kept(tmp_path: Path, name: str) -> None:
    text, expected = LAYOUTS[name]
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    board = FileBoard(path, MAPPING)
    board.write_annotations({"a1": {"sprint": "Sprint 2"}})
    assert path.read_bytes() == expected.encode("utf-8")
    assert board.read().actions[0].annotations.sprint == "Sprint 2"


def test_values_that_read_as_something_else_are_quoted(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("- id: a1\n  titre: A\n")
    FileBoard(path, MAPPING).write_annotations({"a1": {"quadrant": "NO", "sprint": "01234", "ice": "1.10"}})
    assert path.read_text() == "- id: a1\n  titre: A\n  quadrant: 'NO'\n  sprint: '01234'\n  ice: 1.1\n"


def test_a_layout_an_edit_cannot_follow_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    text = "- ? id\n  : a1\n  titre: A\n"  # an explicit key: valid YAML, no line to add a key after
    path.write_text(text)
    with pytest.raises(UsageError, match="nothing was written"):
        FileBoard(path, MAPPING).write_annotations({"a1": {"sprint": "Sprint 2"}})
    assert path.read_text() == text


SOURCE = {
    "name": "Source",
    "actions": [
        {"id": "s1", "title": "Webinar SEO", "impact": 8, "effort": 3, "checklist": [{"text": "Brief"}]},
        {"id": "s2", "title": "Livre blanc", "impact": 5, "effort": 5, "description": "Ligne 1\nLigne 2"},
    ],
}
MINE_YAML = "# ma cible\nname: Cible   # gardé\nactions:\n  - title: La mienne   # à moi\n    zip: 01234\n"
MINE_JSON = '{\n  "name": "Cible",\n  "actions": [\n    {"title": "La mienne", "ratio": 1.10}\n  ]\n}\n'


@pytest.mark.parametrize(("name", "mine"), [("out.yaml", MINE_YAML), ("out.json", MINE_JSON)])
def test_a_migration_into_an_existing_file_keeps_the_users_rows(
    workdir: Path, run: Run, name: str, mine: str
) -> None:
    (workdir / "source.json").write_text(json.dumps(SOURCE), encoding="utf-8")
    target = workdir / name
    target.write_text(mine, encoding="utf-8")
    assert run("migrate", "file:source.json", f"file:{name}").code == 0
    first = target.read_text(encoding="utf-8")
    head = mine.rstrip("\n").removesuffix("\n  ]\n}")  # a JSON array closes after the new objects
    assert first.startswith(head), first
    changed = json.loads(json.dumps(SOURCE))
    changed["actions"][0]["impact"] = 9
    changed["actions"][0]["checklist"].append({"text": "Slides"})
    (workdir / "source.json").write_text(json.dumps(changed), encoding="utf-8")
    result = run("migrate", "file:source.json", f"file:{name}", "--json")
    assert result.code == 0 and json.loads(result.out)["updated"] == 1
    second = target.read_text(encoding="utf-8")
    assert second.startswith(head)
    titles = [a.title for a in FileBoard(target, MAPPING).read().actions]
    assert titles == ["La mienne", "Webinar SEO", "Livre blanc"]
    assert "Slides" in second and "Ligne 1" in second


def test_a_hard_linked_file_is_written_in_place_keeping_its_links_and_mode(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("- id: a1\n  titre: A\n")
    os.chmod(path, 0o640)
    other = tmp_path / "other-name.yaml"
    os.link(path, other)
    inode = path.stat().st_ino
    FileBoard(path, MAPPING).write_annotations({"a1": {"sprint": "Sprint 2"}})
    assert other.read_text() == path.read_text() == "- id: a1\n  titre: A\n  sprint: Sprint 2\n"
    assert path.stat().st_ino == inode and path.stat().st_nlink == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other-name.yaml", "plan.yaml"]  # no copy left


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('[{"id": "a1", "titre": "A"}]\n')
    os.chmod(path, 0o604)
    inode = path.stat().st_ino
    FileBoard(path, MAPPING).write_annotations({"a1": {"sprint": "Sprint 2"}})
    assert path.stat().st_ino != inode  # an atomic replace, not an in-place write
    assert stat.S_IMODE(path.stat().st_mode) == 0o604
