"""The plan as people read it — like ``terraform plan`` — and as machines read it (``--json``).

Human form: a legend of the symbols used, the schema changes, one block per item
(``# trello card "Webinar SEO" will be updated``) with ``~ quadrant = "Fill-in" -> "Quick win"`` lines, the
pins, the flags, the request estimate, then ``Plan: N to create, N to update, N to remove, N conflicts.`` or
``No changes.``

Titles, names and reasons come from the boards: every line is built from ``Text`` (``plain``), never
from markup, so a title like ``[/x]`` prints as written and a control character as a visible stand-in.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rich.console import Console
from rich.text import Text

from moteur import __version__
from moteur.core.model import Tool
from moteur.core.ops import EnsureBucket, EnsureField, EnsureTag, ItemOp, SchemaOp
from moteur.core.sync import BoardPlan, SyncPlan
from moteur.views.plan_json import FORMAT_VERSION, actions_json, sprints_json
from moteur.views.terminal import plain

ITEM_NOUN = {Tool.TRELLO: "card", Tool.ASANA: "task", Tool.MONDAY: "item", Tool.FILE: "row"}
SCHEMA_NOUN = {
    Tool.TRELLO: {"tag": "label", "bucket": "list", "field": "custom field"},
    Tool.ASANA: {"tag": "tag", "bucket": "section", "field": "custom field"},
    Tool.MONDAY: {"tag": "label", "bucket": "group", "field": "column"},
    Tool.FILE: {"tag": "tag", "bucket": "bucket", "field": "column"},
}


def _q(value: str | None) -> str:
    return "(none)" if value is None else f'"{value}"'


def _schema_kind(op: SchemaOp) -> str:
    if isinstance(op, EnsureTag):
        return "tag"
    if isinstance(op, EnsureBucket):
        return "bucket"
    return "field"


def _where(board: BoardPlan) -> str:
    ref = board.snapshot.board
    if ref.tool is Tool.FILE:
        return f"file {ref.board.rsplit('/', 1)[-1]}"
    return f"{ref.tool.value} {board.snapshot.name or ref.board}"


def render_dry_run(
    console: Console, sync_plan: SyncPlan, *, estimate: str | None = None, max_items: int | None = None
) -> None:
    """Print the plan; with ``max_items``, only that many item blocks per board (the rest counted)."""
    boards = sync_plan.boards
    symbols = set()
    for b in boards:
        if b.plan.schema_ops:
            symbols.add("+")
        if b.plan.item_ops:
            symbols.add("~")
        if b.plan.conflicts:
            symbols.add("!")
    if symbols:
        console.print("moteur will perform the following actions. Symbols:")
        legend = {"+": "create", "~": "update in place", "!": "conflict: changed by hand, rewritten"}
        style = {"+": "green", "~": "yellow", "!": "red"}
        for sym in ("+", "~", "!"):
            if sym in symbols:
                console.print(Text(f"  {sym} ", style=style[sym]) + Text(legend[sym]))
        console.print()
    for b in boards:
        render_board(console, b, max_items)
    pins = [p for b in boards for p in b.plan.pinned]
    if pins:
        console.print(Text("Pinned by hand (kept):", style="bold"))
        for p in pins:
            shown = p.sprint or "no sprint"
            was = f" (moteur wrote {p.written})" if p.written else ""
            console.print(plain(f'  = "{p.title}": {shown}{was}'))
        console.print()
    if estimate:
        console.print(plain(estimate, style="dim"))
    if sync_plan.empty:
        console.print(Text("No changes.", style="bold green") + Text(" The boards match the plan."))
        return
    s = sync_plan.summary()
    console.print(
        Text("Plan: ", style="bold")
        + Text(
            f"{s['create']} to create, {s['update']} to update, {s['remove']} to remove, "
            f"{s['conflicts']} conflicts."
        )
    )


def render_board(console: Console, board: BoardPlan, max_items: int | None = None) -> None:
    tool = board.snapshot.board.tool
    nouns = SCHEMA_NOUN[tool]
    where = _where(board)
    by_kind: dict[str, list[SchemaOp]] = defaultdict(list)
    for op in board.plan.schema_ops:
        by_kind[nouns[_schema_kind(op)]].append(op)
    for kind_noun, schema_ops in by_kind.items():
        plural = f"{kind_noun}s" if len(schema_ops) > 1 else kind_noun
        console.print(plain(f"  # {where}: {len(schema_ops)} {plural} will be created", style="bold"))
        for op in schema_ops:
            extra = ""
            if isinstance(op, EnsureTag) and op.color:
                extra = f" (colour {op.color})"
            elif isinstance(op, EnsureField):
                extra = f" ({op.field_kind.value})"
            console.print(Text("  + ", style="green") + plain(f'{kind_noun} "{op.name}"{extra}'))
        console.print()
    conflicts = {(c.key, c.field) for c in board.plan.conflicts}
    grouped: dict[str, list[ItemOp]] = defaultdict(list)
    for item_op in board.plan.item_ops:
        grouped[item_op.item.key].append(item_op)
    noun = ITEM_NOUN[tool]
    shown = list(grouped.values())
    if max_items is not None and len(shown) > max_items:
        hidden = len(shown) - max_items
        shown = shown[:max_items]
    else:
        hidden = 0
    for ops in shown:
        head = ops[0]
        console.print(
            plain(f"  # {where} {noun} ", style="bold") + plain(f'"{head.title}"') + Text(" will be updated")
        )
        for item_op in ops:
            conflict = (item_op.item.key, item_op.field) in conflicts
            sym, style = ("!", "red") if conflict else ("~", "yellow")
            line = Text(f"  {sym} ", style=style)
            line.append_text(plain(f"{item_op.field} = {_q(item_op.before)} -> {_q(item_op.after)}"))
            console.print(line)
            if item_op.reason:
                console.print(plain(f"      # {item_op.reason}", style="dim"))
        console.print()
    if hidden:
        console.print(
            Text(f"  … and {hidden} more {noun}s to update (all of them without the cap)", style="dim")
        )
        console.print()


def _change_rows(board: BoardPlan) -> list[dict[str, Any]]:
    ref = str(board.snapshot.board)
    rows: list[dict[str, Any]] = []
    for op in board.plan.schema_ops:
        rows.append(
            {
                "board": ref,
                "item": None,
                "title": op.name,
                "action": "create",
                "field": _schema_kind(op),
                "before": None,
                "after": op.name,
                "reason": "needed by the plan",
            }
        )
    for item_op in board.plan.item_ops:
        rows.append(
            {
                "board": ref,
                "item": item_op.item.item,
                "title": item_op.title,
                "action": "update",
                "field": item_op.field,
                "before": item_op.before,
                "after": item_op.after,
                "reason": item_op.reason,
            }
        )
    return rows


def sync_json(sync_plan: SyncPlan, *, applied: dict[str, Any] | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "moteur_version": __version__,
        "today": sync_plan.today.isoformat(),
        "actions": (row for _, ev in sync_plan.evaluations for row in actions_json(ev)),
        "sprints": sprints_json(sync_plan.evaluations[0][1]) if sync_plan.evaluations else [],
        "changes": [row for b in sync_plan.boards for row in _change_rows(b)],
        "pinned": [
            {
                "board": str(b.snapshot.board),
                "item": p.key.rsplit(":", 1)[-1],
                "title": p.title,
                "sprint": p.sprint,
                "written": p.written,
            }
            for b in sync_plan.boards
            for p in b.plan.pinned
        ],
        "summary": sync_plan.summary(),
    }
    if applied is not None:
        payload["result"] = applied
    return payload
