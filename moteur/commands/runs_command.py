"""``moteur runs`` (what ran) and ``moteur rollback RUN`` (undo a run from its journal)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from moteur.commands.context import settings_for
from moteur.commands.sync_command import LEASE_SECONDS, now_utc, open_store, owner_gone, owner_name
from moteur.connectors.base import open_connector
from moteur.core.errors import UsageError
from moteur.core.model import ItemRef
from moteur.core.ops import ITEM_OP_KINDS, ItemOp, inverse, item_op
from moteur.core.plan import current_value
from moteur.core.refs import parse_ref
from moteur.core.state import JournalEntry, OpStatus, RunOutcome
from moteur.core.sync import journal_entry

if TYPE_CHECKING:
    from moteur.cli import Output


def run_runs(out: Output, *, config: Path | None, json_out: bool, limit: int) -> None:
    settings = settings_for(config)
    store = open_store(settings)
    try:
        records = store.runs(limit)
    finally:
        store.close()
    if json_out:
        out.json(
            [
                {
                    "id": r.id,
                    "command": r.command,
                    "boards": list(r.boards),
                    "started_at": r.started_at.isoformat(),
                    "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                    "outcome": r.outcome.value,
                    "counts": r.counts,
                }
                for r in records
            ]
        )
        return
    if not records:
        out.out.print("No runs yet.")
        return
    table = Table(title="Runs", title_justify="left")
    for col in ("id", "command", "started", "ended", "boards", "changes", "outcome"):
        table.add_column(col)
    for r in records:
        counts = ", ".join(f"{k} {v}" for k, v in r.counts.items() if v)
        table.add_row(
            str(r.id),
            r.command,
            f"{r.started_at:%Y-%m-%d %H:%M:%S}",
            f"{r.finished_at:%H:%M:%S}" if r.finished_at else "—",
            ", ".join(r.boards),
            counts or "—",
            r.outcome.value,
        )
    out.out.print(table)


def _undo_op(entry: JournalEntry, ref: ItemRef) -> ItemOp:
    """The op that puts back what the journalled op replaced."""
    done = item_op(
        ITEM_OP_KINDS[entry.kind], ref, entry.item_title or "", entry.field or "", entry.before, entry.after
    )
    return inverse(done)


def run_rollback(out: Output, run_id: int, *, config: Path | None, dry_run: bool, json_out: bool) -> int:
    settings = settings_for(config)
    store = open_store(settings)
    try:
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
        entries = [e for e in store.journal(run_id) if e.status is OpStatus.APPLIED and e.item_key]
        left_alone: list[dict[str, Any]] = []
        undone: list[dict[str, Any]] = []
        failed = 0
        for board_text in record.boards:
            ref = parse_ref(board_text)
            port = open_connector(ref, settings)
            try:
                snapshot = port.read(ref)
                by_key = {a.key: a for a in snapshot.actions}
                ops: list[ItemOp] = []
                chosen: list[JournalEntry] = []
                for entry in reversed([e for e in entries if e.board == board_text]):
                    action = by_key.get(entry.item_key or "")
                    if action is None or current_value(action, entry.field or "") != entry.after:
                        left_alone.append(
                            {"item": entry.item_key, "title": entry.item_title, "field": entry.field}
                        )
                        continue
                    ops.append(_undo_op(entry, action.ref))
                    chosen.append(entry)
                    undone.append({"title": entry.item_title, "field": entry.field, "to": entry.before})
                if dry_run or not ops:
                    continue
                with store.lock(board_text, owner_name(), LEASE_SECONDS, now_utc, owner_gone):
                    new_run = store.start_run(f"rollback {run_id}", [board_text], False, now_utc())
                    results = port.apply(snapshot, [], ops)
                    ok_entries = [e for e, r in zip(chosen, results, strict=True) if r.ok]
                    failed += sum(1 for r in results if not r.ok)
                    store.record_ops(new_run, [journal_entry(board_text, r) for r in results], now_utc())
                    store.mark_undone(e.id for e in ok_entries)
                    states = store.item_states(board_text)
                    changed = []
                    for e in ok_entries:
                        state = states.get(e.item_key or "")
                        if state is not None:
                            written = {**state.written, (e.field or ""): e.before}
                            states[state.key] = replace(state, written=written)
                            changed.append(states[state.key])
                    store.finish_run(
                        new_run,
                        outcome=RunOutcome.FAILED if failed else RunOutcome.OK,
                        counts={"undone": len(ok_entries), "failed": failed},
                        item_states=changed,
                        board=board_text,
                        now=now_utc(),
                    )
            finally:
                port.close()
        if not dry_run and not failed:
            store.set_run_outcome(run_id, RunOutcome.ROLLED_BACK, now=now_utc())
    finally:
        store.close()
    if json_out:
        out.json({"run": run_id, "dry_run": dry_run, "undone": undone, "left_alone": left_alone})
    else:
        verb = "would undo" if dry_run else "undid"
        out.out.print(f"Rollback of run {run_id}: {verb} {len(undone)} changes.")
        for u in undone:
            out.out.print(f'  ~ "{u["title"]}": {u["field"]} -> {u["to"]!r}')
        for item in left_alone:
            out.out.print(f'  = "{item["title"]}": {item["field"]} left alone (changed since that run)')
    return 1 if failed else 0
