"""The README's sandbox walkthrough works when pasted.

The ``sh`` blocks of *Try it without an account* run as they are, one after the other in one fresh
``bash`` (as pasted into one shell), from a directory that stands for a fresh clone: only its ``.venv`` (a
link to this one's). With ``set -e`` every command must succeed; the walkthrough must end on a synced
board (the last dry-run says ``No changes.``), stop its sandbox, and leave no process, no ``sandbox.env``
and no throwaway state database behind. ``sandbox env`` says which of its two conditions never came: the
file, or a sandbox answering at the URL it names.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
HEADING = "## Try it without an account"


def walkthrough_blocks() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text[text.index(HEADING) :]
    section = section[: section.index("\n## ", len(HEADING))]
    return re.findall(r"```sh\n(.*?)```", section, re.S)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _end_group(pgid: int, grace: float = 10.0) -> bool:
    """Wait for every process of the walkthrough's group to end; SIGTERM, then SIGKILL, what lingers.

    True when nothing was left to end (the walkthrough stopped its own sandbox)."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _group_alive(pgid):
            return True
        time.sleep(0.1)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            break
        time.sleep(1.0)
    return False


@pytest.mark.perf  # the README's walkthrough in subprocesses: over 20 s
def test_the_readme_walkthrough_reaches_a_synced_sandbox_board(tmp_path: Path) -> None:
    blocks = walkthrough_blocks()
    assert (
        len(blocks) >= 3
        and any("sandbox serve" in b for b in blocks)
        and "source .venv/bin/activate" in blocks[0]
    )
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / ".venv").symlink_to(REPO / ".venv")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    script = tmp_path / "walkthrough.sh"
    script.write_text("set -e\n" + "\n".join(blocks), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MOTEUR_", "VIRTUAL_ENV"))}
    env.update(
        {"TMPDIR": str(scratch), "HOME": str(tmp_path), "NO_COLOR": "1", "XDG_STATE_HOME": str(tmp_path)}
    )
    process = subprocess.Popen(
        ["bash", str(script)],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group: the sandbox it starts can be found and ended
    )
    try:
        output, _ = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise AssertionError(f"the walkthrough took over 90 s:\n{output[-3000:]}") from None
    finally:
        stopped_itself = _end_group(process.pid)
    assert process.returncode == 0, output[-3000:]
    assert stopped_itself, "the walkthrough's sandbox was still running after its last block"
    assert "Your tokens reach these boards" in output
    assert "All checks passed." in output
    applied = re.search(
        r"Applied (\d+) field changes? to \d+ actions?(?:, \d+ created)? \(0 failed\)", output
    )
    assert applied and int(applied[1]) > 0, output[-3000:]
    assert output.rstrip().endswith("No changes. The boards match the plan."), output[-1500:]
    # Nothing left behind: the scratch directory holds only what the walkthrough made there.
    (work,) = [p for p in scratch.iterdir() if p.is_dir()]
    assert not (work / "sandbox.env").exists()
    assert {p.name for p in work.iterdir()} == {"moteur.toml", ".env"}
    assert not list(scratch.glob("moteur-sandbox-*")), "the throwaway state database was not removed"
    assert not (tmp_path / "moteur").exists()  # the real state directory was never touched


def test_sandbox_env_waits_then_says_which_part_never_came(workdir: Path, run_process: Any) -> None:
    missing = run_process("sandbox", "env", "nowhere.env", "--timeout", "0.5")
    assert missing.code == 1 and "nowhere.env was not written within 0.5 s" in missing.err
    stale = workdir / "stale.env"  # left by a sandbox that was killed: its port answers no more
    stale.write_text("export MOTEUR_SANDBOX_URL=http://127.0.0.1:9\nexport MOTEUR_TRELLO_TOKEN=x\n", "utf-8")
    result = run_process("sandbox", "env", "stale.env", "--timeout", "0.5")
    assert result.code == 1 and "does not answer" in result.err and result.out == ""
    assert "moteur sandbox serve --env-file stale.env" in result.err


def test_sandbox_serve_refuses_an_env_file_in_no_directory(workdir: Path, run_process: Any) -> None:
    result = run_process("sandbox", "serve", "--env-file", "no/such/dir/sandbox.env")
    assert result.code == 2 and "no such directory" in result.err
