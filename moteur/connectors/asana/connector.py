"""``AsanaConnector``: the connector interface (``core/ports.py``) for Asana projects
(``asana:<project gid>``).

Reads with ``reader`` (2 + ⌈N/100⌉ requests), maps with ``mapping`` through ``mappings/asana.yaml``, creates
sections / fields / options / tags with ``schema`` and writes item ops with ``writer`` (packed ten to a
``POST /batch``). Write-back: the quadrant in the enum custom field "Quadrant" (or sections of a
companion project, or of the project itself when it is moteur's to arrange: ``quadrants.py``), the sprint in
the enum custom field "Sprint", ICE in the number custom field "ICE". Without custom fields (a free workspace:
``asana_tier = "free"``, or a 402 met while writing) the quadrant goes to the companion project, the sprint to
tags "Sprint N", and ICE is skipped, with one warning. The team's own sections are never left by a task.
"""

from __future__ import annotations

import math
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from moteur.connectors.asana import access, account, companion, migration, projects
from moteur.connectors.asana import capabilities as asana_capabilities
from moteur.connectors.asana import incremental as changes
from moteur.connectors.asana.mapping import to_snapshot
from moteur.connectors.asana.native import AsanaNative
from moteur.connectors.asana.quadrant_writes import QuadrantWrites
from moteur.connectors.asana.quadrants import Place, describe, place_of, quadrant_field
from moteur.connectors.asana.reader import read_project
from moteur.connectors.asana.schema import ProjectSchema
from moteur.connectors.asana.transport import PER_MINUTE, asana_client, pace, tier_of
from moteur.connectors.asana.write_pacing import BATCH_SIZE
from moteur.connectors.asana.writer import ItemWriter
from moteur.connectors.http import HttpClient
from moteur.connectors.http_backed import HttpBacked
from moteur.connectors.migration_loop import Ledger
from moteur.core.checks import Check
from moteur.core.diff import WriteBack
from moteur.core.errors import MoteurError
from moteur.core.model import BoardRef, ItemRef, Snapshot, Tool
from moteur.core.ops import (
    EnsureBucket,
    EnsureField,
    EnsureTag,
    ItemOp,
    Landed,
    MigrationOp,
    OpResult,
    Placement,
    SchemaOp,
    SetTags,
)
from moteur.core.phrase import Phrase
from moteur.core.ports import Capabilities, ChangeSet, Credential, Listing, ToolDescription
from moteur.mappings.loader import load_mapping
from moteur.mappings.schema import BoardMapping, WriteTargetKind
from moteur.redaction import scrub
from moteur.runtime import Runtime

if TYPE_CHECKING:
    from moteur.settings import Settings

FREE_WARNING = (
    "custom fields are not available on this Asana workspace (free tier): the sprint is written as a tag "
    '"Sprint N" and ICE is not written'
)
# What the companion project holds, and why the quadrant goes there (the dry-run's words).
COMPANION_FREE = Phrase(" (a section per quadrant; free workspace: no custom fields)")
COMPANION_ASKED = Phrase(" (a section per quadrant: the mapping asks for sections)")
FREE_QUADRANT = (
    ' (the quadrant goes to sections of the companion project "{name}", each one also added there)'
)

_TARGETS = {
    WriteTargetKind.LABEL: Placement.TAG,
    WriteTargetKind.TAG: Placement.TAG,
    WriteTargetKind.CUSTOM_FIELD: Placement.FIELD,
    WriteTargetKind.COLUMN: Placement.FIELD,
    WriteTargetKind.SECTION: Placement.BUCKET,
}


class AsanaConnector(HttpBacked):
    tool = Tool.ASANA
    native_model = AsanaNative

    def __init__(
        self,
        settings: Settings,
        *,
        http: HttpClient | None = None,
        workers: int = 2,
        runtime: Runtime | None = None,
    ) -> None:
        override = settings.mappings.get("asana")
        self.mapping: BoardMapping = load_mapping(Tool.ASANA, Path(override) if override else None)
        self.language = settings.language
        self.tier = settings.asana_tier
        self.http = http or asana_client(settings, runtime=runtime)
        self.workers = workers
        # Custom fields can be written unless the settings say the workspace is free or Asana answered 402.
        self.fields_on = settings.asana_tier != "free"
        self._placements: dict[
            str | None, projects.Placement
        ] = {}  # --workspace (or None) -> where to create
        self._created: dict[str, projects.Placement] = {}  # project gid -> where ``create_board`` made it
        self._read: Snapshot | None = None  # the latest snapshot read

    @classmethod
    def describe(cls) -> ToolDescription:
        return ToolDescription(
            tool=Tool.ASANA,
            name="Asana",
            board="project",
            bucket="section",
            item="task",
            batch_size=BATCH_SIZE,
            rate_limit=f"{PER_MINUTE['paid']:,} requests a minute per token "
            f"({PER_MINUTE['free']:,} on a free workspace)",
            incremental=True,
            credentials=(Credential("MOTEUR_ASANA_TOKEN", "asana_token"),),
        )

    def mapped_with(self) -> object:
        return self.mapping.model_dump(mode="json")

    def reachable_boards(self) -> Listing:
        return account.reachable_projects(self.http, account.whoami(self.http))

    def check_access(self, boards: Sequence[BoardRef]) -> list[Check]:
        return access.check_access(self.http, boards, self.tier)

    def read(self, board: BoardRef) -> Snapshot:
        place = place_of(self.mapping, fields_on=self.fields_on)
        raw = read_project(self.http, board.board)
        snapshot = to_snapshot(raw, board, self.mapping, fields_on=self.fields_on, place=place)
        if place is Place.COMPANION:
            snapshot = companion.looked_up(self.http, snapshot, self.language)
        return self._warned(snapshot)

    def cursor_of(self, board: BoardRef) -> str | None:
        return changes.cursor_of(self.http, board)

    def read_changes(self, board: BoardRef, cached: Snapshot, cursor: str) -> ChangeSet | None:
        found = changes.read_changes(
            self,
            self.http,
            board,
            cached,
            cursor,
            self.mapping,
            fields_on=self.fields_on,
            place=place_of(self.mapping, fields_on=self.fields_on),
        )
        if found is None:
            return None
        return ChangeSet(self._warned(found.snapshot), found.cursor, found.requests)

    def feed_worth_reading(self, items: int, written: int) -> bool:
        return changes.feed_worth_reading(items, written)

    def _warned(self, snapshot: Snapshot) -> Snapshot:
        wants_fields = any(
            t.kind is WriteTargetKind.CUSTOM_FIELD for t in self.mapping.writeback.targets().values()
        )
        if not self.fields_on and wants_fields:
            warning = FREE_WARNING
            if place_of(self.mapping, fields_on=False) is Place.COMPANION:
                name = companion.project_of(self.http, snapshot, self.language).name
                warning += FREE_QUADRANT.format(name=name)
            snapshot = snapshot.model_copy(update={"warnings": (*snapshot.warnings, warning)})
        self._read = snapshot  # what ``estimate`` says the quadrant's place of
        return snapshot

    @staticmethod
    def _fields_on(snapshot: Snapshot) -> bool:
        """Whether the read found custom fields writable; a project just created: as far as it knows."""
        state = AsanaNative.of_read(snapshot)
        return state is None or state.fields_on

    def writeback(self, snapshot: Snapshot) -> WriteBack:
        fields_on = self.fields_on and self._fields_on(snapshot)
        targets: dict[str, Placement] = {}
        names: dict[str, str] = {}
        skip: set[str] = set()
        for name, target in self.mapping.writeback.targets().items():
            if target.kind is WriteTargetKind.CUSTOM_FIELD and not fields_on:
                if target.fallback is None:
                    skip.add(name)
                    targets[name] = Placement.FIELD
                    continue
                target = target.fallback
            targets[name] = _TARGETS[target.kind]
            if target.name:
                names[name] = target.name
        held: Phrase | None = None
        if place_of(self.mapping, fields_on=fields_on) is Place.COMPANION:
            # A value a task may lack (not in the companion yet), not its bucket: ``quadrant_writes.py``.
            targets["quadrant"] = Placement.FIELD
            names["quadrant"] = companion.project_of(self.http, snapshot, self.language).name
            held = COMPANION_FREE if not self._fields_on(snapshot) else COMPANION_ASKED
        return WriteBack(
            targets=targets, language=self.language, skip=frozenset(skip), field_names=names, companion=held
        )

    def apply(
        self,
        snapshot: Snapshot,
        schema_ops: Sequence[SchemaOp],
        item_ops: Sequence[ItemOp],
        progress: Landed | None = None,
    ) -> list[OpResult]:
        """Schema ops in order, then the item ops in batches; one ``OpResult`` per op, in the ops' order."""
        fields_on = self.fields_on and self._fields_on(snapshot)
        schema = ProjectSchema(self.http, snapshot, fields_on=fields_on)
        place = place_of(self.mapping, fields_on=fields_on)
        quadrants = QuadrantWrites(
            place,
            schema,
            companion.project_of(self.http, snapshot, self.language),
            {a.ref.item: a.bucket for a in snapshot.actions},
        )
        results = [self._schema_op(schema, op, quadrants) for op in schema_ops]
        task_tags = dict(AsanaNative.of(snapshot).task_tags)
        writer = ItemWriter(self.http, schema, task_tags, self.writeback(snapshot))
        writer.workers = self.workers
        writer.quadrants = quadrants
        writes, failed = writer.writes(item_ops)
        remaining = [0] * len(item_ops)
        for write in writes:
            for i in write.ops:
                remaining[i] += 1
        if progress is not None and any(n == 0 for n in remaining):  # refused up front, or nothing to send
            progress(
                [
                    OpResult(op, i not in failed, failed.get(i))
                    for i, op in enumerate(item_ops)
                    if not remaining[i]
                ]
            )

        def done(indexes: list[int]) -> None:
            finished: list[OpResult] = []
            for w in indexes:
                for i in writes[w].ops:
                    remaining[i] -= 1
                    if w in writer.errors:  # final for a finished write: an op fails with any of its writes
                        failed.setdefault(i, writer.errors[w])
                    if remaining[i] == 0:
                        finished.append(OpResult(item_ops[i], i not in failed, failed.get(i)))
            if progress is not None and finished:
                progress(finished)

        errors = writer.send(writes, done)
        for w, message in errors.items():
            for i in writes[w].ops:
                failed.setdefault(i, message)
        self.fields_on = self.fields_on and schema.fields_on  # a 402 is remembered for the next read
        results.extend(OpResult(op, i not in failed, failed.get(i)) for i, op in enumerate(item_ops))
        return results

    def _schema_op(self, schema: ProjectSchema, op: SchemaOp, quadrants: QuadrantWrites) -> OpResult:
        try:
            if isinstance(op, EnsureField) and quadrants.holds(op.name):
                quadrants.ensure_companion(op.options)  # the project and a section per quadrant
            elif isinstance(op, EnsureBucket):
                schema.ensure_section(op.name)
            elif isinstance(op, EnsureField):
                schema.ensure_field(op.name, op.field_kind, op.options)
            else:
                schema.ensure_tag(op.name, op.color)
        except MoteurError as exc:
            return OpResult(op, False, scrub(str(exc)))
        return OpResult(op, True)

    def estimate(self, schema_ops: Sequence[SchemaOp], item_ops: Sequence[ItemOp]) -> str:
        """The requests ``apply`` would send, and the time Asana's rate limit makes them take at least."""
        creates = sum(
            2 if isinstance(op, EnsureField) else 1
            for op in schema_ops
            if isinstance(op, EnsureBucket | EnsureField | EnsureTag)
        )
        # A task's field values share one PUT; a quadrant going to the companion is a write of its own.
        alone = place_of(self.mapping, fields_on=self.fields_on) is Place.COMPANION
        put = [op for op in item_ops if op.kind == "update_fields" and not (alone and op.field == "quadrant")]
        writes = len({op.item.item for op in put}) + sum(
            len(op.add) + len(op.remove) if isinstance(op, SetTags) else 1
            for op in item_ops
            if op.kind != "update_fields" or (alone and op.field == "quadrant")
        )
        creates += self._companion_sections(schema_ops)
        creates += any(
            isinstance(op, EnsureTag) for op in schema_ops
        )  # the workspace's tags, read once first
        requests = creates + math.ceil(writes / BATCH_SIZE)
        quota = creates + writes  # a batch costs one unit of quota per action
        tier = tier_of(self.http)  # the settings' tier, or "free" once Asana answered a 402
        minutes = max(0, math.ceil(quota / pace(tier)) - 1)
        seconds = minutes * 60 + requests * 0.2  # ~200 ms per call on a normal link
        return Phrase.counted(
            "≈ {requests} request, ≈ {seconds} s at Asana's rate limit ({tier}: {pace:,} a minute); "
            "{quadrant}",
            "≈ {requests} requests, ≈ {seconds} s at Asana's rate limit ({tier}: {pace:,} a minute); "
            "{quadrant}",
            "requests",
            requests=requests,
            seconds=max(1, round(seconds)),
            tier=tier,
            pace=pace(tier),
            quadrant=self._quadrant_note(),
        )

    def _companion_sections(self, schema_ops: Sequence[SchemaOp]) -> int:
        """The sections of a companion project still to create: its ``EnsureField`` (counted as two: the
        project, and the read of the section Asana gives it) makes one per quadrant too (the first one
        renames Asana's)."""
        if self._read is None or place_of(self.mapping, fields_on=self.fields_on) is not Place.COMPANION:
            return 0
        name = companion.project_of(self.http, self._read, self.language).name
        return sum(len(op.options) for op in schema_ops if isinstance(op, EnsureField) and op.name == name)

    def _quadrant_note(self) -> str:
        """Where the quadrant goes on the project read last, and why: the dry-run shows it."""
        place = place_of(self.mapping, fields_on=self.fields_on)
        read = self._read
        if read is None:
            return describe(place, project="", field="", companion="", exists=True, free=not self.fields_on)
        there = companion.project_of(self.http, read, self.language)
        return describe(
            place,
            project=read.name,
            field=quadrant_field(self.mapping),
            companion=there.name,
            exists=there.known.gid is not None,
            free=not self.fields_on,
        )

    # -- migration (``moteur migrate``): see ``migration.py`` ------------------------------------------------

    def capabilities(self, target: Snapshot | None = None, *, workspace: str | None = None) -> Capabilities:
        """What a project holds, and the e-mails of the people its workspace can assign: those the full read
        of ``target`` found (``read_full``), or, for a project still to create, those of ``workspace`` or the
        token's only one — and, in an organization, the team the project goes to, named in the plan's notes
        (also for the project ``create_board`` just made)."""
        where: projects.Placement | None = None
        note: str | None = None
        if target is not None:
            where = self._created.get(target.board.board)
            state = AsanaNative.of_read(target)
            users = state.users if state is not None else None
        else:
            try:
                where = self._placement(workspace)
                users = self._workspace_users(where.workspace)
            except MoteurError as exc:  # several workspaces and none named, or no team: the plan says so
                users = None
                note = Phrase("the new project cannot be created: {error}", error=scrub(str(exc)))
        found = asana_capabilities.capabilities(
            fields_on=self.fields_on, emails=frozenset(users) if users is not None else None
        )
        note = where.note if where is not None else note
        return replace(found, notes=(*found.notes, note)) if note else found

    def _placement(self, workspace: str | None) -> projects.Placement:
        if workspace not in self._placements:
            self._placements[workspace] = projects.placement(self.http, workspace)
        return self._placements[workspace]

    def _workspace_users(self, workspace: str | None) -> dict[str, str] | None:
        """The people of ``workspace`` (folded e-mail → gid), or None when they cannot be told (the plan
        then reports no unknown assignee before the run)."""
        if not workspace:
            return None
        try:
            return asana_capabilities.workspace_users(self.http, workspace)
        except MoteurError:
            return None

    def read_full(self, board: BoardRef, *, include_archived: bool = False) -> Snapshot:
        """The project in full, with the people of its workspace (one paged read): what ``capabilities``
        says it can assign, and the users ``apply_migration`` assigns."""
        snapshot = migration.read_full(
            self.http, board, self.mapping, fields_on=self.fields_on, include_archived=include_archived
        )
        state = AsanaNative.of(snapshot)
        users = self._workspace_users(state.workspace)
        return snapshot.model_copy(update={"native": state.model_copy(update={"users": users}).dump()})

    def create_board(self, name: str, workspace: str | None = None) -> BoardRef:
        """A new project ``name`` in ``workspace`` (the token's only one when None), in an organization shared
        with the user's first team there (``projects.py``)."""
        where = self._placement(workspace)
        board = projects.create_project(self.http, name, where)
        self._created[board.board] = where
        return board

    def apply_migration(
        self,
        snapshot: Snapshot,
        ops: Sequence[MigrationOp],
        targets: MutableMapping[str, ItemRef],
        *,
        on_created: Callable[[str, ItemRef], None],
        progress: Callable[[int], None] | None = None,
    ) -> list[OpResult]:
        state = AsanaNative.of_read(snapshot)
        users = state.users if state is not None else None
        writer = migration.MigrationWriter(
            self.http, snapshot, self.mapping, fields_on=self.fields_on, users=users
        )
        results = writer.apply(Ledger(ops, targets, on_created, progress))
        self.fields_on = self.fields_on and writer.schema.fields_on  # a 402 is remembered
        return results
