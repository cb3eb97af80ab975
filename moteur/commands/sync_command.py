"""``moteur sync`` and ``moteur apply``: read the boards, plan, show, and write through the connectors.

Both lock their boards before reading them, settle what an earlier run left unknown in the journal by what the
read shows (``core/settle.py``), and write inside ``interrupts``'s deferred phase: SIGINT / SIGTERM stop after
the request in flight, the run is marked interrupted, one line says how far it got and how to undo it, and
the exit code is 130 / 143.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from moteur.commands.board_identity import identified, remember_boards
from moteur.commands.context import board_refs, settings_for, team_groups
from moteur.commands.history_run import capacity_line, record_day, sized_groups
from moteur.commands.interrupts import Interrupts, signals_handled
from moteur.commands.owners import owner_gone, owner_name
from moteur.commands.plan_file import load_plan, save_plan
from moteur.commands.sprint_anchor import sprint_anchor
from moteur.connectors.base import Connector, open_connector
from moteur.core.diff import MANAGED_FIELDS, Desired, Memory, Plan, current_value
from moteur.core.errors import Interrupted, MoteurError, UsageError
from moteur.core.model import BoardRef, Snapshot
from moteur.core.ops import ItemOp
from moteur.core.phrase import Phrase
from moteur.core.policy import PlanningPolicy
from moteur.core.settle import memory_with
from moteur.core.sync import BoardPlan, SyncPlan, memory_of, prepare
from moteur.engine.incremental_read import BoardRead, read_board, save_reads
from moteur.engine.leases import Leases
from moteur.engine.state import StateStore, default_state_url
from moteur.engine.sync_run import SyncOutcome, apply_sync, settle_unknown
from moteur.i18n import _, tr
from moteur.settings import Settings
from moteur.views.dry_run import render_dry_run, sync_json
from moteur.views.output import print_error
from moteur.views.progress import progress_bar
from moteur.views.terminal import plain
from moteur.views.words import NONE, plural

if TYPE_CHECKING:
    from moteur.views.output import Output


__all__ = ["LEASE_SECONDS", "now_utc", "open_store", "owner_gone", "owner_name", "run_apply", "run_sync"]

LEASE_SECONDS = 600.0  # a board lock's lease; renewed as a run writes, it must outlast the longest read


def now_utc() -> datetime:
    return datetime.now(UTC)


def open_store(settings: Settings) -> StateStore:
    return StateStore(settings.state_url or default_state_url())


def read_boards(
    out: Output, connectors: dict[BoardRef, Connector], store: StateStore, *, full_every: int, full: bool
) -> dict[BoardRef, BoardRead]:
    """Each board read in full or incrementally (``incremental_read``); its warnings shown."""
    reads = {}
    for ref, connector in connectors.items():
        with progress_bar(out.err, None, _("reading {board}").format(board=ref), enabled=out.show_progress):
            read = read_board(store, ref, connector, full_every=full_every, full=full)
        if out.verbose:
            how = (
                "changes only"
                if read.incremental
                else f"in full ({read.reason})"
                if read.reason
                else "in full"
            )
            out.info(f"{ref}: read {how} in {plural(read.requests, 'request', 'requests')}")
        for warning in read.snapshot.warnings:
            out.warn(f"{ref}: {tr(warning)}")
        reads[ref] = read
    return reads


def requests_line(connectors: dict[BoardRef, Connector], sync_plan: SyncPlan) -> str | None:
    """What reading cost and what applying will cost, per board whose connector can say."""
    parts = []
    for board in sync_plan.boards:
        connector = connectors[board.snapshot.board]
        read = connector.request_count()
        plan = board.plan
        estimate = None if plan.empty else connector.estimate(plan.schema_ops, plan.item_ops)
        if not read and estimate is None:
            continue
        requests = plural(read, "request", "requests")
        line = _("{board}: read in {requests}").format(board=board.snapshot.board, requests=requests)
        if estimate is not None:
            line += _("; applying this plan: {estimate}").format(estimate=tr(estimate))
        parts.append(line)
    return "\n".join(parts) or None


def traffic(connectors: dict[BoardRef, Connector]) -> tuple[int, int]:
    """Requests sent and retried by every connector of this run."""
    sent = retried = 0
    for connector in connectors.values():
        sent += connector.request_count()
        retried += connector.retried_count()
    return sent, retried


def report_outcome(
    out: Output, outcome: SyncOutcome, connectors: dict[BoardRef, Connector], sync_plan: SyncPlan
) -> None:
    """Failures on stderr; then "Applied …", or with ``--quiet`` one line per board that had changes."""
    for failure in outcome.failures:
        title = getattr(failure.op, "title", None) or getattr(failure.op, "name", "")
        # The title and the error come from the board and the service: text, never markup.
        line = Text(_("failed:"), style="red") + plain(f' "{title}": {failure.error}')
        out.err.print(line, highlight=False)
    for ref, error in outcome.board_errors:
        # One board that could not be written; the others' results are still reported below.
        message = Phrase("{board}: {message}", board=str(ref), message=error.message)
        print_error(MoteurError(message, hint=error.hint), out.err)
    if out.json_mode:
        return
    if out.quiet:
        for summary in quiet_lines(outcome, sync_plan):
            # One line each, however long the board's name or path: cron mails it, scripts split it.
            out.out.print(plain(summary), highlight=False, soft_wrap=True)
        return
    sent, retried = traffic(connectors)
    requests = plural(sent, "request", "requests")
    network = (
        _(" in {requests} ({retried} retried)").format(requests=requests, retried=retried) if sent else ""
    )
    result = _("{applied}{network}; run {runs}.").format(
        applied=applied_line(outcome, sync_plan), network=network, runs=run_list(outcome)
    )
    out.out.print(plain(result))


def applied_line(outcome: SyncOutcome, sync_plan: SyncPlan) -> str:
    """``Applied 264 field changes to 96 actions, 21 created (0 failed)``: the plan summary's units.

    The plan says ``21 to create, 96 actions to update (264 field changes)``: the same three numbers.
    """
    failed = {f.op for f in outcome.failures}
    stopped = {ref for ref, _ in outcome.board_errors}  # their landed changes are counted, not their items
    actions = len(
        {
            op.item.key
            for b in sync_plan.boards
            if b.snapshot.board not in stopped
            for op in b.plan.item_ops
            if op not in failed
        }
    )
    created = sum(
        1
        for b in sync_plan.boards
        if b.snapshot.board not in stopped
        for op in b.plan.schema_ops
        if op not in failed
    )
    changes = plural(outcome.written, "field change", "field changes")
    counts = {
        "changes": changes,
        "actions": plural(actions, "action", "actions"),
        "failed": len(outcome.failures),
    }
    if created:
        return _("Applied {changes} to {actions}, {created} created ({failed} failed)").format(
            created=created, **counts
        )
    return _("Applied {changes} to {actions} ({failed} failed)").format(**counts)


def run_list(outcome: SyncOutcome) -> str:
    return ", ".join(str(r) for r in outcome.run_ids) or _(NONE)


def exit_code(outcome: SyncOutcome) -> int:
    """0 when everything landed; a board that could not be written exits with its error's code (3 for a
    token refused, as everywhere); else 1 when some op failed."""
    if outcome.board_errors:
        return max(exc.exit_code for _, exc in outcome.board_errors)
    return 0 if outcome.ok else 1


def quiet_lines(outcome: SyncOutcome, sync_plan: SyncPlan) -> list[str]:
    """``trello:… Plan marketing: 12 updated, 0 failed, run 41``, one per board that had changes, for cron.

    A board whose plan was empty gets no line: a run that changed nothing prints nothing at all. Every board
    of a sync shares its one run (``moteur rollback 41`` undoes them all); a board that could not be
    written has its error on stderr instead.
    """
    lines = []
    stopped = {ref for ref, _ in outcome.board_errors}
    run = run_list(outcome)
    for board in sync_plan.boards:
        plan = board.plan
        if plan.empty or board.snapshot.board in stopped:
            continue
        failed = [f.op for f in outcome.failures if f.op in plan.schema_ops or f.op in plan.item_ops]
        created = sum(1 for op in plan.schema_ops if op not in failed)
        updated = len({op.item.key for op in plan.item_ops if op not in failed})
        counts = [_("{n} created").format(n=created)] if created else []
        counts += [_("{n} updated").format(n=updated), _("{n} failed").format(n=len(failed))]
        line = _("{board} {name}: {counts}, run {run}").format(
            board=board.snapshot.board, name=board.snapshot.name, counts=", ".join(counts), run=run
        )
        lines.append(line)
    return lines


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
    with signals_handled() as interrupts:
        store = open_store(settings)
        connectors = {ref: open_connector(ref, settings) for ref in refs}
        locks = ExitStack()
        try:
            # Each board by its canonical ref (a shortLink's id, a file's real path): one lock, one state.
            refs, connectors, names = identified(refs, connectors, store)
            if not dry_run:
                refuse_read_only(connectors)
                # Lock before reading: no other run may write these boards between our read and our writes.
                leases = lock_boards(locks, store, refs)
            reads = read_boards(out, connectors, store, full_every=settings.full_every, full=full)
            # A dry-run keeps the anchor too: it is moteur's state, not a board's (see sprint_anchor).
            policy = planning_policy(out, store, settings, today)
            snapshots = [read.snapshot for read in reads.values()]
            remember_boards(store, snapshots)  # a legacy key of a board named by id, adopted (board_identity)
            memories = {ref: settled_memory(store, read.snapshot, dry_run) for ref, read in reads.items()}
            writebacks = {s.board: connectors[s.board].writeback(s) for s in snapshots}
            groups = team_groups(refs, settings.teams, names)
            sized = sized_groups(store, groups, policy, today, settings.language)
            sync_plan = prepare(
                snapshots,
                writebacks,
                memories,
                groups,
                policy,
                today,
                language=settings.language,
                replan=replan,
                force=force,
                policies={name: group.policy for name, group in sized.items()},
            )
            # A dry-run records too: the history is what moteur read, its own state (docs/history.md).
            for line in record_day(store, snapshots, sync_plan.evaluations, today, settings, connectors):
                out.info(line)
            if out.verbose:
                for name, group in sized.items():
                    out.info(f"{name}: {capacity_line(group.choice)}")
            if plan_out is not None:
                save_plan(sync_plan, plan_out)
            if chart is not None:
                draw_matrices(out, sync_plan, settings, chart)
            if dry_run:
                if json_out:
                    out.json(sync_json(sync_plan))
                else:
                    render_dry_run(
                        out.out, sync_plan, estimate=requests_line(connectors, sync_plan), max_items=max_items
                    )
                return 4 if detailed_exitcode and not sync_plan.empty else 0
            if not json_out and show_plan and not out.quiet:
                render_dry_run(out.out, sync_plan, max_items=max_items)
            outcome = write(out, sync_plan, connectors, store, interrupts, command="sync", leases=leases)
            if (stopped := outcome.interrupted) is not None:
                return report_interrupted(out, outcome, stopped, sync_plan, json_out)
            # After the writes: a crash before this line re-reads from the previous cursor, which is safe.
            save_reads(store, reads, now_utc())
            if json_out:
                out.json(sync_json(sync_plan, applied=_applied(outcome)))
            report_outcome(out, outcome, connectors, sync_plan)
            return exit_code(outcome)
        finally:
            locks.close()
            for connector in connectors.values():
                connector.close()
            store.close()


def planning_policy(out: Output, store: StateStore, settings: Settings, today: date) -> PlanningPolicy:
    """The settings' ``[planning]`` with the sprint anchor as ``first_sprint`` (kept on the first run)."""
    anchor = sprint_anchor(store, settings.planning.first_sprint, today, now_utc())
    if anchor.problem:
        out.warn(Phrase("sprint numbers count from this week only: {problem}", problem=anchor.problem))
    return anchor.policy(settings.planning)


def refuse_read_only(connectors: Mapping[BoardRef, Connector]) -> None:
    """Stop (exit 2) before locking or reading a board moteur only reads (a Trello export)."""
    for ref, connector in connectors.items():
        why = connector.read_only(ref)
        if why:
            raise UsageError(f"{ref} {why}")


def lock_boards(locks: ExitStack, store: StateStore, refs: Sequence[BoardRef]) -> Leases:
    """Take each board's lock (released when ``locks`` closes), then mark the runs that died "interrupted";
    the leases returned keep the locks alive while the run writes (``write``).

    A run killed on these boards left its lock (taken over here: its holder is gone) and its row "running";
    marked now, its journal entries left "pending" are settled by this run's read (``settled_memory``).
    """
    held = [
        locks.enter_context(store.lock(str(ref), owner_name(), LEASE_SECONDS, now_utc, owner_gone))
        for ref in refs
    ]
    store.mark_interrupted(now_utc(), owner_gone)
    return Leases(held, now_utc)


def settled_memory(store: StateStore, snapshot: Snapshot, dry_run: bool) -> dict[str, Memory]:
    """What moteur wrote on the board's items, the journal's unknown outcomes settled by ``snapshot`` first.

    A sync saves the settlement (it holds the lock); a dry-run only looks, so the view it shows is the one
    the sync will act on, and nothing is written anywhere.
    """
    found = settle_unknown(store, snapshot, now_utc, save=not dry_run)
    memory = memory_of(store.item_states(str(snapshot.board)))
    return memory_with(memory, found) if dry_run else memory


def write(
    out: Output,
    sync_plan: SyncPlan,
    connectors: dict[BoardRef, Connector],
    store: StateStore,
    interrupts: Interrupts,
    *,
    command: str,
    leases: Leases,
) -> SyncOutcome:
    """``apply_sync`` with the progress bar, signals deferred to the write-ahead journal's checks, the locks
    ``lock_boards`` took renewed as the run writes."""
    total = sum(len(b.plan.item_ops) for b in sync_plan.boards)
    enabled = out.show_progress and total > 0
    with interrupts.deferred(), progress_bar(out.err, total, _("writing"), enabled=enabled) as advance:
        return apply_sync(
            sync_plan,
            connectors,
            store,
            command=command,
            now=now_utc,
            owner=owner_name(),
            lease_seconds=LEASE_SECONDS,
            progress=advance,
            leases=leases,
            stop=interrupts.check,
        )


def interrupted_line(outcome: SyncOutcome, total: int) -> str:
    """``interrupted: 39 of 120 changes written; moteur rollback 7 undoes them``."""
    runs = [f"moteur rollback {r}" for r in outcome.run_ids]
    changes = plural(total, "change", "changes")
    if not runs:
        return _("interrupted: 0 of {changes} written").format(changes=changes)
    if len(runs) == 1:
        undo = _("{command} undoes them").format(command=runs[0])
    else:
        undo = _("{commands} and {last} undo them").format(commands=", ".join(runs[:-1]), last=runs[-1])
    return _("interrupted: {written} of {changes} written; {undo}").format(
        written=outcome.written, changes=changes, undo=undo
    )


def report_interrupted(
    out: Output, outcome: SyncOutcome, stopped: Interrupted, sync_plan: SyncPlan, json_out: bool
) -> int:
    """The one line of a run stopped by a signal; its exit code (130 for SIGINT, 143 for SIGTERM)."""
    total = sum(len(b.plan.item_ops) for b in sync_plan.boards)
    if json_out:
        out.json({**_applied(outcome), "interrupted": True, "written": outcome.written, "planned": total})
    out.err.print(interrupted_line(outcome, total), markup=False, highlight=False)
    return stopped.exit_code


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
        "board_errors": [{"board": str(ref), "error": str(exc)} for ref, exc in outcome.board_errors],
    }


def run_apply(out: Output, plan_file: Path, *, config: Path | None, json_out: bool) -> int:
    """Apply a saved plan: exactly its ops, minus those on items changed since it was made."""
    settings = settings_for(config)
    saved = load_plan(plan_file)
    with signals_handled() as interrupts:
        store = open_store(settings)
        connectors = {b["ref"]: open_connector(b["ref"], settings) for b in saved}
        locks = ExitStack()
        skipped: list[dict[str, Any]] = []
        already = 0
        try:
            _, connectors, names = identified([entry["ref"] for entry in saved], connectors, store)
            for entry in saved:
                entry["ref"] = names[str(entry["ref"])]
            refuse_read_only(connectors)
            leases = lock_boards(locks, store, [entry["ref"] for entry in saved])
            boards = []
            for entry in saved:
                ref: BoardRef = entry["ref"]
                snapshot = connectors[ref].read(ref)
                memory = settled_memory(store, snapshot, dry_run=False)
                kept, gone, done = _still_valid(entry, snapshot)
                skipped.extend(gone)
                already += done
                boards.append(_saved_board(entry, snapshot, kept, memory, connectors[ref]))
            sync_plan = SyncPlan(date.today(), settings.language, [], boards)
            if already and not skipped and not any(b.plan.item_ops for b in boards):
                if json_out:
                    out.json(
                        {"runs": [], "applied": 0, "failed": [], "already_applied": already, "skipped": []}
                    )
                else:
                    out.out.print(
                        plain(
                            f"{plan_file} is already applied: its {already} changes are on the boards; "
                            "nothing to do"
                        ),
                        highlight=False,
                    )
                return 0
            for s in {(x["item"], x["title"]) for x in skipped}:
                out.warn(f'skipped "{s[1]}" (id {s[0]}): it changed since the plan was made')
            outcome = write(out, sync_plan, connectors, store, interrupts, command="apply", leases=leases)
            if (stopped := outcome.interrupted) is not None:
                return report_interrupted(out, outcome, stopped, sync_plan, json_out)
            if json_out:
                out.json({**_applied(outcome), "skipped": skipped})
            report_outcome(out, outcome, connectors, sync_plan)
            return exit_code(outcome)
        finally:
            locks.close()
            for connector in connectors.values():
                connector.close()
            store.close()


def _still_valid(entry: dict[str, Any], snapshot: Snapshot) -> tuple[list[ItemOp], list[dict[str, Any]], int]:
    """The saved ops whose item is unchanged since the plan was made, the ones skipped (as rows), and how
    many are done already (the item carries the op's new value: the plan, or that part of it, was applied)."""
    by_key = {a.key: a for a in snapshot.actions}
    kept: list[ItemOp] = []
    skipped: list[dict[str, Any]] = []
    done = 0
    for op in entry["item_ops"]:
        action = by_key.get(op.item.key)
        then = entry["items"].get(op.item.key, {})
        if action is not None and current_value(action, op.field) == op.after:
            done += 1
            continue
        changed = action is None or (
            action.version != then.get("version")
            and (
                action.content_hash != then.get("content_hash")
                or current_value(action, op.field) != op.before
            )
        )
        if changed:
            skipped.append({"board": str(entry["ref"]), "item": op.item.item, "title": op.title})
            continue
        kept.append(op)
    return kept, skipped, done


def _saved_board(
    entry: dict[str, Any],
    snapshot: Snapshot,
    kept: list[ItemOp],
    memory: dict[str, Memory],
    connector: Connector,
) -> BoardPlan:
    # What a touched item should carry: its current values with the saved ops' new values on top.
    afters: dict[str, dict[str, str | None]] = {}
    for op in kept:
        afters.setdefault(op.item.key, {})[op.field] = op.after
    desired = {}
    for a in snapshot.actions:
        if a.key in afters:
            values = {f: current_value(a, f) for f in MANAGED_FIELDS} | afters[a.key]
            desired[a.key] = Desired(values["quadrant"] or "", values["sprint"], values["ice"])
    plan = Plan(board=snapshot.board, schema_ops=tuple(entry["schema_ops"]), item_ops=tuple(kept))
    return BoardPlan(snapshot, connector.writeback(snapshot), memory, desired, plan)
