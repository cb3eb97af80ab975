"""Contract tests: the Asana emulator held to Asana's own OpenAPI spec and to a real recorded task.

- every route the emulator serves exists in ``asana_oas.yaml`` with that method (path templates compared);
- every answer of a scenario touching every route validates against the spec's response schema (openapi-core,
  the spec loaded once per session), except the spec errors listed in ``SPEC_EXCEPTIONS`` below, each
  contradicted by the real recorded task in ``../shared/fixtures/asana/``;
- a task read with the real response's fields has the real response's keys and JSON types.

``SPEC_EXCEPTIONS`` is the one place listing where real Asana data contradicts the spec.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from moteur.sandbox.asana.dispatch import ROUTES

REPO = Path(__file__).resolve().parents[2]
SPECS_DIR = Path(os.environ.get("MOTEUR_SPECS_DIR", REPO / "moteur" / "sandbox" / "contracts"))
FIXTURES_DIR = Path(os.environ.get("MOTEUR_FIXTURES_DIR", REPO / "tests" / "contract" / "fixtures"))
SPEC_FILE = SPECS_DIR / "asana_oas.yaml"
REAL_TASK = FIXTURES_DIR / "asana" / "asana2scoro_task_raw_get_response.json"
SPEC_SERVER = "https://app.asana.com/api/1.0"
TIMEOUT = 10

# Where real Asana data (and so the emulator) contradicts Asana's spec. Each key is a property the spec
# declares as ``allOf: [{$ref: …}, {nullable: true}]``, which openapi-core (strict OpenAPI 3.0) reads as
# non-nullable, while the real API sends ``null``; the value is the real example. Only ``null`` is excused.
SPEC_EXCEPTIONS: dict[str, str] = {
    "parent": 'fixtures/asana/asana2scoro_task_raw_get_response.json: "parent": null (a top-level task)',
    "enum_value": 'same file, custom field "Priority": "enum_value": null (no value set)',
    "assignee": "spec TaskResponse.assignee: allOf [UserCompact, {nullable: true}]; unassigned: null",
    "current_status": "spec ProjectResponse.current_status: allOf [ProjectStatusResponse, {nullable: true}], "
    "deprecated; a project that never had a status sends null",
}


@pytest.fixture(scope="session")
def asana_spec() -> dict[str, Any]:
    if not SPEC_FILE.exists():
        pytest.skip(f"Asana OpenAPI spec not found at {SPEC_FILE} (set MOTEUR_SPECS_DIR)")
    with SPEC_FILE.open(encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    # YAML reads unquoted status codes as ints; OpenAPI (and openapi-core) want string keys.
    return json.loads(json.dumps(spec))  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def asana_openapi(asana_spec: dict[str, Any]) -> Any:
    from openapi_core import Config, OpenAPI

    # The spec is Asana's own and already valid; skipping openapi-core's check of it saves ~6 s.
    return OpenAPI.from_dict(asana_spec, config=Config(spec_validator_cls=None))


def test_every_served_route_exists_in_the_spec_with_its_method(asana_spec: dict[str, Any]) -> None:
    """Our templates, with their parameters filled in, match a spec template with that method
    (``/users/me`` is the spec's ``/users/{user_gid}``)."""
    spec_routes = [
        (re.compile("^" + re.sub(r"\{\w+\}", "[^/]+", template) + "$"), set(operations))
        for template, operations in asana_spec["paths"].items()
    ]
    missing = [
        f"{r.method} {r.template}"
        for r in ROUTES
        if not any(
            pattern.match(re.sub(r"\{\w+\}", "1234", r.template)) and r.method.lower() in methods
            for pattern, methods in spec_routes
        )
    ]
    assert missing == []


class Recorder:
    """Calls the sandbox's Asana API and keeps every exchange for validation against the spec."""

    def __init__(self, sandbox: Any) -> None:
        self.base = sandbox.urls["asana"]
        self.token = sandbox.env["MOTEUR_ASANA_TOKEN"]
        self.exchanges: list[requests.Response] = []

    def __call__(self, method: str, path: str, data: dict[str, Any] | None = None, **params: Any) -> Any:
        answer = requests.request(
            method,
            self.base + path,
            params=params or None,
            json={"data": data} if data is not None else None,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=TIMEOUT,
        )
        self.exchanges.append(answer)
        body = answer.json()
        return body.get("data", body)


def _scenario(call: Recorder, project: str) -> None:
    """One request per served route at least, plus error answers."""
    me = call("GET", "/users/me")
    call("GET", f"/users/{me['gid']}")
    workspace = call("GET", "/workspaces")[0]["gid"]
    call("GET", f"/workspaces/{workspace}")
    call("GET", f"/workspaces/{workspace}/users")
    call("GET", "/projects", workspace=workspace, limit=10)
    call("GET", f"/workspaces/{workspace}/projects")
    call("GET", f"/projects/{project}")
    sections = call("GET", f"/projects/{project}/sections", limit=2)
    call("GET", f"/sections/{sections[0]['gid']}")
    tasks = call("GET", f"/projects/{project}/tasks", limit=5)
    call(
        "GET",
        f"/projects/{project}/tasks",
        opt_fields="name,memberships.section.name,custom_fields.number_value",
    )
    call("GET", f"/sections/{sections[0]['gid']}/tasks")
    call("GET", "/tasks", project=project, modified_since="2020-01-01T00:00:00Z", limit=3)
    task = tasks[0]["gid"]
    call("GET", f"/tasks/{task}")
    call("GET", f"/tasks/{task}/projects")
    call("GET", f"/tasks/{task}/tags")
    call("GET", f"/projects/{project}/custom_field_settings")
    settings = call(
        "GET", f"/projects/{project}/custom_field_settings", opt_fields="custom_field,is_important"
    )
    call("GET", f"/custom_fields/{settings[0]['custom_field']['gid']}")
    call("GET", f"/workspaces/{workspace}/custom_fields")
    tag = call("POST", "/tags", {"workspace": workspace, "name": "moteur"})
    call("POST", f"/workspaces/{workspace}/tags", {"name": "Sprint 1", "color": "dark-blue"})
    call("GET", "/tags", workspace=workspace)
    call("GET", f"/workspaces/{workspace}/tags")
    call("GET", f"/tags/{tag['gid']}")
    team = call("GET", "/users/me/teams", organization=workspace)[0]["gid"]  # "Démo" is an organization
    call("GET", f"/workspaces/{workspace}/teams")
    call("GET", f"/teams/{team}")
    other = call("POST", "/projects", {"workspace": workspace, "team": team, "name": "Autre"})
    call("POST", f"/workspaces/{workspace}/projects", {"name": "Encore", "team": team})
    call("POST", f"/teams/{team}/projects", {"name": "En équipe"})
    call("GET", f"/teams/{team}/projects", limit=5)
    call("POST", "/projects", {"workspace": workspace, "name": "Sans équipe"})  # 400: an organization
    call("PUT", f"/projects/{other['gid']}", {"notes": "Notes"})
    section = call(
        "POST", f"/projects/{project}/sections", {"name": "Quick win", "insert_after": sections[0]["gid"]}
    )
    call("PUT", f"/sections/{section['gid']}", {"name": "Victoire rapide"})
    call("POST", f"/sections/{section['gid']}/addTask", {"task": task})
    field = call(
        "POST", "/custom_fields", {"workspace": workspace, "name": "Sprint", "resource_subtype": "enum"}
    )
    option = call("POST", f"/custom_fields/{field['gid']}/enum_options", {"name": "Sprint 1"})
    call("POST", f"/projects/{project}/addCustomFieldSetting", {"custom_field": field["gid"]})
    call("PUT", f"/tasks/{task}", {"custom_fields": {field["gid"]: option["gid"]}, "due_on": "2027-01-15"})
    created = call("POST", "/tasks", {"name": "Nouvelle", "projects": [project], "notes": "n"})
    call("POST", f"/tasks/{created['gid']}/subtasks", {"name": "Sous-tâche"})
    call("GET", f"/tasks/{created['gid']}/subtasks")
    call("POST", f"/tasks/{created['gid']}/addTag", {"tag": tag["gid"]})
    call("GET", f"/tags/{tag['gid']}/tasks")
    call("POST", f"/tasks/{created['gid']}/removeTag", {"tag": tag["gid"]})
    call("POST", f"/tasks/{created['gid']}/addProject", {"project": other["gid"]})
    call("POST", f"/tasks/{created['gid']}/removeProject", {"project": other["gid"]})
    call("POST", f"/tasks/{created['gid']}/stories", {"text": "Commentaire"})
    call("GET", f"/tasks/{created['gid']}/stories")
    sync = call("GET", "/events", resource=project)
    call("GET", "/events", resource=project, sync=sync.get("sync") if isinstance(sync, dict) else None)
    call("POST", "/batch", {"actions": [{"relative_path": f"/tasks/{task}", "method": "get"}]})
    call("DELETE", f"/tasks/{created['gid']}")
    call("GET", "/tasks/1234567890123456")
    call("GET", "/projects/abc")
    call("GET", f"/projects/{project}/tasks", limit=500)


@pytest.fixture
def exchanges(sandbox: Any) -> Iterator[list[requests.Response]]:
    recorder = Recorder(sandbox)
    _scenario(recorder, sandbox.boards["asana"][0].split(":", 1)[1])
    yield recorder.exchanges


def _spec_errors(openapi: Any, answer: requests.Response, base: str) -> list[str]:
    from openapi_core.contrib.requests import RequestsOpenAPIRequest, RequestsOpenAPIResponse

    prepared = answer.request.copy()
    prepared.url = SPEC_SERVER + str(prepared.url)[len(base) :]
    errors = []
    for error in openapi.response_validator.iter_errors(
        RequestsOpenAPIRequest(prepared), RequestsOpenAPIResponse(answer)
    ):
        cause = error.__cause__ or error
        for schema_error in getattr(cause, "schema_errors", None) or [cause]:
            where = [str(p) for p in getattr(schema_error, "absolute_path", ())]
            message = str(getattr(schema_error, "message", schema_error))
            if where and where[-1] in SPEC_EXCEPTIONS and message.startswith("None "):
                continue
            errors.append(
                f"{prepared.method} {prepared.path_url} -> {answer.status_code}: {'.'.join(where)}: {message}"
            )
    return errors


@pytest.mark.refusals  # the scenario sends a few requests Asana refuses (limit 500), for their answers' shape
def test_every_answer_validates_against_the_spec(
    sandbox: Any, asana_openapi: Any, exchanges: list[Any]
) -> None:
    served = {(r.method, r.template) for r in ROUTES}
    assert len(exchanges) >= len(served)
    problems = [p for answer in exchanges for p in _spec_errors(asana_openapi, answer, sandbox.urls["asana"])]
    assert problems == [], "\n".join(problems)


def _shape(value: Any) -> Any:
    """A JSON value's shape: dict keys with their shapes, a list's first element, a scalar's JSON type."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return (
        "number" if isinstance(value, int | float) and not isinstance(value, bool) else type(value).__name__
    )


def test_a_task_has_the_keys_and_types_of_a_real_task(sandbox: Any) -> None:
    if not REAL_TASK.exists():
        pytest.skip(f"real Asana task not found at {REAL_TASK} (set MOTEUR_FIXTURES_DIR)")
    real = json.loads(REAL_TASK.read_text(encoding="utf-8"))["data"]
    call = Recorder(sandbox)
    project = sandbox.boards["asana"][0].split(":", 1)[1]
    tasks = call("GET", f"/projects/{project}/tasks", opt_fields="assignee,due_on")
    chosen = next(t for t in tasks if t["assignee"] and t["due_on"])
    call("PUT", f"/tasks/{chosen['gid']}", {"completed": True})
    ours = call("GET", f"/tasks/{chosen['gid']}", opt_fields=",".join(real))
    assert set(ours) == set(real)
    # A task's custom fields differ in kind; compare ours with the real one of the same type.
    real_fields = {f["type"]: f for f in real["custom_fields"] if f["display_value"] is not None}
    for field in ours["custom_fields"]:
        if field["type"] in real_fields and field.get("display_value") is not None:
            want = {k: v for k, v in _shape(real_fields[field["type"]]).items() if k != "created_by"}
            got = {k: _shape(v) for k, v in field.items() if k in want}
            assert got == want, field["name"]
    for key, value in real.items():
        if key == "custom_fields" or value is None or ours[key] is None:
            continue
        if isinstance(value, list) and (not value or not ours[key]):
            continue
        assert _shape(ours[key]) == _shape(value), key
