"""Running the sandbox: in a background thread for tests (``start_sandbox``), or in the foreground until a
signal for ``moteur sandbox serve`` (``serve_forever``).

*Announcement*: the one JSON line ``serve_forever`` prints first, which tells moteur (or a person) where the
three APIs are, which credentials they accept (``env``) and which boards the seed made (``boards``).

The sandbox is a test tool: its tokens are printed for anyone to use and it trusts every request. So it
binds a loopback address unless told otherwise twice (``--host`` another address *and* ``--allow-remote``),
and then says so on stderr.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, Any

from werkzeug.serving import (
    LISTEN_QUEUE,
    BaseWSGIServer,
    WSGIRequestHandler,
    get_sockaddr,
    make_server,
    select_address_family,
)

from moteur.core.errors import UsageError
from moteur.sandbox import env_file as env_files
from moteur.sandbox.server import MAX_BULK, PREFIXES, SandboxApp, parse_seed

URL_ENV = {"trello": "MOTEUR_TRELLO_URL", "asana": "MOTEUR_ASANA_URL", "monday": "MOTEUR_MONDAY_URL"}


def is_loopback(host: str) -> bool:
    """``localhost`` or an address in 127.0.0.0/8 or ``::1``; any other name may reach the network."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """The host as written in a URL: an IPv6 address between brackets (``http://[::1]:8080``)."""
    return f"[{host}]" if ":" in host else host


def check_host(host: str, allow_remote: bool) -> None:
    if not allow_remote and not is_loopback(host):
        raise UsageError(
            f"--host {host} is not a loopback address",
            hint="the sandbox is a test tool whose tokens are public; "
            "add --allow-remote to let other machines reach it anyway",
        )


def check_options(
    *, host: str, allow_remote: bool, port: int, seed: str, fault_rate: float, latency_ms: int
) -> str:
    """Refuse (``UsageError``) the first option of ``sandbox serve`` that cannot be served; the host to bind.

    Checked before anything starts: a port out of range would otherwise wrap silently to another port, and
    a huge bulk seed would fill the memory before the server says anything.
    """
    bind = host[1:-1] if host.startswith("[") and host.endswith("]") else host  # "[::1]" as in a URL
    check_host(bind, allow_remote)
    if not 0 <= port <= 65535:
        raise UsageError(f"--port {port} is not a port", hint="write 0 (any free port) to 65535")
    if not 0.0 <= fault_rate <= 1.0:  # NaN too
        raise UsageError(
            f"--fault-rate {fault_rate:g} is not a share of requests", hint="write a number from 0 to 1"
        )
    if latency_ms < 0:
        raise UsageError(f"--latency-ms {latency_ms} is negative", hint="write 0 or more milliseconds")
    try:
        parse_seed(seed)
    except ValueError as exc:
        raise UsageError(f"--seed: {exc}", hint=f"write demo, empty or bulk:N (N up to {MAX_BULK})") from None
    return bind


def _listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound and listening as werkzeug would make it, but whose failure is ours to word.

    werkzeug's own bind prints its message and calls ``sys.exit(1)`` (a port in use, an address not of
    this machine, a name that does not resolve); bound here, it becomes one ``UsageError`` (exit 2).
    """
    family = select_address_family(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug's servers do
        sock.bind(get_sockaddr(host, port, family))
        sock.listen(LISTEN_QUEUE)
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        raise UsageError(
            f"cannot listen on {url_host(host)}:{port}: {reason}", hint="choose another --host or --port"
        ) from None
    return sock


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
    allow_remote: bool = False,
    clock: Callable[[], float] = time.monotonic,
) -> SandboxHandle:
    """Start a threaded werkzeug server in a daemon thread; ``port=0`` picks a free port.

    ``host`` must be a loopback address unless ``allow_remote`` (``UsageError`` otherwise, as for an
    address that cannot be bound). ``clock`` is the time its rate limits and timestamps follow: the client's
    own (``moteur.runtime``), so that an in-process client and sandbox agree on how much time has passed.
    """
    check_host(host, allow_remote)
    # Bound before the seed is built: a port in use is said at once, not after a big seed's minutes.
    with _listening_socket(host, port) as listening:  # the server works on its own duplicate of it
        app = SandboxApp(
            seed=seed,
            fault_rate=fault_rate,
            fault_seed=fault_seed,
            latency_ms=latency_ms,
            rate_limits=rate_limits,
            asana_tier=asana_tier,
            slow_seconds=slow_seconds,
            strict=strict,
            clock=clock,
        )
        server = make_server(
            host, port, app, threaded=True, request_handler=QuietRequestHandler, fd=listening.fileno()
        )
    thread = threading.Thread(target=server.serve_forever, name="moteur-sandbox", daemon=True)
    thread.start()
    url = f"http://{url_host(host)}:{server.port}"
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
    allow_remote: bool = False,
    err: IO[str] | None = None,
    env_file: Path | None = None,
    announce: bool = True,
) -> None:
    """Run until SIGTERM or SIGINT, after printing the announcement as one JSON line (then flushing).

    On a non-loopback address (``allow_remote``), a warning on ``err`` (stderr) says who can reach it. With
    ``env_file``, the environment is also written there once the server listens, with a throwaway state
    database; both are removed when it stops (``env_file.py``). ``announce=False`` (``--quiet``) prints no
    JSON line: for a walkthrough that reads the file.
    """
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    handle = start_sandbox(
        seed,
        fault_rate,
        fault_seed,
        latency_ms,
        rate_limits,
        asana_tier,
        host,
        port,
        slow_seconds,
        strict,
        allow_remote=allow_remote,
    )
    # Only now: while a big seed is built, SIGTERM and Ctrl-C must still end the process at once.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    written: str | None = None
    # A throwaway state database, this sandbox's own: a restarted sandbox reuses its board ids, and what
    # moteur remembered of the earlier one's boards must not meet the new ones (``docs/state.md``).
    state_dir = tempfile.mkdtemp(prefix="moteur-sandbox-")
    env = {**handle.env, "MOTEUR_STATE_URL": f"sqlite:///{Path(state_dir) / 'state.db'}"}
    try:
        if env_file is not None:
            text = env_files.render(env, handle.url, os.getpid(), str(env_file))
            env_files.write(env_file, text)
            written = text
        if not is_loopback(host):
            notes = err if err is not None else sys.stderr
            notes.write(
                f"warning: the sandbox listens on {handle.url}, which other machines may reach; "
                "it is a test tool: its tokens are public and it trusts every request\n"
            )
            notes.flush()
        if announce:
            stream = out if out is not None else sys.stdout
            stream.write(json.dumps({**handle.announcement(), "env": env}, ensure_ascii=False) + "\n")
            stream.flush()
        while not stop.wait(0.2):
            pass
    finally:
        if env_file is not None and written is not None:
            env_files.remove(env_file, written)
        shutil.rmtree(state_dir, ignore_errors=True)
        handle.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
