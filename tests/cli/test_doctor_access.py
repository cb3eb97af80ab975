"""``moteur doctor`` asks each tool's connector for its account checks (``Connector.check_access``), in one
loop: the lines it prints for a tool are the ones that tool's connector gives, made through the connector's
own client — its retry policy, so a transient refusal a sync would ride out does not fail the doctor. A tool
whose connector implements only the interface gets one warning line, which does not fail the doctor.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import responses

from moteur.commands.doctor_command import DOCTOR_ATTEMPTS
from moteur.commands.doctor_report import exit_code, render
from moteur.connectors.base import connector_for
from moteur.core.diff import WriteBack
from moteur.core.model import BoardRef, Snapshot, Tool
from moteur.core.ops import ItemOp, Landed, OpResult, SchemaOp
from moteur.core.ports import Connector, ToolDescription
from moteur.core.refs import parse_ref
from moteur.settings import Settings

Run = Any  # tests/cli/conftest.py: run(*args) -> Result(code, out, err)
Sandbox = Any  # tests/conftest.py
TOKENS = {
    "trello": ("MOTEUR_TRELLO_API_KEY", "MOTEUR_TRELLO_TOKEN"),
    "asana": ("MOTEUR_ASANA_TOKEN",),
    "monday": ("MOTEUR_MONDAY_TOKEN",),
}


class Basecamp(Connector):
    """A fourth tool's connector with only what the interface requires: no account checks of its own."""

    tool = Tool.FILE

    @classmethod
    def describe(cls) -> ToolDescription:
        return ToolDescription(
            tool=Tool.FILE,
            name="Basecamp",
            board="project",
            bucket="list",
            item="to-do",
            batch_size=1,
            rate_limit="",
            incremental=False,
        )

    def read(self, board: BoardRef) -> Snapshot:
        return Snapshot(board=board, name="")

    def writeback(self, snapshot: Snapshot) -> WriteBack:
        raise NotImplementedError

    def apply(
        self,
        snapshot: Snapshot,
        schema_ops: Sequence[SchemaOp],
        item_ops: Sequence[ItemOp],
        progress: Landed | None = None,
    ) -> list[OpResult]:
        return []


def test_a_tool_implementing_only_the_interface_gets_one_warning_line() -> None:
    checks = Basecamp().check_access([BoardRef(tool=Tool.FILE, board="projet")])
    assert len(checks) == 1 and checks[0].warning and not checks[0].ok and not checks[0].fails
    shown = render(checks[0]).plain
    assert shown.startswith("! Basecamp: access — not checked: the Basecamp connector has no account checks")
    assert "fix: run `moteur plan` on one of its boards" in shown
    assert exit_code(checks) == 0  # a warning: the doctor does not fail for it


@pytest.fixture
def tokens(sandbox: Sandbox, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    return sandbox


@pytest.mark.parametrize("tool", ["trello", "asana", "monday"])
def test_the_doctor_prints_what_the_connector_checks_through_its_own_client(
    tokens: Sandbox, workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch, tool: str
) -> None:
    for other, names in TOKENS.items():
        for name in names if other != tool else ():
            monkeypatch.delenv(name)
    refs = tokens.boards[tool]
    (workdir / "moteur.toml").write_text(f"boards = {json.dumps(refs)}\n", encoding="utf-8")
    connector = connector_for(Tool(tool), Settings())
    try:
        checks = connector.check_access([parse_ref(ref) for ref in refs])
        requests = connector.request_count()
    finally:
        connector.close()
    assert requests >= 1 + len(refs)  # the token, then each board, all through the connector's client
    assert all(c.ok or c.warning for c in checks), checks
    result = run("doctor", "--json")
    assert result.code == 0, result.out
    printed = [(c["check"], c["ok"], c["warning"]) for c in json.loads(result.out)["checks"]]
    # Configuration and credentials first, then the connector's lines as they are, then the state's.
    assert printed[2 : 2 + len(checks)] == [(c.check, c.ok, c.warning) for c in checks]
    assert printed[1][0].endswith("credentials present")


def test_the_doctor_rides_out_one_refusal_and_answers_quickly_when_a_tool_is_down(
    tokens: Sandbox, workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A doctor retries once (``DOCTOR_ATTEMPTS``), through the connector's own client: a 503 in passing is
    ridden out; a tool that keeps refusing is one failed line after two tries, not after a sync's five."""
    for name in (*TOKENS["asana"], *TOKENS["monday"]):
        monkeypatch.delenv(name)
    me = re.compile(r".*/1/members/me(\?.*)?$")
    with responses.RequestsMock(assert_all_requests_are_fired=True) as faults:
        faults.add_passthru(tokens.url)
        faults.add(responses.GET, me, status=503, body="Service Unavailable")
        faults.add(responses.PassthroughResponse(responses.GET, me))
        result = run("doctor")
    assert result.code == 0, result.out
    assert "✓ Trello: credentials accepted" in result.out
    with responses.RequestsMock(assert_all_requests_are_fired=False) as faults:
        faults.add_passthru(tokens.url)
        down = faults.add(responses.GET, me, status=503, body="Service Unavailable")
        result = run("doctor")
    assert result.code == 1, result.out
    assert down.call_count == DOCTOR_ATTEMPTS == 2
    assert any(x.startswith("✗ Trello: credentials accepted") for x in result.out.splitlines()), result.out


def test_a_connector_that_cannot_be_opened_is_one_failed_line(
    workdir: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's Trello mapping that does not parse: said by the doctor, before any request, exit 1."""
    for name in (*TOKENS["asana"], *TOKENS["monday"]):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOTEUR_TRELLO_API_KEY", "doctor-test-key-qz")  # registered as a secret: unique
    monkeypatch.setenv("MOTEUR_TRELLO_TOKEN", "doctor-test-token-qz")
    monkeypatch.setenv("MOTEUR_TRELLO_URL", "http://127.0.0.1:9/1")  # nothing listens: nothing may be sent
    (workdir / "trello.yaml").write_text("tool: trello\nstatuses:\n  backlog: [\n", encoding="utf-8")
    (workdir / "moteur.toml").write_text('mappings = { trello = "trello.yaml" }\n', encoding="utf-8")
    result = run("doctor")
    assert result.code == 1, result.out
    line = next(x for x in result.out.splitlines() if "Trello: connector opened" in x)
    assert line.startswith("✗") and "trello.yaml" in line
    assert "credentials accepted" not in result.out
