"""Issue 16 items 3–5 on Asana, over the sandbox: a section's name says a task's status as a person reads it
(``✅ Terminé(e)s`` is done), a team's own plain "Sprint 2" tag is its tag (never a pin, never removed by a
sync), and an enum score field with options 1–5 is read on its scale. Each project is set up through the
sandbox's Asana API, as a person's edits in Asana would make it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sandbox_connectors import connector_for

from connectors.contract import plan_for
from connectors.test_asana import memory_of_results
from moteur.core.labels import is_own_sprint
from moteur.core.model import BoardRef, Status, Tool
from moteur.core.policy import PlanningPolicy
from moteur.core.scoring import score
from moteur.sandbox.serve import start_sandbox

Sandbox = Any  # tests/conftest.py


def api(env: dict[str, str], method: str, path: str, data: dict[str, Any] | None = None) -> Any:
    """One call to the sandbox's Asana API, as a person's edit in Asana would be."""
    answer = requests.request(
        method,
        f"{env['MOTEUR_ASANA_URL']}{path}",
        json={"data": data} if data is not None else None,
        headers={"Authorization": f"Bearer {env['MOTEUR_ASANA_TOKEN']}"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()["data"]


def new_project(sandbox: Sandbox, name: str, sections: list[str]) -> tuple[str, str, dict[str, str]]:
    """A project in the empty seed's workspace and team, with ``sections``: (workspace, project, sections)."""
    sandbox.reset("empty")
    env = sandbox.env
    workspace = api(env, "GET", "/workspaces")[0]["gid"]
    team = api(env, "GET", f"/workspaces/{workspace}/teams")[0]["gid"]
    project = api(env, "POST", f"/teams/{team}/projects", {"name": name})["gid"]
    made = {s: api(env, "POST", f"/projects/{project}/sections", {"name": s})["gid"] for s in sections}
    return workspace, project, made


def new_task(env: dict[str, str], project: str, section: str, name: str, **fields: Any) -> str:
    body = {"name": name, "memberships": [{"project": project, "section": section}], **fields}
    return str(api(env, "POST", "/tasks", body)["gid"])


def test_a_section_s_name_says_the_status_as_a_person_reads_it(sandbox: Sandbox) -> None:
    _, project, sections = new_project(sandbox, "Statuts", ["À faire", "En cours…", "✅ Terminé(e)s"])
    gids = {name: new_task(sandbox.env, project, gid, f"Tâche {name}") for name, gid in sections.items()}
    snapshot = connector_for(Tool.ASANA, sandbox.env).read(BoardRef(tool=Tool.ASANA, board=project))
    status = {a.ref.item: a.status for a in snapshot.actions}
    assert status[gids["À faire"]] is Status.TODO
    assert status[gids["En cours…"]] is Status.DOING
    assert status[gids["✅ Terminé(e)s"]] is Status.DONE
    assert not [w for w in snapshot.warnings if "means a status" in w]


def test_no_section_meaning_a_status_is_said_once(sandbox: Sandbox) -> None:
    _, project, sections = new_project(sandbox, "Idées", ["Idées", "Semaine 1"])
    for n, gid in enumerate([*sections.values(), *sections.values()]):
        new_task(sandbox.env, project, gid, f"Tâche {n}")
    snapshot = connector_for(Tool.ASANA, sandbox.env).read(BoardRef(tool=Tool.ASANA, board=project))
    assert {a.status for a in snapshot.actions} == {Status.TODO}
    (warning,) = [w for w in snapshot.warnings if "means a status" in w]
    assert warning.startswith("no section name means a status") and '"Idées", "Semaine 1"' in warning


def test_an_enum_impact_with_options_one_to_five_is_read_on_its_scale(sandbox: Sandbox) -> None:
    env = sandbox.env
    workspace, project, sections = new_project(sandbox, "Échelles", ["À faire"])
    impact = api(
        env,
        "POST",
        "/custom_fields",
        {
            "workspace": workspace,
            "name": "Impact",
            "resource_subtype": "enum",
            "enum_options": [{"name": str(n)} for n in range(1, 6)],
        },
    )
    effort = api(
        env,
        "POST",
        "/custom_fields",
        {"workspace": workspace, "name": "Effort", "resource_subtype": "number", "precision": 0},
    )
    for field in (impact, effort):
        api(env, "POST", f"/projects/{project}/addCustomFieldSetting", {"custom_field": field["gid"]})
    option = {o["name"]: o["gid"] for o in impact["enum_options"]}
    gids = {
        n: new_task(
            env,
            project,
            sections["À faire"],
            f"Impact {n}",
            custom_fields={impact["gid"]: option[n], effort["gid"]: 3},
        )
        for n in ("5", "3")
    }
    snapshot = connector_for(Tool.ASANA, env).read(BoardRef(tool=Tool.ASANA, board=project))
    by_gid = {a.ref.item: a for a in snapshot.actions}
    top, middle = by_gid[gids["5"]], by_gid[gids["3"]]
    assert (top.impact, middle.impact) == (10, 6)  # on 1–5: 5 → 10, 3 → 6
    assert top.scales == {"impact": 5} and top.effort == 3  # the number field stays on 1–10
    assert "impact 10 (on 1–5)" in score(top, PlanningPolicy()).explanation
    # Known from the field's options: no guess, so no warning; nothing to carry to an incremental read.
    assert not [w for w in snapshot.warnings if "read on" in w]
    assert snapshot.native["scales"] == {}


# -- a free workspace: the sprint goes to tags ------------------------------------------------------------


@pytest.fixture(scope="module")
def free_sandbox() -> Iterator[Any]:
    with start_sandbox(seed="demo", rate_limits=False, asana_tier="free") as handle:
        yield handle


def task_tags(env: dict[str, str], task: str) -> list[str]:
    return [t["name"] for t in api(env, "GET", f"/tasks/{task}?opt_fields=tags.name")["tags"]]


def test_a_team_s_plain_sprint_tag_is_never_a_pin_nor_removed(free_sandbox: Any) -> None:
    free_sandbox.app.reset("demo")
    env = free_sandbox.env
    board = BoardRef(tool=Tool.ASANA, board=free_sandbox.boards["asana"][0].split(":", 1)[1])
    connector = connector_for(Tool.ASANA, env, tier="free")
    workspace = api(env, "GET", f"/projects/{board.board}")["workspace"]["gid"]
    tag = api(env, "POST", "/tags", {"workspace": workspace, "name": "Sprint 2"})["gid"]
    open_tasks = [a.ref.item for a in connector.read(board).actions if a.status is Status.TODO]
    for task in open_tasks:
        api(env, "POST", f"/tasks/{task}/addTag", {"tag": tag})

    snapshot = connector.read(board)
    by_gid = {a.ref.item: a for a in snapshot.actions}
    for task in open_tasks:
        assert "Sprint 2" in by_gid[task].tags  # the team's own tag, carried as a tag
        assert by_gid[task].annotations.sprint is None  # not read as a sprint, so never a pin
    planned = plan_for(snapshot, connector).boards[0]
    results = connector.apply(snapshot, planned.plan.schema_ops, planned.plan.item_ops)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok][:3]

    after = {task: task_tags(env, task) for task in open_tasks}
    assert all("Sprint 2" in tags for tags in after.values()), after
    assert any(is_own_sprint(t) for tags in after.values() for t in tags), after  # moteur's own form
    again = connector.read(board)
    assert plan_for(again, connector, memory_of_results(planned, results)).empty
    kept = {a.ref.item: a for a in again.actions}
    assert all("Sprint 2" in kept[task].tags for task in open_tasks)
