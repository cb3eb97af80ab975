"""Saved plans: ``sync --dry-run --plan-out FILE`` writes one, ``moteur apply FILE`` applies exactly it.

The file is the ``--json`` form plus, per board, the ops to apply and each touched item's native version and
content hash when the plan was made, so ``apply`` can skip (and name) every item changed since.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from moteur.core.errors import UsageError
from moteur.core.model import FieldKind, ItemRef, Tool
from moteur.core.ops import (
    ITEM_OP_KINDS,
    EnsureBucket,
    EnsureField,
    EnsureTag,
    ItemOp,
    SchemaOp,
    SetTags,
    item_op,
)
from moteur.core.refs import parse_ref
from moteur.core.sync import SyncPlan
from moteur.views.dry_run import sync_json

PLAN_KIND = "moteur-plan"
_MAKE_ONE = "make one with `moteur sync --dry-run --plan-out FILE`"


def _op_json(op: ItemOp) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": op.kind,
        "item": op.item.model_dump(mode="json"),
        "title": op.title,
        "field": op.field,
        "before": op.before,
        "after": op.after,
        "reason": op.reason,
        "version": op.version,
    }
    if isinstance(op, SetTags):
        row["add"], row["remove"] = list(op.add), list(op.remove)
    return row


def _schema_json(op: SchemaOp) -> dict[str, Any]:
    row: dict[str, Any] = {"kind": op.kind, "name": op.name}
    if isinstance(op, EnsureTag):
        row["color"] = op.color
    elif isinstance(op, EnsureBucket):
        row["position"] = op.position
    else:
        row["field_kind"], row["options"] = op.field_kind.value, list(op.options)
    return row


def save_plan(sync_plan: SyncPlan, path: Path) -> None:
    payload = sync_json(sync_plan)
    payload["actions"] = list(payload["actions"])
    payload["kind"] = PLAN_KIND
    payload["boards"] = []
    for board in sync_plan.boards:
        touched = {op.item.key for op in board.plan.item_ops}
        payload["boards"].append(
            {
                "board": str(board.snapshot.board),
                "schema_ops": [_schema_json(op) for op in board.plan.schema_ops],
                "item_ops": [_op_json(op) for op in board.plan.item_ops],
                "items": {
                    a.key: {"version": a.version, "content_hash": a.content_hash}
                    for a in board.snapshot.actions
                    if a.key in touched
                },
            }
        )
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _item_op(row: dict[str, Any]) -> ItemOp:
    ref = ItemRef(
        tool=Tool(row["item"]["tool"]),
        board=row["item"]["board"],
        item=row["item"]["item"],
        url=row["item"]["url"],
    )
    target = ITEM_OP_KINDS[row["kind"]]
    return item_op(
        target, ref, row["title"], row["field"], row["before"], row["after"], row["reason"], row["version"]
    )


def _schema_op(row: dict[str, Any]) -> SchemaOp:
    if row["kind"] == "ensure_tag":
        return EnsureTag(row["name"], row.get("color"))
    if row["kind"] == "ensure_bucket":
        return EnsureBucket(row["name"], row.get("position"))
    return EnsureField(row["name"], FieldKind(row["field_kind"]), tuple(row["options"]))


def load_plan(path: Path) -> list[dict[str, Any]]:
    """The boards of a saved plan, each with parsed ``ref``, ``schema_ops``, ``item_ops`` and ``items``."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(
            f"plan file {path} not found", hint="make one with `moteur sync --dry-run --plan-out`"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"plan file {path} is not JSON: {exc}", hint="make a new one") from None
    if not isinstance(payload, dict) or payload.get("kind") != PLAN_KIND:
        raise UsageError(
            f"{path} is not a saved moteur plan", hint="make one with `sync --dry-run --plan-out`"
        )
    if payload.get("format_version") != "1":
        raise UsageError(f"{path} has plan format {payload.get('format_version')!r}; this moteur reads 1")
    try:
        return [
            {
                "ref": parse_ref(b["board"]),
                "schema_ops": [_schema_op(r) for r in b["schema_ops"]],
                "item_ops": [_item_op(r) for r in b["item_ops"]],
                "items": b["items"],
            }
            for b in payload["boards"]
        ]
    except (KeyError, TypeError, ValueError) as exc:
        raise UsageError(f"{path} is damaged ({exc})", hint="make a new plan") from None
