"""The plan as people read it — like ``terraform plan`` — and as machines read it (``--json``).

Human form: a legend of the symbols used, the schema changes, one block per item
(``# trello card "Webinar SEO" will be updated``) with ``~ quadrant = "Fill-in" -> "Quick win"`` lines, the
pins, the flags, the request estimate, then ``Plan: N to create, N actions to update (N field changes), N to
remove, N conflicts.`` or ``No changes.``

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
from moteur.i18n import N_, _, ngettext, tr
from moteur.views.plan_json import FORMAT_VERSION, actions_json, sprints_json
from moteur.views.terminal import plain
from moteur.views.words import plural, shown

COMPANION = N_("companion project")
ITEM_NOUN = {Tool.TRELLO: "card", Tool.ASANA: "task", Tool.MONDAY: "item", Tool.FILE: "row"}
SCHEMA_NOUN = {
    Tool.TRELLO: {"tag": N_("label"), "bucket": N_("list"), "field": N_("custom field")},
    Tool.ASANA: {"tag": N_("tag"), "bucket": N_("section"), "field": N_("custom field")},
    Tool.MONDAY: {"tag": N_("label"), "bucket": N_("group"), "field": N_("column")},
    Tool.FILE: {"tag": N_("tag"), "bucket": N_("bucket"), "field": N_("column")},
}
# Words of the schema lines that come from the tools (Trello's colour names, field kinds): said in the
# reader's language here; the board gets the tool's own word.
SHOWN_WORDS = frozenset(
    (
        N_("green"), N_("blue"), N_("yellow"), N_("red"), N_("sky"), N_("black"), N_("purple"),
        N_("orange"), N_("pink"), N_("lime"), N_("number"), N_("text"), N_("date"), N_("enum"),
    )
)  # fmt: skip


def _created(noun: str, n: int) -> str:
    """``9 labels will be created``: one sentence per noun, so each language agrees its words with it."""
    forms = {
        "label": ngettext("{n} label will be created", "{n} labels will be created", n),
        "list": ngettext("{n} list will be created", "{n} lists will be created", n),
        "custom field": ngettext("{n} custom field will be created", "{n} custom fields will be created", n),
        "tag": ngettext("{n} tag will be created", "{n} tags will be created", n),
        "section": ngettext("{n} section will be created", "{n} sections will be created", n),
        "group": ngettext("{n} group will be created", "{n} groups will be created", n),
        "column": ngettext("{n} column will be created", "{n} columns will be created", n),
        "bucket": ngettext("{n} bucket will be created", "{n} buckets will be created", n),
        COMPANION: ngettext(
            "{n} companion project will be created", "{n} companion projects will be created", n
        ),
    }
    return forms[noun].format(n=n)


def _updated(noun: str) -> str:
    """``# {where} card {title} will be updated``, for the item noun of each tool."""
    forms = {
        "card": _("# {where} card {title} will be updated"),
        "task": _("# {where} task {title} will be updated"),
        "item": _("# {where} item {title} will be updated"),
        "row": _("# {where} row {title} will be updated"),
    }
    return forms[noun]


def _hidden(noun: str, n: int) -> str:
    """``… and 26 more cards to update (all of them without the cap)``, for the item noun of each tool."""
    forms = {
        "card": ngettext(
            "… and {n} more card to update (all of them without the cap)",
            "… and {n} more cards to update (all of them without the cap)",
            n,
        ),
        "task": ngettext(
            "… and {n} more task to update (all of them without the cap)",
            "… and {n} more tasks to update (all of them without the cap)",
            n,
        ),
        "item": ngettext(
            "… and {n} more item to update (all of them without the cap)",
            "… and {n} more items to update (all of them without the cap)",
            n,
        ),
        "row": ngettext(
            "… and {n} more row to update (all of them without the cap)",
            "… and {n} more rows to update (all of them without the cap)",
            n,
        ),
    }
    return forms[noun].format(n=n)


def _extra(op: SchemaOp) -> str:
    """`` (colour green)``, `` (number)``: what a new label or field will look like."""
    if isinstance(op, EnsureTag) and op.color:
        colour = _(op.color) if op.color in SHOWN_WORDS else op.color
        return _(" (colour {colour})").format(colour=colour)
    if isinstance(op, EnsureField):
        kind = op.field_kind.value
        return f" ({_(kind) if kind in SHOWN_WORDS else kind})"
    return ""


def _companion(board: BoardPlan, op: SchemaOp) -> bool:
    """Whether ``op`` makes the companion project an Asana quadrant goes to (``asana/quadrants``): a project
    with a section per quadrant, each task also added there — not a custom field."""
    return (
        isinstance(op, EnsureField)
        and board.writeback.companion is not None
        and op.name == board.writeback.field_names.get("quadrant")
    )


def _companion_extra(board: BoardPlan) -> str:
    """What the companion project holds, and why the quadrant goes there rather than to a custom field."""
    return tr(board.writeback.companion or "")


def _q(value: str | None) -> str:
    return shown(value)


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
        console.print(_("moteur will perform the following actions. Symbols:"))
        legend = {"+": _("create"), "~": _("update in place"), "!": _("conflict: changed by hand, rewritten")}
        style = {"+": "green", "~": "yellow", "!": "red"}
        for sym in ("+", "~", "!"):
            if sym in symbols:
                console.print(Text(f"  {sym} ", style=style[sym]) + Text(legend[sym]))
        console.print()
    for b in boards:
        render_board(console, b, max_items)
    pins = [p for b in boards for p in b.plan.pinned]
    if pins:
        console.print(Text(_("Pinned by hand (kept):"), style="bold"))
        for p in pins:
            shown = p.sprint or _("no sprint")
            was = _(" (moteur wrote {written})").format(written=p.written) if p.written else ""
            console.print(plain(f'  = "{p.title}": {shown}{was}'))
        console.print()
    if estimate:
        console.print(plain(estimate, style="dim"))
    if sync_plan.empty:
        console.print(Text(_("No changes."), style="bold green") + Text(_(" The boards match the plan.")))
        return
    console.print(Text(_("Plan: "), style="bold") + Text(summary_line(sync_plan)))


def summary_line(sync_plan: SyncPlan) -> str:
    """``3 to create, 96 actions to update (264 field changes), 0 to remove, 1 conflict.``

    Actions and field changes both: a sync's result line counts the same two (``Applied 264 field changes
    to 96 actions, 3 created``).
    """
    s = sync_plan.summary()
    text = _("{create} to create, {actions} to update ({changes}), {remove} to remove, {conflicts}.")
    return text.format(
        create=s["create"],
        actions=plural(s["update"], "action", "actions"),
        changes=plural(field_changes(sync_plan), "field change", "field changes"),
        remove=s["remove"],
        conflicts=plural(s["conflicts"], "conflict", "conflicts"),
    )


def field_changes(sync_plan: SyncPlan) -> int:
    """The item ops of the plan: one per field of one action that changes."""
    return sum(len(b.plan.item_ops) for b in sync_plan.boards)


def render_board(console: Console, board: BoardPlan, max_items: int | None = None) -> None:
    tool = board.snapshot.board.tool
    nouns = SCHEMA_NOUN[tool]
    where = _where(board)
    by_kind: dict[str, list[SchemaOp]] = defaultdict(list)
    for op in board.plan.schema_ops:
        by_kind[COMPANION if _companion(board, op) else nouns[_schema_kind(op)]].append(op)
    for kind_noun, schema_ops in by_kind.items():
        created = _created(kind_noun, len(schema_ops))
        console.print(
            plain("  " + _("# {where}: {created}").format(where=where, created=created), style="bold")
        )
        for op in schema_ops:
            extra = _companion_extra(board) if kind_noun == COMPANION else _extra(op)
            console.print(Text("  + ", style="green") + plain(f'{_(kind_noun)} "{op.name}"{extra}'))
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
        # The title sits where the language puts it; around it the sentence, split so that the title stays
        # text (never a format field) and the words before it stay bold.
        before, _title, after = _updated(noun).partition("{title}")
        console.print(
            plain("  " + before.format(where=where), style="bold")
            + plain(f'"{head.title}"')
            + Text(after.format(where=where))
        )
        for item_op in ops:
            conflict = (item_op.item.key, item_op.field) in conflicts
            sym, style = ("!", "red") if conflict else ("~", "yellow")
            line = Text(f"  {sym} ", style=style)
            line.append_text(plain(f"{item_op.field} = {_q(item_op.before)} -> {_q(item_op.after)}"))
            console.print(line)
            if item_op.reason:
                console.print(plain(f"      # {tr(item_op.reason)}", style="dim"))
        console.print()
    if hidden:
        console.print(Text(f"  {_hidden(noun, hidden)}", style="dim"))
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
        "summary": {**sync_plan.summary(), "field_changes": field_changes(sync_plan)},
    }
    if applied is not None:
        payload["result"] = applied
    return payload
