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
  holds as many ``WriteSlots`` as it has actions; batches run in ``workers`` threads within that budget.
  The per-token rate limiter is charged once per action too. Measured on the sandbox (2,000 tasks, 2,968
  writes, 20 ms latency): 1, 2 or 4 workers all take ≈ 8.6 s, since a full batch holds 10 of the 15 slots and
  only a short last batch can overlap it; on the real API the per-minute quota (1,350 actions paced) is the
  bound anyway. Two workers are kept: harmless, and they overlap that last batch.

*Sprint fallback*: when custom fields are off (free workspace), a sprint ``UpdateFields`` becomes tag
changes (add "Sprint N", remove the task's other sprint tags) and an ICE value fails with a clear message.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from moteur.connectors.asana.schema import PREMIUM_HINT, ProjectSchema, fold
from moteur.connectors.asana.transport import rate_limiter
from moteur.connectors.http import HttpClient, parse_retry_after, retry_delay
from moteur.core.errors import MoteurError
from moteur.core.labels import quadrant_from_name, sprint_index
from moteur.core.ops import ItemOp, MoveItem, UpdateFields
from moteur.core.plan import WriteBack
from moteur.mappings.scores import parse_number
from moteur.redaction import scrub

BATCH_SIZE = 10  # Asana's maximum actions per batch
RETRY_ROUNDS = 5


def is_managed(name: str) -> bool:
    return quadrant_from_name(name) is not None or sprint_index(name) is not None


@dataclass
class Write:
    method: str
    path: str
    data: dict[str, Any]
    ops: list[int]  # indexes of the item ops this write carries

    def action(self) -> dict[str, Any]:
        return {"relative_path": self.path, "method": self.method.lower(), "data": self.data}


@dataclass
class Outcome:
    """Per write: None (applied), a message (failed), or still pending a retry (absent)."""

    errors: dict[int, str | None] = field(default_factory=dict)


class WriteSlots:
    """A counting gate for writes in flight, taken n at a time (a batch of n actions takes n)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.used = limit, 0
        self._cond = threading.Condition()

    def acquire(self, n: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self.used + n <= self.limit)
            self.used += n

    def release(self, n: int) -> None:
        with self._cond:
            self.used -= n
            self._cond.notify_all()


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
                    if isinstance(op, UpdateFields):
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
        remove = tuple(n for n in current if sprint_index(n) is not None and fold(n) != fold(op.after or ""))
        return self._tag_writes(task, (op.after,) if op.after else (), remove, index)

    def _tag_writes(self, task: str, add: Sequence[str], remove: Sequence[str], index: int) -> list[Write]:
        current = self.task_tags.get(task, [])
        out: list[Write] = []
        for name in remove:
            gid = self.schema.tags.get(fold(name))
            if is_managed(name) and gid is not None and gid in current:  # never touch a user's tag
                out.append(Write("POST", f"/tasks/{task}/removeTag", {"tag": gid}, [index]))
        for name in add:
            gid = self.schema.ensure_tag(name)
            if gid not in current:
                out.append(Write("POST", f"/tasks/{task}/addTag", {"tag": gid}, [index]))
        return out

    # -- sending ----------------------------------------------------------------------------------------

    def _batch(self, writes: list[Write]) -> list[Any]:
        """Send one batch; the per-action results, in order."""
        n = len(writes)
        limiter = rate_limiter(self.client)
        self.slots.acquire(n)
        try:
            for _ in range(n - 1):  # the client takes one slot; Asana counts every action
                if limiter is not None:
                    limiter.acquire()
            answer = self.client.request_json(
                "POST",
                "/batch",
                json={"data": {"actions": [w.action() for w in writes]}},
                what=f"a batch of {n} writes",
                idempotent=True,  # every write we batch is idempotent
            )
        finally:
            self.slots.release(n)
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, list) or len(data) != n:
            raise MoteurError("Asana answered a batch without one result per action")
        return data

    def send(self, writes: list[Write], done: Callable[[list[int]], None] | None = None) -> dict[int, str]:
        """Send ``writes`` in batches; {write index: error} for those that failed. ``done`` gets each
        finished batch's write indexes."""
        errors: dict[int, str] = {}
        pending = list(range(len(writes)))
        for round_number in range(1, RETRY_ROUNDS + 1):
            retry: list[int] = []
            hints: list[float] = []
            chunks = [pending[i : i + BATCH_SIZE] for i in range(0, len(pending), BATCH_SIZE)]
            with ThreadPoolExecutor(max_workers=min(self.workers, max(1, len(chunks)))) as pool:
                futures: list[tuple[list[int], Future[list[Any]]]] = [
                    (chunk, pool.submit(self._batch, [writes[i] for i in chunk])) for chunk in chunks
                ]
                for chunk, future in futures:
                    try:
                        results = future.result()
                    except MoteurError as exc:
                        errors.update({i: scrub(str(exc)) for i in chunk})
                        if done is not None:
                            done(chunk)
                        continue
                    finished = []
                    for i, result in zip(chunk, results, strict=True):
                        status, message, hint = _result(result)
                        if status < 300:
                            errors.pop(i, None)
                            finished.append(i)
                        elif (status == 429 or status >= 500) and round_number < RETRY_ROUNDS:
                            errors[i] = message
                            retry.append(i)
                            if hint is not None:
                                hints.append(hint)
                        else:
                            errors[i] = self._explain(writes[i], status, message)
                            finished.append(i)
                    if done is not None:
                        done(finished)
            if not retry:
                break
            delay = retry_delay(round_number, max(hints) if hints else None, self.client.options.jitter())
            self.client.options.sleep(delay)
            pending = retry
        return errors

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
