"""The one migration apply loop (``connectors/migration_loop.py``) and the batch form of create-once
(``connectors/create_once.py:create_all_once``), over a small in-memory tool: linked creations skipped,
every create linked the moment it is made, results in op order, one progress tick per op, and a create that
dropped after sending found instead of sent again. Each connector's use of them is exercised over the
sandbox by its own migration tests (commit-then-drop faults, kills after N creates)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from moteur.connectors.create_once import CREATE_TRIES, Sent, create_all_once
from moteur.connectors.http import AmbiguousWrite
from moteur.connectors.migration_loop import Creation, Ensure, Ledger, OneByOne, apply_each
from moteur.core.errors import AuthError, RemoteError
from moteur.core.model import ItemRef, Tool
from moteur.core.ops import (
    AddComment,
    CreateItem,
    CreateSubitem,
    EnsureBucket,
    MigrationOp,
    UpdateItem,
    UpdateSubitem,
)

BOARD = "b1"


def ref(item: str) -> ItemRef:
    return ItemRef(tool=Tool.FILE, board=BOARD, item=item)


class Tool1(OneByOne):
    """A tool whose service keeps objects by source key; ``drops`` makes the next creates fail ambiguously,
    applied (``commit``) or not."""

    def __init__(self, *, drops: int = 0, commit: bool = True) -> None:
        self.objects: dict[str, str] = {}  # source key -> object id
        self.log: list[str] = []
        self.drops, self.commit = drops, commit
        self.finish_problem: str | None = None

    def ensure(self, op: Ensure) -> None:
        self.log.append(f"ensure {op.name}")

    def update(self, op: UpdateItem | UpdateSubitem) -> None:
        if op.title == "refused":
            raise RemoteError("the service refused it")
        if op.title == "token":
            raise AuthError("the token was revoked")
        self.log.append(f"update {op.key}")

    def create(self, op: Creation) -> ItemRef:
        self.log.append(f"create {op.key}")
        dropped = self.drops > 0
        if self.commit or not dropped:
            self.objects[op.key] = f"o{len(self.objects) + 1}"
        if dropped:
            self.drops -= 1
            raise AmbiguousWrite("connection dropped after sending")
        return ref(self.objects[op.key])

    def find(self, op: Creation) -> ItemRef | None:
        self.log.append(f"find {op.key}")
        return ref(self.objects[op.key]) if op.key in self.objects else None

    def finish(self, op: Creation, created: ItemRef) -> str | None:
        return self.finish_problem


class Caller:
    """What the engine gives ``apply_migration``: the links it commits, the progress it counts."""

    def __init__(self, tool: Tool1) -> None:
        self.tool = tool
        self.committed: list[tuple[str, str, int]] = []  # (key, object, tool requests sent before)
        self.ticks: list[int] = []

    def ledger(self, ops: list[MigrationOp], targets: dict[str, ItemRef], **kw: bool) -> Ledger:
        def on_created(key: str, created: ItemRef) -> None:
            self.committed.append((key, created.item, len(self.tool.log)))

        return Ledger(ops, targets, on_created, self.ticks.append, **kw)


OPS: list[MigrationOp] = [
    EnsureBucket("To do"),
    CreateItem("s:a", "A", "To do", {}),
    CreateItem("s:b", "B", "To do", {}),
    CreateSubitem("s:b#check:1", "s:b", "step"),
    AddComment("s:b#comment:1", "s:b", "hello"),
    UpdateItem("s:c", ref("o9"), "C", {"status": "done"}),
]


def test_linked_creations_are_skipped_and_the_results_come_one_per_op_in_order() -> None:
    tool = Tool1()
    caller = Caller(tool)
    targets = {"s:a": ref("o0")}
    results = apply_each(tool, caller.ledger(OPS, targets))
    assert [r.op for r in results] == OPS and all(r.ok for r in results)
    assert results[1].created is None  # on the target already: nothing made by this call
    assert [r.created.item if r.created else None for r in results] == [None, None, "o1", "o2", "o3", None]
    assert "create s:a" not in tool.log
    assert sum(caller.ticks) == len(OPS)
    assert targets == {
        "s:a": ref("o0"),
        "s:b": ref("o1"),
        "s:b#check:1": ref("o2"),
        "s:b#comment:1": ref("o3"),
    }


def test_each_create_is_committed_before_the_next_op_is_sent() -> None:
    tool = Tool1()
    caller = Caller(tool)
    apply_each(tool, caller.ledger(OPS, {}))
    sent_before = {key: sent for key, _, sent in caller.committed}
    assert sent_before == {"s:a": 2, "s:b": 3, "s:b#check:1": 4, "s:b#comment:1": 5}


def test_a_create_that_landed_then_dropped_is_found_not_sent_again() -> None:
    tool = Tool1(drops=1, commit=True)
    results = apply_each(tool, Caller(tool).ledger(OPS[1:2], {}))
    assert results[0].ok and results[0].created == ref("o1")
    assert tool.log == ["create s:a", "find s:a"] and list(tool.objects) == ["s:a"]


def test_a_create_dropped_before_it_landed_is_sent_again_after_a_look_up() -> None:
    tool = Tool1(drops=2, commit=False)
    [result] = apply_each(tool, Caller(tool).ledger(OPS[1:2], {}))
    assert result.ok and tool.log == ["create s:a", "find s:a"] * 2 + ["create s:a"]


def test_a_create_never_answered_fails_its_op_after_the_tries_and_the_run_goes_on() -> None:
    tool = Tool1(drops=CREATE_TRIES, commit=False)
    results = apply_each(tool, Caller(tool).ledger(OPS[1:3], {}))
    assert not results[0].ok and "dropped" in str(results[0].error)
    assert results[1].ok and tool.log.count("create s:a") == CREATE_TRIES


def test_a_refused_op_fails_alone_and_a_refused_token_stops_the_run() -> None:
    tool = Tool1()
    refused = UpdateItem("s:r", ref("o8"), "refused", {})
    results = apply_each(tool, Caller(tool).ledger([refused, *OPS[1:2]], {}))
    assert (results[0].ok, results[0].error, results[1].ok) == (False, "the service refused it", True)
    with pytest.raises(AuthError):
        apply_each(tool, Caller(tool).ledger([UpdateItem("s:t", ref("o8"), "token", {}), *OPS[2:3]], {}))
    assert "create s:b" not in tool.log


def test_a_create_whose_follow_up_failed_stays_linked_and_says_so() -> None:
    tool = Tool1()
    tool.finish_problem = "it was not archived"
    targets: dict[str, ItemRef] = {}
    [result] = apply_each(tool, Caller(tool).ledger(OPS[1:2], targets))
    assert (result.ok, result.error, result.created) == (False, "it was not archived", ref("o1"))
    assert targets == {"s:a": ref("o1")}


def test_a_deferred_ledger_reports_its_links_only_when_committed() -> None:
    tool = Tool1()
    caller = Caller(tool)
    ledger = caller.ledger(OPS[1:3], {}, deferred=True)
    apply_each(tool, ledger)
    assert caller.committed == []
    ledger.commit()
    assert [key for key, _, _ in caller.committed] == ["s:a", "s:b"]


# -- create_all_once: several creates to a request --------------------------------------------------------


class Batches:
    """A service taking several creates per request; ``plan`` scripts each request's fate."""

    def __init__(self, plan: list[str]) -> None:
        self.plan = plan  # per request: "ok", "drop-applied", "drop", or "unsure:<i>" / "again:<i>"
        self.objects: dict[str, str] = {}
        self.requests: list[list[str]] = []
        self.lookups = 0

    def send(self, entries: list[str]) -> Sent[str]:
        self.requests.append(list(entries))
        fate = self.plan.pop(0) if self.plan else "ok"
        if fate.startswith("drop"):
            if fate == "drop-applied":
                self.objects.update({e: f"id-{e}" for e in entries})
            raise AmbiguousWrite("connection dropped after sending")
        kind, _, which = fate.partition(":")
        made = {k: e for k, e in enumerate(entries) if not (which and k == int(which))}
        self.objects.update({e: f"id-{e}" for e in made.values()})
        answer = {k: f"id-{e}" for k, e in made.items()}
        if kind == "unsure":
            return Sent(answer, unsure={int(which): "answered 500"})
        if kind == "again":
            return Sent(answer, again={int(which): "refused a person"})
        return Sent(answer)

    def find(self, entries: list[str]) -> Mapping[int, str]:
        self.lookups += 1
        return {k: self.objects[e] for k, e in enumerate(entries) if e in self.objects}


def run(batches: Batches, entries: list[str]) -> tuple[dict[int, str], list[tuple[str, str]]]:
    linked: list[tuple[str, str]] = []
    errors = create_all_once(entries, batches.send, batches.find, lambda e, o: linked.append((e, o)))
    return errors, linked


def test_a_request_applied_then_dropped_is_found_and_not_sent_again() -> None:
    batches = Batches(["drop-applied"])
    errors, linked = run(batches, ["a", "b", "c"])
    assert errors == {} and sorted(linked) == [("a", "id-a"), ("b", "id-b"), ("c", "id-c")]
    assert batches.requests == [["a", "b", "c"]] and batches.lookups == 1


def test_a_request_dropped_before_it_applied_is_sent_again_after_a_look_up() -> None:
    batches = Batches(["drop"])
    errors, linked = run(batches, ["a", "b"])
    assert errors == {} and len(linked) == 2
    assert batches.requests == [["a", "b"], ["a", "b"]] and batches.lookups == 1


def test_an_entry_that_may_have_applied_is_looked_up_one_refused_as_a_whole_is_sent_again() -> None:
    unsure = Batches(["unsure:1"])
    errors, _ = run(unsure, ["a", "b", "c"])
    assert errors == {} and unsure.requests == [["a", "b", "c"], ["b"]] and unsure.lookups == 1
    again = Batches(["again:0"])
    errors, _ = run(again, ["a", "b"])
    assert errors == {} and again.requests == [["a", "b"], ["a"]] and again.lookups == 0


def test_entries_never_answered_fail_with_the_last_reason() -> None:
    batches = Batches(["drop"] * CREATE_TRIES)
    errors, linked = run(batches, ["a", "b"])
    assert errors == {0: "connection dropped after sending", 1: "connection dropped after sending"}
    assert linked == [] and len(batches.requests) == CREATE_TRIES


def test_nothing_to_create_sends_nothing() -> None:
    batches = Batches([])
    assert run(batches, []) == ({}, []) and batches.requests == []
