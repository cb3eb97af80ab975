"""A quarter (or a year) of history built in the sandbox with injected dates, for the history, velocity and
review tests.

``build_history`` runs ``moteur sync <board> --today <day>`` on one of the sandbox's demo boards on chosen
days (by default every Monday and Thursday), and between runs does what a team does, through the tool's own
API as a person would: each Monday it moves the first ``done_per_week`` open actions of the current sprint to
done (the effort the velocity must find again), and starts the next one (to "doing", for "still doing since N
days"). What it did is returned (``Built``), so a test compares moteur's figures with the truth.

Use it with ``sandbox_env`` (the sandbox's variables, a fresh state database, a ``moteur.toml`` with a fixed
``first_sprint``), e.g. in a fixture::

    url = sandbox_env(monkeypatch, sandbox, tmp_path, first_sprint=START)
    built = build_history(sandbox, "trello", start=START, weeks=13)

The sandbox's clocks are not moved: a tool's own completion stamps (Asana's ``completed_at``) are the real
time of the test, later than every injected day, so moteur falls back to the day of the run that saw the
action done — exactly the day ``Built.done`` records.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from moteur.cli import main
from moteur.core.history import ActionDay
from moteur.core.model import Status
from moteur.engine.state import StateStore

Sandbox = Any  # tests/conftest.py
TOOLS = ("trello", "asana", "monday")
DONE_BUCKET, DOING_BUCKET = "Fait", "En cours"  # the demo boards' buckets (moteur/sandbox/demo_data.py)
MONDAY_STATUS = {Status.DONE: "fait", Status.DOING: "en cours"}


def sandbox_env(
    monkeypatch: pytest.MonkeyPatch,
    sandbox: Sandbox,
    workdir: Path,
    *,
    first_sprint: date,
    planning: str = "",
    extra_toml: str = "",
    state_url: str | None = None,
) -> str:
    """The sandbox's variables, a state database (``state_url``, else a fresh SQLite file) and a
    ``moteur.toml`` in ``workdir`` (the current directory from now on) with ``first_sprint`` fixed,
    ``planning`` lines added to ``[planning]`` and ``extra_toml`` after it. Returns the database's URL."""
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    url = state_url or f"sqlite:///{workdir / 'state.db'}"
    monkeypatch.setenv("MOTEUR_STATE_URL", url)
    monkeypatch.delenv("MOTEUR_FULL_EVERY", raising=False)
    monkeypatch.delenv("MOTEUR_CONFIG", raising=False)
    (workdir / "moteur.toml").write_text(
        f"[planning]\nfirst_sprint = {first_sprint.isoformat()}\n{planning}\n{extra_toml}\n", encoding="utf-8"
    )
    monkeypatch.chdir(workdir)
    return url


def board_ref(sandbox: Sandbox, tool: str, index: int = 0) -> str:
    """``trello:<id>``: one of the sandbox's demo boards."""
    return str(sandbox.boards[tool][index])


@dataclass
class Built:
    """What ``build_history`` did: the board, the days sync ran, and the truth of each move."""

    tool: str
    ref: str
    state_url: str
    days: list[date] = field(default_factory=list)
    done: dict[str, date] = field(default_factory=dict)  # action key → the day of the run that saw it done
    doing: dict[str, date] = field(default_factory=dict)  # action key → the day it was last started
    effort: dict[str, int] = field(default_factory=dict)  # action key → its effort when moved to done

    def done_effort(self, start: date, end: date) -> float:
        """The effort moved to done whose run day falls from ``start`` to ``end`` inclusive."""
        return float(sum(self.effort[k] for k, day in self.done.items() if start <= day <= end))


def run_days(start: date, weeks: int, weekdays: tuple[int, ...] = (0, 3)) -> Iterator[date]:
    """The days from ``start`` for ``weeks`` weeks whose weekday is in ``weekdays`` (Monday is 0)."""
    for offset in range(weeks * 7):
        day = start + timedelta(days=offset)
        if day.weekday() in weekdays:
            yield day


def sync(ref: str, day: date, *args: str) -> None:
    code = main(["sync", ref, "--today", day.isoformat(), "--quiet", *args])
    assert code == 0, f"sync {ref} on {day} exited {code}"


def build_history(
    sandbox: Sandbox,
    tool: str,
    *,
    start: date,
    weeks: int = 13,
    done_per_week: int = 2,
    weekdays: tuple[int, ...] = (0, 3),
    index: int = 0,
) -> Built:
    """Sync the tool's demo board on the days of ``run_days`` and move actions between runs (module doc).

    The environment must be set (``sandbox_env``); the state database is the one it names.
    """
    ref = board_ref(sandbox, tool, index)
    built = Built(tool, ref, os.environ["MOTEUR_STATE_URL"])
    mover = Mover(sandbox, tool, ref)
    for day in run_days(start, weeks, weekdays):
        if built.days and day.weekday() == 0:
            latest = _latest(built.state_url, ref)
            for key, row in _to_finish(latest, done_per_week):
                mover.move(key, Status.DONE)
                built.done[key] = day
                built.effort[key] = row.effort or 0
                built.doing.pop(key, None)
            started = _to_start(latest, set(built.done))
            if started is not None:
                mover.move(started, Status.DOING)
                built.doing[started] = day
        sync(ref, day)
        built.days.append(day)
    return built


def _latest(url: str, ref: str) -> dict[str, ActionDay]:
    with StateStore(url) as store:
        return store.history([ref]).latest()


def _open_in_current_sprint(latest: dict[str, ActionDay]) -> list[ActionDay]:
    """Open, estimated actions of the earliest sprint the last run planned, cheapest first."""
    open_rows = [r for r in latest.values() if not r.status.is_closed and r.effort and r.sprint_start]
    if not open_rows:
        return []
    current = min(r.sprint_start for r in open_rows if r.sprint_start is not None)
    rows = [r for r in open_rows if r.sprint_start == current]
    return sorted(rows, key=lambda r: (r.status is not Status.DOING, r.effort or 0, r.key))


def _to_finish(latest: dict[str, ActionDay], count: int) -> list[tuple[str, ActionDay]]:
    return [(r.key, r) for r in _open_in_current_sprint(latest)[:count]]


def _to_start(latest: dict[str, ActionDay], finished: set[str]) -> str | None:
    for row in _open_in_current_sprint(latest):
        if row.status is Status.TODO and row.key not in finished:
            return row.key
    return None


class Mover:
    """Moves one action of a demo board to done or doing through the tool's API, as a person would."""

    def __init__(self, sandbox: Sandbox, tool: str, ref: str) -> None:
        self.env: dict[str, str] = sandbox.env
        self.tool = tool
        self.board = ref.split(":", 1)[1]
        self._buckets: dict[str, str] | None = None

    def move(self, key: str, status: Status) -> None:
        item = key.rsplit(":", 1)[1]
        if self.tool == "trello":
            bucket = self.buckets()[DONE_BUCKET if status is Status.DONE else DOING_BUCKET]
            answer = requests.put(
                f"{self.env['MOTEUR_TRELLO_URL']}/cards/{item}",
                params={**self._trello_auth(), "idList": bucket},
                timeout=10,
            )
        elif self.tool == "asana":
            if status is Status.DONE:
                answer = requests.put(
                    f"{self.env['MOTEUR_ASANA_URL']}/tasks/{item}",
                    json={"data": {"completed": True}},
                    headers=self._asana_auth(),
                    timeout=10,
                )
            else:
                section = self.buckets()[DOING_BUCKET]
                answer = requests.post(
                    f"{self.env['MOTEUR_ASANA_URL']}/sections/{section}/addTask",
                    json={"data": {"task": item}},
                    headers=self._asana_auth(),
                    timeout=10,
                )
        else:
            answer = self._graphql(
                "mutation ($b: ID!, $i: ID!, $v: String!) "
                '{ change_simple_column_value(board_id: $b, item_id: $i, column_id: "statut", value: $v) '
                "{ id } }",
                {"b": self.board, "i": item, "v": MONDAY_STATUS[status]},
            )
        answer.raise_for_status()
        assert "errors" not in answer.json(), answer.text

    def buckets(self) -> dict[str, str]:
        """Bucket name → id (Trello lists, Asana sections)."""
        if self._buckets is None:
            if self.tool == "trello":
                answer = requests.get(
                    f"{self.env['MOTEUR_TRELLO_URL']}/boards/{self.board}/lists",
                    params={**self._trello_auth(), "fields": "name"},
                    timeout=10,
                )
                answer.raise_for_status()
                self._buckets = {str(x["name"]): str(x["id"]) for x in answer.json()}
            else:
                answer = requests.get(
                    f"{self.env['MOTEUR_ASANA_URL']}/projects/{self.board}/sections",
                    params={"opt_fields": "name"},
                    headers=self._asana_auth(),
                    timeout=10,
                )
                answer.raise_for_status()
                self._buckets = {str(x["name"]): str(x["gid"]) for x in answer.json()["data"]}
        return self._buckets

    def _trello_auth(self) -> dict[str, str]:
        return {"key": self.env["MOTEUR_TRELLO_API_KEY"], "token": self.env["MOTEUR_TRELLO_TOKEN"]}

    def _asana_auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.env['MOTEUR_ASANA_TOKEN']}"}

    def _graphql(self, query: str, variables: dict[str, Any]) -> requests.Response:
        return requests.post(
            self.env["MOTEUR_MONDAY_URL"],
            json={"query": query, "variables": variables},
            headers={"Authorization": self.env["MOTEUR_MONDAY_TOKEN"], "API-Version": "2026-10"},
            timeout=10,
        )
