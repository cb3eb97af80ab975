"""``moteur rollback RUN``: undo exactly the writes of a run that landed, and say truly what was undone.

Every board of the run is locked first; then per board: read it; settle the journal's unknown outcomes by
that read (``core/settle.py``: a run killed part-way left entries "pending"); then, newest first, each entry
that landed is

- *undone* when the item still shows what the run wrote: the inverse op is sent, journalled write-ahead as a
  run of its own (``rollback 7``: one for every board, as the run undone was one), so an interrupted rollback
  is itself exact and can be run again;
- *left alone* when a person changed the value since (their edit wins), or the item is gone;
- *already back* when the item shows the old value again (an earlier, interrupted rollback undid it);
- *not undoable* when the journal cannot say how (an op kind it does not know, values that are not a managed
  field's): it is reported, never counted as undone. An undo the tool refuses (a Trello card cannot be moved
  to "no list") is a failed undo, reported with the tool's reason.

The summary counts only the undos that landed ("undid 0 of 52 changes" is the honest line when none did);
every failed undo is listed with its error, and the exit code is 1 when any failed or could not be undone.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moteur.commands.context import settings_for
from moteur.commands.interrupts import Interrupts, signals_handled
from moteur.commands.owners import owner_gone
from moteur.commands.sync_command import lock_boards, now_utc, open_store, write
from moteur.connectors.base import Connector, open_connector
from moteur.core.diff import Plan
from moteur.core.errors import Interrupted, Refusal, UsageError
from moteur.core.model import Action, BoardRef, Snapshot
from moteur.core.ops import ITEM_OP_KINDS, ItemOp, inverse, item_op
from moteur.core.phrase import Phrase
from moteur.core.refs import parse_ref
from moteur.core.settle import shows
from moteur.core.sync import BoardPlan, SyncPlan
from moteur.engine.leases import Leases
from moteur.engine.state import JournalEntry, OpStatus, RunOutcome, RunRecord, StateStore
from moteur.engine.sync_run import settle_unknown
from moteur.i18n import _, tr
from moteur.settings import Settings
from moteur.views.terminal import plain
from moteur.views.words import plural, shown

if TYPE_CHECKING:
    from moteur.views.output import Output


@dataclass
class Report:
    """What a rollback found and did, entry by entry (rows for the text and the JSON)."""

    landed: int = 0  # entries of the run that landed and were not undone yet: what "of N" counts
    undone: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    not_undoable: list[dict[str, Any]] = field(default_factory=list)
    left_alone: list[dict[str, Any]] = field(default_factory=list)
    already_back: list[dict[str, Any]] = field(default_factory=list)
    interrupted: Interrupted | None = None
    runs: list[int] = field(default_factory=list)  # the rollback's own runs

    @property
    def complete(self) -> bool:
        return not self.failed and not self.not_undoable and self.interrupted is None


def _row(entry: JournalEntry, **extra: Any) -> dict[str, Any]:
    return {"item": entry.item_key, "title": entry.item_title, "field": entry.field, **extra}


def undo_op(entry: JournalEntry, action: Action) -> ItemOp:
    """The op that puts back what the journalled op replaced."""
    done = item_op(
        ITEM_OP_KINDS[entry.kind],
        action.ref,
        entry.item_title or action.title,
        entry.field or "",
        entry.before,
        entry.after,
    )
    return inverse(done)


def _missing_old_value(entry: JournalEntry) -> str | None:
    """Why the journal cannot undo ``entry`` (None when it can).

    A None old value is undone as such: a label removed, a field cleared, a task taken out of the Asana
    companion project it was added to. Where the tool cannot go back to "none" (a Trello card is always in
    some list), its connector refuses the undo op, and that refusal is reported like any failed undo: never
    "undone".
    """
    if entry.kind not in ITEM_OP_KINDS:
        return f"moteur does not know how to undo a {entry.kind!r}"
    if not isinstance(entry.before, str | None) or not isinstance(entry.after, str | None):
        return "the journal's values are not a managed field's (written by an older moteur)"
    return None


def run_rollback(out: Output, run_id: int, *, config: Path | None, dry_run: bool, json_out: bool) -> int:
    settings = settings_for(config)
    with signals_handled() as interrupts:
        store = open_store(settings)
        try:
            record = _undoable_run(store, run_id, dry_run)
            report = Report()
            _roll_back(store, settings, record, report, out, interrupts, dry_run)
            if not dry_run and report.complete:
                store.set_run_outcome(run_id, RunOutcome.ROLLED_BACK, now=now_utc())
        finally:
            store.close()
    _print(out, run_id, report, dry_run, json_out)
    if report.interrupted is not None:
        return report.interrupted.exit_code
    return 0 if report.complete else 1


def _undoable_run(store: StateStore, run_id: int, dry_run: bool) -> RunRecord:
    if not dry_run:
        store.mark_interrupted(now_utc(), owner_gone)  # a run killed part-way is rolled back like any other
    record = store.run(run_id)
    if record.outcome is RunOutcome.ROLLED_BACK:
        raise UsageError(f"run {run_id} was already rolled back", hint="`moteur runs` shows each outcome")
    if record.command == "migrate":
        # A migration creates items; rollback puts back values a sync replaced. Marking the run "rolled
        # back" with nothing undone would mislead: say what undoes a migration instead.
        target = record.boards[-1] if record.boards else "the target board"
        raise UsageError(
            f"run {run_id} is a migration into {target}: rollback undoes sync runs, not the items a "
            "migration created",
            hint="delete or archive the target board (every item it created ends with a "
            "`moteur-source:` line), or migrate again after fixing the source: it updates, never doubles",
        )
    if record.outcome is RunOutcome.RUNNING and not dry_run:
        raise Refusal(
            f"run {run_id} is still running: its process holds the lock of {', '.join(record.boards)}",
            hint="wait for it to finish, or stop it (Ctrl-C, kill) and roll it back then",
        )
    return record


@dataclass
class BoardUndo:
    """One board of the run being undone: its read, its connector, the undo ops and the entries they undo."""

    snapshot: Snapshot
    connector: Connector
    ops: list[ItemOp]
    chosen: list[JournalEntry]


def _roll_back(
    store: StateStore,
    settings: Settings,
    record: RunRecord,
    report: Report,
    out: Output,
    interrupts: Interrupts,
    dry_run: bool,
) -> None:
    """Every board of the run locked (before it is read), read, settled and chosen from; then the undos of
    all of them sent as one run, as the run being undone was one."""
    refs = [parse_ref(text) for text in record.boards]
    connectors: dict[BoardRef, Connector] = {}
    locks = ExitStack()
    try:
        for ref in refs:
            connectors[ref] = open_connector(ref, settings)
        if not dry_run:
            leases = lock_boards(locks, store, refs)  # before the reads: nothing writes the boards between
        undos: list[BoardUndo] = []
        entries = store.journal(record.id)  # once: each board's settlement below overrides its statuses
        for ref in refs:
            snapshot = connectors[ref].read(ref)
            found = settle_unknown(store, snapshot, now_utc, save=not dry_run)
            settled = {o.entry: o.status for o in found.outcomes}
            ops, chosen, back = _choose(entries, snapshot, settled, report)
            if dry_run:
                report.undone.extend(_row(e, to=e.before) for e in chosen)
                continue
            store.mark_undone(back)
            if ops:
                undos.append(BoardUndo(snapshot, connectors[ref], ops, chosen))
        if undos:
            _send(store, undos, record.id, report, out, interrupts, leases)
    finally:
        locks.close()
        for connector in connectors.values():
            connector.close()


def _choose(
    entries: list[JournalEntry],
    snapshot: Snapshot,
    settled: dict[int, OpStatus],
    report: Report,
) -> tuple[list[ItemOp], list[JournalEntry], list[int]]:
    """The undo ops of the run's entries on this board that landed, newest first; those entries; and the
    entries already back to their old value (nothing to send)."""
    board = str(snapshot.board)
    by_key = {a.key: a for a in snapshot.actions}
    ops: list[ItemOp] = []
    chosen: list[JournalEntry] = []
    back: list[int] = []
    for entry in reversed(entries):
        status = settled.get(entry.id, entry.status)
        if entry.board != board or entry.item_key is None:
            continue  # schema ops (a label, a section, a field moteur created) are left in place
        if status is OpStatus.UNKNOWN:
            report.left_alone.append(
                _row(entry, why=Phrase("its outcome is unknown and the item shows another value"))
            )
            continue
        if status is not OpStatus.APPLIED:
            continue
        report.landed += 1
        action = by_key.get(entry.item_key)
        missing = _missing_old_value(entry)
        if missing is not None:
            report.not_undoable.append(_row(entry, error=missing))
        elif action is None:
            report.left_alone.append(_row(entry, why=Phrase("the item is gone from the board")))
        elif shows(action, entry.field or "", entry.before):
            report.already_back.append(_row(entry, to=entry.before))
            back.append(entry.id)
        elif not shows(action, entry.field or "", entry.after):
            report.left_alone.append(_row(entry, why=Phrase("changed since that run")))
        else:
            ops.append(undo_op(entry, action))
            chosen.append(entry)
    return ops, chosen, back


def _send(
    store: StateStore,
    undos: list[BoardUndo],
    run_id: int,
    report: Report,
    out: Output,
    interrupts: Interrupts,
    leases: Leases,
) -> None:
    """Apply every board's undo ops as one journalled run of their own; record which entries they undid."""
    # No desired values and no memory: the undos' values reach the items' ``written`` as they land
    # (``write_ahead``), and nothing else of the boards' state changes.
    boards = [
        BoardPlan(
            u.snapshot,
            u.connector.writeback(u.snapshot),
            {},
            {},
            Plan(board=u.snapshot.board, item_ops=tuple(u.ops)),
        )
        for u in undos
    ]
    sync_plan = SyncPlan(date.today(), boards[0].writeback.language, [], boards)
    connectors = {u.snapshot.board: u.connector for u in undos}
    outcome = write(
        out, sync_plan, connectors, store, interrupts, command=f"rollback {run_id}", leases=leases
    )
    report.runs.extend(outcome.run_ids)
    report.interrupted = outcome.interrupted
    journal = store.journal(outcome.run_ids[-1]) if outcome.run_ids else []
    # A board stopped part-way (its tool unreachable, its calls used up): the undos it never sent failed.
    stopped = {str(ref): str(exc) for ref, exc in outcome.board_errors}
    done: list[int] = []
    for u in undos:
        board = str(u.snapshot.board)
        sent = [e for e in journal if e.board == board]  # this board's undos, in the order of its ops
        for n, entry in enumerate(u.chosen):
            undo = sent[n] if n < len(sent) else None
            if undo is not None and undo.status is OpStatus.APPLIED:
                done.append(entry.id)
                report.undone.append(_row(entry, to=entry.before))
            elif undo is not None and undo.status is OpStatus.FAILED:
                report.failed.append(_row(entry, error=undo.error or "failed"))
            elif board in stopped:
                report.failed.append(_row(entry, error=stopped[board]))
    store.mark_undone(done)


def _print(out: Output, run_id: int, report: Report, dry_run: bool, json_out: bool) -> None:
    if json_out:
        out.json(
            {
                "run": run_id,
                "dry_run": dry_run,
                "landed": report.landed,
                "undone": report.undone,
                "failed": report.failed,
                "not_undoable": report.not_undoable,
                "left_alone": report.left_alone,
                "already_back": report.already_back,
                "rollback_runs": report.runs,
                "interrupted": report.interrupted is not None,
            }
        )
    else:
        of = plural(report.landed, "change", "changes")
        head = (
            _("Rollback of run {run}: would undo {n} of {of}.")
            if dry_run
            else _("Rollback of run {run}: undid {n} of {of}.")
        )
        out.out.print(plain(head.format(run=run_id, n=len(report.undone), of=of)))
        for u in report.undone:
            out.out.print(plain(f"  ~ {shown(u['title'])}: {u['field']} -> {shown(u['to'])}"))
        for item in report.already_back:
            back = _("{title}: {field} already back to {value}").format(
                title=shown(item["title"]), field=item["field"], value=shown(item["to"])
            )
            out.out.print(plain(f"  = {back}"))
        for item in report.left_alone:
            alone = _("{title}: {field} left alone ({why})").format(
                title=shown(item["title"]), field=item["field"], why=tr(item["why"])
            )
            out.out.print(plain(f"  = {alone}"))
    for item in report.failed:
        line = _("failed: {title}: {field} not undone: {error}").format(
            title=shown(item["title"]), field=item["field"], error=item["error"]
        )
        out.err.print(plain(line))
    for item in report.not_undoable:
        line = _("failed: {title}: {field} cannot be undone: {error}").format(
            title=shown(item["title"]), field=item["field"], error=tr(item["error"])
        )
        out.err.print(plain(line))
    if report.interrupted is not None:
        left = report.landed - len(report.undone) - len(report.already_back)
        line = _("interrupted: {n} of {of} undone; moteur rollback {run} undoes the {left} left").format(
            n=len(report.undone), of=plural(report.landed, "change", "changes"), run=run_id, left=left
        )
        out.err.print(plain(line))
