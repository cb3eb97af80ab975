"""Identity footers an older moteur wrote while it named a Trello source by its shortLink
(``moteur-source: trello:<shortLink>:<card>``) still link their items when the state database is lost: the
links rebuilt from footers are read through the board's alias (``engine/state/board_keys.py``), so a re-run
creates nothing twice. Before, each such item was taken for a new one and created again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from migration.support import Sandbox, board, migrate
from moteur.core.identity import with_identity
from moteur.core.model import Action, BoardRef, ItemRef, Snapshot, Tool
from moteur.engine.migration_run import identity_of, known_links
from moteur.engine.state import StateStore
from moteur.sandbox.trello.store import short_link

CARD = "6a96f0c0e2b14c0d8f1a2b3c"
BOARD_ID = "5f1c0c0e2b14c0d8f1a2b3c4"


def test_a_footer_under_a_short_link_is_read_under_the_board_id(store: StateStore) -> None:
    store.remember_alias("trello:AbCd1234", f"trello:{BOARD_ID}")
    copy = Action(
        ref=ItemRef(tool=Tool.FILE, board="/tmp/copy.json", item="m-1"),
        title="Carte",
        description=with_identity("texte", f"trello:AbCd1234:{CARD}"),
    )
    other = copy.model_copy(
        update={
            "ref": copy.ref.model_copy(update={"item": "m-2"}),
            "description": with_identity("", f"trello:Zz999999:{CARD}"),  # no alias known: as written
        }
    )
    target = Snapshot(
        board=BoardRef(tool=Tool.FILE, board="/tmp/copy.json"), name="copy", actions=(copy, other)
    )
    _, rebuilt = known_links(store, target)
    assert rebuilt == {f"trello:{BOARD_ID}:{CARD}": copy.ref, f"trello:Zz999999:{CARD}": other.ref}


def test_a_rerun_after_the_state_was_lost_links_items_an_older_moteur_made_by_short_link(
    sandbox: Sandbox, ports: Callable[[Tool], Any], tmp_path: Path
) -> None:
    src_ref, src = board(sandbox, Tool.TRELLO), ports(Tool.TRELLO)
    copy = tmp_path / "copy.json"
    dst, dst_ref = ports(Tool.FILE), BoardRef(tool=Tool.FILE, board=str(copy))
    with StateStore(f"sqlite:///{tmp_path / 'first.db'}") as first:
        prepared, outcome = migrate(first, src, src_ref, dst, dst_ref)
    assert outcome.ok and prepared.plan.created > 0
    # The footers as an older moteur wrote them: the board named by its shortLink, as the user typed it.
    text = copy.read_text(encoding="utf-8")
    assert f"moteur-source: trello:{src_ref.board}:" in text
    copy.write_text(text.replace(f"trello:{src_ref.board}:", f"trello:{short_link(src_ref.board)}:"), "utf-8")

    with StateStore(f"sqlite:///{tmp_path / 'lost.db'}") as lost:  # the state database is gone
        again, rerun = migrate(lost, src, src_ref, dst, dst_ref)
    assert rerun.ok and again.rebuilt_links == prepared.plan.created
    assert (again.plan.created, rerun.creates) == (0, 0)
    per_source = Counter(identity_of(a) for a in dst.read_full(dst_ref).actions)
    assert len(per_source) == prepared.plan.created and set(per_source.values()) == {1}
