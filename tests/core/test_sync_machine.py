"""A Hypothesis state machine: people edit a CSV board between syncs; every sync must converge.

After each sync: a dry-run right after is empty, no row is lost, cells moteur does not manage are untouched,
and a sprint a person set by hand is still there.
"""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from moteur.connectors.files.connector import FileConnector
from moteur.core.labels import sprint_label
from moteur.core.model import BoardRef, Tool
from moteur.core.policy import PlanningPolicy
from moteur.core.sync import memory_of, prepare
from moteur.engine.state import StateStore
from moteur.engine.sync_run import apply_sync
from moteur.settings import Settings

TODAY = date(2026, 12, 1)
POLICY = PlanningPolicy(first_sprint=date(2026, 11, 30), capacity_per_sprint=12, horizon=4)
HEADER = ["id", "title", "impact", "effort", "status", "objective", "note"]
MANAGED = ("quadrant", "sprint", "ice")
scores = st.one_of(st.none(), st.integers(1, 10))


class BoardEdits(RuleBasedStateMachine):
    @initialize(n=st.integers(1, 6))
    def start(self, n: int) -> None:
        self.dir = Path(tempfile.mkdtemp())
        self.path = self.dir / "board.csv"
        self.ref = BoardRef(tool=Tool.FILE, board=str(self.path))
        self.store = StateStore(f"sqlite:///{self.dir / 'state.db'}")
        self.connector = FileConnector(Settings())
        self.rows: dict[str, dict[str, str]] = {}
        self.next_id = 0
        for _ in range(n):
            self._add(5, 5)
        self._write()
        self.pins: dict[str, str] = {}
        self.last_written: dict[str, str] = {}  # each row's sprint cell right after the last sync

    def _add(self, impact: int | None, effort: int | None) -> None:
        self.next_id += 1
        key = f"r{self.next_id}"
        self.rows[key] = {
            "id": key,
            "title": f"Action {self.next_id}",
            "impact": "" if impact is None else str(impact),
            "effort": "" if effort is None else str(effort),
            "status": "todo",
            "objective": "leads",
            "note": f"note {self.next_id}; keep",
        }

    def _read_file(self) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.path.read_text(encoding="utf-8"))))

    def _write(self) -> None:
        existing = {r["id"]: r for r in self._read_file()} if self.path.exists() else {}
        columns = HEADER + [c for c in MANAGED if any(c in r for r in existing.values())]
        out = io.StringIO()
        writer = csv.DictWriter(out, columns, lineterminator="\n")
        writer.writeheader()
        for key, row in self.rows.items():
            full = {c: existing.get(key, {}).get(c, "") for c in MANAGED if c in columns}
            full.update(row)
            writer.writerow(full)
        self.path.write_text(out.getvalue(), encoding="utf-8")

    def _plan(self):  # type: ignore[no-untyped-def]
        snapshot = self.connector.read(self.ref)
        memory = {self.ref: memory_of(self.store.item_states(str(self.ref)))}
        wb = {self.ref: self.connector.writeback(snapshot)}
        return prepare([snapshot], wb, memory, [("t", [self.ref])], POLICY, TODAY, force=True)

    @rule(impact=scores, effort=scores)
    def add_row(self, impact: int | None, effort: int | None) -> None:
        self._add(impact, effort)
        self._write()

    @rule(data=st.data())
    def remove_row(self, data: st.DataObject) -> None:
        if len(self.rows) > 1:
            key = data.draw(st.sampled_from(sorted(self.rows)))
            del self.rows[key]
            self.pins.pop(key, None)
            self._write()

    @rule(data=st.data(), impact=scores, effort=scores)
    def rescore(self, data: st.DataObject, impact: int | None, effort: int | None) -> None:
        key = data.draw(st.sampled_from(sorted(self.rows)))
        self.rows[key]["impact"] = "" if impact is None else str(impact)
        self.rows[key]["effort"] = "" if effort is None else str(effort)
        self._write()

    @rule(data=st.data(), status=st.sampled_from(["todo", "doing", "done"]))
    def change_status(self, data: st.DataObject, status: str) -> None:
        key = data.draw(st.sampled_from(sorted(self.rows)))
        self.rows[key]["status"] = status
        self._write()

    @rule(data=st.data(), sprint=st.integers(1, 4))
    def pin_sprint(self, data: st.DataObject, sprint: int) -> None:
        rows = self._read_file()
        if "sprint" not in (rows[0] if rows else {}):
            return
        key = data.draw(st.sampled_from(sorted(self.rows)))
        shown = {r["id"]: r for r in rows}[key].get("sprint")
        # A person picks one of moteur's own sprint labels (a team's "Sprint 2" is never a pin).
        label = sprint_label(sprint, date(2026, 11, 30) + timedelta(weeks=2 * (sprint - 1)))
        if shown == label and key not in self.pins:
            return  # the value moteur wrote: setting it again is no edit
        self.rows[key]["sprint"] = label
        if label == self.last_written.get(key):
            # Back to the value moteur wrote at the last sync: moteur keeps no history between syncs, so no
            # one can see an edit here — the board is as moteur left it, and its sprint is moteur's again.
            self.pins.pop(key, None)
        else:
            self.pins[key] = label
        self._write()
        del self.rows[key]["sprint"]

    @rule()
    def sync(self) -> None:
        plan = self._plan()
        outcome = apply_sync(
            plan,
            {self.ref: self.connector},
            self.store,
            command="sync",
            now=lambda: datetime.now(UTC),
            owner="t",
        )
        assert outcome.ok
        assert self._plan().empty, "a dry-run right after a sync must be empty"
        on_file = {r["id"]: r for r in self._read_file()}
        assert set(on_file) == set(self.rows), "no row lost, none added"
        for key, row in self.rows.items():
            for column, value in row.items():
                assert on_file[key][column] == value, f"unmanaged cell {key}.{column} changed"
        for key, sprint in self.pins.items():
            if key in on_file:
                assert on_file[key]["sprint"] == sprint, "a pinned sprint was overwritten"
        self.last_written = {key: row.get("sprint", "") for key, row in on_file.items()}

    @invariant()
    def file_parses(self) -> None:
        if hasattr(self, "path"):
            assert len(self._read_file()) == len(self.rows)

    def teardown(self) -> None:
        if hasattr(self, "store"):
            self.store.close()


TestBoardEdits = BoardEdits.TestCase
TestBoardEdits.settings = settings(
    max_examples=30, stateful_step_count=10, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def test_a_sprint_set_back_to_what_moteur_wrote_is_moteurs_to_plan_again() -> None:
    """Moved by a person (a pin), then moved back to the sprint moteur wrote before any sync saw the move:
    the board is as moteur left it, so the next sync may replan it (here into the room a done row freed)."""

    class Drawn:
        def __init__(self, value: str) -> None:
            self.value = value

        def draw(self, _strategy: object) -> str:
            return self.value

    machine = BoardEdits()
    machine.start(3)
    machine.sync()
    placed = machine.last_written["r3"]
    machine.change_status(Drawn("r1"), "done")  # type: ignore[arg-type]
    machine.pin_sprint(Drawn("r3"), 1)  # type: ignore[arg-type]
    machine.pin_sprint(Drawn("r3"), 2)  # type: ignore[arg-type]
    assert placed == sprint_label(2, date(2026, 12, 14))
    assert "r3" not in machine.pins
    machine.sync()
