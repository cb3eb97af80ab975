"""The Asana emulator over real HTTP: reads, writes, pagination, opt_fields, events and batch."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from moteur.sandbox.serve import start_sandbox

TIMEOUT = 10
Sandbox = Any  # tests/sandbox/conftest.py: the sandbox fixture


class Asana:
    """A tiny Asana client for the tests: Bearer auth, JSON bodies in the data envelope."""

    def __init__(self, sandbox: Sandbox, token: str | None = None) -> None:
        self.base = sandbox.urls["asana"]
        self.token = token if token is not None else sandbox.env["MOTEUR_ASANA_TOKEN"]

    def call(
        self, method: str, path: str, data: dict[str, Any] | None = None, **params: Any
    ) -> requests.Response:
        return requests.request(
            method,
            self.base + path,
            params=params or None,
            json={"data": data} if data is not None else None,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=TIMEOUT,
        )

    def ok(self, method: str, path: str, data: dict[str, Any] | None = None, **params: Any) -> Any:
        answer = self.call(method, path, data, **params)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()["data"]


@pytest.fixture
def asana(sandbox: Sandbox) -> Asana:
    return Asana(sandbox)


@pytest.fixture
def project(sandbox: Sandbox) -> str:
    return sandbox.boards["asana"][0].split(":", 1)[1]


def _fields(asana: Asana, project: str) -> dict[str, str]:
    settings = asana.ok("GET", f"/projects/{project}/custom_field_settings", opt_fields="custom_field.name")
    return {s["custom_field"]["name"]: s["custom_field"]["gid"] for s in settings}


def test_demo_seed_has_sections_scores_and_the_token_user(asana: Asana, project: str) -> None:
    me = asana.ok("GET", "/users/me")
    assert me["email"].endswith("@example.com") and me["workspaces"][0]["name"] == "Démo"
    sections = [s["name"] for s in asana.ok("GET", f"/projects/{project}/sections")]
    assert sections == ["Idées", "À faire", "En cours", "Fait"]
    assert {"Impact", "Effort", "Confidence"} <= set(_fields(asana, project))
    tasks = asana.ok("GET", f"/projects/{project}/tasks", opt_fields="completed,custom_fields.number_value")
    assert 30 <= len(tasks) <= 50
    assert any(t["completed"] for t in tasks) and not all(t["completed"] for t in tasks)


def test_list_without_opt_fields_is_compact_and_has_no_next_page(asana: Asana, project: str) -> None:
    body = asana.call("GET", f"/projects/{project}/tasks").json()
    assert "next_page" not in body
    assert set(body["data"][0]) == {"gid", "name", "resource_type", "resource_subtype"}


def test_pagination_past_100_with_opaque_offsets(sandbox: Sandbox, asana: Asana) -> None:
    project = sandbox.reset("bulk:230")["asana"][0].split(":", 1)[1]
    seen: list[str] = []
    offsets: list[str] = []
    params: dict[str, Any] = {"limit": 100, "opt_fields": "name"}
    while True:
        body = asana.call("GET", f"/projects/{project}/tasks", **params).json()
        seen += [t["gid"] for t in body["data"]]
        if body["next_page"] is None:
            break
        next_page = body["next_page"]
        assert set(next_page) == {"offset", "path", "uri"}
        assert next_page["uri"].startswith(sandbox.urls["asana"]) and next_page["uri"].endswith(
            next_page["path"]
        )
        offsets.append(next_page["offset"])
        params["offset"] = next_page["offset"]
    assert len(seen) == len(set(seen)) == 230
    assert len(offsets) == 2 and not any(o.isdigit() for o in offsets)
    forged = asana.call("GET", f"/projects/{project}/tasks", limit=100, offset="100")
    assert forged.status_code == 400 and forged.json()["errors"][0]["message"].startswith("offset:")


def test_limit_outside_1_to_100_is_400(lenient: Asana) -> None:
    project = lenient.ok("GET", "/projects")[0]["gid"]
    for limit in (0, 101, 500):  # the emulator's own answer (the strict sandbox refuses it before)
        answer = lenient.call("GET", f"/projects/{project}/tasks", limit=limit)
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["message"] == "limit: Must be between 1 and 100"


def test_opt_fields_keep_only_the_requested_fields_including_dotted_ones(asana: Asana, project: str) -> None:
    fields = "name,memberships.section.name,assignee.email,custom_fields.name,custom_fields.number_value"
    tasks = asana.ok("GET", f"/projects/{project}/tasks", opt_fields=fields, limit=50)
    task = next(t for t in tasks if t["assignee"])
    # gid and what was asked, no resource_type, at every level (recorded: projects_opt_fields_name.json).
    assert set(task) == {"gid", "name", "memberships", "assignee", "custom_fields"}
    assert set(task["assignee"]) == {"gid", "email"}
    assert set(task["memberships"][0]) == {"section"}
    assert set(task["memberships"][0]["section"]) == {"gid", "name"}
    impact = next(f for f in task["custom_fields"] if f["name"] == "Impact")
    assert set(impact) == {"gid", "name", "number_value"}
    asked = asana.ok("GET", f"/projects/{project}/tasks", opt_fields="name,resource_type", limit=1)
    assert set(asked[0]) == {"gid", "name", "resource_type"}  # given when asked for


def test_single_get_is_the_full_record(asana: Asana, project: str) -> None:
    gid = asana.ok("GET", f"/projects/{project}/tasks")[0]["gid"]
    task = asana.ok("GET", f"/tasks/{gid}")
    for key in (
        "assignee",
        "completed",
        "custom_fields",
        "due_on",
        "memberships",
        "modified_at",
        "notes",
        "tags",
    ):
        assert key in task
    assert "html_notes" not in task  # optional: only with opt_fields
    assert "html_notes" in asana.ok("GET", f"/tasks/{gid}", opt_fields="html_notes")


def test_modified_since_returns_only_tasks_changed_after(asana: Asana, project: str) -> None:
    tasks = asana.ok("GET", f"/projects/{project}/tasks", opt_fields="modified_at")
    latest = max(t["modified_at"] for t in tasks)
    time.sleep(0.005)  # modified_at has millisecond resolution
    gid = tasks[3]["gid"]
    changed = asana.ok("PUT", f"/tasks/{gid}", {"name": "Renamed"})
    assert changed["modified_at"] > latest
    after = asana.ok(
        "GET", "/tasks", project=project, modified_since=changed["modified_at"], opt_fields="name"
    )
    assert [t["gid"] for t in after] == [gid]
    assert asana.call("GET", "/tasks").status_code == 400


def test_create_task_with_memberships_custom_fields_and_assignee_by_email(asana: Asana, project: str) -> None:
    fields = _fields(asana, project)
    sections = asana.ok("GET", f"/projects/{project}/sections")
    workspace = asana.ok("GET", "/workspaces")[0]["gid"]
    tag = asana.ok("POST", f"/workspaces/{workspace}/tags", {"name": "Sprint 3"})
    answer = asana.call(
        "POST",
        "/tasks",
        {
            "name": "Webinar SEO",
            "notes": "Prévoir deux intervenants",
            "memberships": [{"project": project, "section": sections[2]["gid"]}],
            "custom_fields": {fields["Impact"]: 8, fields["Effort"]: 3},
            "assignee": "lea.bernard@example.com",
            "tags": [tag["gid"]],
            "due_on": "2027-01-15",
        },
    )
    assert answer.status_code == 201
    task = answer.json()["data"]
    assert task["memberships"][0]["section"]["name"] == "En cours"
    values = {f["name"]: f.get("number_value") for f in task["custom_fields"]}
    assert values["Impact"] == 8 and values["Effort"] == 3
    assert task["assignee"]["name"] == "Léa Bernard" and task["due_on"] == "2027-01-15"
    assert [t["name"] for t in task["tags"]] == ["Sprint 3"]
    asana.ok("PUT", f"/tasks/{task['gid']}", {"custom_fields": {fields["Impact"]: 9}, "completed": True})
    again = asana.ok(
        "GET", f"/tasks/{task['gid']}", opt_fields="completed,completed_at,custom_fields.number_value"
    )
    assert again["completed"] and again["completed_at"]
    assert 9 in [f.get("number_value") for f in again["custom_fields"]]


def test_sections_insert_and_add_task_positions(asana: Asana, project: str) -> None:
    sections = asana.ok("GET", f"/projects/{project}/sections")
    quick = asana.ok(
        "POST", f"/projects/{project}/sections", {"name": "Quick win", "insert_before": sections[0]["gid"]}
    )
    names = [s["name"] for s in asana.ok("GET", f"/projects/{project}/sections")]
    assert names[0] == "Quick win"
    both = {"name": "X", "insert_before": sections[0]["gid"], "insert_after": sections[1]["gid"]}
    assert asana.call("POST", f"/projects/{project}/sections", both).status_code == 400
    tasks = asana.ok("GET", f"/projects/{project}/tasks")
    first, second = tasks[0]["gid"], tasks[1]["gid"]
    asana.ok("POST", f"/sections/{quick['gid']}/addTask", {"task": first})
    asana.ok("POST", f"/sections/{quick['gid']}/addTask", {"task": second, "insert_after": first})
    in_section = [t["gid"] for t in asana.ok("GET", f"/sections/{quick['gid']}/tasks")]
    assert in_section == [first, second]
    task = asana.ok("GET", f"/tasks/{first}", opt_fields="memberships.section.name")
    assert [m["section"]["name"] for m in task["memberships"]] == ["Quick win"]


def test_custom_field_creation_enum_options_and_project_settings(asana: Asana, project: str) -> None:
    workspace = asana.ok("GET", "/workspaces")[0]["gid"]
    sprint = asana.ok(
        "POST",
        "/custom_fields",
        {
            "workspace": workspace,
            "name": "Sprint",
            "resource_subtype": "enum",
            "enum_options": [{"name": "Sprint 1"}],
        },
    )
    option = asana.ok(
        "POST", f"/custom_fields/{sprint['gid']}/enum_options", {"name": "Sprint 2", "color": "blue"}
    )
    ice = asana.ok(
        "POST",
        "/custom_fields",
        {"workspace": workspace, "name": "ICE", "resource_subtype": "number", "precision": 1},
    )
    for field in (sprint, ice):
        asana.ok("POST", f"/projects/{project}/addCustomFieldSetting", {"custom_field": field["gid"]})
    gid = asana.ok("GET", f"/projects/{project}/tasks")[0]["gid"]
    task = asana.ok(
        "PUT", f"/tasks/{gid}", {"custom_fields": {sprint["gid"]: option["gid"], ice["gid"]: 201.6}}
    )
    values = {f["name"]: f for f in task["custom_fields"]}
    assert (
        values["Sprint"]["enum_value"]["name"] == "Sprint 2"
        and values["Sprint"]["display_value"] == "Sprint 2"
    )
    assert values["ICE"]["number_value"] == 201.6 and values["ICE"]["display_value"] == "201.6"
    bad = asana.call("PUT", f"/tasks/{gid}", {"custom_fields": {sprint["gid"]: "1"}})
    assert bad.status_code in (400, 404)


def test_subtasks_tags_stories_and_add_project(asana: Asana, project: str) -> None:
    parent = asana.ok("GET", f"/projects/{project}/tasks")[0]["gid"]
    child = asana.ok("POST", f"/tasks/{parent}/subtasks", {"name": "Checklist item"})
    assert [t["gid"] for t in asana.ok("GET", f"/tasks/{parent}/subtasks")] == [child["gid"]]
    assert asana.ok("GET", f"/tasks/{child['gid']}")["parent"]["gid"] == parent
    workspace = asana.ok("GET", "/workspaces")[0]["gid"]
    tag = asana.ok("POST", "/tags", {"workspace": workspace, "name": "moteur"})
    asana.ok("POST", f"/tasks/{parent}/addTag", {"tag": tag["gid"]})
    assert tag["gid"] in [t["gid"] for t in asana.ok("GET", f"/tasks/{parent}", opt_fields="tags")["tags"]]
    asana.ok("POST", f"/tasks/{parent}/removeTag", {"tag": tag["gid"]})
    assert tag["gid"] not in [
        t["gid"] for t in asana.ok("GET", f"/tasks/{parent}", opt_fields="tags")["tags"]
    ]
    story = asana.ok("POST", f"/tasks/{parent}/stories", {"text": "Planifié par moteur"})
    assert story["resource_subtype"] == "comment_added" and story["created_by"]["resource_type"] == "user"
    stories = asana.ok("GET", f"/tasks/{parent}/stories", opt_fields="text,created_at,created_by.email")
    assert stories[-1]["text"] == "Planifié par moteur" and "@" in stories[-1]["created_by"]["email"]
    team = asana.ok("GET", "/users/me/teams", organization=workspace)[0]["gid"]  # an organization: a team
    other = asana.ok("POST", "/projects", {"workspace": workspace, "team": team, "name": "Autre"})
    asana.ok("POST", f"/tasks/{parent}/addProject", {"project": other["gid"]})
    projects = asana.ok("GET", f"/tasks/{parent}", opt_fields="projects.name")["projects"]
    assert {p["name"] for p in projects} == {"Plan marketing (démo)", "Autre"}


@pytest.mark.refusals  # an unknown route: refused by the strict sandbox, in Asana's shape
def test_errors_401_404_400_in_asanas_shape(sandbox: Sandbox, asana: Asana, project: str) -> None:
    anonymous = requests.get(sandbox.urls["asana"] + "/users/me", timeout=TIMEOUT)
    wrong = Asana(sandbox, token="nope").call("GET", "/users/me")
    for answer in (anonymous, wrong):
        assert answer.status_code == 401
        error = answer.json()["errors"][0]
        assert error["message"] == "Not Authorized" and error["help"].startswith("For more information")
    missing = asana.call("GET", "/projects/1234567890123456")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["message"] == "project: Unknown object: 1234567890123456"
    assert asana.call("GET", "/projects/not-a-gid").status_code == 400
    assert (
        asana.call("GET", "/no/such/route").json()["errors"][0]["message"] == "No matching route for request"
    )
    bad_json = requests.post(
        sandbox.urls["asana"] + "/tasks",
        data="{",
        headers={"Authorization": f"Bearer {asana.token}", "Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    assert bad_json.status_code == 400


def test_events_412_with_a_sync_token_then_the_changes(asana: Asana, project: str) -> None:
    first = asana.call("GET", "/events", resource=project)
    assert first.status_code == 412
    body = first.json()
    assert body["errors"][0]["message"].startswith("Sync token invalid") and body["sync"]
    quiet = asana.call("GET", "/events", resource=project, sync=body["sync"]).json()
    assert quiet["data"] == [] and quiet["has_more"] is False
    gid = asana.ok("GET", f"/projects/{project}/tasks")[0]["gid"]
    asana.ok("PUT", f"/tasks/{gid}", {"name": "Changed"})
    asana.ok("POST", f"/tasks/{gid}/stories", {"text": "hello"})
    changes = asana.call("GET", "/events", resource=project, sync=quiet["sync"]).json()
    kinds = [(e["resource"]["resource_type"], e["action"]) for e in changes["data"]]
    assert kinds == [("task", "changed"), ("story", "added")]
    assert changes["data"][0]["resource"]["gid"] == gid and changes["data"][0]["change"]["field"] == "name"
    assert asana.call("GET", "/events", resource=project, sync="bogus").status_code == 412


def test_batch_runs_actions_in_order_and_answers_200_with_a_failing_one(
    sandbox: Sandbox, asana: Asana, project: str
) -> None:
    gid = asana.ok("GET", f"/projects/{project}/tasks")[0]["gid"]
    actions = [
        {"relative_path": f"/tasks/{gid}", "method": "put", "data": {"name": "Batched"}},
        {"relative_path": "/tasks/1234567890123456", "method": "put", "data": {"name": "Nope"}},
        {
            "relative_path": f"/projects/{project}/tasks",
            "method": "get",
            "options": {"limit": 2, "fields": ["name"]},
        },
    ]
    answer = asana.call("POST", "/batch", {"actions": actions})
    assert answer.status_code == 200
    results = answer.json()["data"]
    assert [r["status_code"] for r in results] == [200, 404, 200]
    assert results[0]["body"]["data"]["name"] == "Batched"
    assert results[1]["body"]["errors"][0]["message"].startswith("task: Unknown object")
    assert len(results[2]["body"]["data"]) == 2 and results[2]["body"]["next_page"]["offset"]
    too_many = asana.call("POST", "/batch", {"actions": [actions[2]] * 11})
    assert too_many.status_code == 400
    logged = [e for e in sandbox.requests() if e["tool"] == "asana" and e["path"] == "/batch"]
    assert logged[0]["mutating"] is True and logged[0]["root_fields"][0] == f"PUT /tasks/{gid}"
    reads_only = asana.call("POST", "/batch", {"actions": [actions[2]]})
    assert reads_only.status_code == 200
    assert [e for e in sandbox.requests() if e["path"] == "/batch"][-1]["mutating"] is False


def test_same_seed_gives_the_same_gids(sandbox: Sandbox, asana: Asana) -> None:
    first = sandbox.reset("demo")["asana"]
    gids = [t["gid"] for t in asana.ok("GET", f"/projects/{first[0].split(':')[1]}/tasks")]
    second = sandbox.reset("demo")["asana"]
    assert first == second
    assert gids == [t["gid"] for t in asana.ok("GET", f"/projects/{second[0].split(':')[1]}/tasks")]
    assert sandbox.reset("empty")["asana"] == []
    assert asana.ok("GET", "/workspaces")[0]["name"] == "Démo"


@pytest.fixture(scope="module")
def lenient() -> Iterator[Asana]:
    """The emulator alone, without the strict sandbox's contract check in front: what it refuses itself."""
    with start_sandbox(seed="demo", rate_limits=False, strict=False) as handle:
        yield Asana(handle)


@pytest.mark.parametrize("key", ["opt_fields", "opt_pretty", "limit", "offset"])
def test_a_batch_get_with_options_or_pagination_in_data_is_refused(lenient: Asana, key: str) -> None:
    """Spec ``BatchRequestAction.data``: "Options and pagination are not accepted here; put them in
    options"."""
    project = lenient.ok("GET", "/projects")[0]["gid"]
    value = {"opt_fields": "name", "opt_pretty": True, "limit": 2, "offset": "x"}[key]
    misplaced = {"relative_path": f"/projects/{project}/tasks", "method": "get", "data": {key: value}}
    placed = {"relative_path": f"/projects/{project}/tasks", "method": "get", "options": {"limit": 2}}
    answer = lenient.call("POST", "/batch", {"actions": [misplaced, placed]})
    assert answer.status_code == 200  # the batch answers; the action carries the refusal
    refused, served = answer.json()["data"]
    assert refused["status_code"] == 400 and refused["body"]["errors"][0]["message"].startswith(f"{key}: ")
    assert "help" in refused["body"]["errors"][0]
    assert served["status_code"] == 200 and len(served["body"]["data"]) == 2


def test_batch_options_are_limit_offset_and_fields_as_an_array(lenient: Asana) -> None:
    path = f"/projects/{lenient.ok('GET', '/projects')[0]['gid']}/tasks"
    actions = [
        {"relative_path": path, "method": "get", "options": {"fields": "name"}},  # a string, not an array
        {"relative_path": path, "method": "get", "options": {"pretty": True}},  # not an action option
        {"relative_path": path, "method": "get", "options": {"fields": ["name"], "limit": 1}},
    ]
    results = lenient.ok("POST", "/batch", {"actions": actions})
    assert [r["status_code"] for r in results] == [400, 400, 200]
    assert results[0]["body"]["errors"][0]["message"].startswith("options.fields: ")
    assert "name" in results[2]["body"]["data"][0] and "notes" not in results[2]["body"]["data"][0]


def test_a_tag_or_project_colour_outside_the_specs_enum_is_refused(lenient: Asana) -> None:
    """Spec ``TagBase.color`` / ``ProjectBase.color``: dark-/light- pink, green, blue, red, teal, brown,
    orange, purple, warm-gray (a project also takes ``none``); there is no ``light-yellow``."""
    workspace = lenient.ok("GET", "/workspaces")[0]["gid"]
    refused = lenient.call(
        "POST", "/tags", {"workspace": workspace, "name": "Jaune", "color": "light-yellow"}
    )
    assert refused.status_code == 400 and refused.json()["errors"][0]["message"].startswith("color: ")
    assert lenient.ok("POST", "/tags", {"workspace": workspace, "name": "Jaune", "color": "dark-brown"})
    assert (
        lenient.ok("POST", f"/workspaces/{workspace}/tags", {"name": "Sans", "color": None})["color"] is None
    )
    project = lenient.ok("GET", "/projects")[0]["gid"]
    assert lenient.call("PUT", f"/projects/{project}", {"color": "yellow"}).status_code == 400
    assert lenient.ok("PUT", f"/projects/{project}", {"color": "none"})["color"] == "none"


def test_a_project_in_an_organization_needs_a_team(asana: Asana, sandbox: Sandbox) -> None:
    """``POST /projects`` without a team in an organization: 400 "Missing required `team` field" (a real
    answer, PipedreamHQ/pipedream#16651); ``POST /workspaces/{workspace_gid}/projects`` with only a name: 201,
    shared with a team of the user's (recorded, asana-recorded/project_create_without_team.json), 400 when the
    user is in none; ``POST /teams/{team_gid}/projects`` shares it with that team."""
    workspace = asana.ok("GET", "/workspaces", opt_fields="name,is_organization")[0]
    assert workspace["is_organization"] is True
    ws = workspace["gid"]
    refused = asana.call("POST", "/projects", {"workspace": ws, "name": "Sans équipe"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"] == "Missing required `team` field"
    teamless = asana.ok("POST", f"/workspaces/{ws}/projects", {"name": "Sans équipe"})
    assert teamless["team"]["name"] == "Marketing"
    emulator = sandbox.app.emulators["asana"]
    (marketing,) = [t for t in emulator.store.records.values() if t.resource_type == "team"]
    members, marketing.members = marketing.members, []
    try:
        alone = asana.call("POST", f"/workspaces/{ws}/projects", {"name": "Seul"})
        assert alone.status_code == 400
        assert alone.json()["errors"][0]["message"] == "Missing required `team` field"
    finally:
        marketing.members = members
    mine = asana.ok("GET", "/users/me/teams", organization=ws, opt_fields="name")
    assert [t["name"] for t in mine] == ["Marketing"]
    team = mine[0]["gid"]
    assert [t["gid"] for t in asana.ok("GET", f"/workspaces/{ws}/teams")] == [team]
    assert asana.ok("GET", f"/teams/{team}", opt_fields="organization")["organization"]["gid"] == ws
    made = asana.ok("POST", f"/teams/{team}/projects", {"name": "Avec équipe"})
    assert made["team"]["gid"] == team and made["workspace"]["gid"] == ws
    shared = asana.ok("POST", "/projects", {"workspace": ws, "team": team, "name": "Partagé"})
    assert shared["team"]["gid"] == team
    listed = asana.ok("GET", f"/teams/{team}/projects", opt_fields="name")
    assert {"Avec équipe", "Partagé", "Plan marketing (démo)"} <= {p["name"] for p in listed}


def test_a_delete_with_the_body_of_python_asana_is_answered_a_write_without_data_is_not(
    lenient: Asana,
) -> None:
    """python-asana 5.x sends ``DELETE /tasks/{gid}`` with the JSON body ``{}``: Asana answers 200 ``{"data":
    {}}`` (recorded: asana-recorded/task_delete_empty_body.json). A POST or PUT body still needs ``data``."""
    workspace = lenient.ok("GET", "/workspaces")[0]["gid"]
    task = lenient.ok("POST", "/tasks", {"workspace": workspace, "name": "À supprimer"})["gid"]
    auth = {"Authorization": f"Bearer {lenient.token}"}
    put = requests.put(f"{lenient.base}/tasks/{task}", json={}, headers=auth, timeout=TIMEOUT)
    assert put.status_code == 400 and put.json()["errors"][0]["message"] == "data: Missing input"
    gone = requests.delete(f"{lenient.base}/tasks/{task}", json={}, headers=auth, timeout=TIMEOUT)
    assert gone.status_code == 200 and gone.json() == {"data": {}}
    assert lenient.call("GET", f"/tasks/{task}").status_code == 404
