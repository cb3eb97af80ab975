"""The one migration apply loop: what every tool's ``apply_migration`` shares (contract in
``connectors/migration.py``), so that a tool fills in only how it talks to its service.

Terms:

- *Creation*: an op that makes an object on the target — ``CreateItem``, ``CreateSubitem``, ``AddComment``.
  Its ``key`` is the source key the new object is linked to.
- *Linked*: a source key already in ``targets``: its object is on the target (an earlier run made it, or the
  link was rebuilt from an identity footer). A linked creation is skipped: ok, nothing sent, no ``created``
  (``OpResult.created`` says what this call made).
- *Claimed*: a target object some link points to. A look-up after an ambiguous create never takes a claimed
  object, so two children of one name (two "Review" check items) each keep their own.
- *Ledger*: one call's bookkeeping. It links each creation the moment it is made or found (``targets``, then
  ``on_created``, which the caller commits at once, so a crash never forgets a created object), keeps one
  result per op and gives them back in op order, and passes progress on.

How a tool fills it in:

- a tool that sends one op at a time (Trello, a file) implements ``OneByOne`` — ensure a bucket, field or
  label, update, create one object, find it after an ambiguous create, finish a created one — and calls
  ``apply_each``, which runs the ops in order through ``create_once``;
- a tool that packs ops into batched requests runs its own waves with a ``Ledger``: monday's aliased
  mutations go through ``create_once`` / ``create_all_once``; Asana's ``/batch`` creates keep a scheduler
  of their own (``asana/creates.py``: lanes whose order shows), with the same look-up and ``CREATE_TRIES``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, MutableMapping, Sequence

from moteur.connectors.create_once import create_once
from moteur.core.errors import AuthError, MoteurError, PermissionDenied
from moteur.core.model import ItemRef
from moteur.core.ops import (
    AddComment,
    CreateItem,
    CreateSubitem,
    EnsureBucket,
    EnsureField,
    EnsureTag,
    MigrationOp,
    OpResult,
    PlaceItems,
    UpdateItem,
    UpdateSubitem,
)
from moteur.redaction import scrub

Creation = CreateItem | CreateSubitem | AddComment
Ensure = EnsureBucket | EnsureField | EnsureTag  # a board-level part: reused by name, else created
NOT_APPLIED = "not applied"  # the result of an op a tool never reached (a wave stopped before it)


class Ledger:
    """The results, links and progress of one ``apply_migration`` call (see the module docstring).

    ``deferred``: links are reported to ``on_created`` only by ``commit`` — for a tool whose writes all land
    at once at the end (a file's one atomic replace), where a link committed earlier could name an object
    that never came to exist."""

    def __init__(
        self,
        ops: Sequence[MigrationOp],
        targets: MutableMapping[str, ItemRef],
        on_created: Callable[[str, ItemRef], None],
        progress: Callable[[int], None] | None = None,
        *,
        deferred: bool = False,
    ) -> None:
        self.ops, self.targets = ops, targets
        self.results: dict[int, OpResult] = {}
        self.claimed: set[str] = {ref.item for ref in targets.values()}
        self.notes: dict[int, str] = {}  # op index -> warnings kept on its result when it succeeds
        self._on_created, self._progress = on_created, progress
        self._deferred = deferred
        self._uncommitted: list[tuple[str, ItemRef]] = []

    def linked(self, index: int) -> bool:
        """Whether op ``index`` is a creation already on the target; if so it is recorded as a success."""
        op = self.ops[index]
        if isinstance(op, Creation) and op.key in self.targets:
            self.results[index] = OpResult(op, True)
            return True
        return False

    def link(self, index: int, ref: ItemRef) -> ItemRef:
        """Creation ``index`` made (or found) as ``ref``: linked now, and a success."""
        op = self.ops[index]
        if not isinstance(op, Creation):
            raise TypeError(f"op {index} ({op.kind}) creates nothing to link")
        self.targets[op.key] = ref
        self.claimed.add(ref.item)
        if self._deferred:
            self._uncommitted.append((op.key, ref))
        else:
            self._on_created(op.key, ref)
        self.succeed(index, created=ref)
        return ref

    def commit(self) -> None:
        """Report the links a deferred ledger kept (once the tool's write has landed)."""
        for key, ref in self._uncommitted:
            self._on_created(key, ref)
        self._uncommitted.clear()

    def note(self, index: int, text: str | None) -> None:
        """A warning for op ``index``, shown on its result, which stays a success (someone not assigned)."""
        if text:
            self.notes[index] = "; ".join(filter(None, (self.notes.get(index), text)))

    def succeed(self, index: int, note: str | None = None, created: ItemRef | None = None) -> None:
        texts = (note, self.notes.get(index))
        warning = "; ".join(dict.fromkeys(t for t in texts if t)) or None
        self.results[index] = OpResult(self.ops[index], True, scrub(warning) if warning else None, created)

    def fail(self, index: int, error: str, created: ItemRef | None = None) -> None:
        self.results[index] = OpResult(self.ops[index], False, scrub(error), created)

    def failed(self, index: int) -> bool:
        found = self.results.get(index)
        return found is not None and not found.ok

    def tick(self, n: int = 1) -> None:
        """``n`` more ops finished (the progress bar; the caller also renews its lock on it)."""
        if self._progress is not None and n:
            self._progress(n)

    def ordered(self) -> list[OpResult]:
        """One result per op, in op order."""
        return [self.results.get(i) or OpResult(op, False, NOT_APPLIED) for i, op in enumerate(self.ops)]


class OneByOne(ABC):
    """A tool's part of ``apply_each``: how one op of each kind is sent. Each method raises ``MoteurError``
    (or ``LookupError``: what the op names is not on the board) to fail that op; the run goes on."""

    @abstractmethod
    def ensure(self, op: Ensure) -> None:
        """The bucket, custom field or label, reused by name or created (itself through ``create_once``)."""

    @abstractmethod
    def update(self, op: UpdateItem | UpdateSubitem) -> None: ...

    @abstractmethod
    def create(self, op: Creation) -> ItemRef:
        """One send of the create; ``AmbiguousWrite`` when it may have landed."""

    @abstractmethod
    def find(self, op: Creation) -> ItemRef | None:
        """After an ambiguous create: the object it made (by identity footer, or by name under its parent),
        never a claimed one; None when it is not there."""

    def finish(self, op: Creation, ref: ItemRef) -> str | None:
        """What a creation needs after its create (a second request: archive, custom values); the problem
        when it failed (the object exists and stays linked), else None."""
        return None


def apply_each(tool: OneByOne, ledger: Ledger) -> list[OpResult]:
    """The ops in order, one at a time: linked creations skipped, every create sent once (``create_once``)
    and linked at once, one failed op never stopping the others — but a refused token stops the run (every
    later op would fail the same way)."""
    for index, op in enumerate(ledger.ops):
        try:
            if ledger.linked(index):
                pass
            elif isinstance(op, Ensure):
                tool.ensure(op)
                ledger.succeed(index)
            elif isinstance(op, UpdateItem | UpdateSubitem):
                tool.update(op)
                ledger.succeed(index)
            elif isinstance(op, PlaceItems):
                ledger.succeed(index)  # one op at a time lands in order: never planned for such a tool
            else:
                _create(tool, ledger, index, op)
        except PermissionDenied as exc:  # this object only: the others may be allowed
            ledger.fail(index, str(exc))
        except AuthError:
            raise
        except (MoteurError, LookupError) as exc:
            ledger.fail(index, str(exc).strip("'\""))
        ledger.tick(1)
    return ledger.ordered()


def _create(tool: OneByOne, ledger: Ledger, index: int, op: Creation) -> None:
    ref = ledger.link(index, create_once(lambda: tool.create(op), lambda: tool.find(op)))
    problem = tool.finish(op, ref)
    if problem is not None:
        ledger.fail(index, problem, created=ref)
