"""Write-ahead journalling of one board's ops: every intent before the first request, each outcome as it
lands.

Terms defined here:

- *Intent*: the journal entry of a planned op, recorded "pending" (item, field, old value, new value) for
  every op of the board in one transaction before the connector sends anything. If that fails, nothing is
  sent: moteur does not write to a board what it cannot journal.
- *Landed*: the callback a connector calls right after each request's answer (``core.ops.Landed``). It marks
  those ops "applied" or "failed" and folds what landed into the items' ``written`` (``state.journal``), one
  small transaction per call; then it asks ``stop`` whether a signal arrived, which raises ``Interrupted``.
  Any exception there (the state database failed, a signal) goes out of the connector's ``apply``: nothing
  more is sent.

So a run stopped at any point leaves a journal from which ``rollback`` undoes exactly the writes that landed
and the next run knows every value moteur wrote; the few entries still "pending" (a kill -9 between a request
and its callback, a batch that was in flight) are settled by reading the items (``core/settle.py``).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import datetime
from typing import Any

from moteur.core.errors import Interrupted
from moteur.core.model import Snapshot
from moteur.core.ops import ItemOp, MoveItem, Op, OpResult, SchemaOp, SetTags, UpdateFields
from moteur.core.records import ItemState, OpStatus, Outcome, RunOutcome
from moteur.engine.state import StateStore

Stop = Callable[[], None]
"""Called after each journalled landing: raises ``Interrupted`` when the run was asked to stop."""


def journal_entry(board: str, op: SchemaOp | ItemOp) -> dict[str, Any]:
    """The journal row of one op: enough to understand and undo it (its ``before`` is the op's own: the
    connector's read says what the field showed, e.g. the section a task leaves). A schema op's row names
    what it creates (``after``) and its kind (``field``: bucket, tag, field)."""
    row: dict[str, Any] = {"board": board, "kind": op.kind, "status": OpStatus.PENDING, "error": None}
    if isinstance(op, UpdateFields | SetTags | MoveItem):
        return row | {
            "item": op.item.key,
            "title": op.title,
            "field": op.field,
            "before": op.before,
            "after": op.after,
        }
    return row | {
        "item": None,
        "title": None,
        "field": op.kind.removeprefix("ensure_"),
        "before": None,
        "after": op.name,
    }


class WriteAhead:
    """The journal of one run on one board while its connector applies the ops.

    Use: ``intend(schema_ops, item_ops)``, then ``connector.apply(…, landed)``, then ``close(results)``; or,
    if anything raised, ``stopped(exc)``.
    """

    def __init__(
        self,
        store: StateStore,
        run_id: int,
        board: str,
        snapshot: Snapshot,
        *,
        now: Callable[[], datetime],
        progress: Callable[[int], None] | None = None,
        stop: Stop | None = None,
    ) -> None:
        self.store, self.run_id, self.board, self.now = store, run_id, board, now
        self._actions = {a.key: a for a in snapshot.actions}
        self._progress, self._stop = progress, stop
        self._entries: dict[Op, deque[int]] = {}  # op -> its entry ids not reported yet (ops are values)
        self._guard = threading.Lock()  # a connector may report from a worker thread
        self.planned = self.applied = self.failed = 0  # item ops only: what "changes" counts

    # -- before the first request ----------------------------------------------------------------------------

    def intend(self, schema_ops: Sequence[SchemaOp], item_ops: Sequence[ItemOp]) -> None:
        """Journal every op as "pending", in one transaction. Raises (``StateError``) if it cannot."""
        ops: list[SchemaOp | ItemOp] = [*schema_ops, *item_ops]
        rows = [journal_entry(self.board, op) for op in ops]
        ids = self.store.record_intents(self.run_id, rows, self.now())
        for op, entry in zip(ops, ids, strict=True):
            self._entries.setdefault(op, deque()).append(entry)
        self.planned = len(item_ops)

    # -- as requests are answered ----------------------------------------------------------------------------

    def landed(self, results: Sequence[OpResult]) -> None:
        """The ``Landed`` callback: journal these outcomes now; then stop if a signal asked to."""
        with self._guard:
            items = self._record(results)
        if self._progress is not None and items:
            self._progress(items)
        if self._stop is not None:
            self._stop()

    def close(self, results: Sequence[OpResult]) -> None:
        """After ``apply`` returned: journal what it never reported (schema ops, a connector that reports
        only at the end)."""
        with self._guard:
            self._record([r for r in results if self._entries.get(r.op)])

    def _record(self, results: Sequence[OpResult]) -> int:
        outcomes: list[Outcome] = []
        written: dict[str, dict[str, str | None]] = {}
        items = 0
        for r in results:
            waiting = self._entries.get(r.op)
            if not waiting:
                continue  # reported already (or not an op of this plan): journalled once
            entry = waiting.popleft()
            outcomes.append(Outcome(entry, OpStatus.APPLIED if r.ok else OpStatus.FAILED, r.error))
            op = r.op
            if not isinstance(op, UpdateFields | SetTags | MoveItem):
                continue  # a schema op: journalled, but no item's value
            items += 1
            if r.ok:
                self.applied += 1
                written.setdefault(op.item.key, {})[op.field] = op.after
            else:
                self.failed += 1
        seen = {
            key: ItemState(key, action.version, action.content_hash)
            for key in written
            if (action := self._actions.get(key)) is not None
        }
        self.store.record_outcomes(
            self.board, outcomes, written=written, run_id=self.run_id, now=self.now(), seen=seen
        )
        return items

    # -- when it stops part-way ------------------------------------------------------------------------------

    def counts(self, extra: dict[str, int] | None = None) -> dict[str, int]:
        """The run's counts so far; the item ops neither applied nor failed are still "pending" (not sent,
        or sent with no answer journalled: the next run settles them)."""
        return {**(extra or {}), "planned": self.planned, "applied": self.applied, "failed": self.failed}

    def stopped(self, exc: BaseException, extra: dict[str, int] | None = None) -> None:
        """Mark the run "interrupted" with how far it got, if the state database still answers.

        If it does not (often why the run stopped), the run stays "running" with its pending entries; the next
        run finds its holder dead and marks it, and settles the entries by reading the items.
        """
        if isinstance(exc, Interrupted):
            why = exc.message
        elif isinstance(exc, KeyboardInterrupt):
            why = "interrupted"
        else:
            why = f"stopped by {type(exc).__name__}: {exc}"
        message = f"{why}, after {self.applied} of {self.planned} changes written"
        with suppress(Exception):  # the error that stopped the run is the one to report, not this one
            self.store.finish_run(
                self.run_id,
                outcome=RunOutcome.INTERRUPTED,
                counts=self.counts(extra),
                item_states=[],
                board=self.board,
                now=self.now(),
                message=message[:500],
            )
