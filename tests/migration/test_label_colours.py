"""Label colours carried between Trello, Asana and monday.com over the sandbox (real HTTP): each tag gets the
closest colour of the target's palette (``core/colours.py``), base colours come back the same from any chain
of hops, what cannot come back is named in the dry-run's and the run's loss report with its count, and a
re-run sends nothing — once a colour a person changed on the target has been set back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from migration.support import (
    CLIPKIT,
    SAMPLE,
    TRIP,
    Sandbox,
    board,
    differences,
    import_trello,
    migrate,
    needs_fixtures,
    now,
)
from moteur.core.colours import closest
from moteur.core.migrate import Loss, MigrationPlan
from moteur.core.model import BoardRef, Tool
from moteur.core.ops import EnsureTag
from moteur.engine.migration_run import prepare_migration
from moteur.engine.state import StateStore

# Five base colours, two 2023 variants (one monday.com keeps, one it does not) and a label with no colour.
LABELS: dict[str, str | None] = {
    "Urgent": "red",
    "Customer": "sky",
    "Backend": "lime",
    "Parked": "black",
    "Ops": "green_dark",
    "Pale": "pink_light",
    "Someday": None,
}
BASES = {name: colour for name, colour in LABELS.items() if colour is None or "_" not in colour}


def _label_cards(sandbox: Sandbox, board_id: str) -> None:
    """Each of ``LABELS`` made on the board through Trello's API and put on a card of its own."""
    base = sandbox.urls["trello"]
    auth = {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}
    cards = requests.get(f"{base}/boards/{board_id}/cards", params=auth, timeout=10).json()
    cards = sorted((c for c in cards if not c.get("closed")), key=lambda c: c["id"])
    for card, (name, colour) in zip(cards, LABELS.items(), strict=False):
        params = {**auth, "idBoard": board_id, "name": name, "color": colour or "null"}
        label = requests.post(f"{base}/labels", params=params, timeout=10)
        label.raise_for_status()
        on_card = {**auth, "value": label.json()["id"]}
        requests.post(f"{base}/cards/{card['id']}/idLabels", params=on_card, timeout=10).raise_for_status()


def _colour_loss(plan: MigrationPlan) -> Loss | None:
    found = [loss for loss in plan.losses if "label colours" in loss.what]
    assert len(found) <= 1, found
    return found[0] if found else None


def _hop(store: StateStore, src: Any, ref: BoardRef, dst: Any, tool: Tool) -> tuple[BoardRef, MigrationPlan]:
    """Migrate into a new board, then re-run: nothing created, updated or recoloured the second time."""
    prepared, outcome = migrate(store, src, ref, dst, BoardRef(tool=tool, board="new"), include_archived=True)
    assert outcome.ok, [(f.op.kind, f.error) for f in outcome.failures][:5]
    target = prepared.target.board
    copy = dst.read_full(target, include_archived=True)
    assert differences(prepared.source, copy, dst.capabilities(copy), True) == []
    again, rerun = migrate(store, src, ref, dst, BoardRef(tool=tool, board="new"), include_archived=True)
    assert (again.plan.created, again.plan.updated, rerun.creates) == (0, 0, 0)
    assert [op for op in again.plan.ops if isinstance(op, EnsureTag)] == []
    return target, prepared.plan


def _colours(port: Any, ref: BoardRef, names: dict[str, str | None]) -> dict[str, str | None]:
    held = port.read_full(ref, include_archived=True).tag_colours
    return {name: held.get(name, "?") for name in names}


@pytest.mark.parametrize(
    "chain",
    [(Tool.ASANA, Tool.MONDAY, Tool.TRELLO), (Tool.MONDAY, Tool.ASANA, Tool.TRELLO)],
    ids=["trello-asana-monday-trello", "trello-monday-asana-trello"],
)
def test_base_colours_come_back_from_a_chain_of_tools(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, chain: tuple[Tool, ...]
) -> None:
    ref = board(sandbox, Tool.TRELLO)
    _label_cards(sandbox, ref.board)
    port = ports(Tool.TRELLO)
    for nxt_tool in chain:
        nxt = ports(nxt_tool)
        ref, _ = _hop(store, port, ref, nxt, nxt_tool)
        wanted = {name: closest(colour, Tool.TRELLO, nxt_tool) for name, colour in BASES.items()}
        assert _colours(nxt, ref, BASES) == wanted  # each hop: the counterparts of the base colours
        port = nxt
    assert _colours(port, ref, BASES) == BASES


@pytest.mark.parametrize("tool", [Tool.ASANA, Tool.MONDAY])
def test_a_colour_that_cannot_come_back_is_reported_with_its_count(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    """Trello → Asana: green_dark and pink_light become Asana colours that come back as others; Trello →
    monday.com: green_dark keeps a dark green of its own there, pink_light does not. The dry-run says it as
    the run does; there and back, what was reported changed and the rest is the same."""
    ref = board(sandbox, Tool.TRELLO)
    _label_cards(sandbox, ref.board)
    src, dst = ports(Tool.TRELLO), ports(tool)
    new = BoardRef(tool=tool, board="new")
    dry = prepare_migration(src, ref, dst, new, store, include_archived=True, dry_run=True, now=now).plan
    lost = ["pink_light"] if tool is Tool.MONDAY else ["green_dark", "pink_light"]
    changes = {f"{c} → {closest(c, Tool.TRELLO, tool)}" for c in lost}
    name = {Tool.ASANA: "Asana", Tool.MONDAY: "monday.com"}[tool]
    loss = _colour_loss(dry)
    assert loss is not None
    assert (loss.what, loss.count) == (f"Trello label colours ({len(lost)})", len(lost))  # one card each
    heading, _, pairs = loss.fate.partition(": ")  # the pairs in the order the cards first carry them
    assert (heading, set(pairs.split(", "))) == (f"each the closest {name} colour", changes)
    target, plan = _hop(store, src, ref, dst, tool)
    assert _colour_loss(plan) == loss
    back, _ = _hop(store, dst, target, ports(Tool.TRELLO), Tool.TRELLO)
    returned = _colours(ports(Tool.TRELLO), back, LABELS)
    assert {n for n in LABELS if returned[n] != LABELS[n]} == {n for n, c in LABELS.items() if c in lost}


@pytest.mark.parametrize("tool", [Tool.MONDAY, Tool.TRELLO])
def test_a_colour_changed_on_the_target_is_set_back_once(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore, tool: Tool
) -> None:
    """A person recolours a migrated tag: the next run sends one ``EnsureTag`` (no item updated), the one
    after it nothing."""
    ref = board(sandbox, Tool.TRELLO)
    _label_cards(sandbox, ref.board)
    src, dst = ports(Tool.TRELLO), ports(tool)
    target, _ = _hop(store, src, ref, dst, tool)
    _recolour(sandbox, dst, target, "Urgent")
    again, outcome = migrate(store, src, ref, dst, BoardRef(tool=tool, board="new"), include_archived=True)
    assert outcome.ok and again.plan.updated == 0
    assert [op for op in again.plan.ops if isinstance(op, EnsureTag)] == [
        EnsureTag("Urgent", closest("red", Tool.TRELLO, tool))
    ]
    assert _colours(dst, target, {"Urgent": None}) == {"Urgent": closest("red", Tool.TRELLO, tool)}
    settled, _ = migrate(store, src, ref, dst, BoardRef(tool=tool, board="new"), include_archived=True)
    assert settled.plan.updated == 0 and not [op for op in settled.plan.ops if isinstance(op, EnsureTag)]


def test_an_asana_tag_other_projects_share_keeps_its_colour_and_is_named(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore
) -> None:
    """An Asana tag is the workspace's: recolouring it would change every other project that carries it. So a
    migration never sends ``PUT /tags``; a tag already there in another colour keeps it, and the loss report
    names it (dry-run and run alike), re-run after re-run."""
    ref = board(sandbox, Tool.TRELLO)
    _label_cards(sandbox, ref.board)
    src, dst = ports(Tool.TRELLO), ports(Tool.ASANA)
    target, _ = _hop(store, src, ref, dst, Tool.ASANA)
    _recolour(sandbox, dst, target, "Urgent")  # another project's owner, say
    since = len(sandbox.app.requests_log())
    for _ in range(2):
        again, outcome = migrate(
            store, src, ref, dst, BoardRef(tool=Tool.ASANA, board="new"), include_archived=True
        )
        assert outcome.ok and again.plan.updated == 0
        assert not [op for op in again.plan.ops if isinstance(op, EnsureTag)]
        (kept,) = [loss for loss in again.plan.losses if "another colour" in loss.what]
        assert (
            kept.what.startswith("Asana tags already there in another colour (")
            and "Urgent (dark-blue)" in kept.fate
        )
    assert _colours(dst, target, {"Urgent": None}) == {"Urgent": "dark-blue"}
    sent = [
        e
        for e in sandbox.app.requests_log()[since:]
        if e["tool"] == "asana" and e["path"].startswith("/tags/")
    ]
    assert sent == [], "no tag recoloured"


def _recolour(sandbox: Sandbox, port: Any, target: BoardRef, name: str) -> None:
    """``name``'s colour changed on ``target`` through the tool's own API, as a person would."""
    base = sandbox.urls[target.tool.value]
    if target.tool is Tool.TRELLO:
        auth = {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}
        labels = requests.get(f"{base}/boards/{target.board}/labels", params=auth, timeout=10).json()
        label = next(x for x in labels if x["name"] == name)
        answer = requests.put(f"{base}/labels/{label['id']}", params={**auth, "color": "blue"}, timeout=10)
    elif target.tool is Tool.ASANA:
        headers = {"Authorization": f"Bearer {sandbox.env['MOTEUR_ASANA_TOKEN']}"}
        tasks = requests.get(
            f"{base}/projects/{target.board}/tasks",
            params={"opt_fields": "tags.name"},
            headers=headers,
            timeout=10,
        ).json()["data"]
        gid = next(t["gid"] for task in tasks for t in task["tags"] if t["name"] == name)
        answer = requests.put(
            f"{base}/tags/{gid}", json={"data": {"color": "dark-blue"}}, headers=headers, timeout=10
        )
    else:
        headers = {"Authorization": sandbox.env["MOTEUR_MONDAY_TOKEN"]}
        query = "query($b: [ID!]) { boards(ids: $b) { columns { id title description } } }"
        found = requests.post(
            base, json={"query": query, "variables": {"b": [target.board]}}, headers=headers
        )
        column = next(c for c in found.json()["data"]["boards"][0]["columns"] if c["title"] == "Tags")
        text = str(column["description"]).replace('"Urgent":"stuck_red"', '"Urgent":"navy"')
        change = (
            "mutation($b: ID!, $c: String!, $v: String!) { change_column_metadata(board_id: $b, "
            "column_id: $c, column_property: description, value: $v) { id } }"
        )
        variables = {"b": target.board, "c": column["id"], "v": text}
        answer = requests.post(
            base, json={"query": change, "variables": variables}, headers=headers, timeout=10
        )
    answer.raise_for_status()
    assert _colours(port, target, {name: None})[name] != closest("red", Tool.TRELLO, target.tool)


@needs_fixtures
def test_the_real_boards_label_colours_survive_or_are_named(
    sandbox: Sandbox, ports: Callable[[Tool], Any], store: StateStore
) -> None:
    """The exports' named labels (green and a colourless one in the sample, red and green in the 2015 board,
    green in the trip board): base colours, so the dry-run names no colour loss to any tool, and the sample
    comes back from Trello → Asana → monday.com → Trello with each of its labels' colours."""
    files = ports(Tool.FILE)
    for export in (SAMPLE, CLIPKIT, TRIP):
        source = BoardRef(tool=Tool.FILE, board=str(export))
        for tool in (Tool.ASANA, Tool.MONDAY):
            new = BoardRef(tool=tool, board="new")
            plan = prepare_migration(
                files, source, ports(tool), new, store, include_archived=True, dry_run=True, now=now
            ).plan
            assert _colour_loss(plan) is None, export.name
            assert {op.name for op in plan.ops if isinstance(op, EnsureTag)}, export.name
    ref, port = import_trello(sandbox, SAMPLE), ports(Tool.TRELLO)
    named = {"green label": "green", "label without color": None}
    assert _colours(port, ref, named) == named
    for tool in (Tool.ASANA, Tool.MONDAY, Tool.TRELLO):
        nxt = ports(tool)
        ref, _ = _hop(store, port, ref, nxt, tool)
        port = nxt
    assert _colours(port, ref, named) == named


@pytest.mark.refusals  # the colours outside the palettes are refused on purpose
def test_the_emulators_hold_a_colour_and_refuse_one_outside_the_palette(sandbox: Sandbox) -> None:
    trello = sandbox.urls["trello"]
    auth = {"key": sandbox.env["MOTEUR_TRELLO_API_KEY"], "token": sandbox.env["MOTEUR_TRELLO_TOKEN"]}
    board_id = board(sandbox, Tool.TRELLO).board
    made = requests.post(
        f"{trello}/labels",
        params={**auth, "idBoard": board_id, "name": "Ops", "color": "sky_dark"},
        timeout=10,
    )
    assert made.status_code == 200 and made.json()["color"] == "sky_dark"  # a 2023 variant
    label = made.json()["id"]
    for bad in ("mauve", "dark-green"):
        refused = requests.put(f"{trello}/labels/{label}", params={**auth, "color": bad}, timeout=10)
        assert refused.status_code == 400, bad
    assert requests.get(f"{trello}/labels/{label}", params=auth, timeout=10).json()["color"] == "sky_dark"

    asana = sandbox.urls["asana"]
    headers = {"Authorization": f"Bearer {sandbox.env['MOTEUR_ASANA_TOKEN']}"}
    workspace = requests.get(f"{asana}/workspaces", headers=headers, timeout=10).json()["data"][0]["gid"]
    body = {"data": {"name": "Ops", "workspace": workspace, "color": "light-teal"}}
    tag = requests.post(f"{asana}/tags", json=body, headers=headers, timeout=10).json()["data"]
    assert tag["color"] == "light-teal"
    for bad in ("green", "sky_dark"):
        refused = requests.put(f"{asana}/tags/{tag['gid']}", json={"data": {"color": bad}}, headers=headers)
        assert refused.status_code == 400, bad
    changed = requests.put(f"{asana}/tags/{tag['gid']}", json={"data": {"color": None}}, headers=headers)
    assert changed.status_code == 200 and changed.json()["data"]["color"] is None
