"""Reading what a migration carries besides a task's own fields: its subtasks and its comments.

Terms:

- *History*: a task's subtasks (name and done state, in Asana's order) and its *comments* — the stories of
  subtype ``comment_added``; system stories ("marked this task complete", "added to Sprint") are Asana's own
  log, not something a person wrote, so they are not carried.
- *Get*: one read packed as an action of ``POST /batch`` (Asana takes ten per batch). A list answer with a
  ``next_page`` queues a Get for the next page, so a task with more than 100 stories is read in full; an
  offset handed back twice fails that read (``connectors/paging.py``).

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

from moteur.connectors.asana.batch import BATCH_SIZE, batch_action, result_of, send_batch
from moteur.connectors.asana.reader import next_offset
from moteur.connectors.http import HttpClient, retry_delay
from moteur.connectors.paging import Pages, PagingLoop
from moteur.core.errors import MoteurError
from moteur.core.model import ChecklistItem, Comment

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
        return batch_action("get", self.path, fields=self.fields, limit=PAGE_SIZE, offset=self.offset)


@dataclass
class BatchedReads:
    """The records each request returned (all pages), and the requests that failed with their message."""

    records: list[list[dict[str, Any]]] = field(default_factory=list)
    errors: dict[int, str] = field(default_factory=dict)


def batch_get(client: HttpClient, paths: Sequence[tuple[str, tuple[str, ...]]]) -> BatchedReads:
    """Every record of each ``(path, fields)`` list read, ten reads per batch, pages followed."""
    out = BatchedReads(records=[[] for _ in paths])
    pending = [Get(path, fields, i) for i, (path, fields) in enumerate(paths)]
    paging = [Pages("Asana", path, token_name="offset") for path, _ in paths]  # one loop guard per request
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
                    try:
                        if paging[get.owner].advance(next_offset(body)):
                            pages.append(Get(get.path, get.fields, get.owner, paging[get.owner].token))
                    except PagingLoop as exc:  # that request fails; the others of the batch stand
                        out.errors[get.owner] = exc.message
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
