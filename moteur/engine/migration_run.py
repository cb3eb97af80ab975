"""Running a migration: read the source in full, find or create the target, plan, apply, remember each link.

Terms defined here:

- *Remembered target*: the board a ``TOOL:new`` migration created. It is stored at once as a link with
  ``target_board = "migrate-target:<tool>"`` and ``source_key = <source board ref>`` (``links`` commits at
  once, unlike cursors that wait for the end of the run), so a re-run after a crash continues into it instead
  of creating a second board.
- *Rebuilt link*: a link recovered from an identity footer on the target (the state was lost or is another
  machine's): stored again before planning, so the plan sees the item as linked.

Connectors are taken as the one connector interface (``core/ports.py``); this module imports no connector.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from moteur.core.errors import NotFound, StateError
from moteur.core.identity import split_identity
from moteur.core.migrate import MigrationPlan, key_to_ref, plan_migration
from moteur.core.model import Action, BoardRef, ItemRef, Snapshot, Tool
from moteur.core.ops import OpResult
from moteur.core.phrase import Phrase
from moteur.core.ports import Connector
from moteur.engine.leases import LeaseLost, Leases
from moteur.engine.state import RunOutcome, StateStore

NEW = "new"
# A migration renews its board lock as it goes, so the lease can be short: after a kill -9 the same command
# can run again (and finish the migration) two minutes later at most, instead of the sync's ten.
LEASE_SECONDS = 120.0


def remembered_target_board(tool: Tool) -> str:
    """The ``links.target_board`` under which the boards created by ``TOOL:new`` migrations are stored."""
    return f"migrate-target:{tool.value}"


@dataclass
class PreparedMigration:
    """Everything known before the first write: the snapshots, the links and the plan."""

    source: Snapshot
    target: Snapshot
    targets: dict[str, ItemRef]
    plan: MigrationPlan
    target_is_new: bool  # a TOOL:new target not created yet (dry-run): the plan creates everything
    rebuilt_links: int = 0


@dataclass
class MigrationOutcome:
    prepared: PreparedMigration
    results: list[OpResult] = field(default_factory=list)
    run_id: int | None = None

    @property
    def failures(self) -> list[OpResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def creates(self) -> int:
        """Items, subitems and comments actually created by this run."""
        return sum(1 for r in self.results if r.ok and r.created is not None)


def resolve_target(
    source_ref: BoardRef,
    target_ref: BoardRef,
    target_port: Connector,
    store: StateStore,
    *,
    name: str,
    workspace: str | None,
    dry_run: bool,
    now: Callable[[], datetime],
) -> BoardRef | None:
    """The target board: as given, or for ``TOOL:new`` the remembered or a new one (None in a dry-run)."""
    if target_ref.board != NEW:
        return target_ref
    memory = remembered_target_board(target_ref.tool)
    remembered = store.links(memory).get(str(source_ref))
    if remembered is not None:
        return BoardRef(tool=target_ref.tool, board=remembered.partition(":")[2])
    if dry_run:
        return None
    created = target_port.create_board(name, workspace)
    store.link(str(source_ref), memory, str(created), None, now())
    return created


def reused_board_note(name: str, target: Snapshot) -> str:
    """What a re-run into a remembered ``TOOL:new`` target says of a ``--name`` it cannot give."""
    return Phrase(
        '--name "{name}" not used: this migration continues into the board an earlier run made, "{board}" '
        "({ref}); rename it there, or migrate into an existing board ({tool}:<id>)",
        name=name,
        board=target.name,
        ref=str(target.board),
        tool=target.board.tool.value,
    )


def identity_of(action: Action) -> str | None:
    """The source key a target item carries: its footer, or where connectors put it when they strip the footer
    from what they read (``extra["moteur_source"]``)."""
    _, key = split_identity(action.description)
    found = key or action.extra.get("moteur_source")
    return str(found) if found else None


def known_links(store: StateStore, target: Snapshot) -> tuple[dict[str, ItemRef], dict[str, ItemRef]]:
    """(links from the state, links rebuilt from identity footers the state does not have).

    A footer names its source board as the moteur that wrote it named it: an older one wrote what the user
    typed, a Trello shortLink. Such a key is read under the board's canonical key through the aliases the
    state remembers (``engine/state/board_keys.py``), so the item is linked, not created again."""
    targets = {source: key_to_ref(item) for source, item in store.links(str(target.board)).items()}
    rebuilt: dict[str, ItemRef] = {}
    boards: dict[str, str] = {}  # a board key found in footers -> the canonical key
    for action in target.actions:
        source = identity_of(action)
        if source is None:
            continue
        board, _, item = source.rpartition(":")
        if board not in boards:
            boards[board] = store.alias(board) or board
        source = f"{boards[board]}:{item}" if board else source
        if source not in targets and source not in rebuilt:
            rebuilt[source] = action.ref
    return targets, rebuilt


def prepare_migration(
    source_port: Connector,
    source_ref: BoardRef,
    target_port: Connector,
    target_ref: BoardRef,
    store: StateStore,
    *,
    name: str | None = None,
    workspace: str | None = None,
    include_archived: bool = False,
    users: Mapping[str, str] | None = None,
    dry_run: bool = False,
    now: Callable[[], datetime],
) -> PreparedMigration:
    """Read both sides, settle the target board and the links, and plan. Writes only a new target board
    (not in a dry-run) and rebuilt links."""
    source = source_port.read_full(source_ref, include_archived=include_archived)
    for alias in source.aliases:  # footers an older moteur wrote under that name are the board's
        store.remember_alias(f"{source.board.tool.value}:{alias}", str(source.board))
    remembered = target_ref.board == NEW and str(source_ref) in store.links(
        remembered_target_board(target_ref.tool)
    )
    board = resolve_target(
        source_ref,
        target_ref,
        target_port,
        store,
        name=name or source.name,
        workspace=workspace,
        dry_run=dry_run,
        now=now,
    )
    if board is None:
        target = Snapshot(board=target_ref, name=name or source.name)
        targets: dict[str, ItemRef] = {}
        rebuilt: dict[str, ItemRef] = {}
    else:
        # Archived target items too: one this migration archived must still count as there.
        try:
            target = target_port.read_full(board, include_archived=True)
        except NotFound as exc:
            if target_ref.board != NEW:
                raise
            raise NotFound(
                f"{board}, which an earlier run of this migration created, cannot be read ({exc.message})",
                hint=f"if it was deleted, migrate into an existing board: {target_ref.tool.value}:<id>",
            ) from exc
        targets, rebuilt = known_links(store, target)
        if not dry_run:
            for source_key, ref in rebuilt.items():
                store.link(source_key, str(board), ref.key, None, now())
        targets.update(rebuilt)
    plan = plan_migration(
        source,
        target,
        targets,
        target_port.capabilities(None if board is None else target, workspace=workspace),
        include_archived=include_archived,
        users=users,
    )
    if remembered and name is not None and name != target.name:
        plan = replace(plan, notes=(*plan.notes, reused_board_note(name, target)))
    return PreparedMigration(source, target, targets, plan, board is None, len(rebuilt))


def apply_prepared(
    prepared: PreparedMigration,
    target_port: Connector,
    store: StateStore,
    *,
    now: Callable[[], datetime],
    owner: str,
    progress: Callable[[int], None] | None = None,
    dead: Callable[[str], bool] | None = None,
) -> MigrationOutcome:
    """Apply the plan under the target board's lock; every create is linked (committed) as it happens.

    ``dead(owner)`` says a lock holder is certainly gone (a killed run on this host): its lock is taken over.
    """
    if prepared.target_is_new:
        raise StateError("a dry-run plan for a new board cannot be applied", hint="run without --dry-run")
    plan = prepared.plan
    board = str(prepared.target.board)
    outcome = MigrationOutcome(prepared)
    with store.lock(board, owner, LEASE_SECONDS, now, dead) as lock:
        # Another run may have finished this migration between our plan and our lock: what it linked is on
        # the target now, and a connector skips every op whose key ``targets`` holds.
        for source_key, target_key in store.links(board).items():
            prepared.targets.setdefault(source_key, key_to_ref(target_key))
        run_id = store.start_run("migrate", [str(prepared.source.board), board], False, now())
        outcome.run_id = run_id
        leases = Leases([lock], now)  # renewed as creates land; a lost lock stops the creates at once

        def keep_lock() -> None:
            leases.keep(board)

        def on_created(source_key: str, ref: ItemRef) -> None:
            store.link(source_key, board, ref.key, run_id, now())
            keep_lock()

        def advance(n: int) -> None:
            keep_lock()
            if progress is not None:
                progress(n)

        try:
            outcome.results = target_port.apply_migration(
                prepared.target, plan.ops, prepared.targets, on_created=on_created, progress=advance
            )
        except BaseException as exc:
            stopped = isinstance(exc, KeyboardInterrupt | LeaseLost)
            store.finish_run(
                run_id,
                outcome=RunOutcome.INTERRUPTED if stopped else RunOutcome.FAILED,
                counts={},
                item_states=[],
                board=board,
                now=now(),
                message=f"{type(exc).__name__}: {exc}"[:500],
            )
            if isinstance(exc, LeaseLost):
                raise exc.error from None  # one line (exit 1): another run has the target board now
            raise
        counts = {
            "created": plan.created,
            "updated": plan.updated,
            "unchanged": plan.unchanged,
            "skipped": plan.skipped,
            "subitems": plan.subitems,
            "comments": plan.comments,
            "failed": len(outcome.failures),
        }
        store.finish_run(
            run_id,
            outcome=RunOutcome.OK if outcome.ok else RunOutcome.FAILED,
            counts=counts,
            item_states=[],
            board=board,
            now=now(),
        )
    return outcome
