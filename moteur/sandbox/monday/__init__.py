"""The monday.com emulator: GraphQL v2 on ``POST /monday/v2``, executed by graphql-core against a subset of
monday's official SDL (:mod:`moteur.sandbox.monday.schema`).

One request, in order: token (``Authorization: <token>`` or ``Bearer <token>``; else HTTP 401
``{"errors": ["Not Authenticated"]}``), ``API-Version`` (absent → 2026-07, monday's current version; see
:data:`ACCEPTED_VERSIONS`), the account's daily call count (past its plan's cap → HTTP 429
``DAILY_LIMIT_EXCEEDED``, :mod:`moteur.sandbox.monday.daily`), JSON body, parse, validation against the
official SDL of the version then against the served subset (:mod:`moteur.sandbox.monday.official`),
complexity (over 5,000,000 → ``maxComplexityExceeded``; past the 10M/min budget → HTTP 429
``COMPLEXITY_BUDGET_EXHAUSTED``), execution, then the answer in the version's shape
(:mod:`moteur.sandbox.monday.errors`).

Known differences from monday: no minute / concurrency / IP request limits (their per-plan numbers are not
published); the complexity figures are an approximation; only the column types of
:data:`moteur.sandbox.monday.columns.SUPPORTED_TYPES` are served; ``RateLimit`` headers are not sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    execute_sync,
    parse,
)
from graphql.language import FieldNode, FragmentDefinitionNode
from werkzeug.wrappers import Request, Response

from moteur.sandbox.base import RequestInfo
from moteur.sandbox.monday import errors, official
from moteur.sandbox.monday.complexity import MAX_PER_QUERY, BudgetExhausted, ComplexityBudget, estimate
from moteur.sandbox.monday.daily import PLAN_DAILY_CALLS, DailyCalls
from moteur.sandbox.monday.items_query import CursorBook
from moteur.sandbox.monday.resolvers import MondayContext
from moteur.sandbox.monday.schema import served_schema
from moteur.sandbox.monday.seed import seed as seed_store
from moteur.sandbox.monday.store import MondayStore
from moteur.sandbox.monday.wiring import executable_schema

__all__ = ["ACCEPTED_VERSIONS", "DEFAULT_VERSION", "MondayEmulator"]

DEFAULT_VERSION = "2026-07"
ACCEPTED_VERSIONS = frozenset(
    {
        "2024-07",
        "2024-10",
        "2025-01",
        "2025-04",
        "2025-07",
        "2025-10",
        "2026-01",
        "2026-04",
        "2026-07",
        "2026-10",
    }
)
"""2026-07 and 2026-10 are the SDLs the schema is a subset of; the older ones are answered with the same
schema (validated against the 2026-07 SDL) and their own error shape, so that the recorded 2024-07 and
2025-07 exchanges can be replayed."""
TOKEN = "sandbox-monday-token"


class MondayEmulator:
    """The Emulator protocol for monday.com (see :mod:`moteur.sandbox.base`)."""

    tool = "monday"

    def __init__(
        self,
        clock: Callable[[], float],
        rate_limits: bool = True,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.wall_clock = wall_clock
        self.rate_limits = rate_limits
        self.credentials = {"MOTEUR_MONDAY_TOKEN": TOKEN}
        self._lock = threading.RLock()
        self._schema = executable_schema(served_schema())
        self.reset()

    # -- the protocol -------------------------------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.store = MondayStore()
            self.cursors = CursorBook()
            self.budget = ComplexityBudget()
            self.daily = DailyCalls(enforced=self.rate_limits)
            self._requests = 0
            # Each distinct (version, document) executed, with how many times: what a client really sends.
            self._documents: dict[tuple[str, str], int] = {}
            self._refused: dict[tuple[str, str], str] = {}  # (version, document) -> the first refusal

    def seed(self, kind: str, n: int | None = None) -> list[str]:
        with self._lock:
            return seed_store(self.store, kind, n, self._now())

    def state(self) -> dict[str, Any]:
        with self._lock:
            return self.store.dump()

    # -- test set-up beyond the seeds (in-process: the tests hold the emulator) ----------------------------

    def set_plan(self, tier: str, *, used_today: int = 0, trial: bool = False) -> None:
        """Put the account on ``tier`` (free, basic, standard, pro, enterprise) with ``used_today`` calls
        already made today, and enforce its daily cap from now on."""
        if tier not in PLAN_DAILY_CALLS:
            raise ValueError(f"unknown monday plan {tier!r}: {sorted(PLAN_DAILY_CALLS)}")
        with self._lock:
            self.store.account["tier"] = tier
            self.store.account["is_during_trial"] = trial
            self.store.account["plan"] = {**self.store.account["plan"], "tier": tier}
            self.daily.enforced = True
            self.daily.by_day = {}
            for _ in range(used_today):
                self.daily.count(self.store.account, self._now())

    def add_person(
        self,
        name: str,
        email: str,
        *,
        kind: str = "member",
        status: str = "ACTIVE",
        boards: tuple[str, ...] = (),
    ) -> str:
        """A person of the account (``kind``: admin, member, guest, view_only; ``status``: ACTIVE, PENDING,
        INACTIVE), member of ``boards``; answers their id."""
        with self._lock:
            user = self.store.add_user(name, email, self._now(), kind=kind, status=status)
            for board_id in boards:
                self.store.boards[board_id].subscriber_ids.append(user.id)
            return user.id

    def documents(self) -> list[tuple[str, str]]:
        """``(API version, query text)`` of each distinct document executed since the reset, first seen
        first."""
        with self._lock:
            return list(self._documents)

    def refused(self) -> dict[tuple[str, str], str]:
        """``(API version, query text)`` → why, for each document refused by validation (monday's or the
        served subset's) since the reset."""
        with self._lock:
            return dict(self._refused)

    def fault_response(self, kind: str) -> Response:
        if kind == "429":
            # A short wait keeps fault-soak tests fast; the shape is the real one.
            return errors.rate_limited(
                "COMPLEXITY_BUDGET_EXHAUSTED", "Complexity budget exhausted", 1, DEFAULT_VERSION
            )
        return errors.server_error(int(kind))

    def describe(self, request: Request, path: str) -> RequestInfo:
        operation: str | None = None
        roots: tuple[str, ...] = ()
        try:
            body = json.loads(request.get_data(cache=True) or b"{}")
            document = parse(body.get("query") or "")
            op = _pick_operation(document.definitions, body.get("operationName"))
            if op is not None:
                operation = op.operation.value
                roots = tuple(s.name.value for s in op.selection_set.selections if isinstance(s, FieldNode))
        except (ValueError, GraphQLError, AttributeError):
            pass
        return RequestInfo(
            self.tool,
            request.method,
            path or "/",
            {},
            operation,
            roots,
            operation == "mutation",
            _token(request),
        )

    def handle(self, request: Request, path: str) -> Response:
        token = _token(request)
        if request.method != "POST" or path not in ("", "/"):
            return errors.json_response({"errors": [{"message": "Not found"}]}, 404)
        if token != TOKEN:
            return errors.unauthenticated()
        version = request.headers.get("API-Version", DEFAULT_VERSION)
        if version not in ACCEPTED_VERSIONS:
            body = {
                "errors": [
                    {
                        "message": f"Invalid API version: {version}",
                        "extensions": {
                            "code": "InvalidVersionException",
                            "status_code": 400,
                            "error_data": {"version": version},
                        },
                    }
                ]
            }
            return errors.json_response(body, 400)
        with self._lock:
            self._requests += 1
            wait = self.daily.count(self.store.account, self._now())
            if wait is not None:
                return errors.rate_limited("DAILY_LIMIT_EXCEEDED", "Daily limit exceeded", wait, version)
            return self._execute(request, token, version)

    def _now(self) -> float:
        # Whole seconds: monday renders timestamps to the second, and filters on what it renders.
        return float(int(self.wall_clock()))

    # -- one GraphQL request ------------------------------------------------------------------------------

    def _execute(self, request: Request, token: str, version: str) -> Response:
        try:
            body = json.loads(request.get_data(cache=True) or b"{}")
            query, variables = body["query"], body.get("variables") or {}
            if isinstance(variables, str):
                variables = json.loads(variables or "{}")
        except (ValueError, KeyError, TypeError):
            return self._answer(version, None, [{"message": "No query string was present"}])
        try:
            document = parse(query)
        except GraphQLSyntaxError as exc:
            return self._answer(
                version,
                None,
                [
                    {
                        "message": f"Parse error on {exc.message}",
                        "locations": [loc._asdict() for loc in exc.locations or ()],
                    }
                ],
            )
        # monday's own refusal first (the SDL of the asked version), then what the sandbox does not serve.
        refused = official.official_problems(version, query)
        if refused:
            self._refused.setdefault((version, query), refused[0].message)
            return self._answer(version, None, [_validation_error(p) for p in refused])
        beyond = official.subset_problems(self._schema, query)
        if beyond:
            self._refused.setdefault((version, query), f"not emulated: {beyond[0].message}")
            return self._answer(version, None, [official.not_emulated(beyond, version)])
        self._documents[(version, query)] = self._documents.get((version, query), 0) + 1
        operation = _pick_operation(document.definitions, body.get("operationName"))
        if operation is None:
            return self._answer(version, None, [{"message": "An operation name is required"}])
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        cost = estimate(operation, fragments, variables)
        if cost > MAX_PER_QUERY:
            return self._answer(
                version,
                None,
                [
                    {
                        "message": f"Query has complexity of {cost}, which exceeds max complexity of "
                        f"{MAX_PER_QUERY}",
                        "extensions": {
                            "code": "maxComplexityExceeded",
                            "complexity": cost,
                            "maxComplexity": MAX_PER_QUERY,
                        },
                    }
                ],
            )
        try:
            charge = self.budget.charge(token, cost, self.clock(), enforce=self.rate_limits)
        except BudgetExhausted as exc:
            return errors.rate_limited(
                "COMPLEXITY_BUDGET_EXHAUSTED", "Complexity budget exhausted", exc.retry_in_seconds, version
            )
        context = MondayContext(
            self.store,
            self._now(),
            self.clock(),
            version,
            self.cursors,
            self.store.me_id or "",
            charge,
            self.daily,
        )
        result = execute_sync(
            self._schema,
            document,
            context_value=context,
            variable_values=variables,
            operation_name=body.get("operationName"),
        )
        failures = [_execution_error(e) for e in result.errors or ()]
        legacy = next(
            (
                e.original_error
                for e in result.errors or ()
                if isinstance(e.original_error, errors.MondayError)
            ),
            None,
        )
        return self._answer(version, result.data, failures, legacy, executed=True)

    def _answer(
        self,
        version: str,
        data: Any,
        failures: list[dict[str, Any]],
        legacy: errors.MondayError | None = None,
        executed: bool = False,
    ) -> Response:
        account_id = self.store.ACCOUNT_ID
        if version in errors.LEGACY_VERSIONS:
            if legacy is not None:
                return errors.json_response(errors.legacy_body(legacy, account_id), 200, version)
            body: dict[str, Any] = {} if data is None and failures else {"data": data}
            if failures:
                body["errors"] = failures
            body["account_id"] = account_id
            return errors.json_response(body, 200, version)
        # Parse and validation errors answer no "data" at all; an executed request always has it.
        body = {"data": data} if executed or not failures else {}
        if failures:
            body["errors"] = failures
            if version in errors.BOTH_SHAPES_VERSIONS and legacy is not None:
                body.update(errors.legacy_body(legacy, account_id))
            body["account_id"] = account_id
        n = self._requests
        body["extensions"] = {"request_id": f"{n:08x}-5a4d-4b00-8000-{n:012x}"}
        return errors.json_response(body, 200, version)


def _token(request: Request) -> str | None:
    header = request.headers.get("Authorization")
    if not header:
        return None
    return header[len("Bearer ") :] if header.startswith("Bearer ") else header


def _pick_operation(definitions: Any, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((o for o in operations if o.name is not None and o.name.value == name), None)
    return operations[0] if len(operations) == 1 else None


def _validation_error(error: GraphQLError) -> dict[str, Any]:
    """graphql-core's message, reworded the way monday (graphql-ruby) words the common ones."""
    message, code = error.message, "GRAPHQL_VALIDATION_FAILED"
    if message.startswith("Cannot query field "):
        field = message.split("'")[1]
        type_name = message.split("'")[3]
        message, code = f"Field '{field}' doesn't exist on type '{type_name}'", "undefinedField"
    elif "argument" in message and "is required" in message:
        code = "missingRequiredArguments"
    elif message.startswith("Unknown argument"):
        code = "argumentNotAccepted"
    out: dict[str, Any] = {"message": message}
    if error.locations:
        out["locations"] = [loc._asdict() for loc in error.locations]
    out["extensions"] = {"code": code}
    return out


def _execution_error(error: GraphQLError) -> dict[str, Any]:
    out: dict[str, Any] = {"message": error.message}
    if error.locations:
        out["locations"] = [loc._asdict() for loc in error.locations]
    if error.path:
        out["path"] = list(error.path)
    original = error.original_error
    if isinstance(original, errors.MondayError):
        out["extensions"] = original.extensions
    else:
        out["extensions"] = {"code": "INTERNAL_SERVER_ERROR", "status_code": 500, "error_data": {}}
    return out
