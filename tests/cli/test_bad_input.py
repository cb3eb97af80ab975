"""The bad-input catalogue, part two (``test_errors.py`` has REFs, dates, TOML and config keys): tokens,
unknown boards, broken CSV files, a bad mapping file, the network down, a server answering HTML and a board
emptied since the last run. Each case: one documented exit code, a message naming the thing, no traceback and
no secret."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from virtual_clock import VirtualClock
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from moteur.sandbox.serve import QuietRequestHandler

Run = Any
Sandbox = Any  # tests/conftest.py

MISSING_BOARD = "5f" + "0" * 21 + "9"


def _clean(result: Any, *secrets: str) -> None:
    assert "Traceback" not in result.out + result.err
    for secret in secrets:
        assert secret not in result.out + result.err


@pytest.fixture
def trello_env(sandbox: Sandbox, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sandbox's credentials in the environment; returns the demo board's REF."""
    for name, value in sandbox.env.items():
        monkeypatch.setenv(name, value)
    return sandbox.boards["trello"][0]  # type: ignore[no-any-return]


# -- credentials ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("unset", ["MOTEUR_TRELLO_TOKEN", "MOTEUR_TRELLO_API_KEY"])
def test_missing_trello_credential_exits_3_naming_both_variables(
    trello_env: str, run: Run, monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, unset: str
) -> None:
    kept = sandbox.env["MOTEUR_TRELLO_API_KEY" if unset == "MOTEUR_TRELLO_TOKEN" else "MOTEUR_TRELLO_TOKEN"]
    monkeypatch.delenv(unset)
    result = run("plan", trello_env)
    assert result.code == 3
    assert "MOTEUR_TRELLO_API_KEY / MOTEUR_TRELLO_TOKEN" in " ".join(result.err.split())
    _clean(result, kept)


def test_wrong_trello_token_on_plan_exits_3_and_never_shows_it(
    trello_env: str, run: Run, monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox
) -> None:
    wrong = "ATTA" + "badc0ffee" * 7
    monkeypatch.setenv("MOTEUR_TRELLO_TOKEN", wrong)
    result = run("plan", trello_env, "--verbose")
    assert result.code == 3
    assert "rejected" in result.err and "MOTEUR_TRELLO_TOKEN" in result.err
    _clean(result, wrong, sandbox.env["MOTEUR_TRELLO_API_KEY"])


# -- boards -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("board", [MISSING_BOARD, "abcdefgh"], ids=["24-hex", "shortLink"])
def test_unknown_trello_board_exits_2_naming_it(trello_env: str, run: Run, board: str) -> None:
    result = run("sync", f"trello:{board}", "--dry-run")
    assert result.code == 2
    assert board in result.err and "not found" in result.err
    _clean(result)


def test_board_emptied_since_the_last_run_is_refused_naming_the_count(workdir: Path, run: Run) -> None:
    assert run("sync", "file:plan.csv", "--today", "2026-12-01").code == 0
    csv = workdir / "plan.csv"
    csv.write_text(csv.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    refused = run("sync", "file:plan.csv", "--today", "2026-12-01")
    assert refused.code == 1
    assert "5 of the 5 items moteur knows have vanished" in refused.err and "--force" in refused.err
    _clean(refused)
    assert run("sync", "file:plan.csv", "--today", "2026-12-01", "--force").code == 0


def test_trello_board_whose_cards_were_deleted_is_refused_unless_forced(
    trello_env: str, run: Run, sandbox: Sandbox
) -> None:
    assert run("sync", trello_env, "--today", "2026-12-01", "--quiet").code == 0
    state = requests.get(f"{sandbox.url}/_sandbox/state", timeout=10).json()["trello"]
    board_id = trello_env.split(":", 1)[1]
    auth = {
        "Authorization": f'OAuth oauth_consumer_key="{sandbox.env["MOTEUR_TRELLO_API_KEY"]}", '
        f'oauth_token="{sandbox.env["MOTEUR_TRELLO_TOKEN"]}"'
    }
    cards = [cid for cid, card in state["cards"].items() if card["idBoard"] == board_id]
    for cid in cards:
        answer = requests.delete(f"{sandbox.urls['trello']}/cards/{cid}", headers=auth, timeout=10)
        assert answer.status_code == 200, answer.text
    refused = run("sync", trello_env, "--today", "2026-12-01")
    assert refused.code == 1
    assert "items moteur knows have vanished" in refused.err and "--force" in refused.err
    forced = run("sync", trello_env, "--today", "2026-12-01", "--force", "--quiet")
    assert forced.code == 0, forced.err


# -- files and mappings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id;titre;impact\na1;Été de la donnée;5\n".encode("latin-1"), "is not UTF-8 (byte 0xC9 on line 2)"),
        (b"a1;Webinar;5;3\na2;Salon;4;4\n", "no title column (looked for title, titre"),
        (b"", "empty"),
    ],
    ids=["latin-1", "no-header", "empty"],
)
def test_unusable_csv_exits_2_naming_the_problem(
    workdir: Path, run: Run, content: bytes, message: str
) -> None:
    (workdir / "board.csv").write_bytes(content)
    result = run("plan", "file:board.csv", "--today", "2026-12-01")
    assert result.code == 2
    assert message in result.err and "board.csv" in result.err
    _clean(result)


def test_out_of_range_scores_and_bad_dates_are_warnings_naming_row_and_value(workdir: Path, run: Run) -> None:
    (workdir / "board.csv").write_text(
        "id;titre;impact;effort;échéance\na1;Webinar;15;3;\na2;Salon;-2;4;\na3;Podcast;5;3;31/02/2027\n",
        encoding="utf-8",
    )
    result = run("plan", "file:board.csv", "--today", "2026-12-01", "--json")
    assert result.code == 0
    assert 'row 2 ("Webinar"): impact "15"' in result.err
    assert 'row 3 ("Salon"): impact "-2"' in result.err
    assert "31/02/2027" in result.err and "Podcast" in result.err
    _clean(result)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("tool: file\nfields:\n  titel: [titre]\n", "bad.yaml: fields.titel: unknown key"),
        ("tool: file\nwriteback:\n  quadrnt: {kind: column}\n", "bad.yaml: writeback.quadrnt"),
        ("tool: trello\n", 'the file is for "trello"'),
        ("tool: file\nfields: [\n", "bad.yaml: not valid YAML"),
        (None, "mapping file bad.yaml does not exist"),
    ],
    ids=["unknown-field", "unknown-writeback", "wrong-tool", "bad-yaml", "missing"],
)
def test_bad_mapping_file_exits_2_naming_the_key(
    workdir: Path, run: Run, mapping: str | None, message: str
) -> None:
    if mapping is not None:
        (workdir / "bad.yaml").write_text(mapping, encoding="utf-8")
    (workdir / "moteur.toml").write_text('mappings = {file = "bad.yaml"}\n', encoding="utf-8")
    result = run("plan", "file:plan.csv", "--today", "2026-12-01")
    assert result.code == 2, result.err
    assert message in result.err
    _clean(result)


# -- the network ------------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_network_down_exits_1_naming_the_host(
    trello_env: str, run: Run, monkeypatch: pytest.MonkeyPatch, virtual_time: VirtualClock
) -> None:
    port = _closed_port()
    monkeypatch.setenv("MOTEUR_TRELLO_URL", f"http://127.0.0.1:{port}/1")
    started = virtual_time.now
    result = run("plan", trello_env)
    waited = virtual_time.now - started
    assert result.code == 1
    assert f"cannot reach 127.0.0.1:{port}" in result.err
    _clean(result)
    # Several attempts with exponential backoff (on the test's virtual clock): it did wait between them, and
    # the bound catches a regression to minutes-long waits on a cron job whose network is gone.
    assert 0 < waited < 30


@pytest.fixture
def html_server() -> Iterator[str]:
    """A loopback server that answers every request with a 200 HTML page (a captive portal, a proxy login)."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        page = "<!doctype html><html><body><h1>Please log in</h1></body></html>"
        return Response(page, mimetype="text/html")(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.shutdown()
        server.server_close()


def test_server_answering_html_exits_1_with_a_clear_message(
    trello_env: str, run: Run, monkeypatch: pytest.MonkeyPatch, html_server: str
) -> None:
    monkeypatch.setenv("MOTEUR_TRELLO_URL", f"{html_server}/1")
    result = run("plan", trello_env)
    assert result.code == 1
    assert "answered 200 with an HTML page where JSON was expected" in result.err
    assert "Trello URL" in result.err
    _clean(result)
