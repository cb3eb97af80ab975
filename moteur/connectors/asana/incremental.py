"""Incremental reads of an Asana project: its events since a sync token (``GET /events``).

The *cursor* is an Asana events *sync token* for the project. Events bubble up from the project's tasks
(changed, added, removed, deleted), so they say which tasks to read again *and* which ones left.

Everything board-level and the events travel in one ``POST /batch`` (three GET actions: the project with its
custom field settings, its sections, the events): a no-op run costs one request. ``has_more`` events cost
one ``GET /events`` each. The tasks the events name are read again ten to a further batch, with the full
read's ``opt_fields``. A task that answers 404, or no longer belongs to the project, leaves the snapshot.

The batch answers 200 even when an action fails, each with its own status: the 412 of an expired token comes
back as a result whose body holds a fresh token (that is how ``cursor_of`` gets its first one, for one
request) — and makes ``read_changes`` answer None, so the caller reads in full.

*Cost*: a read of changes naming T tasks costs at least ⌈T/100⌉ event pages (the first one inside the first
batch) plus ⌈T/10⌉ task batches; a full read costs its fresh token plus 2 + ⌈N/100⌉ (``full_cost``). Before
paging, ``feed_worth_reading`` weighs moteur's own writes since the token against that; while paging, the
tasks named so far are weighed the same way, so a feed flooded by someone else stops early too.
"""

from __future__ import annotations

from typing import Any

from moteur.connectors.asana import companion, reader
from moteur.connectors.asana.batch import BATCH_SIZE, batch_action, result_of, send_batch
from moteur.connectors.asana.mapping import to_snapshot
from moteur.connectors.asana.native import AsanaNative
from moteur.connectors.asana.quadrants import Place
from moteur.connectors.http import HttpClient
from moteur.core.errors import MoteurError, RemoteError
from moteur.core.model import BoardRef, Snapshot
from moteur.core.ports import ChangeSet, Connector
from moteur.mappings.schema import BoardMapping

EVENTS_PAGE = 100  # Asana's most events per GET /events
EXPIRED = 412  # Asana's answer to an unknown or expired sync token
_GONE = ("deleted",)


def _batch(client: HttpClient, actions: list[dict[str, Any]], what: str) -> list[tuple[int, Any]]:
    """``(status, body)`` per action of one read-only batch (safe to resend: every action is a GET)."""
    return [result_of(r)[:2] for r in send_batch(client, actions, what, idempotent=True)]


def _events_action(project: str, token: str | None) -> dict[str, Any]:
    query = {"resource": project}
    if token:
        query["sync"] = token
    return batch_action("get", "/events", query)


def cursor_of(client: HttpClient, board: BoardRef) -> str | None:
    """A fresh sync token for the project (Asana hands one out with the 412 of a call without one)."""
    [(status, body)] = _batch(client, [_events_action(board.board, None)], f"events of project {board}")
    token = body.get("sync") if isinstance(body, dict) else None
    return str(token) if status in (200, EXPIRED) and token else None


def read_changes(
    port: Connector,
    client: HttpClient,
    board: BoardRef,
    cached: Snapshot,
    cursor: str,
    mapping: BoardMapping,
    *,
    fields_on: bool,
    place: Place | None = None,
) -> ChangeSet | None:
    """The project updated by the events since ``cursor``, or None when Asana refused the token."""
    cached_state = AsanaNative.of(cached)
    if place is not None and cached_state.quadrant_place is not place:
        return None  # the cached quadrants were read from another place (a mapping changed, an older moteur)
    before = client.stats().requests
    project = board.board
    what = f"project {board}"
    answers = _batch(
        client,
        [
            batch_action("get", f"/projects/{project}", fields=reader.PROJECT_FIELDS),
            batch_action("get", f"/projects/{project}/sections", fields=reader.SECTION_FIELDS, limit=100),
            _events_action(project, cursor),
        ],
        what,
    )
    (p_status, p_body), (s_status, s_body), (e_status, e_body) = answers
    if e_status == EXPIRED:
        return None
    for status, body, part in ((p_status, p_body, what), (s_status, s_body, f"sections of {what}")):
        if status != 200 or not isinstance(body, dict):
            raise _failed(status, body, part)
    if (s_body.get("next_page") or None) is not None:
        return None  # over 100 sections: rare enough that a full read (which pages them) is simpler
    if e_status != 200 or not isinstance(e_body, dict):
        raise _failed(e_status, e_body, f"events of {what}")
    events = list(e_body.get("data") or [])
    token = str(e_body.get("sync") or cursor)
    full = full_cost(len(cached.actions))
    while e_body.get("has_more"):
        if 1 + _ceil(len(_tasks_named(events)[0]), BATCH_SIZE) >= full:
            return None  # one more page and the tasks named so far already cost what a full read does
        try:
            e_body = client.request_json(
                "GET", "/events", params={"resource": project, "sync": token}, what=f"events of {what}"
            )
        except MoteurError:
            return None  # the token expired between two calls: read in full
        events.extend(e_body.get("data") or [])
        token = str(e_body.get("sync") or token)
    touched, gone = _tasks_named(events)
    if _ceil(len(touched), BATCH_SIZE) > full:
        return None  # re-reading them ten to a batch would cost more than a full read
    tasks = _tasks(client, list(touched), project, what)
    raw = reader.RawProject(
        project=p_body.get("data") or {},
        sections=[s for s in s_body.get("data") or [] if isinstance(s, dict)],
        tasks=tasks,
    )
    # The cached read's guessed scales: a few tasks re-read must not shrink them (``mapping``).
    known = cached_state.scales
    fresh = to_snapshot(raw, board, mapping, fields_on=fields_on, place=place, known_scales=known)
    # The companion project is seen through the changed tasks only: what the cached read knew of it stays.
    seen = AsanaNative.of(fresh).companion
    fresh = companion.with_known(fresh, seen.carried(cached_state.companion))
    if not port.board_kept(cached, fresh):
        return None  # a list, label, field or option was renamed or removed (or the quadrant's place changed)
    snapshot = port.merge(cached, fresh, changed=touched, removed=gone)
    return ChangeSet(snapshot, token, client.stats().requests - before)


def full_cost(tasks: int) -> int:
    """What reading a project of ``tasks`` tasks in full costs: a fresh sync token taken first, then the
    project, its sections and ⌈N/100⌉ task pages."""
    return 1 + reader.read_requests(tasks)


def changes_cost(changed: int) -> int:
    """The fewest requests a read of changes costs when ``changed`` tasks changed: each raised at least one
    event, so ⌈changed/100⌉ event pages (the first inside the first batch), then the tasks ten to a batch."""
    return max(1, _ceil(changed, EVENTS_PAGE)) + _ceil(changed, BATCH_SIZE)


def feed_worth_reading(tasks: int, written: int) -> bool:
    """True unless the ``written`` tasks moteur changed since the token make the feed cost at least a full
    read (just after a sync that wrote most tasks, say: a 2,000-task project costs 23 read in full, while its
    2,000 own writes would cost 220 read as changes)."""
    return changes_cost(written) < full_cost(tasks)


def _ceil(n: int, size: int) -> int:
    return -(-n // size)


def _tasks_named(events: list[Any]) -> tuple[dict[str, None], set[str]]:
    """The tasks to read again and the ones deleted, oldest event first so the last word wins."""
    touched: dict[str, None] = {}
    gone: set[str] = set()
    for event in events:
        resource = event.get("resource") if isinstance(event, dict) else None
        if not isinstance(resource, dict) or resource.get("resource_type") != "task":
            continue
        gid = str(resource.get("gid") or "")
        if not gid:
            continue
        if event.get("action") in _GONE:
            gone.add(gid)
            touched.pop(gid, None)
        else:
            gone.discard(gid)
            touched[gid] = None
    return touched, gone


def _tasks(client: HttpClient, gids: list[str], project: str, what: str) -> list[Any]:
    """The tasks among ``gids`` that still belong to the project, ten to a batch."""
    found: list[Any] = []
    for start in range(0, len(gids), BATCH_SIZE):
        chunk = gids[start : start + BATCH_SIZE]
        actions = [batch_action("get", f"/tasks/{gid}", fields=reader.TASK_FIELDS) for gid in chunk]
        for status, body in _batch(client, actions, f"tasks of {what}"):
            if status == 404:
                continue  # deleted since the event
            if status != 200 or not isinstance(body, dict):
                raise _failed(status, body, f"tasks of {what}")
            task = body.get("data")
            if isinstance(task, dict) and _in_project(task, project):
                found.append(task)
    return found


def _in_project(task: dict[str, Any], project: str) -> bool:
    for membership in task.get("memberships") or []:
        p = membership.get("project") if isinstance(membership, dict) else None
        if isinstance(p, dict) and str(p.get("gid")) == project:
            return True
    return False


def _failed(status: int, body: object, what: str) -> RemoteError:
    errors = body.get("errors") if isinstance(body, dict) else None
    message = (
        errors[0].get("message")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict)
        else ""
    )
    return RemoteError(
        f"Asana answered {status} for {what} inside /batch: {message}", retriable=status >= 500
    )
