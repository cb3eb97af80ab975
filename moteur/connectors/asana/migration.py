"""The Asana side of ``moteur migrate``: reading a project in full and applying migration ops to it (the
migration contract of ``connectors/migration.py``; what a project can hold is ``capabilities.py``, where a new
one goes ``projects.py``).

Decisions, and why:

- *Done and archived.* Asana has no archive for tasks. A done item becomes a completed task; an archived one
  a task with the tag "archived", completed when it was done too (``Action.archived_done``). ``read_full``
  reads completed tasks always (they are done, and a round trip through Asana must keep them), and tasks
  tagged "archived" only with ``include_archived``. Asana has no archive for sections either: a closed source
  list becomes an open section, named in the loss report (a name suffix such as " (archived)" would rename
  the team's section and be read back as closed from any section a person named so).
- *Description.* Asana's ``notes`` is plain text, the closest to Trello's Markdown and monday's long text:
  the text is carried as is, with the identity footer (``core/identity.py``) as its last line. ``read_full``
  strips the footer and keeps the key in ``extra["moteur_source"]``.
- *Structure.* ``EnsureBucket`` reuses a section of the same name or appends one; a project ``create_board``
  just made has Asana's one "Untitled section", which the first new bucket renames instead of leaving an
  empty section at the top.
- *Requests.* Updates (a subtask's name and done state too) are idempotent and go ten per ``POST /batch``
  (``writer.ItemWriter``); creates go ten per batch in lanes, a long section's tasks several to a batch then
  moved into order (``creates.py``); tags, fields and users are looked up once per call (``task_fields``).
- *Tag colours.* ``EnsureTag`` → the workspace tag created with its colour; one the workspace has keeps its
  own (other projects show it: ``Capabilities.shared_tags``). ``read_full`` reads the colours of its tasks'
  tags in the workspace's tag list (one paged read, none without tags).
- *Custom fields.* ``read_full`` names the project's role-less fields in ``Snapshot.custom_fields`` (number,
  text, enum, date; multi-select, people, formula… are ``FieldKind.OTHER``) and their values in
  ``extra["field:<name>"]`` (a date field's ``date_value`` as ISO text, a moment in UTC). ``EnsureField``
  reuses the project's or the workspace's field of that name or creates it; values ride in the task bodies.

Subtask order: Asana puts a new subtask at the top of its parent's list (``NEW_SUBTASK_ON_TOP``). The spec
does not say it; two public Trello→Asana migrators rely on it: andrewkatz/trello-to-asana ``migrate.rb`` sorts
check items by descending ``pos`` before ``add_subtask``, and davidshimjs/trello2asana ``index.js`` reverses
``checkItems`` (and adds each checklist's title subtask after its items); the sandbox emulates it. So a
parent's subtasks are created last to first. A re-run that resumes a crashed migration keeps the order
(what is left is always the head); a checklist entry added to the source later is created, then moved after
its sibling (``ordered_subtasks``, ``setParent``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping, Sequence
from itertools import pairwise
from typing import Any

from moteur.connectors.asana.creates import COMMENT, ITEM, SUBTASK, Create, CreateRun
from moteur.connectors.asana.history import read_history
from moteur.connectors.asana.mapping import to_snapshot
from moteur.connectors.asana.native import AsanaNative
from moteur.connectors.asana.reader import TASK_FIELDS, list_workspace, read_project
from moteur.connectors.asana.schema import ProjectSchema, fold
from moteur.connectors.asana.task_fields import ARCHIVED_TAG, TaskFields, custom_values_of, decimals
from moteur.connectors.asana.writer import ItemWriter, Write
from moteur.connectors.http import HttpClient
from moteur.connectors.migration_loop import Ledger
from moteur.core.diff import WriteBack
from moteur.core.errors import MoteurError
from moteur.core.identity import split_identity
from moteur.core.labels import is_own_sprint
from moteur.core.model import Action, BoardRef, FieldKind, Snapshot, Status
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
from moteur.mappings.schema import BoardMapping
from moteur.redaction import scrub

DEFAULT_SECTION = "Untitled section"  # the section Asana gives every new project
NEW_SUBTASK_ON_TOP = True  # where POST /tasks/{gid}/subtasks puts the new subtask among its siblings

# -- reading -------------------------------------------------------------------------------------------------


def read_full(
    client: HttpClient, board: BoardRef, mapping: BoardMapping, *, fields_on: bool, include_archived: bool
) -> Snapshot:
    """The project with every task's subtasks and comments, and its tags' colours: 2 + ⌈N/100⌉ +
    ⌈(N + S)/10⌉ requests, + ⌈T/100⌉ for the T tags of the workspace when a task carries one."""
    # A date field's value as data (``date_value``): its display text is formatted for people.
    raw = read_project(client, board.board, (*TASK_FIELDS, "custom_fields.date_value", "num_subtasks"))
    snapshot = to_snapshot(raw, board, mapping, fields_on=fields_on, custom=True)
    tasks = {str(t.get("gid")): t for t in raw.tasks if isinstance(t, dict)}
    kept = [
        action
        for action in map(migrated, snapshot.actions)
        if include_archived or action.status is not Status.ARCHIVED
    ]
    history = read_history(client, [tasks[a.ref.item] for a in kept])
    actions = tuple(
        a.model_copy(
            update={"checklist": history[a.ref.item].checklist, "comments": history[a.ref.item].comments}
        )
        for a in kept
    )
    return snapshot.model_copy(update={"actions": actions, "tag_colours": tag_colours(client, snapshot)})


def tag_colours(client: HttpClient, snapshot: Snapshot) -> dict[str, str | None]:
    """The colour of each tag the project's tasks carry (None: none), as ``Snapshot.tag_colours`` holds it:
    one paged read of the workspace's tags (``name,color``), none for a project without tags. A task's own
    fields cannot give it: the spec's ``opt_fields`` of a task list name ``tags.name``, not ``tags.color``."""
    if not snapshot.tags:
        return {}
    found: dict[str, str | None] = {}
    for tag in list_workspace(client, AsanaNative.of(snapshot).workspace, "tags"):
        name = str(tag.get("name") or "")
        if name in snapshot.tags:
            found.setdefault(name, str(tag["color"]) if tag.get("color") else None)
    return found


def migrated(action: Action) -> Action:
    """An action as a migration reads it: footer out of the description, "archived" tag as the status,
    the "Quadrant" custom field as the quadrant."""
    description, key = split_identity(action.description)
    extra = dict(action.extra)
    if key:
        extra["moteur_source"] = key
    update: dict[str, Any] = {"description": description, "extra": extra}
    quadrant = next(
        (
            extra.pop(k)
            for k in list(extra)
            if k.startswith("field:") and fold(k[len("field:") :]) == "quadrant"
        ),
        None,
    )
    if quadrant:
        update["annotations"] = action.annotations.model_copy(update={"quadrant": str(quadrant)})
    if any(fold(t) == ARCHIVED_TAG for t in action.tags):
        update["tags"] = tuple(t for t in action.tags if fold(t) != ARCHIVED_TAG)
        update["status"] = Status.ARCHIVED
        update["archived_done"] = action.status is Status.DONE  # completed (or in a done section)
    return action.model_copy(update=update)


# -- applying ------------------------------------------------------------------------------------------------


class MigrationWriter:
    """Applies one list of migration ops to one project (the contract: ``connectors/migration.py``)."""

    def __init__(
        self,
        client: HttpClient,
        snapshot: Snapshot,
        mapping: BoardMapping,
        *,
        fields_on: bool,
        users: dict[str, str] | None = None,
    ) -> None:
        if AsanaNative.of_read(snapshot) is None:  # a snapshot the caller built: read the project's schema
            snapshot = to_snapshot(read_project(client, snapshot.board.board), snapshot.board, mapping)
        self.client, self.snapshot = client, snapshot
        self.schema = ProjectSchema(client, snapshot, fields_on=fields_on)
        self.fields = TaskFields(client, self.schema, mapping, users)
        self.task_tags: dict[str, list[str]] = dict(AsanaNative.of(snapshot).task_tags)

    def apply(self, ledger: Ledger) -> list[OpResult]:
        """The ops in waves (schema, updates in batches, creates in lanes: ``creates.py``); their results,
        links and progress in ``ledger`` (``connectors/migration_loop.py``)."""
        ops, targets = ledger.ops, ledger.targets
        errors: dict[int, str] = {}

        def done(*indexes: int) -> None:
            ledger.tick(len(indexes))

        for i, op in enumerate(ops):
            if isinstance(op, EnsureBucket):
                errors.update(self._bucket(i, op))
                done(i)
        for i, op in enumerate(ops):
            if isinstance(op, EnsureField):
                errors.update(self._field(i, op, ops))
                done(i)
        errors.update(self._tag_colours(ops, done))
        items = [
            op
            for op in ops
            if isinstance(op, UpdateItem) or (isinstance(op, CreateItem) and op.key not in targets)
        ]
        self.fields.prepare(items)
        errors.update(self._updates(ops, targets, done))
        errors.update(self._placements(ops, targets, done))
        CreateRun(self.client, self.schema.project, ledger).run(self._creates(ops, targets, errors, done))
        for index, error in errors.items():
            ledger.fail(index, error)
        for index in range(len(ops)):
            if index not in ledger.results:  # nothing went wrong: written, or already there
                ledger.succeed(index)
        return ledger.ordered()

    def _placements(
        self, ops: Sequence[MigrationOp], targets: MutableMapping[str, Any], done: Callable[..., None]
    ) -> dict[int, str]:
        """Each ``PlaceItems``: the tasks its keys link to put in its order, each one out of place moved right
        after its predecessor (``POST /sections/{gid}/addTask`` with ``insert_after``), one at a time since
        each move anchors the next. A task already right after its predecessor stays: a section in order
        costs nothing."""
        failed: dict[int, str] = {}
        shown = [a.ref.item for a in self.snapshot.actions]  # the project's order as the plan read it
        for i, op in enumerate(ops):
            if not isinstance(op, PlaceItems):
                continue
            section = self.schema.section(op.bucket)
            tasks = [str(targets[key].item) for key in op.keys if key in targets]
            wanted = set(tasks)
            order = [gid for gid in shown if gid in wanted]
            try:
                for before, task in pairwise(tasks):
                    if section is None or task not in order or before not in order:
                        continue  # a task the plan's read did not show: the next run places it
                    if order.index(task) == order.index(before) + 1:
                        continue
                    self.client.request_json(
                        "POST",
                        f"/sections/{section}/addTask",
                        json={"data": {"task": task, "insert_after": before}},
                        what=f'the order of section "{op.bucket}"',
                    )
                    order.remove(task)
                    order.insert(order.index(before) + 1, task)
            except MoteurError as exc:
                failed[i] = scrub(str(exc))
            done(i)
        return failed

    def _bucket(self, index: int, op: EnsureBucket) -> dict[int, str]:
        try:
            if self.schema.section(op.name) is None and self._fresh():
                gid = self.schema.sections[0][1]
                self.client.request_json(
                    "PUT", f"/sections/{gid}", json={"data": {"name": op.name}}, what=f'section "{op.name}"'
                )
                self.schema.sections[0] = (op.name, gid)
            else:
                self.schema.ensure_section(op.name)
        except MoteurError as exc:
            return {index: scrub(str(exc))}
        return {}

    def _field(self, index: int, op: EnsureField, ops: Sequence[MigrationOp]) -> dict[int, str]:
        """The project's field ``op.name`` of ``op.field_kind`` with every option of ``op.options``: reused
        (any case) or created in the workspace and put on the project. A new number field shows as many
        decimals as the values this call carries need (0–6), so a value is never rounded."""
        precision = None
        if op.field_kind is FieldKind.NUMBER:
            precision = max((decimals(v) for v in custom_values_of(op.name, ops)), default=0)
        try:
            self.schema.ensure_field(op.name, op.field_kind, op.options, precision=precision, strict=True)
        except MoteurError as exc:
            return {index: scrub(str(exc))}
        return {}

    def _tag_colours(self, ops: Sequence[MigrationOp], done: Callable[..., None]) -> dict[int, str]:
        """Each ``EnsureTag``: its tag made with its colour when the workspace has none of that name. One it
        has keeps its colour: a workspace tag shows in other projects, which are not the migration's
        (``Capabilities.shared_tags``; the plan names those in the loss report)."""
        failed: dict[int, str] = {}
        for i, op in enumerate(ops):
            if not isinstance(op, EnsureTag):
                continue
            try:
                self.schema.ensure_tag(op.name, op.color)
            except MoteurError as exc:
                failed[i] = scrub(str(exc))
            done(i)  # ticked whether it worked or not, as every other wave
        return failed

    def _fresh(self) -> bool:
        """A project as Asana creates it: no task, one section "Untitled section"."""
        only = self.schema.sections
        return not self.snapshot.actions and len(only) == 1 and only[0][0] == DEFAULT_SECTION

    def _updates(
        self, ops: Sequence[MigrationOp], targets: MutableMapping[str, Any], done: Callable[..., None]
    ) -> dict[int, str]:
        writes: list[Write] = []
        failed: dict[int, str] = {}
        for i, op in enumerate(ops):
            if isinstance(op, UpdateSubitem):  # a subtask's name and done state, in the same batches
                data = {"name": op.title, "completed": op.done}
                writes.append(Write("PUT", f"/tasks/{op.target.item}", data, [i]))
                continue
            if not isinstance(op, UpdateItem):
                continue
            task = (targets.get(op.key) or op.target).item
            try:
                writes.extend(self._update_writes(i, task, op))
            except (LookupError, MoteurError) as exc:
                failed[i] = scrub(str(exc))
                done(i)
        writer = ItemWriter(self.client, self.schema, self.task_tags, WriteBack(targets={}))
        remaining: dict[int, int] = {}
        for write in writes:
            remaining[write.ops[0]] = remaining.get(write.ops[0], 0) + 1

        def finished(indexes: list[int]) -> None:
            for w in indexes:
                op_index = writes[w].ops[0]
                remaining[op_index] -= 1
                if remaining[op_index] == 0:
                    done(op_index)

        for w, message in writer.send(writes, finished).items():
            failed.setdefault(writes[w].ops[0], message)
        for i, op in enumerate(ops):
            if isinstance(op, UpdateItem | UpdateSubitem) and i not in failed and i not in remaining:
                done(i)  # nothing to write
        return failed

    def _update_writes(self, index: int, task: str, op: UpdateItem) -> list[Write]:
        writes: list[Write] = []
        body = self.fields.update_body(op)
        if body:
            writes.append(Write("PUT", f"/tasks/{task}", body, [index]))
        if op.bucket:
            section = self.schema.section(op.bucket)
            if section is None:
                raise LookupError(f'the section "{op.bucket}" does not exist in the project')
            writes.append(Write("POST", f"/sections/{section}/addTask", {"task": task}, [index]))
        if {"tags", "status", "sprint"} & set(op.fields):
            current = set(self.task_tags.get(task, []))
            desired = self._desired_tags(current, op)
            writes += [Write("POST", f"/tasks/{task}/addTag", {"tag": g}, [index]) for g in desired - current]
            writes += [
                Write("POST", f"/tasks/{task}/removeTag", {"tag": g}, [index]) for g in current - desired
            ]
        return writes

    def _desired_tags(self, current: set[str], op: UpdateItem) -> set[str]:
        """The task's tags after ``op``: the fields it names replace their part of the current tags."""
        names = {gid: name for name, gid in self.schema.tags.items()}
        keep: set[str] = set()
        for gid in current:
            name = names.get(gid, "")
            # Only moteur's own sprint tags are the sprint's: a team's plain "Sprint 2" is one of its tags.
            is_archived, is_sprint = fold(name) == ARCHIVED_TAG, is_own_sprint(name)
            replaced = (
                ("status" in op.fields and is_archived)
                or ("sprint" in op.fields and not self.schema.fields_on and is_sprint)
                or ("tags" in op.fields and not is_archived and not is_sprint)
            )
            if not replaced:
                keep.add(gid)
        fields = dict(op.fields)
        wanted = set(self.fields.tags_of(fields))
        if "tags" not in op.fields:  # only the archived / sprint tags are asked for
            asked = {ARCHIVED_TAG, fold(str(fields.get("sprint") or ""))} - {""}
            wanted = {t for t in wanted if fold(t) in asked}
        return keep | {self.schema.tags[fold(t)] for t in wanted}

    def _creates(
        self,
        ops: Sequence[MigrationOp],
        targets: MutableMapping[str, Any],
        errors: dict[int, str],
        done: Callable[..., None],
    ) -> list[Create]:
        creates: list[Create] = []
        subtasks: dict[str, list[Create]] = {}
        for i, op in enumerate(ops):
            if isinstance(op, CreateItem | CreateSubitem | AddComment) and op.key in targets:
                done(i)  # already on the target: a re-run skips it
            elif isinstance(op, CreateItem):
                section = self.schema.section(op.bucket) if op.bucket else None
                try:
                    body = self.fields.create_body(op, section)
                except (LookupError, MoteurError) as exc:
                    errors[i] = scrub(str(exc))
                    done(i)
                    continue
                creates.append(Create(i, op.key, ITEM, f"section:{section}", op.title, body))
            elif isinstance(op, CreateSubitem):
                child = Create(i, op.key, SUBTASK, f"subtasks:{op.parent_key}", op.title, {}, op.parent_key)
                child.data = {"name": op.title, "completed": op.done}
                subtasks.setdefault(op.parent_key, []).append(child)
            elif isinstance(op, AddComment):
                creates.append(
                    Create(
                        i, op.key, COMMENT, f"comments:{op.item_key}", op.text, {"text": op.text}, op.item_key
                    )
                )
        for parent, children in subtasks.items():
            creates.extend(ordered_subtasks(parent, children, targets))
        return creates


def _rank(key: str) -> int | None:
    """The place of a checklist entry in its source checklist, from its key "<parent key>#check:<n>"."""
    _, _, number = key.rpartition("#check:")
    return int(number) if number.isdigit() else None


def ordered_subtasks(parent: str, children: list[Create], linked: Iterable[str]) -> list[Create]:
    """One parent's new subtasks in the order to create them, each told the sibling to follow when needed.

    A new subtask goes on top of its siblings (``NEW_SUBTASK_ON_TOP``). With no sibling on the target yet the
    last is created first. Otherwise the new ones ranked before every sibling already there are created last
    first, and each of the others is moved after the sibling just before it in the source.
    """
    if not NEW_SUBTASK_ON_TOP:
        return children
    prefix = f"{parent}#check:"
    there = {r: k for k in linked if k.startswith(prefix) and (r := _rank(k)) is not None}
    ranks = {c.key: _rank(c.key) for c in children}
    if not there or None in ranks.values():
        return list(reversed(children))
    first = min(there)
    top = [c for c in children if (ranks[c.key] or 0) < first]
    rest = [c for c in children if (ranks[c.key] or 0) > first]
    keys = {**there, **{ranks[c.key] or 0: c.key for c in children}}
    for child in rest:
        rank = ranks[child.key] or 0
        child.after_key = keys[max(r for r in keys if r < rank)]
    return [*reversed(top), *rest]
