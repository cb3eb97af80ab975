"""``moteur migrate SRC DST``: copy a board to another tool or file, preview it, re-run it, resume it.

The work is in ``engine/migration_run`` (orchestration) and ``core/migrate`` (the plan); this module opens
the connectors, reads ``--map-users``, shows progress and renders the counts, the structure and the losses.
"""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from moteur.commands.board_identity import adopt_legacy, canonical_ref
from moteur.commands.context import checked_ref, settings_for
from moteur.commands.sync_command import now_utc, open_store, owner_gone, owner_name
from moteur.connectors.base import open_connector
from moteur.connectors.files.rows import UNSCORED
from moteur.core.errors import UsageError
from moteur.core.migrate import MigrationPlan
from moteur.core.model import Tool
from moteur.core.refs import parse_ref
from moteur.engine.migration_run import (
    NEW,
    MigrationOutcome,
    PreparedMigration,
    apply_prepared,
    prepare_migration,
)
from moteur.i18n import _, tr
from moteur.views.progress import progress_bar

if TYPE_CHECKING:
    from moteur.core.ports import Connector
    from moteur.views.output import Output


def load_user_map(path: Path | None) -> dict[str, str]:
    """``--map-users FILE``: source user (e-mail, username or full name) → target e-mail.

    YAML: a mapping ``{"camille": "camille@example.org"}``. CSV: two columns per line (a header line whose
    second cell has no ``@`` is skipped).
    """
    if path is None:
        return {}
    from moteur.connectors.files.storage import read_board
    from moteur.yaml_reading import AliasRefused, read_yaml

    if not path.is_file():
        raise UsageError(f"--map-users {path}: no such file")
    try:
        # Size-bounded like a board file (storage.MAX_BYTES): a users map is a few lines.
        text = read_board(path).decode("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"--map-users {path}: cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"--map-users {path} is not UTF-8", hint="save it as UTF-8") from exc
    hint = "write one `source: target@e-mail` per line (YAML) or two columns source,target (CSV)"
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        users: dict[str, str] = {}
        for row in csv.reader(io.StringIO(text), dialect):
            cells = [c.strip() for c in row]
            if len(cells) < 2 or not cells[0]:
                continue
            if "@" not in cells[1] and not users:
                continue  # the header line
            users[cells[0]] = cells[1]
        return users
    try:
        loaded = read_yaml(text)  # aliases refused: a users map never needs one, an alias bomb uses them
    except AliasRefused as exc:
        raise UsageError(f"--map-users {path} uses a YAML alias (&/*)", hint=hint) from exc
    except (yaml.YAMLError, RecursionError) as exc:
        raise UsageError(f"--map-users {path} is not valid YAML", hint=hint) from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(f"--map-users {path} is not a mapping of users", hint=hint)
    return {str(k).strip(): str(v).strip() for k, v in loaded.items() if v}


def _requests(*connectors: Connector) -> int:
    return sum(c.request_count() for c in {id(c): c for c in connectors}.values())


def migration_json(
    prepared: PreparedMigration, outcome: MigrationOutcome | None, **more: Any
) -> dict[str, Any]:
    plan = prepared.plan
    target = "new" if prepared.target_is_new else str(prepared.target.board)
    if prepared.target_is_new:
        target = f"{prepared.target.board.tool.value}:new"
    payload: dict[str, Any] = {
        "source": str(prepared.source.board),
        "target": target,
        "created": plan.created,
        "updated": plan.updated,
        "unchanged": plan.unchanged,
        "skipped": plan.skipped,
        "losses": [loss.as_json() for loss in plan.losses],
        "subitems": plan.subitems,
        "comments": plan.comments,
        "subitem_updates": plan.subitem_updates,
        "buckets": list(plan.buckets_to_create),
        "fields": list(plan.fields_to_create),
        "tag_colours": list(plan.tags_to_colour),
        "notes": list(plan.notes),
    }
    if outcome is not None:
        payload["run"] = outcome.run_id
        payload["failed"] = [{"op": f.op.kind, "error": f.error} for f in outcome.failures]
    return payload | more


def render_plan(out: Output, prepared: PreparedMigration, *, dry_run: bool) -> None:
    plan: MigrationPlan = prepared.plan

    def say(text: str) -> None:
        out.out.print(text, markup=False, highlight=False)  # names may hold [brackets]

    target = f"{plan.target.tool.value}:new" if prepared.target_is_new else str(plan.target)
    say(f"Migration {plan.source} → {target}" + (_(" (dry-run: nothing is written)") if dry_run else ""))
    if prepared.target_is_new:
        say("  " + _('a new board "{name}" will be created').format(name=prepared.target.name))
    buckets = plan.buckets_to_create
    if buckets:
        names = ", ".join(f'"{b}"' for b in buckets)
        say("  " + _("structure to create ({n}): {names}").format(n=len(buckets), names=names))
    fields = plan.fields_to_create
    if fields:
        names = ", ".join(f'"{f}"' for f in fields)
        say("  " + _("custom fields to create or extend ({n}): {names}").format(n=len(fields), names=names))
    tags = plan.tags_to_colour
    if tags:
        names = ", ".join(f'"{t}"' for t in tags)
        say("  " + _("label colours to set ({n}): {names}").format(n=len(tags), names=names))
    items = _(
        "items: {created} to create, {updated} to update, {unchanged} unchanged, {skipped} skipped; "
        "{subitems} subitems and {comments} comments to add"
    ).format(
        created=plan.created,
        updated=plan.updated,
        unchanged=plan.unchanged,
        skipped=plan.skipped,
        subitems=plan.subitems,
        comments=plan.comments,
    )
    if plan.subitem_updates:
        items += _(", {n} subitems to update").format(n=plan.subitem_updates)
    say("  " + items)
    if prepared.rebuilt_links:
        say(
            "  " + _("{n} links rebuilt from identity footers on the target").format(n=prepared.rebuilt_links)
        )
    if plan.losses:
        say(_("Losses (what the target cannot hold):"))
        for loss in plan.losses:
            say(f"  - {tr(loss.text())}")
    else:
        say(_("Losses: none"))
    for note in plan.notes:
        say("  " + _("note: {note}").format(note=tr(note)))


def run_migrate(
    out: Output,
    source: str,
    target: str,
    *,
    config: Path | None,
    dry_run: bool,
    json_out: bool,
    include_archived: bool,
    name: str | None,
    workspace: str | None,
    map_users: Path | None,
) -> int:
    settings = settings_for(config)
    source_ref = parse_ref(source)
    if source_ref.board == NEW:
        raise UsageError(f"{source}: a source must be an existing board", hint="only DST may be TOOL:new")
    # Both ids are checked for their shape before any request; `TOOL:new` is the one target not an id.
    source_ref = checked_ref(source)
    target_ref = parse_ref(target)
    if target_ref.board != NEW:
        target_ref = checked_ref(target)
    if source_ref == target_ref or (
        source_ref.tool is Tool.FILE
        and target_ref.tool is Tool.FILE
        and Path(source_ref.board).resolve() == Path(target_ref.board).resolve()
    ):
        raise UsageError(f"{source} is both the source and the target", hint="name another board as DST")
    users = load_user_map(map_users)
    started = time.monotonic()
    source_connector = open_connector(source_ref, settings)
    target_connector = open_connector(target_ref, settings)
    store = open_store(settings)
    try:
        # Each board by its canonical ref, so its links are found whatever name it is given by.
        source_ref = canonical_ref(source_ref, source_connector, store)
        if target_ref.board != NEW:
            target_ref = canonical_ref(target_ref, target_connector, store)
        adopt_legacy(store, [source_ref, target_ref])
        # A connector that cannot migrate refuses at its first migration call (``core/ports.py``).
        source_port, target_port = source_connector, target_connector
        reading = _("reading {source} and {target}").format(source=source_ref, target=target_ref)
        with progress_bar(out.err, None, reading, enabled=out.show_progress):
            prepared = prepare_migration(
                source_port,
                source_ref,
                target_port,
                target_ref,
                store,
                name=name,
                workspace=workspace,
                include_archived=include_archived,
                users=users,
                dry_run=dry_run,
                now=now_utc,
            )
        for warning in prepared.source.warnings:
            if UNSCORED not in warning:  # a source without scores is fine to migrate
                out.warn(f"{source_ref}: {tr(warning)}")
        if dry_run:
            if json_out:
                out.json(migration_json(prepared, None, dry_run=True))
            else:
                render_plan(out, prepared, dry_run=True)
            return 0
        if not json_out and not out.quiet:
            render_plan(out, prepared, dry_run=False)
        total = len(prepared.plan.ops)
        with progress_bar(out.err, total, _("migrating"), enabled=out.show_progress and total > 0) as advance:
            outcome = apply_prepared(
                prepared,
                target_port,
                store,
                now=now_utc,
                owner=owner_name(),
                progress=advance,
                dead=owner_gone,
            )
        seconds = time.monotonic() - started
        requests = _requests(source_connector, target_connector)
        for failure in outcome.failures:
            title = getattr(failure.op, "title", None) or getattr(failure.op, "key", "")
            out.err.print(
                f'failed: {failure.op.kind} "{title}": {failure.error}', markup=False, highlight=False
            )
        if json_out:
            out.json(migration_json(prepared, outcome, requests=requests, seconds=round(seconds, 2)))
        else:
            out.out.print(
                f"Migrated to {prepared.target.board}: {outcome.creates} created, {prepared.plan.updated} "
                f"updated, {len(outcome.failures)} failed, in {requests} requests and {seconds:.1f} s; "
                f"run {outcome.run_id}.",
                markup=False,
            )
        return 0 if outcome.ok else 1
    finally:
        for connector in (source_connector, target_connector):
            connector.close()
        store.close()
