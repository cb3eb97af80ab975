"""``GET /events``: Asana's change feed with *sync tokens*.

A *sync token* marks a point in the store's event log for one resource (a project or a task). The first call
without one (or with an unknown or expired one) answers 412 with a fresh token in the body, as Asana does; a
call with a valid token answers the events since that point that bubble up to the resource (a project sees
its tasks, their subtasks and comments), at most 100 per call with ``has_more``, and a new token. Tokens
expire after 24 hours of the injected clock.
"""

from __future__ import annotations

import hashlib
from typing import Any

from moteur.sandbox.asana.dispatch import Call, Context, Reply, route
from moteur.sandbox.asana.entities import Event, Project, Task, User
from moteur.sandbox.asana.errors import HELP, AsanaError, not_a_gid, unknown_object
from moteur.sandbox.asana.render import compact

EVENTS_PER_CALL = 100
TOKEN_LIFETIME_S = 24 * 3600.0
SYNC_INVALID = (
    "Sync token invalid or too old. If you are attempting to keep resources in sync, you must fetch the full "
    "dataset for this query now and use the new sync token for the next sync."
)


def issue_token(context: Context, resource: str, seq: int) -> str:
    """A fresh opaque token (32 hex digits, like Asana's) standing for ``seq`` in ``resource``'s feed."""
    number = len(context.sync_tokens) + 1
    token = hashlib.sha256(f"{resource}:{seq}:{number}".encode()).hexdigest()[:32]
    context.sync_tokens[token] = (resource, seq, context.clock())
    return token


def _resource(context: Context, gid: str) -> str:
    if not gid:
        raise AsanaError(400, "resource: Missing input")
    if not gid.isdigit():
        raise not_a_gid("resource", gid)
    if not isinstance(context.store.records.get(gid), Project | Task):
        raise unknown_object("resource", gid)
    return gid


def render_event(context: Context, event: Event) -> dict[str, Any]:
    store = context.store
    live = store.records.get(event.resource)
    resource: dict[str, Any] = compact(store, live) if live is not None else {"gid": event.resource}
    resource.setdefault("resource_type", event.resource_kind)
    parent = store.records.get(event.parent) if event.parent else None
    user = store.records.get(event.user) if event.user else None
    body: dict[str, Any] = {
        "user": compact(store, user) if isinstance(user, User) else None,
        "created_at": event.created_at,
        "type": event.resource_kind,
        "action": event.action,
        "resource": resource,
        "parent": compact(store, parent) if parent is not None else None,
    }
    if event.change is not None:
        body["change"] = dict(event.change)
    return body


@route("GET", "/events")
def get_events(context: Context, call: Call, params: dict[str, str]) -> Reply:
    resource = _resource(context, call.query.get("resource", ""))
    latest = len(context.store.events)
    known = context.sync_tokens.get(call.query.get("sync", ""))
    if known is None or known[0] != resource or context.clock() - known[2] > TOKEN_LIFETIME_S:
        fresh = issue_token(context, resource, latest)
        return Reply(412, {"errors": [{"message": SYNC_INVALID, "help": HELP}], "sync": fresh})
    since = known[1]
    matching = [e for e in context.store.events[since:] if resource in e.scopes]
    chosen = matching[:EVENTS_PER_CALL]
    has_more = len(matching) > EVENTS_PER_CALL
    until = chosen[-1].seq if has_more else latest
    body = {
        "data": [render_event(context, e) for e in chosen],
        "sync": issue_token(context, resource, until),
        "has_more": has_more,
    }
    return Reply(200, body)
