"""Issue 16: on Asana, a sync leaves every task in the section its team put it in, and its rollback puts the
board back. Over the sandbox, on "Plan marketing" laid out as a real team's (Backlog / Ready / In progress /
In standby / Done, 13 tasks in progress: ``seed.add_team_project``). This file: a paid workspace, where the
quadrant goes to the custom field "Quadrant" in the task's PUT with Sprint and ICE; and ``in_place: true``,
where the project is moteur's to arrange, tasks move, and each op records the section left. The free
workspace and its companion project: ``test_asana_sections_companion.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from sandbox_connectors import connector_for

from connectors.contract import mutating, plan_for
from connectors.test_asana import memory_of_results
from moteur.connectors.asana import AsanaConnector
from moteur.connectors.asana.reader import read_requests
from moteur.core.labels import QUADRANT_NAMES, QUADRANT_ORDER
from moteur.core.model import BoardRef, Status, Tool
from moteur.core.ops import MoveItem, UpdateFields, inverse
from moteur.core.policy import Language
from moteur.settings import Settings

Sandbox = Any  # tests/conftest.py
TEAM_SECTIONS = ["Backlog", "Ready", "In progress", "In standby", "Done"]
COMPANION = "Plan marketing · Priorities"
TODAY = "--today=2026-09-14"


def team_board(app: Any) -> BoardRef:
    return BoardRef(tool=Tool.ASANA, board=app.emulators["asana"].add_team_project())


def board_state(env: dict[str, str], board: BoardRef) -> dict[str, dict[str, Any]]:
    """Each task of the project as Asana shows it: its section per project, its custom field values (set
    ones) and its tags."""
    tasks: dict[str, dict[str, Any]] = {}
    params: dict[str, str] = {
        "opt_fields": "name,memberships.project.name,memberships.section.name,custom_fields.name,"
        "custom_fields.display_value,tags.name",
        "limit": "100",
    }
    while True:
        answer = requests.get(
            f"{env['MOTEUR_ASANA_URL']}/projects/{board.board}/tasks",
            params=params,
            headers={"Authorization": f"Bearer {env['MOTEUR_ASANA_TOKEN']}"},
            timeout=10,
        ).json()
        for task in answer["data"]:
            tasks[task["gid"]] = {
                "name": task["name"],
                "sections": {m["project"]["name"]: m["section"]["name"] for m in task["memberships"]},
                "fields": {
                    f["name"]: f["display_value"] for f in task["custom_fields"] if f["display_value"]
                },
                "tags": sorted(t["name"] for t in task["tags"]),
            }
        if not answer.get("next_page"):
            return tasks
        params["offset"] = answer["next_page"]["offset"]


def sections_in(state: dict[str, dict[str, Any]], project: str) -> dict[str, str | None]:
    return {gid: task["sections"].get(project) for gid, task in state.items()}


def sync(connector: AsanaConnector, board: BoardRef) -> tuple[Any, list[Any]]:
    snapshot = connector.read(board)
    planned = plan_for(snapshot, connector).boards[0]
    results = connector.apply(snapshot, planned.plan.schema_ops, planned.plan.item_ops)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    return planned, results


def undo(connector: AsanaConnector, board: BoardRef, results: list[Any]) -> list[Any]:
    """What ``moteur rollback`` applies: the inverse of each applied item op, last first."""
    ops = [inverse(r.op) for r in reversed(results) if r.ok and hasattr(r.op, "item")]
    return connector.apply(connector.read(board), [], ops)


def inner_writes(log: list[dict[str, Any]]) -> list[str]:
    """Every write sent, batch actions one by one ("POST /tasks/1/addProject")."""
    out: list[str] = []
    for entry in mutating(log, "asana"):
        out.extend(entry["root_fields"] or [f"{entry['method']} {entry['path']}"])
    return out


def projects_named(app: Any, name: str) -> list[Any]:
    store = app.emulators["asana"].store
    return [r for r in store.records.values() if r.resource_type == "project" and r.name == name]


# -- a paid workspace: the "Quadrant" field ----------------------------------------------------------------


def test_a_paid_sync_leaves_every_task_in_its_section_and_writes_the_quadrant_field(sandbox: Sandbox) -> None:
    board = team_board(sandbox.app)
    before = board_state(sandbox.env, board)
    connector = connector_for(Tool.ASANA, sandbox.env)
    first = connector.read(board)
    doing = [a for a in first.actions if a.bucket == "In progress"]
    assert len(doing) == 13 and all(a.status is Status.DOING for a in doing)
    planned, results = sync(connector, board)

    after = board_state(sandbox.env, board)
    assert sections_in(after, "Plan marketing") == sections_in(before, "Plan marketing")
    assert all(set(task["sections"]) == {"Plan marketing"} for task in after.values())  # no second project
    writes = inner_writes(sandbox.requests())
    assert not [w for w in writes if "/sections" in w or "addProject" in w or "addTask" in w]
    wanted = {op.item.item: op.after for op in planned.plan.item_ops if op.field == "quadrant"}
    assert wanted and all(after[gid]["fields"]["Quadrant"] == q for gid, q in wanted.items())
    # Status still comes from the team's sections: in progress is still doing.
    rerun = connector_for(Tool.ASANA, sandbox.env)
    again = rerun.read(board)
    assert [a.key for a in again.actions if a.status is Status.DOING] == [a.key for a in doing]
    assert plan_for(again, rerun, memory_of_results(planned, results)).empty
    assert rerun.request_count() == read_requests(len(again.actions))  # a no-op re-run: the read alone


def test_a_paid_rollback_puts_every_value_back(sandbox: Sandbox) -> None:
    board = team_board(sandbox.app)
    before = board_state(sandbox.env, board)
    connector = connector_for(Tool.ASANA, sandbox.env)
    _, results = sync(connector, board)
    assert all(r.op.before is None for r in results if hasattr(r.op, "item"))  # nothing was there before
    undone = undo(connector, board, results)
    assert all(r.ok for r in undone), [r.error for r in undone if not r.ok][:3]
    assert board_state(sandbox.env, board) == before


# -- in place: the project is moteur's to arrange ----------------------------------------------------------


def in_place_connector(env: dict[str, str], tmp_path: Path) -> AsanaConnector:
    mapping = tmp_path / "asana.yaml"
    mapping.write_text("writeback:\n  quadrant: {kind: section, in_place: true}\n", encoding="utf-8")
    connector = connector_for(Tool.ASANA, env)
    settings = Settings(
        asana_token=env["MOTEUR_ASANA_TOKEN"],
        asana_url=env["MOTEUR_ASANA_URL"],
        mappings={"asana": str(mapping)},
    )
    return AsanaConnector(settings, http=connector.http)


def test_in_place_moves_tasks_records_each_section_left_and_rollback_puts_them_back(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    board = team_board(sandbox.app)
    before = board_state(sandbox.env, board)
    connector = in_place_connector(sandbox.env, tmp_path)
    planned, results = sync(connector, board)
    moves = [op for op in planned.plan.item_ops if isinstance(op, MoveItem)]
    assert moves and all(op.before in TEAM_SECTIONS for op in moves)  # never None: the section existed
    after = board_state(sandbox.env, board)
    assert all(after[op.item.item]["sections"]["Plan marketing"] == op.after for op in moves)
    buckets = [b.name for b in connector.read(board).buckets]  # the quadrants' sections, in quadrant order
    quadrants = [n for n in buckets if n not in TEAM_SECTIONS]
    order = [QUADRANT_NAMES[Language.EN][q] for q in QUADRANT_ORDER]
    assert quadrants == [q for q in order if q in quadrants] and len(quadrants) >= 3
    undone = undo(connector, board, results)
    assert all(r.ok for r in undone), [r.error for r in undone if not r.ok][:3]
    restored = board_state(sandbox.env, board)
    assert sections_in(restored, "Plan marketing") == sections_in(before, "Plan marketing")


def test_a_move_back_to_an_unrecorded_section_is_refused_not_guessed(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A journal from before moteur recorded the section a task left (``before`` None) cannot say where the
    task goes back: the op fails with that reason and nothing moves."""
    board = team_board(sandbox.app)
    connector = in_place_connector(sandbox.env, tmp_path)
    snapshot = connector.read(board)
    action = snapshot.actions[0]
    (result,) = connector.apply(
        snapshot, [], [MoveItem(action.ref, action.title, "quadrant", "Quick win", None)]
    )
    assert not result.ok and "move it back by hand" in (result.error or "")
    assert not mutating(sandbox.requests(), "asana")


def test_each_op_records_the_value_it_replaces(sandbox: Sandbox) -> None:
    """Every item op of a re-sync after hand edits carries the value Asana showed (never None for a value that
    existed): the Quadrant and Sprint options and the ICE number a person changed."""
    board = team_board(sandbox.app)
    connector = connector_for(Tool.ASANA, sandbox.env)
    planned, results = sync(connector, board)
    snapshot = connector.read(board)
    target = next(a for a in snapshot.actions if a.annotations.quadrant and a.annotations.ice)
    settings = {s.name: s for s in _fields(sandbox.app, board)}
    store = sandbox.app.emulators["asana"].store
    wrong = next(
        o for o in settings["Quadrant"].enum_options if store.records[o].name != target.annotations.quadrant
    )
    task = store.records[target.ref.item]
    task.custom_values[settings["Quadrant"].gid] = wrong
    task.custom_values[settings["ICE"].gid] = 1.0
    edited = connector.read(board)
    replan = plan_for(edited, connector, memory_of_results(planned, results)).boards[0].plan
    ops = {op.field: op for op in replan.item_ops if op.item.item == target.ref.item}
    assert isinstance(ops["quadrant"], UpdateFields) and ops["quadrant"].before == store.records[wrong].name
    assert ops["ice"].before == "1"


def _fields(app: Any, board: BoardRef) -> list[Any]:
    store = app.emulators["asana"].store
    project = store.records[board.board]
    return [store.records[store.records[s].custom_field] for s in project.custom_field_settings]
