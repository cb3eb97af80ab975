"""The Trello REST v1 emulator: authentication, rate limits, ``/batch``, and the bridge between HTTP and the
route table.

Terms:

- *Credentials*: the sandbox accepts one API key and one token (``credentials``); query parameters ``key`` and
  ``token`` or the header ``Authorization: OAuth oauth_consumer_key="…", oauth_token="…"``.
- *Window*: Trello's rate limits count requests over the last 10 s: 100 per token, 300 per key. A ``/batch``
  call counts once per inner URL (Trello does not document it; we assume the strict reading).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from werkzeug.wrappers import Request, Response

from moteur.sandbox.base import RequestInfo, masked_query
from moteur.sandbox.trello import routes
from moteur.sandbox.trello.export_import import import_board
from moteur.sandbox.trello.seed import seed
from moteur.sandbox.trello.store import TrelloStore
from moteur.sandbox.trello.trello_errors import TrelloError, rate_limited, server_error

API_KEY = "5a4d1b0c2e3f4a5b6c7d8e9f0a1b2c3d"
TOKEN = "ATTA" + "5eed" * 15 + "0000"
WINDOW_SECONDS = 10.0
TOKEN_LIMIT = 100
KEY_LIMIT = 300
MAX_BATCH = 10
_OAUTH = re.compile(r'(oauth_consumer_key|oauth_token)="([^"]*)"')
# Inner URLs of /batch are split on the commas that start a new route (commas inside a route's own query,
# as in fields=name,idList, stay): Trello's docs show routes with and without the leading slash.
_BATCH_SPLIT = re.compile(r",(?=/|(?:boards|cards|lists|members|labels|customFields|checklists|actions)/)")


def _credentials(request: Request) -> tuple[str | None, str | None]:
    key, token = request.args.get("key"), request.args.get("token")
    header = request.headers.get("Authorization", "")
    if header.startswith("OAuth "):
        found = dict(_OAUTH.findall(header))
        key = key or found.get("oauth_consumer_key")
        token = token or found.get("oauth_token")
    return key, token


def _params(request: Request) -> dict[str, Any]:
    """Query parameters, then form fields, then a JSON body (Trello accepts any of them)."""
    params: dict[str, Any] = {k: v for k, v in request.args.items() if k not in ("key", "token")}
    params.update(request.form.to_dict())
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
        self.credentials = {"MOTEUR_TRELLO_API_KEY": API_KEY, "MOTEUR_TRELLO_TOKEN": TOKEN}
        self.lock = threading.RLock()
        self.store = TrelloStore()
        self._token_hits: dict[str, deque[float]] = {}
        self._key_hits: dict[str, deque[float]] = {}

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
        with self.lock:
            cost = len(self._batch_urls(params)) if path.rstrip("/") == "/batch" else 1
            limited = self._spend(key, token, max(cost, 1))
            if limited is not None:
                return limited
            try:
                if path.rstrip("/") == "/batch":
                    body = self._batch(request.method, params)
                else:
                    body = routes.dispatch(self.store, request.method, path, params)
            except TrelloError as error:
                return error.response()
        return Response(json.dumps(body, ensure_ascii=False), 200, mimetype="application/json")

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

    def state(self) -> dict[str, Any]:
        with self.lock:
            return json.loads(json.dumps(self.store.dump()))  # type: ignore[no-any-return]

    # -- Trello specifics -------------------------------------------------------------------------------

    def import_board(self, export: dict[str, Any]) -> str:
        with self.lock:
            return import_board(self.store, export)

    def _spend(self, key: str, token: str, cost: int) -> Response | None:
        """Count ``cost`` requests in the current windows, or answer 429 when either limit is reached."""
        if not self.rate_limits:
            return None
        now = self.clock()
        token_hits = self._token_hits.setdefault(token, deque())
        key_hits = self._key_hits.setdefault(key, deque())
        for hits in (token_hits, key_hits):
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
        if len(token_hits) + cost > TOKEN_LIMIT:
            return rate_limited("token")
        if len(key_hits) + cost > KEY_LIMIT:
            return rate_limited("key")
        token_hits.extend([now] * cost)
        key_hits.extend([now] * cost)
        return None

    @staticmethod
    def _batch_urls(params: dict[str, Any]) -> list[str]:
        raw = str(params.get("urls", ""))
        return [u for u in _BATCH_SPLIT.split(raw) if u]

    def _batch(self, method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        if method != "GET":
            raise TrelloError(404, f"Cannot {method} /1/batch")
        urls = self._batch_urls(params)
        if not urls:
            raise TrelloError(400, "invalid value for urls")
        if len(urls) > MAX_BATCH:
            raise TrelloError(400, "Too many URLs; max is 10")
        answers: list[dict[str, Any]] = []
        for url in urls:
            parts = urlsplit(url if url.startswith("/") else "/" + url)
            inner = dict(parse_qsl(parts.query, keep_blank_values=True))
            try:
                answers.append({"200": routes.dispatch(self.store, "GET", parts.path, inner)})
            except TrelloError as error:
                answers.append({str(error.status): error.text})
        return answers
