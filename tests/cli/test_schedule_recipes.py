"""The README's cron lines and systemd service, run as written against the sandbox.

The lines and the unit are read from README.md ("Running it on a schedule"), not copied here: a recipe
changed there is the recipe tested. Each runs as cron or systemd would run it — cron: ``/bin/sh -c LINE`` in
the user's home with cron's bare environment; systemd: the ``ExecStart`` command in ``WorkingDirectory``, with
``Environment=``, then ``EnvironmentFile=`` (which wins, as in systemd), and the ``StateDirectory=`` made
first — and must print nothing when nothing changed, one line per board that changed, and errors on stderr.

**What a test must change, in one place** (``on_this_machine``): the server's directories. ``/srv/moteur``
(the moteur user's home, holding ``.venv``, ``moteur.toml`` and ``.env``) and ``/var/lib/moteur`` (the state
directory) become directories under the test's temporary directory, in the recipe's text and in the ``.env``
the installation section tells to write. ``/srv/moteur/.venv/bin/moteur`` is a link to this checkout's
``moteur``. The ``.env`` holds the sandbox's tokens and URLs, as a real one holds the tools'.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from dotenv import dotenv_values

README = Path(__file__).resolve().parents[2] / "README.md"
Sandbox = Any  # tests/conftest.py
LINE = re.compile(r"^(?P<ref>\S+) .+: (?:\d+ created, )?\d+ updated, 0 failed, run (?P<run>\d+)$")
CRON_PATH = "/usr/bin:/bin"  # the PATH cron gives a job
SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"  # the PATH systemd gives a service


def schedule_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Running it on a schedule")
    return text[start : text.index("\n## ", start + 1)]


def fenced(section: str, language: str) -> str:
    found = re.search(rf"```{language}\n(.*?)```", section, re.DOTALL)
    assert found, f"no ```{language} block in README's schedule section"
    return found.group(1)


def cron_commands() -> list[str]:
    """The command of each cron line (after its five time fields)."""
    lines = [line for line in fenced(schedule_section(), "cron").splitlines() if line and line[0] != "#"]
    return [line.split(None, 5)[5] for line in lines]


def service_unit() -> dict[str, list[str]]:
    """The ``[Service]`` settings of ``moteur-sync.service``: each key with its values in order."""
    unit = fenced(schedule_section(), "ini").split("# /etc/systemd/system/moteur-sync.timer")[0]
    service = unit.split("[Service]", 1)[1]
    settings: dict[str, list[str]] = {}
    for line in service.splitlines():
        if line.strip() and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


@dataclass
class Server:
    root: Path

    def on_this_machine(self, text: str) -> str:
        """The one substitution: the README's server directories under the test's directory."""
        for path in ("/srv/moteur", "/var/lib/moteur"):
            text = text.replace(path, f"{self.root}{path}")
        return text

    @property
    def home(self) -> Path:
        return Path(self.on_this_machine("/srv/moteur"))


@pytest.fixture
def server(sandbox: Sandbox, tmp_path: Path) -> Server:
    """``/srv/moteur`` as the installation section leaves it: the venv, moteur.toml, .env (mode 600)."""
    machine = Server(tmp_path)
    home = machine.home
    (home / ".venv" / "bin").mkdir(parents=True)
    (home / ".venv" / "bin" / "moteur").symlink_to(Path(sys.executable).with_name("moteur"))
    boards = [sandbox.boards["trello"][0], sandbox.boards["monday"][0]]
    (home / "moteur.toml").write_text(f"boards = {boards!r}\n".replace("'", '"'), encoding="utf-8")
    # The installation section's .env: the tokens, and its last line uncommented (the state database).
    state_line = re.search(r"# (MOTEUR_STATE_URL=sqlite:\S+)", README.read_text(encoding="utf-8"))
    assert state_line, "the installation section no longer shows the .env's MOTEUR_STATE_URL line"
    tokens = "".join(f"{name}={value}\n" for name, value in sandbox.env.items())
    env_file = home / ".env"
    env_file.write_text(tokens + machine.on_this_machine(state_line.group(1)) + "\n", encoding="utf-8")
    env_file.chmod(0o600)
    return machine


def run_cron(server: Server, command: str) -> subprocess.CompletedProcess[str]:
    """``command`` as cron runs it: ``/bin/sh -c``, in the user's home, with cron's environment only."""
    env = {"HOME": str(server.home), "LOGNAME": "moteur", "SHELL": "/bin/sh", "PATH": CRON_PATH}
    return subprocess.run(
        ["/bin/sh", "-c", server.on_this_machine(command)],
        cwd=server.home,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_service(server: Server, unit: dict[str, list[str]]) -> subprocess.CompletedProcess[str]:
    """The service's ``ExecStart`` as systemd starts it (see the module docstring)."""
    (state,) = unit["StateDirectory"]
    state_dir = Path(server.on_this_machine(f"/var/lib/{state}"))
    state_dir.mkdir(parents=True, exist_ok=True)
    state_dir.chmod(int(unit.get("StateDirectoryMode", ["0755"])[0], 8))
    env = {"HOME": str(server.home), "USER": "moteur", "LOGNAME": "moteur", "PATH": SYSTEMD_PATH}
    env["STATE_DIRECTORY"] = str(state_dir)
    for assignment in unit.get("Environment", []):
        for pair in shlex.split(assignment):
            name, value = pair.split("=", 1)
            env[name] = server.on_this_machine(value)
    for path in unit.get("EnvironmentFile", []):
        values = dotenv_values(server.on_this_machine(path))
        env.update({k: server.on_this_machine(v) for k, v in values.items() if v is not None})
    (workdir,) = unit["WorkingDirectory"]
    (command,) = unit["ExecStart"]
    return subprocess.run(
        shlex.split(server.on_this_machine(command)),
        cwd=server.on_this_machine(workdir),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def break_a_token(server: Server) -> None:
    env_file = server.home / ".env"
    text = re.sub(r"(?m)^MOTEUR_TRELLO_TOKEN=.*$", "MOTEUR_TRELLO_TOKEN=revoked", env_file.read_text("utf-8"))
    env_file.write_text(text, encoding="utf-8")


def assert_cron_behaviour(first: Any, again: Any, broken: Any, boards: list[str]) -> None:
    assert (first.returncode, first.stderr) == (0, ""), first.stderr
    lines = first.stdout.splitlines()
    matches = [LINE.match(line) for line in lines]
    assert len(lines) == len(boards) and all(matches), first.stdout
    assert [m["ref"] for m in matches if m] == boards
    assert len({m["run"] for m in matches if m}) == 1  # one sync, one run
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert broken.returncode == 3 and broken.stdout == "", broken.stdout
    assert broken.stderr.startswith("error:") and "revoked" not in broken.stderr


@pytest.mark.parametrize("line", range(len(cron_commands())))
def test_each_cron_line_of_the_readme(server: Server, sandbox: Sandbox, line: int) -> None:
    command = cron_commands()[line]
    boards = [sandbox.boards["trello"][0], sandbox.boards["monday"][0]]
    # For cron, the installation section makes the state directory (systemd's StateDirectory= does it below).
    assert "install -d -o moteur -g moteur -m 700 /var/lib/moteur" in README.read_text(encoding="utf-8")
    Path(server.on_this_machine("/var/lib/moteur")).mkdir(mode=0o700, parents=True)
    first = run_cron(server, command)
    again = run_cron(server, command)
    break_a_token(server)
    broken = run_cron(server, command)
    assert_cron_behaviour(first, again, broken, boards)
    assert (server.root / "var" / "lib" / "moteur" / "state.db").is_file()


def test_the_systemd_service_of_the_readme(server: Server, sandbox: Sandbox) -> None:
    unit = service_unit()
    assert unit["StateDirectory"] == ["moteur"]
    assert any("MOTEUR_STATE_URL=sqlite:////var/lib/moteur/" in e for e in unit["Environment"])
    # The state database's line of .env is the installation section's; without it, Environment= sets it.
    env_file = server.home / ".env"
    env_file.write_text(
        "".join(line for line in env_file.read_text("utf-8").splitlines(True) if "STATE_URL" not in line),
        encoding="utf-8",
    )
    boards = [sandbox.boards["trello"][0], sandbox.boards["monday"][0]]
    first = run_service(server, unit)
    again = run_service(server, unit)
    break_a_token(server)
    broken = run_service(server, unit)
    assert_cron_behaviour(first, again, broken, boards)
    state_dir = server.root / "var" / "lib" / "moteur"
    assert (state_dir / "state.db").is_file() and stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    assert not (server.home / ".local").exists()  # nothing went to the default state directory


def test_the_recipes_use_the_paths_the_installation_section_sets_up() -> None:
    section = schedule_section()
    assert "/srv/moteur/.venv/bin/moteur sync --quiet" in section
    assert all("sync --quiet" in command for command in cron_commands())
    assert os.path.basename(service_unit()["ExecStart"][0].split()[0]) == "moteur"
