"""The sandbox's environment handed to a shell without a race.

``moteur sandbox serve --env-file sandbox.env`` writes the file only once the server listens (atomically: a
reader sees the whole file or none), and removes it when it stops. ``moteur sandbox env sandbox.env`` waits
until the file exists *and* the server it names answers, then prints it as ``export`` lines for
``eval "$(moteur sandbox env sandbox.env)"``. So a walkthrough pasted line by line never reads a half-written
file, nor one left by a sandbox that was killed.

The file also points ``MOTEUR_STATE_URL`` at a throwaway state database (removed with the file): the
sandbox's boards are reborn on every start, and what moteur remembers of them must not outlive them, nor mix
with the state of real boards.
"""

from __future__ import annotations

import os
import re
import shlex
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

from dotenv import dotenv_values

from moteur.core.errors import RemoteError

URL_VARIABLE = "MOTEUR_SANDBOX_URL"
_NAME = re.compile(r"MOTEUR_[A-Z0-9_]+")  # what may be exported: nothing else of a file we did not check
PID_VARIABLE = "MOTEUR_SANDBOX_PID"


def render(env: Mapping[str, str], url: str, pid: int, name: str) -> str:
    """The file's text: a comment saying what it is and how to stop the sandbox, then one export a line."""
    lines = [
        f"# The moteur sandbox at {url} (pid {pid}): written once it listened, removed when it stops.",
        f'# Load it with: eval "$(moteur sandbox env {shlex.quote(name)})"; stop the sandbox: kill {pid}',
    ]
    values = {**env, URL_VARIABLE: url, PID_VARIABLE: str(pid)}
    lines.extend(f"export {key}={shlex.quote(value)}" for key, value in values.items())
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> None:
    """Write ``path`` in one step (a temporary file renamed over it), readable by its owner only."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def remove(path: Path, text: str) -> None:
    """Remove ``path`` if it still holds ``text``: a file another sandbox wrote since is not ours."""
    try:
        if path.read_text(encoding="utf-8") == text:
            path.unlink()
    except OSError:
        pass


def _answers(url: str) -> bool:
    if not url.startswith("http://"):
        return False  # the sandbox serves plain HTTP; any other scheme is not one of its files
    try:
        with urllib.request.urlopen(f"{url}/_sandbox/state", timeout=2) as answer:
            return 200 <= int(answer.status) < 300
    except (OSError, urllib.error.URLError, ValueError):
        return False


def wait_for(
    path: Path,
    timeout: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, str]:
    """The ``MOTEUR_*`` variables of ``path`` once it exists and its sandbox answers; ``RemoteError`` (exit 1)
    after ``timeout`` seconds, saying which of the two never happened."""
    deadline = clock() + timeout
    seen: str | None = None
    while True:
        if path.is_file():
            values = {k: v for k, v in dotenv_values(path).items() if _NAME.fullmatch(k) and v is not None}
            seen = values.get(URL_VARIABLE, "")
            if seen and _answers(seen):
                return values
        if clock() >= deadline:
            break
        sleep(0.1)
    if seen is None:
        problem = f"{path} was not written within {timeout:g} s"
    else:
        problem = f"the sandbox {path} names ({seen or 'no URL'}) does not answer (left by one that stopped?)"
    raise RemoteError(problem, hint=f"start one with: moteur sandbox serve --env-file {path} &")


def exports(values: Mapping[str, str]) -> str:
    """``export KEY='value'`` lines for ``eval``: quoted here, whatever the file held."""
    return "".join(f"export {key}={shlex.quote(value)}\n" for key, value in values.items())
