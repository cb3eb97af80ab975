"""The Trello REST v1 emulator: authentication, rate limits, ``/batch``, and the bridge between HTTP and the
route table.

Terms:

- *Credentials*: the sandbox accepts one API key and one token (``credentials``); query parameters ``key`` and
  ``token`` or the header ``Authorization: OAuth oauth_consumer_key="…", oauth_token="…"``.
- *Window*: Trello's rate limits count requests over the last 10 s: 100 per token, 300 per key. A ``/batch``
  call counts once per inner URL (Trello does not document it; we assume the strict reading).
- *Members window*: requests to ``/1/members/`` are limited to 100 per 900 s per token as well
  (developer.atlassian.com/cloud/trello/guides/rest-api/rate-limits/), answered with a 429
  ``MEMBER_LIMIT_EXCEEDED``. The strict reading again: every path under ``/members/`` counts (a 2019 copy of
  the page exempted nested resources such as ``/members/me/boards``; the current one does not say), and so
  does each inner route of a ``/batch`` under it.
- *Report*: with the limits on, every answer past authentication (a 429 too) says what is left of the token's
  and the key's windows: ``x-rate-limit-api-token-{interval-ms,max,remaining}`` and
  ``x-rate-limit-api-key-{…}``, the headers Trello added in 2018 (trello-archive/api-docs#147), named as
  observed in its answers (trello-talk/Taco#45: ``x-rate-limit-api-token-remaining: 99`` after one request).
  Limits and report are per token and per key, as Trello counts them: two clients on one token share them.
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from moteur.sandbox.base import RequestInfo, masked_query
from moteur.sandbox.trello import batch, routes
from moteur.sandbox.trello.export_import import import_board
from moteur.sandbox.trello.seed import seed
from moteur.sandbox.trello.store import TrelloStore
from moteur.sandbox.trello.trello_errors import TrelloError, rate_limited, server_error

API_KEY = "5a4d1b0c2e3f4a5b6c7d8e9f0a1b2c3d"
TOKEN = "ATTA" + "5eed" * 15 + "0000"
WINDOW_SECONDS = 10.0
TOKEN_LIMIT = 100
KEY_LIMIT = 300
MEMBERS_WINDOW_SECONDS = 900.0
MEMBERS_LIMIT = 100
_OAUTH = re.compile(r'(oauth_consumer_key|oauth_token)="([^"]*)"')


def _credentials(request: Request) -> tuple[str | None, str | None]:
    key, token = request.args.get("key"), request.args.get("token")
    header = request.headers.get("Authorization", "")
    if header.startswith("OAuth "):
        found = dict(_OAUTH.findall(header))
        key = key or found.get("oauth_consumer_key")
        token = token or found.get("oauth_token")
    return key, token


def _form(request: Request) -> dict[str, Any]:
    """Form fields, a Rails-style key nested as a JSON body would carry it: ``value[text]=cool`` →
    ``{"value": {"text": "cool"}}`` (recorded: ``PUT /cards/{id}/customField/{id}/item`` with that form body
    answered 200 and set the value; custom_field_item_save_1, ruby-trello 2020)."""
    form: dict[str, Any] = {}
    for key, value in request.form.items():
        *parents, leaf = re.findall(r"[^\[\]]+", key) or [key]
        node = form
        for part in parents:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[leaf] = value
    return form


def _params(request: Request) -> dict[str, Any]:
    """Query parameters, then form fields, then a JSON body (Trello accepts any of them)."""
    params: dict[str, Any] = {k: v for k, v in request.args.items() if k not in ("key", "token")}
    params.update(_form(request))
    if request.mimetype == "application/json" and request.data:
        body = json.loads(request.data)
        if isinstance(body, dict):
            params.update(body)
    return params


class TrelloEmulator:
    """Trello's API on the sandbox. Thread-safe: every call runs under one lock."""

    tool = "trello"

    def __init__(self, clock: Callable[[], float], rate_limits: bool = True) -> None:
        self.clock = clock
        self.rate_limits = rate_limits
        # Whether answers carry the x-rate-limit-* report (a test turns it off to see a client do without).
        self.reports = True
        self.credentials = {"MOTEUR_TRELLO_API_KEY": API_KEY, "MOTEUR_TRELLO_TOKEN": TOKEN}
        self.lock = threading.RLock()
        self.store = TrelloStore()
        self._token_hits: dict[str, deque[float]] = {}
        self._key_hits: dict[str, deque[float]] = {}
        self._member_hits: dict[str, deque[float]] = {}

    # -- Emulator protocol ------------------------------------------------------------------------------

    def describe(self, request: Request, path: str) -> RequestInfo:
        _, token = _credentials(request)
        return RequestInfo(
            tool=self.tool,
            method=request.method,
            path=path,
            query=masked_query(request),
            mutating=request.method not in ("GET", "HEAD", "OPTIONS"),
            token=token,
        )

    def handle(self, request: Request, path: str) -> Response:
        key, token = _credentials(request)
        if key != API_KEY:
            return TrelloError(401, "invalid key").response()
        if token is None:
            return TrelloError(401, "unauthorized permission requested").response()
        if token != TOKEN:
            return TrelloError(401, "invalid token").response()
        try:
            params = _params(request)
        except ValueError:
            return TrelloError(400, "invalid JSON").response()
        is_batch = path.rstrip("/").lower() == "/batch"  # the server folded a doubled slash already
        paths = [batch.route_path(r) for r in batch.routes(params)] if is_batch else [path]
        with self.lock:
            members = sum(1 for p in paths if batch.is_member_route(p))
            limited = self._spend(key, token, max(len(paths), 1), members)
            report = self._report(key, token)
            if limited is not None:
                return _reported(limited, report)
            try:
                if is_batch:
                    body = batch.answer(request.method, params, self._get)
                else:
                    body = routes.dispatch(self.store, request.method, path, params)
            except TrelloError as error:
                return _reported(error.response(), report)
            # Serialized under the lock: an answer shares the store's objects (``TrelloStore.card_json``).
            answer = Response(json.dumps(body, ensure_ascii=False), 200, mimetype="application/json")
        return _reported(answer, report)

    def fault_response(self, kind: str) -> Response:
        if kind == "429":
            return rate_limited("token")
        return server_error(int(kind))

    def seed(self, kind: str, n: int | None = None) -> list[str]:
        with self.lock:
            return seed(self.store, kind, n)

    def reset(self) -> None:
        with self.lock:
            self.store = TrelloStore()
            self._token_hits.clear()
            self._key_hits.clear()
            self._member_hits.clear()

    def state(self) -> dict[str, Any]:
        with self.lock:
            return json.loads(json.dumps(self.store.dump()))  # type: ignore[no-any-return]

    # -- Trello specifics -------------------------------------------------------------------------------

    def import_board(self, export: dict[str, Any]) -> str:
        with self.lock:
            return import_board(self.store, export)

    def _spend(self, key: str, token: str, cost: int, members: int = 0) -> Response | None:
        """Count ``cost`` requests (``members`` of them under ``/members/``) in the current windows, or answer
        429 when a limit would be passed; a refused call counts nowhere."""
        if not self.rate_limits:
            return None
        now = self.clock()
        token_hits = self._token_hits.setdefault(token, deque())
        key_hits = self._key_hits.setdefault(key, deque())
        member_hits = self._member_hits.setdefault(token, deque())
        for hits, window in ((token_hits, WINDOW_SECONDS), (key_hits, WINDOW_SECONDS)):
            while hits and hits[0] <= now - window:
                hits.popleft()
        while member_hits and member_hits[0] <= now - MEMBERS_WINDOW_SECONDS:
            member_hits.popleft()
        if len(token_hits) + cost > TOKEN_LIMIT:
            return rate_limited("token")
        if len(key_hits) + cost > KEY_LIMIT:
            return rate_limited("key")
        if members and len(member_hits) + members > MEMBERS_LIMIT:
            return rate_limited("member")
        token_hits.extend([now] * cost)
        key_hits.extend([now] * cost)
        member_hits.extend([now] * members)
        return None

    def _report(self, key: str, token: str) -> dict[str, str]:
        """The ``x-rate-limit-*`` headers: what is left of the token's and the key's windows now (after
        ``_spend`` dropped the hits that left them); none with the limits off."""
        if not (self.rate_limits and self.reports):
            return {}
        interval = str(round(WINDOW_SECONDS * 1000))
        report: dict[str, str] = {}
        for scope, hits, limit in (
            ("token", self._token_hits.get(token, ()), TOKEN_LIMIT),
            ("key", self._key_hits.get(key, ()), KEY_LIMIT),
        ):
            report[f"x-rate-limit-api-{scope}-interval-ms"] = interval
            report[f"x-rate-limit-api-{scope}-max"] = str(limit)
            report[f"x-rate-limit-api-{scope}-remaining"] = str(max(0, limit - len(hits)))
        return report

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        """One inner route of a ``/batch``, as a plain GET."""
        return routes.dispatch(self.store, "GET", path, params)


def _reported(response: Response, report: dict[str, str]) -> Response:
    for name, value in report.items():
        response.headers[name] = value
    return response
