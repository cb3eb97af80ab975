"""Creating tasks, subtasks and comments for a migration: ten per ``POST /batch``, in order, never twice.

Terms:

- *Create*: one non-idempotent write (``POST /tasks``, ``POST /tasks/{gid}/subtasks``, ``POST
  /tasks/{gid}/stories``) for one source key. It is linked (``targets[key]`` and ``on_created``) the moment
  its batch answers.
- *Lane*: the creates whose relative order shows on Asana — the tasks of one section (each new task goes to
  the end of its section), the subtasks of one parent, the comments of one task. Asana runs a batch's actions
  in parallel with no ordering guarantee ("There is no guarantee of the execution order",
  developers.asana.com/docs/batch-requests), so two creates of one lane in one batch land in either order.
  A create whose parent is not created yet waits; children of tasks created in earlier batches fill the
  batches.
- *Group and move*: one batch takes one create per lane, except a section lane, which takes up to its
  *share* (``share_of``: as many as keep the run near ⌈creates / 10⌉ batches when one section holds most of
  the tasks). A task created with an earlier task of its section in the same batch (or while one is still
  pending) is then *moved* right after its source predecessor: ``POST /sections/{gid}/addTask`` with
  ``insert_after`` (spec: "The task will be inserted at the top of a section unless an insert_before or
  insert_after parameter is declared"). Moves of one batch must not depend on each other (they too run in
  any order), so a move waits until its anchor is created and placed: the moves of consecutive tasks form a
  *chain*, sent one per batch in source order, while other chains, creates and children share the batch.
  A task created alone, after every earlier task of its section, needs no move: it lands last, and the
  moves of earlier tasks only place them after their own predecessors.
- *Unsure*: a create that may have been applied — the batch failed ambiguously (connection cut after
  sending, a 500/502/504) or its action answered 500/502/504. Before it is sent again it is looked up: a task
  by the identity footer of its notes, a subtask by its name and a comment by its text among the parent's
  children that no link claims yet. Found, it is linked; absent, it is sent again (``CREATE_TRIES`` sends
  in all, as every connector's creates).

Children of a task that existed before this call (a re-run after a crash) start unsure: the crash may have
come after their batch was applied and before their links were committed. A crash between a group's
creates and its moves leaves those tasks where Asana put them (linked, so never doubled; only their rank in
the section differs): the re-run's plan sees them out of order and places them (``PlaceItems``, moved in
``migration.py``).

A subtask with an ``after_key`` (a checklist entry added to the source after its siblings were migrated) is
created, linked, then placed after that sibling with ``POST /tasks/{gid}/setParent`` — in the same lane, so
the next one is placed after it. A move is idempotent; if it fails, the task stays where Asana put it (it
exists and is linked; only its rank differs).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from moteur.connectors.asana.batch import BATCH_SIZE, batch_action, result_of, send_batch
from moteur.connectors.asana.history import batch_get, stories_path, subtasks_path
from moteur.connectors.create_once import CREATE_TRIES
from moteur.connectors.http import AmbiguousWrite, HttpClient, retry_delay
from moteur.connectors.migration_loop import Ledger
from moteur.core.errors import MoteurError
from moteur.core.identity import split_identity
from moteur.core.model import ItemRef, Tool
from moteur.redaction import scrub

AMBIGUOUS_STATUSES = frozenset({500, 502, 504})  # the action may have been applied
REFUSED_STATUSES = frozenset({429, 503})  # nothing was applied: send again
ITEM, SUBTASK, COMMENT = "item", "subtask", "comment"


@dataclass
class Create:
    index: int  # the op's index in the caller's op list
    key: str  # the source key the created object is linked to
    kind: str  # ITEM | SUBTASK | COMMENT
    lane: str
    match: str  # the name (task, subtask) or text (comment) a look-up compares
    data: dict[str, Any]
    parent_key: str | None = None  # the source key of the task this child goes under
    after_key: str | None = None  # a subtask placed after this sibling once created (see ``moving``)
    attempts: int = 0
    unsure: bool = False
    moving: bool = False  # created; its move to sit after ``after_key`` is still to be sent
    follow_up: bool = False  # a task's move, queued after its create finished (it reports no op)
    previous: str | None = None  # a task's source predecessor in its section (the anchor of its move)
    gid: str = ""

    def action(self, parent: str | None, anchor: str | None) -> dict[str, Any]:
        if self.moving and self.kind == ITEM:
            data = {"task": self.gid, "insert_after": anchor}
            return batch_action("post", f"/sections/{self.data['section']}/addTask", data)
        if self.moving:
            return batch_action(
                "post", f"/tasks/{self.gid}/setParent", {"parent": parent, "insert_after": anchor}
            )
        path = {ITEM: "/tasks", SUBTASK: f"/tasks/{parent}/subtasks", COMMENT: f"/tasks/{parent}/stories"}
        return batch_action("post", path[self.kind], self.data)


@dataclass
class CreateRun:
    """Sends the creates of one ``apply_migration`` call; each one's result, link and progress tick go to
    ``ledger`` (``connectors/migration_loop.py``) once it is finished (created, found or failed)."""

    client: HttpClient
    project: str
    ledger: Ledger
    waiting: set[str] = field(default_factory=set)  # source keys of task creates not finished yet
    lanes: dict[str, deque[Create]] = field(default_factory=dict)
    moves: dict[str, Create] = field(default_factory=dict)  # a task's source key -> its move, once queued

    def run(self, creates: list[Create]) -> None:
        before = set(self.targets)
        self.lanes = {}
        self.waiting = {c.key for c in creates if c.kind == ITEM}
        for create in creates:
            if create.parent_key is not None and create.parent_key in before:
                create.unsure = True  # see the module docstring: a crash may have left it there unlinked
            lane = self.lanes.setdefault(create.lane, deque())
            if create.kind == ITEM and lane:
                create.previous = lane[-1].key
            lane.append(create)
        shares = share_of(creates)
        while self.lanes:
            lanes = self.lanes
            heads = [lane[0] for lane in lanes.values()]
            unsure = [c for c in heads if c.unsure and self._parent_ready(c)]
            if unsure:
                self._look_up(unsure)
            offers: list[list[Create]] = []
            for name, lane in lanes.items():
                create = lane[0]
                if create.lane == "":
                    continue  # finished by the look-up
                if create.moving:
                    if self._anchor_ready(create):
                        offers.append([create])
                    elif create.after_key not in self.targets and create.after_key not in self.waiting:
                        self._finish(create, None)  # its anchor was never created: it stays where it is
                elif create.key in self.targets:
                    self._finish(create, None)
                elif create.parent_key is not None and create.parent_key not in self.targets:
                    if create.parent_key not in self.waiting:
                        self._finish(create, "its parent was not created, so it could not be either")
                elif not create.unsure:
                    offers.append(self._front(lane, shares.get(name, 1)))
            batch = self._fill(offers)
            if batch:
                self._send(batch)
            self.lanes = {name: lane for name, lane in self.lanes.items() if self._trim(lane)}

    def _front(self, lane: deque[Create], share: int) -> list[Create]:
        """The creates of a lane one batch may take: its head, then (a section's share) the plain creates
        right behind it."""
        taken: list[Create] = []
        for create in lane:
            if create.lane == "":
                continue
            plain = not (create.moving or create.unsure or create.key in self.targets)
            if len(taken) == share or (taken and not plain):
                break
            taken.append(create)
        return taken

    def _fill(self, offers: list[list[Create]]) -> list[Create]:
        """Up to ten creates, the longest lanes first (they bound how many batches the run takes). A task
        created with an earlier task of its section, or while one is still pending, gets its move."""
        offers.sort(key=lambda o: -len(self.lanes[o[0].lane]))
        batch: list[Create] = []
        for offer in offers:
            room = BATCH_SIZE - len(batch)
            if room <= 0:
                break
            chosen = offer[:room]
            lane = self.lanes[chosen[0].lane]
            for create in chosen:
                if create.kind == ITEM and not create.moving and create.previous is not None:
                    pending = any(c.lane != "" for c in _before(lane, create))
                    create.after_key = create.previous if pending else None
            batch.extend(chosen)
        return batch

    # -- sending ----------------------------------------------------------------------------------------

    def _send(self, batch: list[Create]) -> None:
        actions = [c.action(self._parent_gid(c), self._anchor_gid(c)) for c in batch]
        for create in batch:
            create.attempts += 1
        try:
            results = send_batch(self.client, actions, f"a batch of {len(batch)} creates", idempotent=False)
        except AmbiguousWrite:
            for create in batch:
                self._unsure_or_fail(create, "Asana may or may not have applied it (the connection dropped)")
            return
        except MoteurError as exc:
            for create in batch:
                self._finish(create, None if create.moving else scrub(str(exc)))
            return
        refused: list[float | None] = []
        for create, result in zip(batch, results, strict=True):
            status, body, message, hint = result_of(result)
            data = body.get("data") if isinstance(body, dict) else None
            if create.moving:
                if status < 300 or create.attempts >= CREATE_TRIES or status not in REFUSED_STATUSES:
                    self._finish(create, None)  # placed, or left where Asana put it: it exists either way
            elif status < 300 and isinstance(data, dict) and data.get("gid"):
                self._link(create, str(data["gid"]))
            elif status in AMBIGUOUS_STATUSES:
                self._unsure_or_fail(create, message)
            elif status in REFUSED_STATUSES and create.attempts < CREATE_TRIES:
                refused.append(hint)  # stays at the head of its lane, sent again in a later batch
            else:
                self._finish(create, scrub(f"Asana refused the {create.kind} ({status}): {message}"))
        if refused:  # wait as Asana asks (or back off) before the next batch meets the same limit
            hints = [h for h in refused if h is not None]
            attempt = max(c.attempts for c in batch)
            options = self.client.options
            options.sleep(retry_delay(attempt, max(hints) if hints else None, options.jitter()))

    def _unsure_or_fail(self, create: Create, message: str) -> None:
        if create.moving:  # a move may be sent again as it is (it is idempotent)
            if create.attempts >= CREATE_TRIES:
                self._finish(create, None)
        elif create.attempts >= CREATE_TRIES:
            self._finish(create, scrub(f"{create.kind} not created after {create.attempts} tries: {message}"))
        else:
            create.unsure = True

    # -- looking up after an ambiguous create -----------------------------------------------------------

    def _look_up(self, unsure: list[Create]) -> None:
        """One round of reads (ten to a batch): each unsure task's section, each unsure child's siblings."""
        claimed = {ref.item for ref in self.targets.values()}
        reads = list(dict.fromkeys(self._read_for(c) for c in unsure))
        answers = batch_get(self.client, reads)
        for create in unsure:
            index = reads.index(self._read_for(create))
            if index in answers.errors:
                self._finish(create, answers.errors[index])
                continue
            gid = next((g for r in answers.records[index] if (g := _match(create, r, claimed))), None)
            if gid is not None:
                claimed.add(gid)
            self._resolve(create, gid)

    def _read_for(self, create: Create) -> tuple[str, tuple[str, ...]]:
        """Where an unsure create would be: its section's tasks (the project's when it has none), or its
        parent's subtasks or stories."""
        if create.kind == ITEM:
            section = create.lane.removeprefix("section:")
            holder = f"/sections/{section}" if section.isdigit() else f"/projects/{self.project}"
            return f"{holder}/tasks", ("notes",)
        return (subtasks_path if create.kind == SUBTASK else stories_path)(self._parent_gid(create) or "")

    def _resolve(self, create: Create, gid: str | None) -> None:
        create.unsure = False
        if gid is not None:
            self._link(create, gid)

    # -- bookkeeping ------------------------------------------------------------------------------------

    def _link(self, create: Create, gid: str) -> None:
        ref = ItemRef(tool=Tool.ASANA, board=self.project, item=gid)
        self.ledger.link(create.index, ref)  # the caller commits the link now: a crash never forgets it
        if create.kind == ITEM:
            if create.after_key is not None:
                self._queue_move(create, gid)
            self._finish(create, None)
            return
        if create.after_key is not None and create.after_key in self.targets:
            create.moving, create.gid, create.attempts, create.unsure = True, gid, 0, False
            return
        self._finish(create, None)

    def _queue_move(self, create: Create, gid: str) -> None:
        """Queue the move of a just-created task right after its source predecessor (in a lane of its own;
        ``_anchor_ready`` holds it back until the predecessor is created and placed)."""
        section = create.lane.removeprefix("section:")
        if not section.isdigit() or create.after_key is None:
            return  # a task in no section has no place to be moved to
        move = Create(
            create.index, create.key, ITEM, f"order:{create.key}", create.match, {"section": section}
        )
        move.after_key, move.gid, move.moving, move.follow_up = create.after_key, gid, True, True
        self.moves[create.key] = move
        self.lanes.setdefault(move.lane, deque()).append(move)

    def _anchor_ready(self, create: Create) -> bool:
        """Whether a move can be sent: its anchor is created and no move of the anchor is still to come (a
        chain of moves goes one per batch, in source order; a move never shares a batch with its anchor's)."""
        anchor = create.after_key
        if anchor is None:
            return True
        pending = self.moves.get(anchor)
        return anchor in self.targets and (pending is None or pending.lane == "")

    def _finish(self, create: Create, error: str | None) -> None:
        if not create.follow_up:  # a move adds no op of its own: its task's op finished when linked
            if error is not None:
                self.ledger.fail(create.index, error)
            self.waiting.discard(create.key)
            self.ledger.tick(1)
        create.data = {}
        create.lane = ""  # marks it finished for ``_trim``

    @property
    def targets(self) -> MutableMapping[str, ItemRef]:
        """Source key → target object, for every object linked so far."""
        return self.ledger.targets

    def _trim(self, lane: deque[Create]) -> bool:
        while lane and lane[0].lane == "":
            lane.popleft()
        return bool(lane)

    def _parent_gid(self, create: Create) -> str | None:
        ref = self.targets.get(create.parent_key) if create.parent_key else None
        return ref.item if ref is not None else None

    def _anchor_gid(self, create: Create) -> str | None:
        ref = self.targets.get(create.after_key) if create.after_key else None
        return ref.item if ref is not None else None

    def _parent_ready(self, create: Create) -> bool:
        return create.parent_key is None or create.parent_key in self.targets


def share_of(creates: list[Create]) -> dict[str, int]:
    """How many creates of each section lane one batch may take: ⌈n / B⌉ for the fewest batches B that hold
    every create and the moves those shares cost (a section of n tasks spread over B batches: n − B moves).
    While no section holds more tasks than B, every share is one and nothing is moved."""
    sizes = Counter(c.lane for c in creates if c.kind == ITEM and c.lane.removeprefix("section:").isdigit())
    total = len(creates)
    batches = max(1, -(-total // BATCH_SIZE))
    while total + sum(max(0, n - batches) for n in sizes.values()) > BATCH_SIZE * batches:
        batches += 1
    return {lane: -(-n // batches) for lane, n in sizes.items()}


def _before(lane: deque[Create], create: Create) -> list[Create]:
    """The creates ahead of ``create`` in its lane (earlier in the source)."""
    ahead: list[Create] = []
    for other in lane:
        if other is create:
            break
        ahead.append(other)
    return ahead


def _match(create: Create, record: dict[str, Any], claimed: set[str]) -> str | None:
    """The record's gid when it is the object ``create`` made: a task by the identity footer of its notes,
    a subtask by its name, a comment by its text — among those no link claims yet."""
    gid = str(record.get("gid"))
    if gid in claimed:
        return None
    if create.kind == ITEM:
        return gid if split_identity(str(record.get("notes") or ""))[1] == create.key else None
    text = str(record.get("name" if create.kind == SUBTASK else "text") or "")
    return gid if text.strip() == create.match.strip() else None
