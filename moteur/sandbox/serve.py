"""Running the sandbox: in a background thread for tests (``start_sandbox``), or in the foreground until a
signal for ``moteur sandbox serve`` (``serve_forever``).

*Announcement*: the one JSON line ``serve_forever`` prints first, which tells moteur (or a person) where the
three APIs are, which credentials they accept (``env``) and which boards the seed made (``boards``).
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import IO, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from moteur.sandbox.server import PREFIXES, SandboxApp

URL_ENV = {"trello": "MOTEUR_TRELLO_URL", "asana": "MOTEUR_ASANA_URL", "monday": "MOTEUR_MONDAY_URL"}


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without the per-request access log (stdout/stderr stay clean for the CLI)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@dataclass
class SandboxHandle:
    """A running sandbox. ``url`` is the root; ``urls[tool]`` each vendor's base URL."""

    app: SandboxApp
    server: BaseWSGIServer
    thread: threading.Thread
    url: str
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point moteur at this sandbox (credentials and base URLs)."""
        env = dict(self.app.credentials())
        env.update({URL_ENV[tool]: url for tool, url in self.urls.items()})
        return env

    @property
    def boards(self) -> dict[str, list[str]]:
        return self.app.boards

    def announcement(self) -> dict[str, Any]:
        return {"url": self.url, **self.urls, "env": self.env, "boards": self.boards}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_sandbox(
    seed: str = "demo",
    fault_rate: float = 0.0,
    fault_seed: int = 0,
    latency_ms: int = 0,
    rate_limits: bool = True,
    asana_tier: str = "paid",
    host: str = "127.0.0.1",
    port: int = 0,
    slow_seconds: float = 2.0,
    strict: bool = True,
) -> SandboxHandle:
    """Start a threaded werkzeug server in a daemon thread; ``port=0`` picks a free port."""
    app = SandboxApp(
        seed=seed,
        fault_rate=fault_rate,
        fault_seed=fault_seed,
        latency_ms=latency_ms,
        rate_limits=rate_limits,
        asana_tier=asana_tier,
        slow_seconds=slow_seconds,
        strict=strict,
    )
    server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="moteur-sandbox", daemon=True)
    thread.start()
    url = f"http://{host}:{server.port}"
    return SandboxHandle(app, server, thread, url, {tool: url + prefix for tool, prefix in PREFIXES.items()})


def serve_forever(
    seed: str = "demo",
    fault_rate: float = 0.0,
    fault_seed: int = 0,
    latency_ms: int = 0,
    rate_limits: bool = True,
    asana_tier: str = "paid",
    host: str = "127.0.0.1",
    port: int = 0,
    slow_seconds: float = 2.0,
    out: IO[str] | None = None,
    strict: bool = True,
) -> None:
    """Run until SIGTERM or SIGINT, after printing the announcement as one JSON line (then flushing)."""
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    handle = start_sandbox(
        seed, fault_rate, fault_seed, latency_ms, rate_limits, asana_tier, host, port, slow_seconds, strict
    )
    try:
        stream = out if out is not None else sys.stdout
        stream.write(json.dumps(handle.announcement(), ensure_ascii=False) + "\n")
        stream.flush()
        while not stop.wait(0.2):
            pass
    finally:
        handle.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
