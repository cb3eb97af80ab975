"""The interface every sandbox emulator implements, and what the admin log records.

Terms:

- *Emulator*: a stateful, in-memory stand-in for one vendor's API (Trello, Asana, monday.com), served by
  :mod:`moteur.sandbox.server` under its own path prefix.
- *RequestInfo*: what the request log keeps about one request, computed by the emulator *before* it
  handles the request (so faults that never reach ``handle`` are still logged with their meaning).
- *Seed*: the named initial content: ``"demo"``, ``"empty"`` or ``"bulk"`` (with ``n`` actions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from werkzeug.wrappers import Request, Response

FAULT_HTTP_KINDS: tuple[str, ...] = ("429", "500", "502", "503")
FAULT_KINDS: tuple[str, ...] = (*FAULT_HTTP_KINDS, "reset", "slow", "commit_then_drop")


@dataclass
class RequestInfo:
    """What the admin log records for one request (before its outcome is known)."""

    tool: str  # "trello" | "asana" | "monday"
    method: str
    path: str  # the path after the tool prefix, e.g. "/boards/5f…/cards"
    query: dict[str, str] = field(default_factory=dict)  # key/token values replaced by "***"
    operation: str | None = None  # GraphQL "query"/"mutation", else None
    root_fields: tuple[str, ...] = ()  # GraphQL root fields; for Asana /batch, the inner "METHOD path"s
    mutating: bool = False  # any write, including a /batch holding one
    token: str | None = None  # the credential used (for per-token rate limits); never logged as is


SECRET_QUERY_KEYS = frozenset({"key", "token", "access_token", "oauth_token", "oauth_consumer_key"})


def masked_query(request: Request) -> dict[str, str]:
    """The request's query parameters with credentials replaced by ``***`` (safe to log)."""
    return {k: ("***" if k.lower() in SECRET_QUERY_KEYS else v) for k, v in request.args.items()}


class Emulator(Protocol):
    """One vendor's API. Implementations lock their own state: the server is threaded."""

    tool: str
    credentials: dict[str, str]  # env var name -> accepted value, e.g. {"MOTEUR_ASANA_TOKEN": "…"}

    def describe(self, request: Request, path: str) -> RequestInfo: ...

    def handle(self, request: Request, path: str) -> Response: ...

    def fault_response(self, kind: str) -> Response: ...

    def seed(self, kind: str, n: int | None = None) -> list[str]: ...

    def reset(self) -> None: ...

    def state(self) -> dict[str, Any]: ...
