"""Routing of one Asana API call to its handler, and the pieces every handler shares.

A *call* is one API request as the handlers see it, whether it came over HTTP or as an action inside
``POST /batch``: method, path, query parameters, the body's ``data`` block, the parsed ``opt_fields``, and the
pagination options. Handlers register with :func:`route` and return a :class:`Reply`.

Pagination: ``limit`` must be 1–100; ``offset`` is an opaque, signed token that only this emulator hands out
(bound to the path it was issued for); answers carry ``next_page: {offset, path, uri}`` or ``null`` when a
limit was given, and no ``next_page`` at all without one, as Asana's ``NextPage`` schema says.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from moteur.sandbox.asana.entities import Project, Record, Task
from moteur.sandbox.asana.errors import NO_ROUTE, AsanaError
from moteur.sandbox.asana.render import FieldTree, Renderable, full, parse_opt_fields, represent
from moteur.sandbox.asana.store import AsanaStore

MAX_LIMIT = 100
# Asana refuses unpaginated answers past this size and asks for pagination.
MAX_UNPAGINATED = 1000
TOO_LARGE = "The result is too large. You should use pagination (may require specifying a workspace)!"
_OFFSET_KEY = b"moteur-sandbox-asana-offsets"
_OFFSET_HEADER = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"  # base64 of {"typ":"JWT","alg":"HS256"}


@dataclass
class Call:
    """One API call, however it arrived (plain HTTP or a batch action)."""

    method: str
    path: str
    query: dict[str, str]
    data: dict[str, Any]
    base_uri: str
    fields: FieldTree | None = None
    limit: int | None = None
    offset: str | None = None

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        query: dict[str, str],
        data: dict[str, Any],
        base_uri: str,
        opt_fields: str | list[str] | None = None,
        limit: object = None,
        offset: object = None,
    ) -> Call:
        """Parse ``opt_fields``/``limit``/``offset`` (from the query string or batch ``options``)."""
        raw_fields = opt_fields if opt_fields is not None else query.get("opt_fields")
        raw_limit = limit if limit is not None else query.get("limit")
        raw_offset = offset if offset is not None else query.get("offset")
        parsed_limit: int | None = None
        if raw_limit is not None and raw_limit != "":
            try:
                parsed_limit = int(str(raw_limit))
            except ValueError as exc:
                raise AsanaError(400, f"limit: Not a number: {raw_limit}") from exc
            if not 1 <= parsed_limit <= MAX_LIMIT:
                raise AsanaError(400, f"limit: Must be between 1 and {MAX_LIMIT}")
        return cls(
            method=method.upper(),
            path=path,
            query=query,
            data=data,
            base_uri=base_uri,
            fields=parse_opt_fields(raw_fields),
            limit=parsed_limit,
            offset=str(raw_offset) if raw_offset else None,
        )


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Context:
    """What handlers work on: the store, the plan tier, and the sync tokens of ``GET /events``."""

    store: AsanaStore
    tier: str
    clock: Callable[[], float]
    sync_tokens: dict[str, tuple[str, int, float]] = field(default_factory=dict)
    batches: int = 0  # batches run since the last reset: the seed of each one's execution order

    def require_premium(self) -> None:
        """Custom fields are a premium feature: a free workspace answers 402."""
        if self.tier == "free":
            from moteur.sandbox.asana.errors import PREMIUM_ONLY

            raise AsanaError(402, PREMIUM_ONLY)

    def writable(self, project: Project) -> Project:
        if project.read_only:
            raise AsanaError(403, f"project: You do not have permission to write to {project.gid}")
        return project

    def task_writable(self, task: Task) -> Task:
        for membership in task.memberships:
            self.writable(self.store.get(Project, membership.project, "project"))
        return task


Handler = Callable[[Context, Call, dict[str, str]], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str]


ROUTES: list[Route] = []


def route(method: str, template: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``METHOD /template/{param}`` (templates as written in Asana's spec)."""

    def register(handler: Handler) -> Handler:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        ROUTES.append(Route(method, template, handler, re.compile(f"^{regex}/?$")))
        return handler

    return register


def match(method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route serving ``method path``; 404 ``No matching route`` as Asana answers otherwise."""
    for candidate in ROUTES:
        if candidate.method == method.upper():
            found = candidate.pattern.match(path)
            if found:
                return candidate, found.groupdict()
    raise AsanaError(404, NO_ROUTE)


def dispatch(context: Context, call: Call) -> Reply:
    """Run ``call``; an :class:`AsanaError` becomes Asana's error answer."""
    try:
        found, params = match(call.method, call.path)
        return found.handler(context, call, params)
    except AsanaError as error:
        return Reply(error.status, error.body(), dict(error.headers))


def is_write(method: str) -> bool:
    return method.upper() in {"POST", "PUT", "PATCH", "DELETE"}


# -- answers ---------------------------------------------------------------------------------


def one(context: Context, call: Call, record: Renderable, status: int = 200) -> Reply:
    """``{"data": <record>}``: full unless opt_fields were given."""
    return Reply(status, {"data": represent(context.store, record, call.fields, listing=False)})


def created(context: Context, call: Call, record: Record) -> Reply:
    """201 with the new record and a ``Location`` header, as Asana answers a create."""
    body = {"data": represent(context.store, record, call.fields, listing=False)}
    return Reply(201, body, {"Location": f"/{record.resource_type}s/{record.gid}"})


def empty(status: int = 200) -> Reply:
    return Reply(status, {"data": {}})


def page(context: Context, call: Call, records: Sequence[Renderable]) -> Reply:
    """A list answer, paginated when a ``limit`` was given (see the module docstring)."""
    start = _decode_offset(call) if call.offset else 0
    if call.limit is None:
        if len(records) - start > MAX_UNPAGINATED:
            raise AsanaError(400, TOO_LARGE)
        chosen = records[start:]
        return Reply(200, {"data": [represent(context.store, r, call.fields, listing=True) for r in chosen]})
    chosen = records[start : start + call.limit]
    body: dict[str, Any] = {"data": [represent(context.store, r, call.fields, listing=True) for r in chosen]}
    end = start + call.limit
    if end < len(records):
        token = _encode_offset(call.path, end)
        query = {k: v for k, v in call.query.items() if k not in ("offset", "limit")}
        query = {**query, "limit": str(call.limit), "offset": token}
        relative = f"{call.path}?{urlencode(query)}"
        body["next_page"] = {"offset": token, "path": relative, "uri": f"{call.base_uri}{relative}"}
    else:
        body["next_page"] = None
    return Reply(200, body)


def full_of(context: Context, record: Renderable) -> dict[str, Any]:
    return full(context.store, record)


def _sign(payload: str) -> str:
    digest = hmac.new(_OFFSET_KEY, payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _encode_offset(path: str, position: int) -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"p": path, "o": position}).encode()).decode().rstrip("=")
    return f"{_OFFSET_HEADER}.{payload}.{_sign(payload)}"


def _decode_offset(call: Call) -> int:
    """The position an offset token stands for; 400 unless this emulator issued it for this path."""
    invalid = AsanaError(400, "offset: Invalid offset: the offset token is not valid for this request")
    parts = (call.offset or "").split(".")
    if len(parts) != 3 or parts[0] != _OFFSET_HEADER or not hmac.compare_digest(_sign(parts[1]), parts[2]):
        raise invalid
    try:
        decoded = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError as exc:
        raise invalid from exc
    if decoded.get("p") != call.path:
        raise invalid
    return int(decoded["o"])


def data_field(call: Call, name: str, required: bool = False) -> Any:
    value = call.data.get(name)
    if required and (value is None or value == ""):
        raise AsanaError(400, f"{name}: Missing input")
    return value
