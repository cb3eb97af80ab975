"""The Asana emulator's ``POST /tasks/{gid}/setParent``: a new subtask goes on top; setParent places a
subtask after a sibling (``insert_after``), first (``insert_after: null``), before one, or last."""

from __future__ import annotations

from typing import Any

import pytest
from sandbox.test_asana import Asana

Sandbox = Any  # tests/sandbox/conftest.py: the sandbox fixture


def _order(asana: Asana, parent: str) -> list[str]:
    return [t["name"] for t in asana.ok("GET", f"/tasks/{parent}/subtasks", opt_fields="name")]


def test_set_parent_places_a_subtask_among_its_siblings(sandbox: Sandbox) -> None:
    asana = Asana(sandbox)
    project = sandbox.boards["asana"][0].split(":", 1)[1]
    parent = asana.ok("GET", f"/projects/{project}/tasks")[0]["gid"]
    gid = {name: asana.ok("POST", f"/tasks/{parent}/subtasks", {"name": name})["gid"] for name in "cba"}
    assert _order(asana, parent) == ["a", "b", "c"]  # each new subtask went on top
    moved = asana.ok("POST", f"/tasks/{gid['a']}/setParent", {"parent": parent, "insert_after": gid["b"]})
    assert moved["parent"]["gid"] == parent and _order(asana, parent) == ["b", "a", "c"]
    asana.ok("POST", f"/tasks/{gid['c']}/setParent", {"parent": parent, "insert_after": None})
    assert _order(asana, parent) == ["c", "b", "a"]
    asana.ok("POST", f"/tasks/{gid['c']}/setParent", {"parent": parent, "insert_before": None})
    assert _order(asana, parent) == ["b", "a", "c"]
    asana.ok("POST", f"/tasks/{gid['c']}/setParent", {"parent": parent, "insert_before": gid["a"]})
    assert _order(asana, parent) == ["b", "c", "a"]


@pytest.mark.refusals  # a setParent without ``parent``: refused by the strict sandbox (spec: required)
def test_set_parent_refuses_an_anchor_that_is_not_a_sibling_and_can_detach(sandbox: Sandbox) -> None:
    asana = Asana(sandbox)
    project = sandbox.boards["asana"][0].split(":", 1)[1]
    first, other = (t["gid"] for t in asana.ok("GET", f"/projects/{project}/tasks")[:2])
    child = asana.ok("POST", f"/tasks/{first}/subtasks", {"name": "x"})["gid"]
    refused = asana.call("POST", f"/tasks/{child}/setParent", {"parent": first, "insert_after": other})
    assert refused.status_code == 400 and refused.json()["errors"][0]["message"]
    assert asana.call("POST", f"/tasks/{child}/setParent", {}).status_code == 400
    asana.ok("POST", f"/tasks/{child}/setParent", {"parent": None})
    assert _order(asana, first) == [] and asana.ok("GET", f"/tasks/{child}")["parent"] is None
