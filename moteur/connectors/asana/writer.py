"""Applying item ops to an Asana project: few requests, packed ten to a ``POST /batch``.

Terms:

- *Write*: one API call an item op needs, sent as one action of a batch: every custom field value of a task
  in ONE ``PUT /tasks/{gid}`` (``{"custom_fields": {field gid: option gid | number}}``), a section move as
  ``POST /sections/{gid}/addTask``, each tag change as ``POST /tasks/{gid}/addTag`` / ``removeTag``. All of
  them are idempotent, so a whole batch may be resent after a 5xx or a dropped connection.
- *Batch*: up to ten writes in one ``POST /batch``. Asana answers 200 even when actions fail: each action's
  ``status_code`` is read; 429/5xx actions are retried on their own in a later round, others fail the ops
  they carry (a task deleted since the read: 404, reported, the rest goes on).
- *Slots*: Asana allows 15 writes in flight per token and counts a batch's actions one by one, so a batch
  holds as many ``WriteSlots`` as it has actions, and takes as many units of the per-token rate limiter (paced
  at the published 1,500 a minute), all at once in its sending thread. One thread (``_round``) sizes each
  batch (``Pacing``: full, beside a full one in the slots it leaves, or the room left at a window's edge) and
  hands it to one of ``workers`` sending threads.

*Sprint fallback*: when custom fields are off (free workspace), a sprint ``UpdateFields`` becomes tag
changes (add moteur's own "Sprint N · <first day>", remove the task's other own-form sprint tags and the
op's ``before``, an old-form tag moteur wrote) and an ICE value fails with a clear message. A team's own plain
"Sprint 2" tag is never removed unless core names it.
*Quadrant*: ``quadrants`` (``quadrant_writes.QuadrantWrites``) routes each quadrant op to the companion
project or, in place, a section; a quadrant field value rides in the PUT like the others.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from moteur.connectors.asana.batch import batch_action, results_of
from moteur.connectors.asana.quadrant_writes import QuadrantWrites
from moteur.connectors.asana.schema import PREMIUM_HINT, ProjectSchema, fold
from moteur.connectors.asana.transport import rate_limiter
from moteur.connectors.asana.write_pacing import BATCH_SIZE, Pacing, WriteSlots
from moteur.connectors.http import HttpClient, SlidingWindowLimiter, parse_retry_after, retry_delay
from moteur.connectors.http.limiter import HELD_POLL_SECONDS
from moteur.core.diff import WriteBack
from moteur.core.errors import MoteurError
from moteur.core.labels import is_own_sprint, quadrant_from_name, sprint_index
from moteur.core.ops import ItemOp, MoveItem, UpdateFields
from moteur.mappings.scores import parse_number
from moteur.redaction import scrub

RETRY_ROUNDS = 5


def is_managed(name: str) -> bool:
    """A tag moteur writes: a quadrant name or its own sprint label (never a team's "Sprint 2")."""
    return quadrant_from_name(name) is not None or is_own_sprint(name)


@dataclass
class Write:
    method: str
    path: str
    data: dict[str, Any]
    ops: list[int]  # indexes of the item ops this write carries

    def action(self) -> dict[str, Any]:
        return batch_action(self.method, self.path, self.data)


@dataclass
class Outcome:
    """Per write: None (applied), a message (failed), or still pending a retry (absent)."""

    errors: dict[int, str | None] = field(default_factory=dict)


@dataclass
class _Answers:
    """What one round of batches left: errors so far, the writes to retry and the Retry-After hints."""

    errors: dict[int, str]
    last: bool
    retry: list[int] = field(default_factory=list)
    hints: list[float] = field(default_factory=list)


@dataclass
class _Batch:
    """One batch handed to a sending thread; ``taken`` tells the dispatcher its rate slots are held."""

    writes: list[Write]
    taken: threading.Event = field(default_factory=threading.Event)


class ItemWriter:
    def __init__(
        self,
        client: HttpClient,
        schema: ProjectSchema,
        task_tags: dict[str, list[str]],
        writeback: WriteBack,
        *,
        workers: int = 2,
        slots: WriteSlots | None = None,
    ) -> None:
        self.client, self.schema, self.writeback = client, schema, writeback
        self.task_tags = task_tags
        self.workers = max(1, workers)
        self.slots = slots or WriteSlots(15)
        self.quadrants: QuadrantWrites | None = None  # where quadrant ops go (``quadrant_writes.py``)
        self.errors: dict[int, str] = {}  # the latest ``send``'s {write: error}; final once ``done`` got it

    # -- from ops to writes -----------------------------------------------------------------------------

    def writes(self, item_ops: Sequence[ItemOp]) -> tuple[list[Write], dict[int, str]]:
        """The writes for ``item_ops`` (grouped per task, in the order tasks appear) and ops failed early."""
        by_task: dict[str, list[int]] = {}
        for index, op in enumerate(item_ops):
            by_task.setdefault(op.item.item, []).append(index)
        writes: list[Write] = []
        failed: dict[int, str] = {}
        for task, indexes in by_task.items():
            values: dict[str, Any] = {}
            value_ops: list[int] = []
            for i in indexes:
                op = item_ops[i]
                try:
                    routed = self.quadrants.route(task, op) if self.quadrants is not None else None
                    if routed is not None:  # the companion project, or a section when in place
                        writes.append(Write(*routed, [i]))
                    elif isinstance(op, UpdateFields):
                        if not self.schema.fields_on:
                            writes.extend(self._without_fields(task, op, i))
                            continue
                        gid, value = self._field_value(op)
                        values[gid] = value
                        value_ops.append(i)
                    elif isinstance(op, MoveItem):
                        section = self.schema.section(op.after or "")
                        if section is None:
                            raise LookupError(f'the section "{op.after}" does not exist in the project')
                        writes.append(Write("POST", f"/sections/{section}/addTask", {"task": task}, [i]))
                    else:
                        writes.extend(self._tag_writes(task, op.add, op.remove, i))
                except (LookupError, ValueError, MoteurError) as exc:
                    failed[i] = scrub(str(exc).strip("'\""))
            if values:
                writes.append(Write("PUT", f"/tasks/{task}", {"custom_fields": values}, value_ops))
        return writes, failed

    def _field_value(self, op: UpdateFields) -> tuple[str, Any]:
        native = self.writeback.field_names.get(op.field, op.field)
        found = self.schema.field(native)
        if found is None:
            raise LookupError(f'the custom field "{native}" is not on the project')
        gid = str(found["gid"])
        if op.after is None or op.after == "":
            return gid, None
        if found["subtype"] in ("enum", "multi_enum"):
            option = self.schema.ensure_option(found, op.after)
            return gid, [option] if found["subtype"] == "multi_enum" else option
        if found["subtype"] == "number":
            number = parse_number(op.after)
            if number is None:
                raise ValueError(f'"{op.after}" is not a number for the field "{native}"')
            return gid, int(number) if number.is_integer() else number
        return gid, str(op.after)

    def _without_fields(self, task: str, op: UpdateFields, index: int) -> list[Write]:
        if op.field != "sprint":
            raise LookupError(f"{op.field} not written: {PREMIUM_HINT}")
        names = {gid: name for name, gid in self.schema.tags.items()}
        current = [names.get(gid, "") for gid in self.task_tags.get(task, [])]
        before = fold(op.before) if op.before else None
        remove = tuple(
            n
            for n in current
            if (is_own_sprint(n) or (before is not None and fold(n) == before))
            and fold(n) != fold(op.after or "")
        )
        return self._tag_writes(task, (op.after,) if op.after else (), remove, index)

    def _tag_writes(self, task: str, add: Sequence[str], remove: Sequence[str], index: int) -> list[Write]:
        current = self.task_tags.get(task, [])
        out: list[Write] = []
        for name in remove:
            gid = self.schema.tags.get(fold(name))
            # Never touch a tag moteur does not manage. A plain "Sprint 3" is removed only when asked for by
            # name: the state says moteur wrote it (an old-form tag, adopted).
            managed = is_managed(name) or sprint_index(name) is not None
            if managed and gid is not None and gid in current:
                out.append(Write("POST", f"/tasks/{task}/removeTag", {"tag": gid}, [index]))
        for name in add:
            gid = self.schema.ensure_tag(name)
            if gid not in current:
                out.append(Write("POST", f"/tasks/{task}/addTag", {"tag": gid}, [index]))
        return out

    # -- sending ----------------------------------------------------------------------------------------

    def _batch(self, batch: _Batch) -> list[Any]:
        """Send one batch; the per-action results, in order. ``batch.taken`` is set once the batch holds its
        rate slots (all but the one the client takes itself), so the dispatcher counts the room left right."""
        n = len(batch.writes)
        limiter = rate_limiter(self.client)
        self.slots.acquire(n)
        try:
            if limiter is not None and n > 1:
                limiter.acquire(n - 1)  # the client takes the last slot with these, all at once
            batch.taken.set()
            answer = self.client.request_json(
                "POST",
                "/batch",
                json={"data": {"actions": [w.action() for w in batch.writes]}},
                what=f"a batch of {n} writes",
                idempotent=True,  # every write we batch is idempotent
            )
        finally:
            batch.taken.set()
            self.slots.release(n)
        return results_of(self.client, answer, n)

    def _room(self, limiter: SlidingWindowLimiter | None, want: int, in_flight: int) -> tuple[int, float]:
        """(actions that fit the rate window now, seconds until ``want`` do). A batch in flight may still
        owe the client's one slot, so one unit per batch in flight is kept aside."""
        if limiter is None:
            return want, 0.0
        fits = next((u for u in range(want + in_flight, 0, -1) if limiter.room_in(u) <= 0), 0)
        return max(0, min(want, fits - in_flight)), limiter.room_in(want + in_flight)

    def _round(
        self,
        writes: list[Write],
        pending: list[int],
        on_batch: Callable[[list[int], Future[list[Any]]], None],
    ) -> None:
        """Send ``pending`` writes in batches sized by ``Pacing``, two lanes at most; ``on_batch`` gets each
        answered batch."""
        limiter = rate_limiter(self.client)
        pacing = Pacing.for_writes(len(pending), limiter.limit if limiter is not None else None)
        queue = deque(pending)
        flying: dict[Future[list[Any]], list[int]] = {}
        sent_batches = sent_writes = 0
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            while queue or flying:
                size, wait = 0, 0.0
                if queue and len(flying) < self.workers:
                    want = min(BATCH_SIZE, len(queue), self.slots.free())
                    room, wait = self._room(limiter, want, len(flying))
                    size = pacing.next_size(
                        left=len(queue),
                        sent_batches=sent_batches,
                        sent_writes=sent_writes,
                        free_slots=self.slots.free(),
                        in_flight=len(flying),
                        room=room,
                        full_wait=wait,
                    )
                if size > 0:
                    chunk = [queue.popleft() for _ in range(size)]
                    batch = _Batch([writes[i] for i in chunk])
                    flying[pool.submit(self._batch, batch)] = chunk
                    batch.taken.wait()
                    sent_batches, sent_writes = sent_batches + 1, sent_writes + size
                    continue
                if flying:
                    # Answers free slots and end units' hold: look again at the first one (or soon).
                    timeout = min(wait, HELD_POLL_SECONDS) if queue and 0 < wait < math.inf else None
                    finished, _ = wait_for(flying, timeout=timeout, return_when=FIRST_COMPLETED)
                    for future in finished:
                        on_batch(flying.pop(future), future)
                elif limiter is not None:
                    limiter.sleep(wait if 0 < wait < math.inf else HELD_POLL_SECONDS)

    def send(self, writes: list[Write], done: Callable[[list[int]], None] | None = None) -> dict[int, str]:
        """Send ``writes`` in batches; {write index: error} for those that failed. ``done`` gets each
        finished batch's write indexes."""
        errors = self.errors = {}
        pending = list(range(len(writes)))
        for round_number in range(1, RETRY_ROUNDS + 1):
            answers = _Answers(errors, last=round_number == RETRY_ROUNDS)
            self._round(writes, pending, partial(self._settle, writes, answers=answers, done=done))
            if not answers.retry:
                break
            hints = answers.hints
            delay = retry_delay(round_number, max(hints) if hints else None, self.client.options.jitter())
            self.client.options.sleep(delay)
            pending = sorted(answers.retry)
        return errors

    def _settle(
        self,
        writes: list[Write],
        chunk: list[int],
        future: Future[list[Any]],
        answers: _Answers,
        done: Callable[[list[int]], None] | None,
    ) -> None:
        """Read one answered batch: applied, failed, or (429/5xx before the last round) retried."""
        errors = answers.errors
        try:
            results = future.result()
        except MoteurError as exc:
            errors.update({i: scrub(str(exc)) for i in chunk})
            if done is not None:
                done(chunk)
            return
        finished = []
        for i, result in zip(chunk, results, strict=True):
            status, message, hint = _result(result)
            if status < 300:
                errors.pop(i, None)
                finished.append(i)
            elif (status == 429 or status >= 500) and not answers.last:
                errors[i] = message
                answers.retry.append(i)
                if hint is not None:
                    answers.hints.append(hint)
            else:
                errors[i] = self._explain(writes[i], status, message)
                finished.append(i)
        if done is not None:
            done(finished)

    def _explain(self, write: Write, status: int, message: str) -> str:
        if status == 404 and write.path.startswith("/tasks/"):
            return f"the task was deleted or is no longer visible to the token (404: {message})"
        if status == 404 and "task" in write.data:
            return f"the task {write.data['task']} was deleted or is no longer visible (404: {message})"
        if status == 402:
            self.schema.fields_on = False
            return f"{message} ({PREMIUM_HINT})"
        return f"Asana refused {write.method} {write.path} ({status}): {message}"


def _result(result: object) -> tuple[int, str, float | None]:
    """(status, message, Retry-After seconds) of one batch action's result."""
    if not isinstance(result, dict):
        return 500, "a malformed batch result", None
    status = int(result.get("status_code") or 500)
    body = result.get("body")
    message = ""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = str(errors[0].get("message") or "")
    headers = result.get("headers") if isinstance(result.get("headers"), dict) else {}
    hint = (
        parse_retry_after(str(headers.get("retry-after"))) if headers and headers.get("retry-after") else None
    )
    return status, scrub(message or f"status {status}"), hint
