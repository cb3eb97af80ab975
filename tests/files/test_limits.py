"""Issue 17, item 5: hostile or absurd input files — a YAML alias bomb, a self-referencing anchor, JSON or
YAML nested 100,000 deep, a file over the size limit — are refused with one line and exit 2, quickly, in
bounded memory, whatever the command that reads them."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from moteur.connectors.files.storage import MAX_BYTES, MAX_DEPTH

from .conftest import Run

# The "billion laughs": 9 ** 9 references to "lol" once expanded (over 1.5 GB as Python objects).
LAUGHS = "".join(
    f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
BOMB = (
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + LAUGHS
    + ("actions:\n  - titre: Webinar SEO\n    impact: 8\n    effort: 3\n    payload: *i\n")
)
HOSTILE = {
    "bomb.yaml": BOMB,
    "self.yaml": "actions:\n  - &loop\n    titre: Boucle\n    moi: *loop\n",
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "deep-in-action.json": '[{"titre": "A", "x": ' + "[" * 100_000 + "]" * 100_000 + "}]",
    "deep.yaml": "- " * 100_000 + "x\n",
    "deep-flow.yaml": "actions: " + "[" * 100_000 + "]" * 100_000 + "\n",
}
MESSAGES = {
    "bomb.yaml": "YAML alias",
    "self.yaml": "YAML alias",
    "deep.json": f"nested more than {MAX_DEPTH} levels",
    "deep-in-action.json": f"nested more than {MAX_DEPTH} levels",
    "deep.yaml": "maximum nesting depth",
    "deep-flow.yaml": "maximum nesting depth",
}
COMMANDS = {
    "plan": ("plan", "file:{name}", "--today=2026-12-01"),
    "sync": ("sync", "file:{name}", "--today=2026-12-01", "--dry-run"),
    "migrate": ("migrate", "file:{name}", "file:copy.json"),
}


def assert_one_line_refusal(code: int, out: str, err: str, name: str, message: str) -> None:
    assert code == 2, err
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and name in lines[0] and message in lines[0]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_files_are_refused_in_one_line_quickly(
    workdir: Path, run: Run, name: str, command: str
) -> None:
    (workdir / name).write_text(HOSTILE[name], encoding="utf-8")
    started = time.perf_counter()
    result = run(*(arg.format(name=name) for arg in COMMANDS[command]))
    elapsed = time.perf_counter() - started
    assert_one_line_refusal(result.code, result.out, result.err, name, MESSAGES[name])
    assert elapsed < 2, f"{elapsed:.2f} s"
    assert not (workdir / "copy.json").exists()


def _at_most_2_gb() -> None:
    # Should the bomb ever expand, the child fails fast with MemoryError instead of taking the machine.
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


# Runs the CLI and, at exit, writes the process's own peak resident memory (VmHWM, in kB). VmHWM belongs to
# the memory map made at exec, so it is this program's alone; ru_maxrss would include the forking test
# worker's.
_MEASURED = (
    "import atexit, sys\n"
    "out = sys.argv[1]\n"
    "def peak():\n"
    "    lines = [l for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
    "    open(out, 'w').write(lines[0].split()[1])\n"
    "atexit.register(peak)\n"
    "sys.argv = ['moteur', *sys.argv[2:]]\n"
    "from moteur.cli import main\n"
    "sys.exit(main())\n"
)


def test_the_alias_bomb_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """The real CLI in its own process, its peak memory its own (VmHWM), under a 2 GB address-space cap."""
    (tmp_path / "bomb.yaml").write_text(BOMB, encoding="utf-8")
    env = {**os.environ, "MOTEUR_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}", "NO_COLOR": "1"}
    env.pop("MOTEUR_CONFIG", None)
    peak = tmp_path / "peak.kb"
    child = subprocess.run(
        [sys.executable, "-c", _MEASURED, str(peak), "plan", "file:bomb.yaml", "--today=2026-12-01"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_at_most_2_gb,
        check=False,
    )
    assert_one_line_refusal(child.returncode, child.stdout, child.stderr, "bomb.yaml", "YAML alias")
    assert int(peak.read_text()) < 300 * 1024  # kB: the interpreter and moteur, no expansion


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(workdir: Path, run: Run) -> None:
    path = workdir / "huge.json"
    with path.open("wb") as stream:
        stream.truncate(MAX_BYTES + 1)  # sparse: no disk used, and every byte a parser would choke on
    started = time.perf_counter()
    result = run("plan", "file:huge.json", "--today=2026-12-01")
    assert_one_line_refusal(result.code, result.out, result.err, "huge.json", "up to 50 MB")
    assert time.perf_counter() - started < 2


def test_a_plans_few_levels_of_nesting_are_read(workdir: Path, run: Run) -> None:
    nested = "[" * (MAX_DEPTH - 8) + "]" * (MAX_DEPTH - 8)
    (workdir / "plan.json").write_text(f'[{{"titre": "A", "impact": 5, "effort": 3, "x": {nested}}}]')
    assert run("plan", "file:plan.json", "--today=2026-12-01").code == 0
