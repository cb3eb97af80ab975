"""The monday.com migration port's writes into one board: ``apply_migration`` (see
``connectors/migration.py`` for the contract; ``history`` reads a board in full, ``migration_target`` holds
the capabilities and ``create_board``).

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
   ``migration_columns``; a custom column of the same title and kind is reused — ``custom_fields``);
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

The waves are run by ``migration_apply``; this module holds the board-level steps and the item creates.

*Never doubled*: an op whose key is in ``targets`` is skipped (``ok``). A child already under its parent
(a subitem of that name, an update of that text, not linked to another key) is linked, not created again.
A create whose request failed ambiguously (``AmbiguousWrite``: timeout, connection cut after sending, 5xx)
is looked up before any resend: items by their identity footer in the Description column (one filtered
``items_page``), children by name / text under their parents; only what is missing is sent again. The
filter is ``contains_text`` on the long-text Description, which monday documents for long text ("partial or
whole text value", developer.monday.com/api-reference/reference/long-text) and both SDLs list in
``ItemsQueryRuleOperator``; a footer that is a prefix of another (``…:a1`` in ``…:a10``) matches both, so
each found item's footer is compared whole.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

from moteur.connectors.http import AmbiguousWrite
from moteur.connectors.monday import custom_fields as custom
from moteur.connectors.monday import migration_columns as schema
from moteur.connectors.monday import migration_documents as docs
from moteur.connectors.monday import migration_people as people
from moteur.connectors.monday.daily import DailyLimitExceeded
from moteur.connectors.monday.errors import classify
from moteur.connectors.monday.transport import WRITE_COST_PER_ITEM, MondayTransport
from moteur.core.errors import MoteurError, NotFound, RemoteError, SkippableError
from moteur.core.identity import FOOTER_PREFIX, split_identity
from moteur.core.model import ItemRef, Snapshot, Tool
from moteur.core.ops import CreateItem, EnsureField, MigrationOp, OpResult
from moteur.core.policy import Language
from moteur.mappings.schema import BoardMapping, fold
from moteur.redaction import scrub

CREATE_ATTEMPTS = 4  # sends of one create in all, each after a look-up once one failed ambiguously
Aliased = tuple[dict[int, dict[str, Any]], dict[int, MoteurError]]


class MondayMigrator:
    """Applies migration ops to one board (the target); one instance per ``apply_migration`` call."""

    def __init__(
        self,
        transport: MondayTransport,
        mapping: BoardMapping,
        language: Language,
        snapshot: Snapshot,
        targets: MutableMapping[str, ItemRef],
        on_created: Callable[[str, ItemRef], None],
    ) -> None:
        self.transport, self.mapping, self.language = transport, mapping, language
        self.board_id = str(snapshot.native.get("board_id") or snapshot.board.board)
        self.targets, self.on_created = targets, on_created
        self.children: dict[str, dict[str, list[dict[str, Any]]]] = dict(snapshot.native.get("children", {}))
        self.items = {a.ref.item: a for a in snapshot.actions}
        self.columns: list[dict[str, Any]] = []
        self.groups: dict[str, str] = {}  # folded title -> group id, in board order
        self.users: dict[str, int] = {}  # assignable e-mail (lower case) -> person id
        self.unassignable: dict[str, str] = {}  # e-mail -> why the board cannot take them
        self.notes: dict[int, str] = {}  # op index -> warning on a successful op (someone not assigned)
        self.sub_board: str | None = None
        self.sub_status: dict[str, Any] | None = None
        self.results: dict[int, OpResult] = {}
        self.claimed = {ref.item for ref in targets.values()}  # target ids some source key is linked to

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

    def _done(
        self,
        index: int,
        op: MigrationOp,
        ok: bool = True,
        error: str | None = None,
        created: ItemRef | None = None,
    ) -> None:
        if ok:  # a success keeps its warnings
            error = "; ".join(dict.fromkeys(filter(None, (error, self.notes.get(index))))) or None
        self.results[index] = OpResult(op, ok, scrub(error) if error else None, created)

    def note(self, index: int, text: str | None) -> None:
        """A warning for op ``index`` (shown on its result, which stays a success)."""
        if text:
            self.notes[index] = "; ".join(filter(None, (self.notes.get(index), text)))

    def created(self, index: int, op: MigrationOp, key: str, ref: ItemRef) -> None:
        self.targets[key] = ref
        self.claimed.add(ref.item)
        self.on_created(key, ref)
        self._done(index, op, created=ref)

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
        for attempt in range(CREATE_ATTEMPTS):
            if attempt:
                self.load_schema()
                if fold(name) in self.groups:
                    return self.groups[fold(name)]
            try:
                answer = self.transport.send(
                    docs.CREATE_GROUP, variables, what=f'group "{name}"', idempotent=False
                )
            except AmbiguousWrite:
                continue
            group = answer.data.get("create_group")
            if answer.problems or not isinstance(group, dict):
                raise (
                    classify(answer.problems[0], f'group "{name}"')
                    if answer.problems
                    else RemoteError(f'no group "{name}"')
                )
            self.groups[fold(name)] = str(group["id"])
            return str(group["id"])
        raise RemoteError(f'monday.com: the group "{name}" could not be created', retriable=True)

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
        (looked up if ambiguous); the fields' results are recorded; what roles could not get, or None."""
        wanted = schema.new_columns(self.mapping)
        problem = "not sent"
        for _ in range(CREATE_ATTEMPTS):
            have = schema.role_columns(self.mapping, self.columns)
            missing = sorted(r for r in roles if r not in have and r in wanted)
            new_fields = self._fields_to_create(fields)
            if not missing and not new_fields:
                break
            entries = [
                {
                    "t": wanted[r][0],
                    "c": wanted[r][1],
                    "d": schema.column_defaults(r, wanted[r][1], self.language),
                }
                for r in missing
            ] + [custom.new_column(op.name, op.field_kind, op.options) for op in new_fields]
            try:
                answers, errors = self.send_aliased(
                    "columns", entries, f"columns of board {self.board_id}", idempotent=False
                )
            except AmbiguousWrite as exc:
                problem = str(exc)
                self.load_schema()  # a column applied before the cut is found here, not made twice
                continue
            self.columns.extend(answers.values())
            if errors:
                problem = str(next(iter(errors.values())))
                if not any(retriable(e) for e in errors.values()):
                    break
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
                self._done(index, op)
            elif column is not None:
                self._done(
                    index, op, False, f'the column "{column.get("title")}" is a {column.get("type")} column'
                )
            elif fold(op.name) in taken:
                self._done(index, op, False, f'"{op.name}" is the title of a column moteur reads as a field')
            else:
                self._done(index, op, False, f'monday.com: no column "{op.name}": {problem}')

    # -- items ------------------------------------------------------------------------------------------

    def find_items(self, keys: list[str]) -> dict[str, ItemRef]:
        """Items of the board whose identity footer is one of ``keys`` (one filtered query)."""
        column = schema.role_columns(self.mapping, self.columns).get("description")
        if column is None or not keys:
            return {}
        rules = [
            {"column_id": column["id"], "compare_value": [FOOTER_PREFIX + k], "operator": "contains_text"}
            for k in keys
        ]
        variables = {
            "board": self.board_id,
            "limit": 500,
            "query": {"rules": rules, "operator": "or"},
            "columns": [column["id"]],
        }
        answer = self.transport.send(
            docs.FIND_BY_IDENTITY, variables, what="items by identity", idempotent=True
        )
        found: dict[str, ItemRef] = {}
        for board in answer.data.get("boards") or []:
            for item in (board.get("items_page") or {}).get("items") or []:
                for cell in item.get("column_values") or []:
                    key = split_identity(cell.get("text"))[1]
                    if key in keys and key not in found:
                        found[key] = self.ref(item["id"], item.get("url"))
        return found

    def create_items(self, batch: list[tuple[int, CreateItem, dict[str, Any]]]) -> list[str]:
        """Create ``(index, op, entry)``; the ids of the items created (or found) for archived sources."""
        archive: list[str] = []
        pending, error = batch, "not sent"
        look = False  # whether the last send may have created something (then look before sending again)
        for attempt in range(CREATE_ATTEMPTS):
            if attempt and look:
                found = self.find_items([op.key for _, op, _ in pending])
                for index, op, _ in pending:
                    if op.key in found:
                        self.created(index, op, op.key, found[op.key])
                        if op.fields.get("status") == "archived":
                            archive.append(found[op.key].item)
                pending = [p for p in pending if p[1].key not in found]
                if not pending:
                    break
            try:
                answers, errors = self.send_aliased(
                    "items", [e for _, _, e in pending], f"{len(pending)} items", idempotent=False
                )
            except AmbiguousWrite as exc:
                error, look = str(exc), True
                continue
            again, look = [], False
            for k, (index, op, entry) in enumerate(pending):
                problem = errors.get(k)
                if k in answers:
                    self.created(index, op, op.key, self.ref(answers[k]["id"], answers[k].get("url")))
                    if op.fields.get("status") == "archived":
                        archive.append(str(answers[k]["id"]))
                elif people.drop_people(self, index, op.title, entry, problem):
                    again.append((index, op, entry))  # refused as a whole, created by nothing: send again
                    error = str(problem)
                elif problem is not None and retriable(problem):
                    again.append((index, op, entry))
                    error, look = str(problem), True
                else:
                    self._done(index, op, False, str(problem))
            pending = again
            if not pending:
                break
        for index, op, _ in pending:
            self._done(index, op, False, error)
        return archive

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
            errors = people.resend_without_people(self, kind, chunk, errors, board)
            for k, (index, op, _) in enumerate(chunk):
                if k in errors and (index not in self.results or self.results[index].ok):
                    self._done(index, op, False, str(errors[k]))


def retriable(error: MoteurError) -> bool:
    """A failed alias monday says may pass if sent again (a create is still looked up first)."""
    return isinstance(error, RemoteError) and error.retriable
