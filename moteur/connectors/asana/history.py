"""Reading what a migration carries besides a task's own fields: its subtasks and its comments.

Terms:

- *History*: a task's subtasks (name and done state, in Asana's order) and its *comments* — the stories of
  subtype ``comment_added``; system stories ("marked this task complete", "added to Sprint") are Asana's own
  log, not something a person wrote, so they are not carried.
- *Get*: one read packed as an action of ``POST /batch`` (Asana takes ten per batch). A list answer with a
  ``next_page`` queues a Get for the next page, so a task with more than 100 stories is read in full.

Cost: ⌈(N + S) / 10⌉ batches for N tasks of which S have subtasks — the task list's ``num_subtasks`` says
which, so a task without subtasks costs no subtask read. Stories have no count on the task, so every task
costs one stories read. Batched reads are idempotent, so a whole batch is resent after a 5xx or a cut; an
action answered 429 or 5xx inside a batch is retried alone in a later round.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moteur.connectors.asana.transport import rate_limiter
from moteur.connectors.http import HttpClient, parse_retry_after, retry_delay
from moteur.core.errors import MoteurError, RemoteError
from moteur.core.model import ChecklistItem, Comment

BATCH_SIZE = 10  # Asana's maximum actions per batch
PAGE_SIZE = 100
RETRY_ROUNDS = 5
SUBTASK_FIELDS = ("name", "completed")
STORY_FIELDS = ("resource_subtype", "text", "created_by.name", "created_at")
COMMENT = "comment_added"


@dataclass
class Get:
    """One GET inside a batch; ``owner`` is the index of the request it serves (pages share an owner)."""

    path: str
    fields: tuple[str, ...]
    owner: int
    offset: str | None = None
    attempt: int = 1

    def action(self) -> dict[str, Any]:
        options: dict[str, Any] = {"limit": PAGE_SIZE, "fields": list(self.fields)}
        if self.offset:
            options["offset"] = self.offset
        return {"relative_path": self.path, "method": "get", "data": {}, "options": options}


@dataclass
class BatchedReads:
    """The records each request returned (all pages), and the requests that failed with their message."""

    records: list[list[dict[str, Any]]] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def send_batch(
    client: HttpClient, actions: list[dict[str, Any]], what: str, *, idempotent: bool
) -> list[Any]:
    """One ``POST /batch``; its per-action results in order. The per-token limiter is charged per action."""
    limiter = rate_limiter(client)
    for _ in range(len(actions) - 1):  # the client takes one slot; Asana counts every action
        if limiter is not None:
            limiter.acquire()
    answer = client.request_json(
        "POST", "/batch", json={"data": {"actions": actions}}, what=what, idempotent=idempotent
    )
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, list) or len(data) != len(actions):
        raise RemoteError("Asana answered a batch without one result per action")
    return data


def result_of(result: object) -> tuple[int, Any, str, float | None]:
    """(status, body, error message, Retry-After seconds) of one batch action's result."""
    if not isinstance(result, dict):
        return 500, None, "a malformed batch result", None
    status = int(result.get("status_code") or 500)
    body = result.get("body")
    errors = body.get("errors") if isinstance(body, dict) else None
    message = ""
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        message = str(errors[0].get("message") or "")
    headers = result.get("headers")
    after = headers.get("retry-after") if isinstance(headers, dict) else None
    return status, body, message or f"status {status}", parse_retry_after(str(after)) if after else None


def batch_get(client: HttpClient, paths: Sequence[tuple[str, tuple[str, ...]]]) -> BatchedReads:
    """Every record of each ``(path, fields)`` list read, ten reads per batch, pages followed."""
    out = BatchedReads(records=[[] for _ in paths])
    pending = [Get(path, fields, i) for i, (path, fields) in enumerate(paths)]
    while pending:
        retry: list[Get] = []
        pages: list[Get] = []
        hints: list[float] = []
        for start in range(0, len(pending), BATCH_SIZE):
            chunk = pending[start : start + BATCH_SIZE]
            results = send_batch(client, [g.action() for g in chunk], "a batch of reads", idempotent=True)
            for get, result in zip(chunk, results, strict=True):
                status, body, message, hint = result_of(result)
                if status < 300 and isinstance(body, dict) and isinstance(body.get("data"), list):
                    out.records[get.owner].extend(x for x in body["data"] if isinstance(x, dict))
                    following = body.get("next_page")
                    offset = following.get("offset") if isinstance(following, dict) else None
                    if offset and offset != get.offset:
                        pages.append(Get(get.path, get.fields, get.owner, str(offset)))
                elif status == 404:
                    continue  # the task was deleted since it was listed: it has nothing left to read
                elif (status == 429 or status >= 500) and get.attempt < RETRY_ROUNDS:
                    retry.append(Get(get.path, get.fields, get.owner, get.offset, get.attempt + 1))
                    if hint is not None:
                        hints.append(hint)
                else:
                    out.errors[get.owner] = f"Asana refused GET {get.path} ({status}): {message}"
        pending = retry + pages
        if retry:
            attempt = max(g.attempt for g in retry) - 1
            client.options.sleep(retry_delay(attempt, max(hints) if hints else None, client.options.jitter()))
    return out


def subtasks_path(task: str) -> tuple[str, tuple[str, ...]]:
    return f"/tasks/{task}/subtasks", SUBTASK_FIELDS


def stories_path(task: str) -> tuple[str, tuple[str, ...]]:
    return f"/tasks/{task}/stories", STORY_FIELDS


def checklist_of(records: Sequence[dict[str, Any]]) -> tuple[ChecklistItem, ...]:
    """A task's subtasks as checklist entries, each with its gid (the id an ``UpdateSubitem`` targets)."""
    return tuple(
        ChecklistItem(
            text=str(r.get("name") or ""),
            done=bool(r.get("completed")),
            id=str(r["gid"]) if r.get("gid") else None,
        )
        for r in records
    )


def comments_of(records: Sequence[dict[str, Any]]) -> tuple[Comment, ...]:
    comments: list[Comment] = []
    for story in records:
        if story.get("resource_subtype") != COMMENT or not story.get("text"):
            continue
        author = story.get("created_by")
        created = story.get("created_at")
        comments.append(
            Comment(
                author=str(author.get("name")) if isinstance(author, dict) and author.get("name") else None,
                date=datetime.fromisoformat(created.replace("Z", "+00:00"))
                if isinstance(created, str)
                else None,
                text=str(story["text"]),
            )
        )
    return tuple(comments)


@dataclass(frozen=True)
class History:
    checklist: tuple[ChecklistItem, ...] = ()
    comments: tuple[Comment, ...] = ()


def read_history(client: HttpClient, tasks: Sequence[dict[str, Any]]) -> dict[str, History]:
    """Each task's subtasks (only for tasks whose ``num_subtasks`` is not 0) and comments, by task gid."""
    reads: list[tuple[str, tuple[str, ...]]] = []
    owners: list[tuple[str, str]] = []  # (task gid, "subtasks" | "stories") per read
    for task in tasks:
        gid = str(task.get("gid"))
        if task.get("num_subtasks"):
            reads.append(subtasks_path(gid))
            owners.append((gid, "subtasks"))
        reads.append(stories_path(gid))
        owners.append((gid, "stories"))
    done = batch_get(client, reads)
    if done.errors:
        first = next(iter(done.errors.values()))
        raise MoteurError(f"Asana: {len(done.errors)} subtask or story reads failed, e.g. {first}")
    found: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for (gid, kind), records in zip(owners, done.records, strict=True):
        found.setdefault(gid, {})[kind] = records
    return {
        gid: History(checklist_of(parts.get("subtasks", [])), comments_of(parts.get("stories", [])))
        for gid, parts in found.items()
    }
