"""The loss report names every difference a round trip shows: each real Trello export, migrated with
``moteur migrate --include-archived`` to monday.com, to a CSV file, and round Trello → Asana → monday.com →
Trello, is compared with its copy field by field (``compare.py``); every field class that differs is named in
the dry-run's loss report (``--json``) with the number of items that differ, and the run reports what the
dry-run said. A round trip's end is compared with its start too: what differs there is named by its hops
(their counts summed). The source's read is first checked against the export file itself (the cards' order,
due reminders, checklist entries' members), so a field the reader drops cannot hide from the comparison.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sandbox_connectors import connector_for

from migration.compare import (
    LossLine,
    compose,
    differences,
    loss_lines,
    origins,
    unaccounted,
)
from migration.support import (
    CLIPKIT,
    SAMPLE,
    TRIP,
    Sandbox,
    import_trello,
    needs_fixtures,
    seed_trello_fields,
)
from moteur.cli import main
from moteur.core.identity import with_identity
from moteur.core.model import Action, BoardRef, ItemRef, Snapshot, Tool
from moteur.core.refs import parse_ref

EXPORTS = [
    pytest.param(SAMPLE, id="sample"),
    pytest.param(CLIPKIT, id="clipkit"),
    pytest.param(TRIP, id="trip"),
]
# Each export to monday.com and to a CSV file. The 201-card trip board goes to monday.com in the round trip
# already: its own hop there runs with the long tests (``perf``), so the quick suite migrates it there once.
ONE_HOP = [
    pytest.param(SAMPLE, "monday:new", id="monday-sample"),
    pytest.param(CLIPKIT, "monday:new", id="monday-clipkit"),
    pytest.param(TRIP, "monday:new", id="monday-trip", marks=pytest.mark.perf),
    pytest.param(SAMPLE, "file:copy.csv", id="csv-sample"),
    pytest.param(CLIPKIT, "file:copy.csv", id="csv-clipkit"),
    pytest.param(TRIP, "file:copy.csv", id="csv-trip"),
]


@dataclass(frozen=True)
class Hop:
    """One migration as the CLI ran it: the dry-run's loss report, its source and the copy it made, read."""

    report: list[LossLine]
    source: Snapshot
    copy: Snapshot


class Migrations:
    """``moteur migrate`` run in this process against the sandbox, with a state database of the test's own."""

    def __init__(self, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
        self.sandbox, self.capsys = sandbox, capsys

    def _json(self, *args: str) -> dict[str, Any]:
        code = main(["migrate", *args, "--include-archived", "--json"])
        out, err = self.capsys.readouterr()
        assert code == 0, err
        answer: dict[str, Any] = json.loads(out)
        return answer

    def read(self, ref: str) -> Snapshot:
        board = parse_ref(ref)
        connector = connector_for(board.tool, self.sandbox.env)
        try:
            return connector.read_full(board, include_archived=True)
        finally:
            connector.close()

    def hop(self, source: str, target: str, *, before: Snapshot | None = None) -> tuple[str, Hop]:
        """The dry-run then the run of ``source`` into ``target`` (``before``: the source as already read);
        returns the board made (``TOOL:ID``) and the hop."""
        dry = self._json(source, target, "--dry-run")
        run = self._json(source, target)
        assert run["failed"] == [], run["failed"][:3]
        assert loss_lines(run) == loss_lines(dry), "the run's loss report is not the dry-run's"
        made = run["target"]
        return made, Hop(loss_lines(dry), before or self.read(source), self.read(made))


@pytest.fixture
def migrations(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Migrations:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MOTEUR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return Migrations(sandbox, capsys)


def imported(sandbox: Sandbox, export: Path) -> str:
    """The export as a board of the sandbox's Trello. The sample gets five custom fields too, with values on
    two cards, as a person would add them (no real export here has any): their values are compared too."""
    ref = import_trello(sandbox, export)
    if export == SAMPLE:
        seed_trello_fields(sandbox, ref.board)
    return str(ref)


def read_as_exported(source: Snapshot, export: Path) -> list[str]:
    """Where the source's read differs from the export itself (so a field the reader drops cannot hide from
    the comparison): the cards in the board's order — lists by position, then cards by position in their
    list, two of one position by id, the older first — which is the order a migration creates them in; the
    cards with a due reminder (``dueReminder``: minutes before the due, -1 or null for none); the cards with
    a checklist entry assigned to a member."""
    board = json.loads(export.read_text(encoding="utf-8"))
    lists = {x["id"]: (float(x["pos"]), x["id"]) for x in board["lists"]}
    cards = sorted(board["cards"], key=lambda c: (lists[c["idList"]], float(c["pos"]), c["id"]))
    problems = []
    if [a.ref.item for a in source.actions] != [c["id"] for c in cards]:
        problems.append("the source is not read in the board's order")
    reminders = {c["id"] for c in cards if c.get("dueReminder") is not None and c["dueReminder"] >= 0}
    if {a.ref.item for a in source.actions if a.extra.get("due_reminder")} != reminders:
        problems.append(f"the source is not read with its {len(reminders)} due reminders")
    entries = [(x["idCard"], i) for x in board.get("checklists") or [] for i in x["checkItems"]]
    members = {card for card, entry in entries if entry.get("idMember")}
    if {a.ref.item for a in source.actions if a.extra.get("check_item_members")} != members:
        problems.append(f"the source is not read with the members of its {len(members)} cards' entries")
    return problems


def _accounted(name: str, hop: Hop, keys: dict[str, str] | None = None, *, exact: bool = True) -> list[str]:
    found = differences(hop.source, hop.copy, keys if keys is not None else origins(hop.copy))
    return [f"{name}: {problem}" for problem in unaccounted(found, hop.report, exact=exact)]


@needs_fixtures
@pytest.mark.parametrize(("export", "target"), ONE_HOP)
def test_one_hop_names_every_difference(
    sandbox: Sandbox, migrations: Migrations, export: Path, target: str
) -> None:
    source = imported(sandbox, export)
    _, hop = migrations.hop(source, target)
    problems = read_as_exported(hop.source, export) + _accounted(f"trello -> {target}", hop)
    assert not problems, "\n".join(problems)


@needs_fixtures
@pytest.mark.parametrize("export", EXPORTS)
def test_round_trip_through_asana_and_monday_names_every_difference(
    sandbox: Sandbox, migrations: Migrations, export: Path
) -> None:
    """Each hop names what it loses; what differs between the first board and the last is named by a hop
    (several hops may name the same items: the counts are summed)."""
    ref = imported(sandbox, export)
    hops: list[Hop] = []
    problems: list[str] = []
    previous: Snapshot | None = None
    for target in ("asana:new", "monday:new", "trello:new"):
        made, hop = migrations.hop(ref, target, before=previous)
        if previous is None:
            problems += read_as_exported(hop.source, export)
        problems += _accounted(f"{ref.split(':')[0]} -> {target}", hop)
        hops.append(hop)
        ref, previous = made, hop.copy
    keys = origins(hops[0].copy)
    for hop in hops[1:]:
        keys = compose(origins(hop.copy), keys)
    whole = Hop([line for hop in hops for line in hop.report], hops[0].source, hops[-1].copy)
    problems += _accounted("trello -> asana -> monday -> trello", whole, keys, exact=False)
    assert not problems, "\n".join(problems)


@needs_fixtures
@pytest.mark.parametrize("export", EXPORTS)
def test_an_export_read_as_a_file_holds_what_the_comparison_needs(export: Path) -> None:
    """``migrate file:<export>`` reads the cards in the board's order with their due reminders and
    checklist entries' members, as the API read does."""
    connector = connector_for(Tool.FILE, {})
    try:
        source = connector.read_full(BoardRef(tool=Tool.FILE, board=str(export)), include_archived=True)
    finally:
        connector.close()
    assert read_as_exported(source, export) == []


def test_a_difference_the_report_does_not_name_or_miscounts_is_told() -> None:
    """The account itself: a copy without its source's due, against a report that does not name dues, names
    them with another count, or names them right."""
    ref = ItemRef(tool=Tool.TRELLO, board="b", item="c1")
    source = Snapshot(
        board=BoardRef(tool=Tool.TRELLO, board="b"),
        name="plan",
        actions=(Action(ref=ref, title="Webinar", due=datetime(2026, 5, 4, 9, 30, 12, 357000, tzinfo=UTC)),),
    )
    copy_ref = ItemRef(tool=Tool.MONDAY, board="m", item="1")
    copy = Snapshot(
        board=BoardRef(tool=Tool.MONDAY, board="m"),
        name="plan",
        actions=(Action(ref=copy_ref, title="Webinar", description=with_identity("", ref.key)),),
    )
    found = differences(source, copy, origins(copy))
    assert [(d.field, d.item) for d in found] == [("due", "Webinar")]
    (told,) = unaccounted(found, [])
    assert told.startswith("due: 1 item(s) differ — 'Webinar' due: datetime.datetime(2026, 5, 4, 9, 30, 12")
    assert told.endswith("-> None — the report does not name it")
    (miscounted,) = unaccounted(found, [LossLine("dues", 2, "not carried")])
    assert miscounted.endswith("the report says 2 (dues: 2 — not carried)")
    assert unaccounted(found, [LossLine("dues", 1, "not carried")]) == []
    # A due kept to the second (the fraction dropped) is the same due.
    second = datetime(2026, 5, 4, 9, 30, 12, tzinfo=UTC)
    kept = copy.model_copy(update={"actions": (copy.actions[0].model_copy(update={"due": second}),)})
    assert differences(source, kept, origins(kept)) == []
