"""The sandbox's WSGI application: routes each vendor prefix to its emulator, keeps the request log, injects
latency and faults, and serves the admin API under ``/_sandbox/``.

Terms:

- *Prefix*: where a vendor's API lives on the sandbox: ``/trello/1``, ``/asana/api/1.0``, ``/monday/v2``.
- *Fault*: a failure the sandbox makes on purpose, chosen per request by a seeded random generator: an HTTP
  error in the vendor's shape (``429``, ``500``, ``502``, ``503``, nothing applied), ``reset`` (the connection
  is closed without an answer, nothing applied), ``slow`` (the answer takes longer than the client's read
  timeout, nothing applied) and ``commit_then_drop`` (a write is applied, then the connection is closed
  unanswered).
- *Seed spec*: ``"demo"``, ``"empty"`` or ``"bulk:N"``.

Emulators of Asana and monday.com are imported when present, so the server runs with whatever exists.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from moteur.sandbox.base import FAULT_HTTP_KINDS, FAULT_KINDS, Emulator, RequestInfo
from moteur.sandbox.contract import contract_for, refusal_response

PREFIXES: dict[str, str] = {"trello": "/trello/1", "asana": "/asana/api/1.0", "monday": "/monday/v2"}
ADMIN_PREFIX = "/_sandbox"


MAX_BULK = 100_000
"""The largest ``bulk:N``: ~13 KB per item across the three emulators (1.3 GB at the cap). The bound keeps a
typo like ``bulk:99999999999`` from filling the memory of the machine (the admin API's ``reset`` too)."""


def parse_seed(seed: str) -> tuple[str, int | None]:
    """``"bulk:500"`` → ``("bulk", 500)``; ``"demo"`` → ``("demo", None)``; else ``ValueError`` (one line)."""
    if not isinstance(seed, str):  # the admin API's JSON body may hold anything
        raise ValueError(f"a seed is a string: demo, empty or bulk:N (got {type(seed).__name__})")
    shown = repr(seed if len(seed) <= 40 else seed[:39] + "…")  # what came over HTTP may be huge
    kind, _, count = seed.partition(":")
    if kind not in ("demo", "empty", "bulk"):
        raise ValueError(f"unknown seed {shown}: expected demo, empty or bulk:N")
    if kind == "bulk":
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if not (count.isascii() and count.isdigit()):
            raise ValueError(f"bulk seed needs a count, e.g. bulk:200 (got {shown})")
        # Compared as text first: int() of thousands of digits is slow, then refused by Python itself.
        if len(count.lstrip("0")) > len(str(MAX_BULK)) or int(count) > MAX_BULK:
            raise ValueError(f"bulk seed {shown} is too large: at most bulk:{MAX_BULK}")
        return kind, int(count)
    if count:
        raise ValueError(f"the {kind} seed takes no count (got {shown})")
    return kind, None


def build_emulators(clock: Callable[[], float], rate_limits: bool, asana_tier: str) -> dict[str, Emulator]:
    """One emulator per vendor: Trello, Asana and monday.com."""
    from moteur.sandbox.asana import AsanaEmulator
    from moteur.sandbox.monday import MondayEmulator
    from moteur.sandbox.trello import TrelloEmulator

    return {
        "trello": TrelloEmulator(clock, rate_limits),
        "asana": AsanaEmulator(clock, rate_limits, asana_tier),
        "monday": MondayEmulator(clock, rate_limits),
    }


class FaultPlan:
    """Which requests fail and how: a seeded generator drawn once per vendor request, in arrival order."""

    def __init__(self, rate: float = 0.0, seed: int = 0, kinds: Iterable[str] = FAULT_KINDS) -> None:
        self.configure(rate, seed, kinds)

    def configure(self, rate: float, seed: int, kinds: Iterable[str]) -> None:
        kinds = tuple(kinds)
        unknown = set(kinds) - set(FAULT_KINDS)
        if unknown or not 0.0 <= rate <= 1.0:
            raise ValueError(f"bad fault settings: rate={rate}, unknown kinds={sorted(unknown)}")
        self.rate, self.seed, self.kinds = rate, seed, kinds
        self._rng = random.Random(seed)

    def draw(self, mutating: bool) -> str | None:
        if self.rate <= 0.0 or self._rng.random() >= self.rate:
            return None
        # commit_then_drop only means something for a write; reads get one of the other kinds.
        eligible = [k for k in self.kinds if mutating or k != "commit_then_drop"]
        return self._rng.choice(eligible) if eligible else None


def _drop_connection(environ: dict[str, Any]) -> None:
    """Close the client's connection without an answer (werkzeug's dev server exposes the socket).

    Only ``shutdown`` is called, not ``close``: werkzeug then fails its own write with a ``BrokenPipeError``,
    which it treats as a dropped connection and does not log, and the handler thread ends normally.
    """
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):  # already gone: the client hung up first
            sock.shutdown(socket.SHUT_RDWR)


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")


class SandboxApp:
    """The WSGI application. Thread-safe: the log and fault plan are guarded by one lock."""

    def __init__(
        self,
        *,
        seed: str = "demo",
        fault_rate: float = 0.0,
        fault_seed: int = 0,
        fault_kinds: Iterable[str] = FAULT_KINDS,
        latency_ms: int = 0,
        rate_limits: bool = True,
        asana_tier: str = "paid",
        slow_seconds: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        strict: bool = True,
    ) -> None:
        self.clock = clock
        # Strict: every Trello and Asana request is held to the vendor's OpenAPI contract before it is served
        # (moteur.sandbox.contract); monday's emulator validates documents against its SDL either way.
        self.strict = strict
        self.latency_ms = latency_ms
        self.slow_seconds = slow_seconds  # how long a "slow" fault sleeps: longer than the client's timeout
        self.faults = FaultPlan(fault_rate, fault_seed, fault_kinds)
        self.emulators = build_emulators(clock, rate_limits, asana_tier)
        self._lock = threading.RLock()
        self._log: list[dict[str, Any]] = []
        self.boards: dict[str, list[str]] = {}
        self.reset(seed)

    # -- admin operations (also used in-process) -------------------------------------------------------

    def reset(self, seed: str = "demo") -> dict[str, list[str]]:
        kind, count = parse_seed(seed)
        with self._lock:
            boards: dict[str, list[str]] = {tool: [] for tool in PREFIXES}
            for tool, emulator in self.emulators.items():
                emulator.reset()
                boards[tool] = emulator.seed(kind, count)
            self._log.clear()
            self.boards = boards
            return boards

    def requests_log(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in self._log]

    def credentials(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for emulator in self.emulators.values():
            merged.update(emulator.credentials)
        return merged

    # -- WSGI ------------------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            response = self._admin(request, path[len(ADMIN_PREFIX) :])
            return response(environ, start_response)
        for tool, prefix in PREFIXES.items():
            if (path == prefix or path.startswith(prefix + "/")) and tool in self.emulators:
                inner = path[len(prefix) :] or "/"
                if tool == "trello":  # Trello reads a doubled slash as one (recorded: GET /1//batch, 200)
                    inner = re.sub("/{2,}", "/", inner)
                return self._vendor(self.emulators[tool], request, inner)(environ, start_response)
        return Response("Not Found", status=404, mimetype="text/plain")(environ, start_response)

    def _vendor(self, emulator: Emulator, request: Request, path: str) -> Response:
        started = time.perf_counter()
        info = emulator.describe(request, path)
        contract = contract_for(emulator.tool) if self.strict else None
        refusal = contract.check(request, path) if contract is not None else None
        if refusal is not None:  # the vendor refuses it before anything else can happen to it
            self._record(info, refusal.status, None, started, refused=refusal.problems)
            return refusal_response(emulator.tool, refusal)
        with self._lock:
            fault = self.faults.draw(info.mutating)
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        status: int | None
        if fault in FAULT_HTTP_KINDS:
            response: Response | None = emulator.fault_response(fault)
        elif fault == "reset":
            response = None
        elif fault == "slow":
            time.sleep(self.slow_seconds)
            response = None
        else:
            response = emulator.handle(request, path)
            if fault == "commit_then_drop":
                response = None
        status = response.status_code if response is not None else None
        self._record(info, status, fault, started)
        if response is None:
            _drop_connection(request.environ)
            return Response(b"", status=500)  # never reaches the client: the socket is shut
        return response

    def _record(
        self,
        info: RequestInfo,
        status: int | None,
        fault: str | None,
        started: float,
        refused: list[str] | None = None,
    ) -> None:
        entry = {
            "tool": info.tool,
            "method": info.method,
            "path": info.path,
            "query": info.query,
            "operation": info.operation,
            "root_fields": list(info.root_fields),
            "mutating": info.mutating,
            "status": status,
            "fault": fault,
            "refused": refused,  # the contract's problems when the strict sandbox refused it, else None
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 3),
        }
        with self._lock:
            self._log.append(entry)

    def _admin(self, request: Request, path: str) -> Response:
        method = request.method
        try:
            body = request.get_json(silent=True) if request.data else None
            if method == "GET" and path == "/requests":
                return _json(self.requests_log())
            if method == "POST" and path == "/reset":
                seed = (body or {}).get("seed", "demo")
                return _json({"boards": self.reset(seed)})
            if method == "GET" and path == "/state":
                with self._lock:
                    state = {tool: emulator.state() for tool, emulator in self.emulators.items()}
                    return _json(state)
            if method == "GET" and path == "/faults":
                return _json(self._fault_settings())
            if method == "POST" and path == "/faults":
                settings = body or {}
                with self._lock:
                    self.faults.configure(
                        float(settings.get("rate", self.faults.rate)),
                        int(settings.get("seed", self.faults.seed)),
                        settings.get("kinds", self.faults.kinds),
                    )
                    if "slow_seconds" in settings:
                        self.slow_seconds = float(settings["slow_seconds"])
                    if "latency_ms" in settings:
                        self.latency_ms = int(settings["latency_ms"])
                return _json(self._fault_settings())
            if method == "POST" and path == "/import/trello":
                if not isinstance(body, dict):
                    return _json({"error": "body must be a Trello board export (JSON object)"}, 400)
                from moteur.sandbox.trello import TrelloEmulator

                trello = self.emulators["trello"]
                assert isinstance(trello, TrelloEmulator)  # build_emulators always makes it
                return _json({"id": trello.import_board(body)})
        except (ValueError, KeyError, TypeError) as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"error": f"no admin route {method} {path}"}, 404)

    def _fault_settings(self) -> dict[str, Any]:
        return {
            "rate": self.faults.rate,
            "seed": self.faults.seed,
            "kinds": list(self.faults.kinds),
            "slow_seconds": self.slow_seconds,
            "latency_ms": self.latency_ms,
        }
