"""Bad input: a 403 from the tool, and a mapping naming a column the board lacks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from moteur.sandbox.serve import QuietRequestHandler

Run = Any


@pytest.fixture
def forbidding_trello(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A loopback Trello that refuses the token this board, as Trello does for a private board."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        return Response("unauthorized permission requested", status=403, mimetype="text/plain")(
            environ, start_response
        )

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("MOTEUR_TRELLO_URL", f"http://127.0.0.1:{server.port}/1")
    monkeypatch.setenv("MOTEUR_TRELLO_API_KEY", "key-forbidden-0001")
    monkeypatch.setenv("MOTEUR_TRELLO_TOKEN", "token-forbidden-0001")
    try:
        yield "trello:5f1c0a2b3c4d5e6f7a8b9c0d"
    finally:
        server.shutdown()


def test_permission_denied_exits_3_and_names_no_secret(
    workdir: Path, run: Run, forbidding_trello: str
) -> None:
    result = run("sync", forbidding_trello, "--dry-run", "--verbose")
    assert result.code == 3, result.err
    assert "refused access" in result.err
    assert "Traceback" not in result.err
    assert "token-forbidden-0001" not in result.out + result.err
    assert "key-forbidden-0001" not in result.out + result.err


def test_a_mapping_naming_a_score_column_the_board_lacks_is_named(workdir: Path, run: Run) -> None:
    (workdir / "map.yaml").write_text("tool: file\nscores:\n  impact: [priorité]\n", encoding="utf-8")
    (workdir / "moteur.toml").write_text('mappings = { file = "map.yaml" }\n', encoding="utf-8")
    result = run("plan", "file:plan.csv", "--today=2026-12-01", "--json")
    assert result.code == 2, result.err  # a name the user wrote and the file lacks: one line, exit 2
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and 'scores.impact: no field "priorité"' in lines[0] and "map.yaml" in lines[0]
