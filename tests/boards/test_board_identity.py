"""One board, one state, whatever it is named by (``docs/state.md``): a Trello board by its id or its
shortLink, a file by a relative or absolute path, ``./`` or a symlink. The lock, the remembered writes and the
links are the board's; state an older moteur filed under a shortLink or a relative path is adopted; a
restarted sandbox that reuses its board ids never meets the state of the earlier one.

The Trello board is a real export (``tests/contract/fixtures/trello``, source and licence in its README)
loaded into the sandbox.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from boards.test_real_boards import FIXTURES, TODAY
from moteur.engine.state import StateStore

Cli = Any  # conftest.py
EXPORT = FIXTURES / "en_simple_project_board_planka_sample.json"
CSV = (
    "titre;impact;effort;statut\nWebinar SEO;8;3;à faire\nRefonte du site;9;9;en cours\nPost LinkedIn;4;2;\n"
)


def _export() -> dict[str, Any]:
    return json.loads(EXPORT.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _state() -> StateStore:
    return StateStore("sqlite:///" + str(Path("state.db").resolve()))


def _rows(path: str) -> list[dict[str, str]]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _held_by_another_run(board: str) -> Any:
    """The board's lock, taken as a run on another machine would hold it (alive, for all we know)."""
    with _state() as store:
        return store.lock(board, "other-host:4242", 600, lambda: datetime.now(UTC)).acquire()


def _legacy(old: str, new: str) -> None:
    """File the state as an older moteur did: ``new``'s rows under the name ``old``."""
    engine = create_engine("sqlite:///" + str(Path("state.db").resolve()))
    cut = len(new) + 1
    with engine.begin() as conn:
        for table in ("items", "journal"):
            conn.execute(
                text(
                    f"UPDATE {table} SET board = :old, item_key = :old || substr(item_key, :cut) "
                    "WHERE board = :new"
                ),
                {"old": old, "new": new, "cut": cut},
            )
        conn.execute(
            text(
                "UPDATE links SET source_key = :old || substr(source_key, :cut) WHERE source_key LIKE :like"
            ),
            {"old": old, "cut": cut, "like": new + ":%"},
        )
        conn.execute(
            text("UPDATE runs SET boards = replace(boards, :new, :old)"),
            {"old": f'"{old}"', "new": f'"{new}"'},
        )
        conn.execute(text("DELETE FROM meta WHERE key LIKE 'board-%'"))
    engine.dispose()


# -- Trello: id and shortLink ------------------------------------------------------------------------------


def test_a_board_named_by_id_and_by_shortlink_is_one_board(cli: Cli, import_board: Any) -> None:
    export = _export()
    by_id = import_board(export)
    by_link = f"trello:{export['shortLink']}"

    held = _held_by_another_run(by_id)
    refused = cli("sync", by_link, TODAY)
    assert refused.code == 1, refused.err
    assert f"board {by_id} is being synced by other-host:4242" in refused.err
    held.release()

    first = cli("sync", by_link, TODAY)
    assert first.code == 0, first.err
    with _state() as store:
        assert store.item_states(by_id) and not store.item_states(by_link)
    again = cli("sync", by_id, TODAY, "--dry-run")
    assert again.code == 0 and "No changes." in again.out, again.out

    assert cli("migrate", by_link, "file:copy.csv", "--include-archived").code == 0
    copied = len(_rows("copy.csv"))
    second = cli("migrate", by_id, "file:copy.csv", "--include-archived")
    assert second.code == 0, second.err
    assert len(_rows("copy.csv")) == copied == len(export["cards"])  # no duplicate


def test_a_board_named_by_shortlink_costs_one_request_once(cli: Cli, import_board: Any, sandbox: Any) -> None:
    export = _export()
    import_board(export)
    link = export["shortLink"]

    def lookups() -> int:  # GET /boards/{shortLink}?fields=name: which board the shortLink names
        return sum(
            1 for r in sandbox.requests() if r["method"] == "GET" and r["path"].endswith(f"/boards/{link}")
        )

    costs = []
    for name in (link, link, export["id"]):
        before = len(sandbox.requests())
        assert cli("sync", f"trello:{name}", TODAY, "--dry-run").code == 0
        costs.append(len(sandbox.requests()) - before)
    # The first run by shortLink asks once; the state remembers the answer, so later runs by shortLink cost
    # what a run by id costs (the first run of all also back-fills the board's history, once).
    assert lookups() == 1
    assert costs[1] == costs[2], costs


def test_state_filed_under_a_shortlink_is_adopted(cli: Cli, import_board: Any) -> None:
    export = _export()
    by_id = import_board(export)
    by_link = f"trello:{export['shortLink']}"
    assert cli("sync", by_id, TODAY).code == 0
    assert cli("migrate", by_id, "file:copy.csv", "--include-archived").code == 0
    copied = len(_rows("copy.csv"))
    _legacy(by_link, by_id)  # as an older moteur that keyed the board by the name it was given

    again = cli("migrate", by_link, "file:copy.csv", "--include-archived")
    assert again.code == 0, again.err
    assert len(_rows("copy.csv")) == copied  # the links were found: nothing created twice
    with _state() as store:
        assert store.item_states(by_id) and not store.item_states(by_link)
    assert "No changes." in cli("sync", by_link, TODAY, "--dry-run").out


# -- files: relative, absolute, ./ and a symlink -------------------------------------------------------------


def test_a_file_named_four_ways_is_one_board(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "plan.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "link.csv").symlink_to(tmp_path / "plan.csv")
    canonical = f"file:{(tmp_path / 'plan.csv').resolve()}"

    held = _held_by_another_run(canonical)
    for name in ("file:plan.csv", "file:./plan.csv", f"file:{tmp_path / 'plan.csv'}", "file:link.csv"):
        refused = cli("sync", name, TODAY)
        assert refused.code == 1 and "being synced by other-host:4242" in refused.err, (name, refused.err)
    held.release()

    assert cli("sync", "file:plan.csv", TODAY).code == 0
    assert (tmp_path / "link.csv").is_symlink()  # written through to the file it names, the link kept
    for name in ("file:./plan.csv", f"file:{tmp_path / 'plan.csv'}", "file:link.csv"):
        again = cli("sync", name, TODAY, "--dry-run")
        assert again.code == 0 and "No changes." in again.out, (name, again.out)
    with _state() as store:
        assert all(key.startswith(canonical + ":") for key in store.item_states(canonical))
        assert store.item_states(canonical) and not store.item_states("file:plan.csv")


def test_state_filed_under_a_relative_path_is_adopted(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "plan.csv").write_text(CSV, encoding="utf-8")
    canonical = f"file:{(tmp_path / 'plan.csv').resolve()}"
    assert cli("sync", "file:plan.csv", TODAY).code == 0
    _legacy("file:plan.csv", canonical)
    with _state() as store:
        assert not store.item_states(canonical)

    again = cli("sync", f"file:{tmp_path / 'plan.csv'}", TODAY, "--dry-run")
    assert again.code == 0 and "No changes." in again.out, again.out
    with _state() as store:
        assert store.item_states(canonical) and not store.item_states("file:plan.csv")
        assert list(store.run(1).boards) == [canonical]
    assert "Quick win" in (tmp_path / "plan.csv").read_text(encoding="utf-8")
    undone = cli("rollback", "1")  # the old run, its journal now filed under the canonical key
    assert undone.code == 0, undone.err
    assert "Quick win" not in (tmp_path / "plan.csv").read_text(encoding="utf-8")


def test_state_filed_under_a_shortlink_is_found_by_a_run_by_id(cli: Cli, import_board: Any) -> None:
    export = _export()
    by_id = import_board(export)
    by_link = f"trello:{export['shortLink']}"
    assert cli("sync", by_id, TODAY).code == 0
    _legacy(by_link, by_id)
    again = cli("sync", by_id, TODAY, "--dry-run")
    assert again.code == 0 and "No changes." in again.out, again.out  # the board's read names its shortLink
    with _state() as store:
        assert store.item_states(by_id) and not store.item_states(by_link)
