"""The Asana emulator as the docs describe two details the migration port relies on: a batch's actions run in
no guaranteed order (their results still come back in the request's order), and a date custom field keeps
a moment in UTC with its day."""

from __future__ import annotations

from typing import Any

from sandbox.test_asana import Asana

Sandbox = Any  # tests/sandbox/conftest.py


def test_a_batch_of_creates_in_one_section_lands_in_no_guaranteed_order(sandbox: Sandbox) -> None:
    asana = Asana(sandbox)
    project = sandbox.boards["asana"][0].split(":", 1)[1]
    section = asana.ok("GET", f"/projects/{project}/sections")[-1]["gid"]
    orders = []
    for round_ in range(3):
        names = [f"r{round_}-{n}" for n in range(10)]
        actions = [
            {
                "relative_path": "/tasks",
                "method": "post",
                "data": {"name": name, "memberships": [{"project": project, "section": section}]},
            }
            for name in names
        ]
        results = asana.ok("POST", "/batch", {"actions": actions})
        assert [r["body"]["data"]["name"] for r in results] == names  # answered in the request's order
        listed = [t["name"] for t in asana.ok("GET", f"/sections/{section}/tasks")]
        orders.append([n for n in listed if n.startswith(f"r{round_}-")])
        assert sorted(orders[-1]) == sorted(names)
    assert any(order != sorted(order) for order in orders)  # run in parallel: in any order
    # A move with an anchor the batch does not touch puts the task where asked, whatever the order.
    tasks = {t["name"]: t["gid"] for t in asana.ok("GET", f"/sections/{section}/tasks")}
    moves = [
        {
            "relative_path": f"/sections/{section}/addTask",
            "method": "post",
            "data": {"task": tasks[f"r0-{n}"], "insert_after": tasks[f"r1-{n}"]},
        }
        for n in range(10)
    ]
    asana.ok("POST", "/batch", {"actions": moves})
    listed = [t["name"] for t in asana.ok("GET", f"/sections/{section}/tasks")]
    for n in range(10):
        assert listed.index(f"r0-{n}") == listed.index(f"r1-{n}") + 1


def test_a_date_field_keeps_a_day_or_a_moment_in_utc(sandbox: Sandbox) -> None:
    asana = Asana(sandbox)
    project = sandbox.boards["asana"][0].split(":", 1)[1]
    workspace = asana.ok("GET", f"/projects/{project}")["workspace"]["gid"]
    field = asana.ok(
        "POST", "/custom_fields", {"workspace": workspace, "name": "Lancement", "resource_subtype": "date"}
    )
    asana.ok("POST", f"/projects/{project}/addCustomFieldSetting", {"custom_field": field["gid"]})
    day, moment = (t["gid"] for t in asana.ok("GET", f"/projects/{project}/tasks")[:2])
    asana.ok("PUT", f"/tasks/{day}", {"custom_fields": {field["gid"]: {"date": "2026-12-24"}}})
    asana.ok(
        "PUT",
        f"/tasks/{moment}",
        {"custom_fields": {field["gid"]: {"date_time": "2026-12-24T00:30:00+01:00"}}},
    )

    def value(task: str) -> Any:
        read = asana.ok("GET", f"/tasks/{task}", opt_fields="custom_fields.name,custom_fields.date_value")
        return next(f["date_value"] for f in read["custom_fields"] if f["name"] == "Lancement")

    assert value(day) == {"date": "2026-12-24", "date_time": None}
    assert value(moment) == {"date": "2026-12-23", "date_time": "2026-12-23T23:30:00.000Z"}
    bad = asana.call("PUT", f"/tasks/{day}", {"custom_fields": {field["gid"]: {"date": "24/12/2026"}}})
    assert bad.status_code == 400
