"""``moteur sync`` and ``moteur apply``: read the boards, plan, show, and write through the connectors."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moteur.commands.context import board_refs, settings_for, team_groups
from moteur.commands.incremental_read import BoardRead, read_board, save_reads
from moteur.commands.plan_file import load_plan, save_plan
from moteur.connectors.base import Connector, open_connector
from moteur.core.model import BoardRef
from moteur.core.plan import MANAGED_FIELDS, Desired, Plan, current_value
from moteur.core.state import StateStore, default_state_url
from moteur.core.sync import BoardPlan, SyncOutcome, SyncPlan, apply_sync, memory_of, prepare
from moteur.settings import Settings
from moteur.views.dry_run import render_dry_run, sync_json
from moteur.views.progress import progress_bar

if TYPE_CHECKING:
    from moteur.cli import Output


LEASE_SECONDS = 600.0  # a board lock's lease; a live run renews nothing, so keep it above a long run


def now_utc() -> datetime:
    return datetime.now(UTC)


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_gone(owner: str) -> bool:
    """True when a lock holder named ``host:pid`` is a process of this host that no longer exists.

    A run killed with SIGKILL cannot release its lock; without this its board would stay blocked until the
    lease runs out. Holders on other hosts are never judged gone: only their lease can free the board.
    """
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # it exists, run by someone else
    return False


def open_store(settings: Settings) -> StateStore:
    return StateStore(settings.state_url or default_state_url())


def read_boards(
    out: Output, ports: dict[BoardRef, Connector], store: StateStore, *, full_every: int, full: bool
) -> dict[BoardRef, BoardRead]:
    """Each board read in full or incrementally (``incremental_read``); its warnings shown."""
    reads = {}
    for ref, port in ports.items():
        with progress_bar(out.err, None, f"reading {ref}", enabled=out.show_progress):
            read = read_board(store, ref, port, full_every=full_every, full=full)
        if out.verbose:
            how = (
                "changes only"
                if read.incremental
                else f"in full ({read.reason})"
                if read.reason
                else "in full"
            )
            out.info(f"{ref}: read {how} in {read.requests} requests")
        for warning in read.snapshot.warnings:
            out.warn(f"{ref}: {warning}")
        reads[ref] = read
    return reads


def requests_line(ports: dict[BoardRef, Connector], sync_plan: SyncPlan) -> str | None:
    """What reading cost and what applying will cost, per board whose connector can say."""
    parts = []
    for board in sync_plan.boards:
        port = ports[board.snapshot.board]
        read = port.request_count()
        estimate = getattr(port, "estimate", None)
        if not read and estimate is None:
            continue
        line = f"{board.snapshot.board}: read in {read} request{'s' if read != 1 else ''}"
        if estimate is not None and not board.plan.empty:
            line += f"; applying this plan: {estimate(board.plan.schema_ops, board.plan.item_ops)}"
        parts.append(line)
    return "\n".join(parts) or None


def traffic(ports: dict[BoardRef, Connector]) -> tuple[int, int]:
    """Requests sent and retried by every connector of this run."""
    sent = retried = 0
    for port in ports.values():
        sent += port.request_count()
        stats = getattr(port, "stats", None)
        if stats is not None:
            retried += stats().retries
    return sent, retried


def report_outcome(out: Output, outcome: SyncOutcome, ports: dict[BoardRef, Connector]) -> None:
    for failure in outcome.failures:
        title = getattr(failure.op, "title", None) or getattr(failure.op, "name", "")
        out.err.print(f'[red]failed:[/red] "{title}": {failure.error}', highlight=False)
    if not out.json_mode:
        runs = ", ".join(str(r) for r in outcome.run_ids)
        sent, retried = traffic(ports)
        network = f" in {sent} requests ({retried} retried)" if sent else ""
        out.out.print(
            f"Applied {outcome.applied} changes ({len(outcome.failures)} failed){network}; run {runs}."
        )


def run_sync(
    out: Output,
    texts: Sequence[str],
    *,
    config: Path | None,
    today: date,
    dry_run: bool,
    json_out: bool,
    plan_out: Path | None,
    detailed_exitcode: bool,
    replan: bool,
    force: bool,
    show_plan: bool = True,
    max_items: int | None = None,
    chart: Path | None = None,
    full: bool = False,
) -> int:
    settings = settings_for(config)
    refs = board_refs(texts, settings)
    store = open_store(settings)
    ports = {ref: open_connector(ref, settings) for ref in refs}
    locks = ExitStack()
    try:
        if not dry_run:
            # Lock before reading: no other run may write these boards between our read and our writes.
            for ref in refs:
                locks.enter_context(store.lock(str(ref), owner_name(), LEASE_SECONDS, now_utc, owner_gone))
        reads = read_boards(out, ports, store, full_every=settings.full_every, full=full)
        snapshots = [read.snapshot for read in reads.values()]
        memories = {ref: memory_of(store.item_states(str(ref))) for ref in refs}
        writebacks = {s.board: ports[s.board].writeback(s) for s in snapshots}
        sync_plan = prepare(
            snapshots,
            writebacks,
            memories,
            team_groups(refs, settings.teams),
            settings.planning,
            today,
            language=settings.language,
            replan=replan,
            force=force,
        )
        if plan_out is not None:
            save_plan(sync_plan, plan_out)
        if chart is not None:
            draw_matrices(out, sync_plan, settings, chart)
        if dry_run:
            if json_out:
                out.json(sync_json(sync_plan))
            else:
                render_dry_run(
                    out.out, sync_plan, estimate=requests_line(ports, sync_plan), max_items=max_items
                )
            return 4 if detailed_exitcode and not sync_plan.empty else 0
        if not json_out and show_plan:
            render_dry_run(out.out, sync_plan, max_items=max_items)
        total = sum(len(b.plan.item_ops) for b in sync_plan.boards)
        with progress_bar(out.err, total, "writing", enabled=out.show_progress and total > 0) as advance:
            outcome = apply_sync(
                sync_plan,
                ports,
                store,
                command="sync",
                now=now_utc,
                owner=owner_name(),
                lease_seconds=LEASE_SECONDS,
                progress=advance,
                locked=True,
            )
        # After the writes: a crash before this line re-reads from the previous cursor, which is safe.
        save_reads(store, reads, now_utc())
        if json_out:
            out.json(sync_json(sync_plan, applied=_applied(outcome)))
        report_outcome(out, outcome, ports)
        return 0 if outcome.ok else 1
    finally:
        locks.close()
        for port in ports.values():
            port.close()
        store.close()


def draw_matrices(out: Output, sync_plan: SyncPlan, settings: Settings, chart: Path) -> None:
    """The priority matrix of each planning group of the plan: ``chart``, then ``chart-2.png``…"""
    from moteur.views.chart import draw_matrix

    policy = settings.planning
    for n, (name, evaluation) in enumerate(sync_plan.evaluations):
        path = chart if n == 0 else chart.with_name(f"{chart.stem}-{n + 1}{chart.suffix}")
        draw_matrix(
            evaluation,
            path,
            settings.language,
            impact_threshold=policy.impact_threshold,
            effort_threshold=policy.effort_threshold,
        )
        out.info(f"priority matrix of {name} written to {path}")


def _applied(outcome: SyncOutcome) -> dict[str, Any]:
    return {
        "runs": outcome.run_ids,
        "applied": outcome.applied,
        "failed": [{"op": f.op.kind, "error": f.error} for f in outcome.failures],
    }


def run_apply(out: Output, plan_file: Path, *, config: Path | None, json_out: bool) -> int:
    """Apply a saved plan: exactly its ops, minus those on items changed since it was made."""
    settings = settings_for(config)
    saved = load_plan(plan_file)
    store = open_store(settings)
    ports = {b["ref"]: open_connector(b["ref"], settings) for b in saved}
    skipped: list[dict[str, Any]] = []
    try:
        boards = []
        for entry in saved:
            ref: BoardRef = entry["ref"]
            snapshot = ports[ref].read(ref)
            by_key = {a.key: a for a in snapshot.actions}
            kept = []
            for op in entry["item_ops"]:
                action = by_key.get(op.item.key)
                then = entry["items"].get(op.item.key, {})
                changed = action is None or (
                    action.version != then.get("version")
                    and (
                        action.content_hash != then.get("content_hash")
                        or current_value(action, op.field) != op.before
                    )
                )
                if changed:
                    skipped.append({"board": str(ref), "item": op.item.item, "title": op.title})
                    continue
                kept.append(op)
            memory = memory_of(store.item_states(str(ref)))
            # What a touched item should carry: its current values with the saved ops' new values on top.
            afters: dict[str, dict[str, str | None]] = {}
            for op in kept:
                afters.setdefault(op.item.key, {})[op.field] = op.after
            desired = {}
            for a in snapshot.actions:
                if a.key in afters:
                    values = {f: current_value(a, f) for f in MANAGED_FIELDS} | afters[a.key]
                    desired[a.key] = Desired(values["quadrant"] or "", values["sprint"], values["ice"])
            plan = Plan(board=ref, schema_ops=tuple(entry["schema_ops"]), item_ops=tuple(kept))
            boards.append(BoardPlan(snapshot, ports[ref].writeback(snapshot), memory, desired, plan))
        sync_plan = SyncPlan(date.today(), settings.language, [], boards)
        for s in {(x["item"], x["title"]) for x in skipped}:
            out.warn(f'skipped "{s[1]}" (id {s[0]}): it changed since the plan was made')
        outcome = apply_sync(
            sync_plan, ports, store, command="apply", now=now_utc, owner=owner_name(), dead=owner_gone
        )
        if json_out:
            out.json({**_applied(outcome), "skipped": skipped})
        report_outcome(out, outcome, ports)
        return 0 if outcome.ok else 1
    finally:
        for port in ports.values():
            port.close()
        store.close()
