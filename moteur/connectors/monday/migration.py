"""The monday.com migration's writes into one board: ``apply_migration`` (see ``connectors/migration.py``
for the contract; ``history`` reads a board in full, ``migration_target`` holds the capabilities and
``create_board``). Results, links and progress go to the one apply loop's ``Ledger``
(``connectors/migration_loop.py``).

How the ops become requests, in waves (each wave's ops keep their order; children come after items, which
is all the order the ops depend on, so grouping by kind changes nothing a board shows):

1. one query: the board's columns, groups, kind and members, the users behind the assignees' e-mails
   (``users(emails:)`` with their kind and status; an unknown or unassignable one is not assigned —
   ``migration_people``) and the daily cap; a run that needs more calls than today has left stops here,
   before writing (``migration_apply``);
2. ``EnsureBucket`` → a group with that title is reused; on a board without groups (a new one) the new
   groups are made in one aliased ``create_group`` request, sent last one first (monday puts a new group
   on top); else one ``create_group`` each, placed after the previous bucket;
3. the columns the items need and the ``EnsureField`` custom fields, created at once (one aliased
   ``create_column`` request; a column whose title the mapping reads as that field is reused —
   ``migration_columns``; a custom column of the same title and kind is reused — ``custom_fields``); the
   Tags column with the ``EnsureTag`` colours as its description (``migration_tags``: one
   ``change_column_metadata`` when the column is already there with other colours);
4. ``CreateItem`` → ``create_item`` with every value typed, the custom values (``fields["custom"]``) among
   them, and the Description ending with the identity footer, ``CREATE_BATCH`` aliased per request; an
   archived source item is then archived (aliased);
5. ``UpdateItem`` → ``change_multiple_column_values`` (50 aliased; custom values in the same JSON),
   ``move_item_to_group`` when its bucket changed, ``archive_item`` when it became archived;
6. ``CreateSubitem`` → ``create_subitem`` (25 aliased), done ones with the subitems board's status column
   set to a done label; ``UpdateSubitem`` → ``change_multiple_column_values`` on the subitems board (name,
   done label or cleared status; 50 aliased) (``migration_children``);
7. ``AddComment`` → ``create_update(item_id, body)`` (25 aliased), the text posted as the core wrote it.

A single choice (ENUM) becomes a status column whose labels are the options; a value that is not yet a
label is added by monday (``create_labels_if_missing`` on every create and update), so an existing column
that lacks options gets them as values use them (an option no item uses is not added).

The waves are run by ``migration_apply``; this module holds the board-level steps, ``migration_items`` the
item creates and ``migration_children`` the children's.

*Never doubled*: an op whose key is in ``targets`` is skipped (``ok``). A child already under its parent
(a subitem of that name, an update of that text, not linked to another key) is linked, not created again.
A create whose request failed ambiguously (``AmbiguousWrite``: timeout, connection cut after sending, 5xx)
is looked up before any resend (``create_once``, and ``create_all_once`` for the aliased ones): a group or
column by its title on the board read again, items by their identity footer in the Description column (one
filtered ``items_page``), children by name / text under their parents; only what is missing is sent again. The
filter is ``contains_text`` on the long-text Description, which monday documents for long text ("partial or
whole text value", developer.monday.com/api-reference/reference/long-text) and both SDLs list in
``ItemsQueryRuleOperator``; a footer that is a prefix of another (``…:a1`` in ``…:a10``) matches both, so
each found item's footer is compared whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from moteur.connectors.create_once import Sent, create_all_once, create_once
from moteur.connectors.http import AmbiguousWrite
from moteur.connectors.migration_loop import Ledger
from moteur.connectors.monday import custom_fields as custom
from moteur.connectors.monday import migration_columns as schema
from moteur.connectors.monday import migration_documents as docs
from moteur.connectors.monday import migration_people as people
from moteur.connectors.monday import migration_tags as tags
from moteur.connectors.monday.daily import DailyLimitExceeded
from moteur.connectors.monday.errors import classify
from moteur.connectors.monday.native import MondayNative
from moteur.connectors.monday.transport import WRITE_COST_PER_ITEM, MondayTransport
from moteur.core.errors import MoteurError, NotFound, RemoteError, SkippableError
from moteur.core.model import ItemRef, Snapshot, Tool
from moteur.core.ops import EnsureField, MigrationOp, OpResult
from moteur.core.policy import Language
from moteur.mappings.schema import BoardMapping, fold
from moteur.redaction import scrub

Aliased = tuple[dict[int, dict[str, Any]], dict[int, MoteurError]]


class MondayMigrator:
    """Applies migration ops to one board (the target); one instance per ``apply_migration`` call, which
    keeps its results and links in ``ledger`` (``connectors/migration_loop.py``)."""

    def __init__(
        self,
        transport: MondayTransport,
        mapping: BoardMapping,
        language: Language,
        snapshot: Snapshot,
        ledger: Ledger,
    ) -> None:
        self.transport, self.mapping, self.language = transport, mapping, language
        state = MondayNative.of_read(snapshot)  # None: a board just created, nothing on it yet
        self.board_id = state.board_id if state is not None and state.board_id else snapshot.board.board
        self.ledger = ledger
        self.targets = ledger.targets
        # Each item's children as this writer adds to them: plain records, the answers of look-ups join them.
        read = state.children if state is not None else None
        self.children: dict[str, dict[str, list[dict[str, Any]]]] = {
            item: children.model_dump(mode="json") for item, children in (read or {}).items()
        }
        self.items = {a.ref.item: a for a in snapshot.actions}
        self.columns: list[dict[str, Any]] = []
        self.groups: dict[str, str] = {}  # folded title -> group id, in board order
        self.users: dict[str, int] = {}  # assignable e-mail (lower case) -> person id
        self.unassignable: dict[str, str] = {}  # e-mail -> why the board cannot take them
        self.sub_board: str | None = None
        self.sub_status: dict[str, Any] | None = None
        self.results: dict[int, OpResult] = ledger.results
        self.claimed = ledger.claimed  # target ids some source key is linked to

    # -- sending ----------------------------------------------------------------------------------------

    def send_aliased(
        self,
        kind: str,
        entries: list[dict[str, Any]],
        what: str,
        *,
        idempotent: bool,
        board: str | None = None,
    ) -> Aliased:
        """One aliased request; (answers, errors) by entry index. ``AmbiguousWrite`` is left to the caller."""
        variables: dict[str, Any] = {"board": board or self.board_id} if kind in docs.NEEDS_BOARD else {}
        for k, entry in enumerate(entries):
            variables.update({f"{name}{k}": value for name, value in entry.items()})
        try:
            answer = self.transport.send(
                docs.aliased(kind, len(entries)),
                variables,
                what=what,
                idempotent=idempotent,
                cost=len(entries) * WRITE_COST_PER_ITEM,  # paced: monday quotes ~10,000 per create
            )
        except (AmbiguousWrite, DailyLimitExceeded):
            raise  # the caller looks up what may exist; the day's calls are used up: the run stops
        except (RemoteError, SkippableError) as exc:
            return {}, dict.fromkeys(range(len(entries)), exc)
        problems = {p.alias: p for p in answer.problems if p.alias}
        answers: dict[int, dict[str, Any]] = {}
        errors: dict[int, MoteurError] = {}
        for k in range(len(entries)):
            data = answer.data.get(docs.alias(k))
            problem = problems.get(docs.alias(k))
            if problem is None and isinstance(data, dict):
                answers[k] = data
            else:
                errors[k] = (
                    classify(problem, f"{what} on board {board or self.board_id}")
                    if problem
                    else RemoteError(f"monday.com answered nothing for {what}", retriable=True)
                )
        return answers, errors

    def note(self, index: int, text: str | None) -> None:
        """A warning for op ``index`` (shown on its result, which stays a success)."""
        self.ledger.note(index, text)

    def created(self, index: int, ref: ItemRef) -> None:
        """Creation ``index`` made or found: linked now (``on_created``: the caller commits it at once)."""
        self.ledger.link(index, ref)

    def ref(self, item_id: str, url: str | None = None, board: str | None = None) -> ItemRef:
        return ItemRef(tool=Tool.MONDAY, board=board or self.board_id, item=str(item_id), url=url)

    # -- schema -----------------------------------------------------------------------------------------

    def load_schema(self, emails: Sequence[str] = ()) -> None:
        variables = {"board": self.board_id, "emails": list(emails), "withUsers": bool(emails)}
        answer = self.transport.send(
            docs.BOARD_SCHEMA, variables, what=f"board {self.board_id}", idempotent=True
        )
        boards = [b for b in answer.data.get("boards") or [] if isinstance(b, dict)]
        if not boards:
            raise NotFound(
                f"monday.com: board {self.board_id} not found (or not shared with the token's user)"
            )
        self.columns = [c for c in boards[0].get("columns") or [] if isinstance(c, dict)]
        self.groups = {}
        for group in boards[0].get("groups") or []:
            self.groups.setdefault(fold(str(group.get("title", ""))), str(group.get("id")))
        if emails:
            self.users, self.unassignable = people.read_people(answer.data.get("users") or [], boards[0])

    def ensure_group(self, name: str, after: str | None) -> str:
        if fold(name) in self.groups:
            return self.groups[fold(name)]
        relative = after or (list(self.groups.values())[-1] if self.groups else None)
        variables = {
            "board": self.board_id,
            "name": name,
            "method": "after_at" if relative else None,
            "relative": relative,
        }

        def create() -> str:
            what = f'group "{name}"'
            answer = self.transport.send(docs.CREATE_GROUP, variables, what=what, idempotent=False)
            group = answer.data.get("create_group")
            if answer.problems or not isinstance(group, dict):
                raise (
                    classify(answer.problems[0], f'group "{name}"')
                    if answer.problems
                    else RemoteError(f'no group "{name}"')
                )
            return str(group["id"])

        def find() -> str | None:
            self.load_schema()
            return self.groups.get(fold(name))

        try:
            self.groups[fold(name)] = create_once(create, find)
        except AmbiguousWrite as exc:
            raise RemoteError(f'monday.com: the group "{name}" could not be created', retriable=True) from exc
        return self.groups[fold(name)]

    def create_groups_at_once(self, names: list[str]) -> None:
        """New groups on a board that has none, in one aliased request.

        monday puts a group created without a position on top of the board, and runs aliased mutations in
        order: so the groups are sent last one first, and read top to bottom in ``names``' order. What an
        ambiguous failure leaves undone is made one by one afterwards (``ensure_group`` looks it up first).
        """
        wanted = [n for n in dict.fromkeys(names) if fold(n) not in self.groups]
        if self.groups or len(wanted) < 2:
            return
        entries = [{"n": name} for name in reversed(wanted)]
        try:
            answers, _ = self.send_aliased("groups", entries, f"{len(wanted)} groups", idempotent=False)
        except AmbiguousWrite:
            self.load_schema()
            return
        for group in reversed(list(answers.values())):
            self.groups.setdefault(fold(str(group.get("title", ""))), str(group.get("id")))

    @property
    def custom(self) -> list[dict[str, Any]]:
        """The board's custom columns (``custom_fields``), as known now."""
        return custom.custom_columns(self.mapping, self.columns)

    def _fields_to_create(self, fields: Sequence[tuple[int, EnsureField]]) -> list[EnsureField]:
        """The custom fields of ``fields`` that no column of the board holds yet and that may be created: a
        title taken by a column a role reads (or the name) is not, as the field would be read as that role."""
        have = {fold(str(c.get("title", ""))) for c in self.columns}
        return [op for _, op in fields if op.field_kind in custom.NEW_TYPE and fold(op.name) not in have]

    def ensure_columns(self, roles: set[str], fields: Sequence[tuple[int, EnsureField]] = ()) -> str | None:
        """Create the columns of ``roles`` and the custom fields the board lacks, all in one aliased request
        (``create_all_once``: after an ambiguous send the board's columns are read again first); the fields'
        results are recorded; what roles could not get, or None."""
        wanted = schema.new_columns(self.mapping)
        have = schema.role_columns(self.mapping, self.columns)
        # Each column to make: how a read finds it (("role", r) or ("title", folded title)), its variables.
        entries: list[tuple[tuple[str, str], dict[str, Any]]] = [
            (
                ("role", r),
                {
                    "t": wanted[r][0],
                    "c": wanted[r][1],
                    "d": schema.column_defaults(r, wanted[r][1], self.language),
                    "e": tags.column_description(self.ledger.ops, r),
                },
            )
            for r in sorted(r for r in roles if r not in have and r in wanted)
        ] + [
            (("title", fold(op.name)), custom.new_column(op.name, op.field_kind, op.options))
            for op in self._fields_to_create(fields)
        ]

        def send(pending: list[tuple[tuple[str, str], dict[str, Any]]]) -> Sent[dict[str, Any]]:
            answers, errors = self.send_aliased(
                "columns", [v for _, v in pending], f"columns of board {self.board_id}", idempotent=False
            )
            unsure = {k: str(e) for k, e in errors.items() if retriable(e)}
            return Sent(answers, unsure, failed={k: str(e) for k, e in errors.items() if not retriable(e)})

        def find(pending: list[tuple[tuple[str, str], dict[str, Any]]]) -> dict[int, dict[str, Any]]:
            self.load_schema()  # a column applied before the cut is found here, not made twice
            found = {("role", r): c for r, c in schema.role_columns(self.mapping, self.columns).items()}
            found |= {("title", fold(str(c.get("title", "")))): c for c in self.columns}
            return {k: found[key] for k, (key, _) in enumerate(pending) if key in found}

        def made(_entry: tuple[tuple[str, str], dict[str, Any]], column: dict[str, Any]) -> None:
            if all(c is not column for c in self.columns):  # a column found is on the board read already
                self.columns.append(column)

        errors = create_all_once(entries, send, find, made)
        problem = next(iter(errors.values()), "not sent")
        self._field_results(fields, problem)
        have = schema.role_columns(self.mapping, self.columns)
        missing = sorted(r for r in roles if r not in have and r in wanted)
        return scrub(f"monday.com: no column for {', '.join(missing)}: {problem}") if missing else None

    def _field_results(self, fields: Sequence[tuple[int, EnsureField]], problem: str) -> None:
        """Each ``EnsureField``: ok when a custom column of its title holds its kind (created or reused)."""
        by_title = {fold(str(c.get("title", ""))): c for c in self.custom}
        taken = {fold(str(c.get("title", ""))) for c in self.columns}
        for index, op in fields:
            column = by_title.get(fold(op.name))
            if column is not None and custom.kind_of(column) is op.field_kind:
                self.ledger.succeed(index)
            elif column is not None:
                kind = column.get("type")
                self.ledger.fail(index, f'the column "{column.get("title")}" is a {kind} column')
            elif fold(op.name) in taken:
                self.ledger.fail(index, f'"{op.name}" is the title of a column moteur reads as a field')
            else:
                self.ledger.fail(index, f'monday.com: no column "{op.name}": {problem}')

    def simple_writes(
        self, kind: str, writes: list[tuple[int, MigrationOp, dict[str, Any]]], board: str | None = None
    ) -> None:
        """Idempotent aliased writes (values, moves, archives); a failure marks its op failed."""
        for start in range(0, len(writes), docs.MAX_BATCH):
            chunk = writes[start : start + docs.MAX_BATCH]
            try:
                _answers, errors = self.send_aliased(
                    kind, [e for _, _, e in chunk], f"{len(chunk)} items", idempotent=True, board=board
                )
            except AmbiguousWrite as exc:  # not raised for idempotent sends; kept for the type checker
                errors = dict.fromkeys(range(len(chunk)), exc)
            errors = self._resend_without_people(kind, chunk, errors, board)
            for k, (index, _, _) in enumerate(chunk):
                if k in errors and not self.ledger.failed(index):
                    self.ledger.fail(index, str(errors[k]))

    def _resend_without_people(
        self,
        kind: str,
        chunk: list[tuple[int, MigrationOp, dict[str, Any]]],
        errors: dict[int, MoteurError],
        board: str | None,
    ) -> dict[int, MoteurError]:
        """Write again, in one aliased request, the entries of ``chunk`` monday refused for a person (without
        that people cell: ``migration_people``); the errors of the chunk afterwards, by position."""
        refused: list[tuple[int, int, dict[str, Any]]] = []
        for k, (index, op, entry) in enumerate(chunk):
            note = people.drop_people(entry, errors.get(k), getattr(op, "title", ""))
            if note is not None:
                self.note(index, note)
                refused.append((k, index, entry))
        if not refused:
            return errors
        _answers, again = self.send_aliased(
            kind, [entry for _, _, entry in refused], f"{len(refused)} items", idempotent=True, board=board
        )
        left = {k: e for k, e in errors.items() if k not in {r[0] for r in refused}}
        left.update({refused[j][0]: e for j, e in again.items()})
        for j, (_, index, _) in enumerate(refused):
            if j not in again:  # written, without the person: a success with its warning
                previous = self.results[index].error if index in self.results else None
                self.ledger.succeed(index, previous)
        return left


def retriable(error: MoteurError) -> bool:
    """A failed alias monday says may pass if sent again (a create is still looked up first)."""
    return isinstance(error, RemoteError) and error.retriable
