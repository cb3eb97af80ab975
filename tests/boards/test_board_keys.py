"""``StateStore.adopt_board`` on SQLite and PostgreSQL (when ``MOTEUR_TEST_POSTGRES_URL`` names one): every
row of a legacy board key filed under the canonical one, item keys and links renamed on both sides, the
canonical row kept where both hold one, the cache dropped, the runs renamed; legacy keys found once, then no
more."""

from __future__ import annotations

from datetime import UTC, datetime

from moteur.core.records import ItemState, OpStatus, RunOutcome
from moteur.engine.state import StateStore
from moteur.engine.state.board_keys import is_legacy_key

OLD, NEW = "trello:AbCd1234", "trello:6a9615860000000000000006"
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def _sync(store: StateStore, board: str, items: dict[str, str]) -> int:
    run = store.start_run("sync", [board], False, NOW)
    for item, value in items.items():
        store.record_op(
            run,
            board=board,
            item=f"{board}:{item}",
            title=item,
            kind="update_fields",
            field="sprint",
            before=None,
            after=value,
            status=OpStatus.APPLIED,
            now=NOW,
        )
    states = [ItemState(f"{board}:{item}", "v1", "h1", {"sprint": value}) for item, value in items.items()]
    store.finish_run(
        run, outcome=RunOutcome.OK, counts={}, item_states=states, board=board, cursors={"c": "1"}, now=NOW
    )
    return run


def test_legacy_keys_are_trello_shortlinks_and_relative_paths() -> None:
    assert (
        is_legacy_key("trello:AbCd1234") and is_legacy_key("file:plan.csv") and is_legacy_key("file:./x.csv")
    )
    assert not is_legacy_key(NEW) and not is_legacy_key("file:/srv/plan.csv")
    assert not is_legacy_key("asana:1200000000000007") and not is_legacy_key("monday:9100000137")


def test_a_legacy_board_is_filed_under_its_canonical_key(store: StateStore) -> None:
    old_run = _sync(store, OLD, {"c1": "Sprint 1", "c2": "Sprint 2"})
    _sync(store, NEW, {"c2": "Sprint 3"})  # newer, under the canonical key: kept
    store.link(f"{OLD}:c1", "file:/srv/copy.csv", "file:/srv/copy.csv:m-1", old_run, NOW)
    store.link("asana:1/9", OLD, f"{OLD}:c9", old_run, NOW)
    store.link(OLD, "migrate-target:asana", "asana:77", None, NOW)
    assert store.legacy_board_keys() == {OLD}

    store.adopt_board(OLD, NEW)

    states = store.item_states(NEW)
    assert {key: state.written for key, state in states.items()} == {
        f"{NEW}:c1": {"sprint": "Sprint 1"},
        f"{NEW}:c2": {"sprint": "Sprint 3"},
    }
    assert store.item_states(OLD) == {} and store.cursors(OLD) == {}
    assert store.links("file:/srv/copy.csv") == {f"{NEW}:c1": "file:/srv/copy.csv:m-1"}
    assert store.links(NEW) == {"asana:1/9": f"{NEW}:c9"}
    assert store.links("migrate-target:asana") == {NEW: "asana:77"}
    assert list(store.run(old_run).boards) == [NEW]
    assert {e.item_key for e in store.journal(old_run)} == {f"{NEW}:c1", f"{NEW}:c2"}
    assert {e.board for e in store.journal(old_run)} == {NEW}
    assert store.legacy_board_keys() == set()  # clean: said once, then no scan
