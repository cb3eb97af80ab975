"""A stateful emulator of Asana's REST API 1.0, served by the sandbox under ``/asana/api/1.0``.

``AsanaEmulator`` implements :class:`moteur.sandbox.base.Emulator`: Bearer auth, Asana's per-token rate and
concurrency limits (``limits.py``), routing to the read/write/event/batch handlers (``dispatch.py``), and
Asana's ``{"data": …}`` / ``{"errors": […]}`` envelopes. State lives in an :class:`AsanaStore` guarded by
one re-entrant lock (the server is threaded). Timestamps are ``epoch`` plus the injected clock's progress,
so tests that move the clock move ``modified_at`` too. The ``free`` tier answers 402 to custom-field writes.
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from werkzeug.wrappers import Request, Response

from moteur.sandbox.asana import batch, events, organizations, reads, writes
from moteur.sandbox.asana.dispatch import Call, Context, Reply, dispatch, is_write
from moteur.sandbox.asana.errors import NOT_AUTHORIZED, RATE_LIMITED, AsanaError, error_body
from moteur.sandbox.asana.limits import PER_MINUTE, AsanaLimiter
from moteur.sandbox.asana.seed import add_team_project, seed_store
from moteur.sandbox.asana.store import AsanaStore
from moteur.sandbox.base import RequestInfo, masked_query

__all__ = ["TOKEN", "AsanaEmulator"]

# Shaped like an Asana personal access token ("2/<user gid>/<token gid>:<hex>"); fixed so runs repeat.
TOKEN = "2/1200000000000002/1200000000000000:6d6f746575722d73616e64626f782d61"
_HANDLERS = (reads, writes, organizations, events, batch)  # importing them registers their routes
_FAULT_MESSAGES = {"500": "Server Error", "502": "Bad Gateway", "503": "Service Unavailable"}


class AsanaEmulator:
    """Asana on the sandbox: ``tier`` is ``paid`` (1,500 req/min) or ``free`` (150/min, no custom fields)."""

    tool = "asana"

    def __init__(
        self,
        clock: Callable[[], float],
        rate_limits: bool = True,
        tier: str = "paid",
        epoch: datetime | None = None,
    ) -> None:
        if tier not in PER_MINUTE:
            raise ValueError(f"Asana tier must be paid or free, not {tier!r}")
        self._clock = clock
        self._clock0 = clock()
        self._epoch = epoch or datetime.now(UTC)
        self.tier = tier
        self.credentials = {"MOTEUR_ASANA_TOKEN": TOKEN}
        self.limiter = AsanaLimiter(clock, rate_limits, PER_MINUTE[tier])
        self.failures: list[str] = []
        self._lock = threading.RLock()
        self._context = self._fresh_context()

    def _now(self) -> datetime:
        return self._epoch + timedelta(seconds=self._clock() - self._clock0)

    def _fresh_context(self) -> Context:
        return Context(store=AsanaStore(self._now), tier=self.tier, clock=self._clock)

    @property
    def store(self) -> AsanaStore:
        return self._context.store

    # -- Emulator protocol -----------------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self._context = self._fresh_context()
            self.limiter.reset()
            self.failures.clear()

    def seed(self, kind: str, n: int | None = None) -> list[str]:
        with self._lock:
            if self._context.store.records:
                self._context = self._fresh_context()
            return seed_store(self._context.store, kind, n)

    def add_team_project(self) -> str:
        """Add "Plan marketing", laid out as a real team's (``seed.add_team_project``), to the seeded store;
        its gid. For tests: no HTTP route creates it."""
        with self._lock:
            return add_team_project(self._context.store).gid

    def state(self) -> dict[str, Any]:
        with self._lock:
            return {
                "tier": self.tier,
                **self._context.store.dump(),
                "sync_tokens": len(self._context.sync_tokens),
                "failures": list(self.failures),
            }

    def describe(self, request: Request, path: str) -> RequestInfo:
        inner: tuple[str, ...] = ()
        mutating = is_write(request.method)
        if request.method == "POST" and path.rstrip("/") == "/batch":
            actions = _body(request).get("actions")
            actions = actions if isinstance(actions, list) else []
            inner = tuple(
                f"{str(a.get('method', '')).upper()} {a.get('relative_path', '')}"
                for a in actions
                if isinstance(a, dict)
            )
            mutating = any(is_write(name.split(" ", 1)[0]) for name in inner)
        return RequestInfo(
            tool=self.tool,
            method=request.method,
            path=path,
            query=masked_query(request),
            operation=None,
            root_fields=inner,
            mutating=mutating,
            token=_bearer(request),
        )

    def fault_response(self, kind: str) -> Response:
        if kind == "429":
            return _response(Reply(429, error_body(429, RATE_LIMITED), {"Retry-After": "30"}))
        status = int(kind)
        return _response(Reply(status, error_body(status, _FAULT_MESSAGES.get(kind, "Server Error"))))

    def handle(self, request: Request, path: str) -> Response:
        token = _bearer(request)
        if token != TOKEN:
            return _response(Reply(401, error_body(401, NOT_AUTHORIZED)))
        reads_n, writes_n = self._cost(request, path)
        try:
            self.limiter.admit(token, reads_n, writes_n)
        except AsanaError as error:
            return _response(Reply(error.status, error.body(), error.headers))
        try:
            call = self._call(request, path)
            with self._lock:
                reply = dispatch(self._context, call)
        except AsanaError as error:
            reply = Reply(error.status, error.body(), error.headers)
        except Exception:  # a bug in the emulator: answer as Asana's 500 and keep the trace for state()
            self.failures.append(traceback.format_exc())
            reply = Reply(500, error_body(500, "Server Error"))
        finally:
            self.limiter.release(token, reads_n, writes_n)
        return _response(reply)

    # -- helpers ---------------------------------------------------------------------------------

    def _cost(self, request: Request, path: str) -> tuple[int, int]:
        """(reads, writes) this request counts for: one, or one per action of a batch."""
        if request.method == "POST" and path.rstrip("/") == "/batch":
            methods = batch.action_methods(_body(request))
            if methods:
                writes_n = sum(1 for m in methods if is_write(m))
                return len(methods) - writes_n, writes_n
        return (0, 1) if is_write(request.method) else (1, 0)

    def _call(self, request: Request, path: str) -> Call:
        data: dict[str, Any] = {}
        if is_write(request.method) and request.get_data():
            # A DELETE carries nothing in its body: python-asana 5.x sends ``{}`` and Asana answers 200
            # ``{"data": {}}`` (recorded: tests/contract/fixtures/asana-recorded/task_delete_empty_body.json).
            parsed = _body(request, strict=True, needs_data=request.method != "DELETE")
            data = parsed if isinstance(parsed, dict) else {}
        base = request.base_url
        base_uri = base[: len(base) - len(path)] if path != "/" and base.endswith(path) else base.rstrip("/")
        return Call.build(request.method, path, dict(request.args.items()), data, base_uri)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    return header[len("Bearer ") :].strip() if header.startswith("Bearer ") else None


def _body(request: Request, strict: bool = False, needs_data: bool = True) -> dict[str, Any]:
    """The ``data`` block of a JSON body (``{}`` when absent); 400 on invalid JSON when ``strict``, and on
    a body without a ``data`` object when ``strict`` and ``needs_data``."""
    raw = request.get_data(cache=True)
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        if strict:
            raise AsanaError(400, "Could not parse request data, invalid JSON") from exc
        return {}
    data = parsed.get("data") if isinstance(parsed, dict) else None
    if strict and needs_data and not isinstance(data, dict):
        raise AsanaError(400, "data: Missing input")
    return data if isinstance(data, dict) else {}


def _response(reply: Reply) -> Response:
    response = Response(
        json.dumps(reply.body, ensure_ascii=False), status=reply.status, mimetype="application/json"
    )
    for name, value in reply.headers.items():
        response.headers[name] = value
    return response
