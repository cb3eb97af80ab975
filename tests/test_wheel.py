"""Issue 22: the wheel installs like any CLI tool and runs everything from outside the repository.

One test, in the order of the README's *Installing on a server*: build the sdist and the wheel from a copy of
the checkout (the wheel from the sdist, as ``python -m build`` does) with no warning from the build backend;
every file under ``moteur/`` that git knows is in both; install the wheel into a fresh virtual environment
outside the checkout (``<tmp>/srv/moteur/.venv``); then, from empty directories: ``moteur --version`` and
``python -m moteur --version``, ``moteur demo``, ``moteur plan file:<CSV>``, ``moteur sandbox serve`` (strict)
and ``moteur doctor --json`` against it, with ``moteur.toml`` and ``.env`` written as the README says and the
state database where ``MOTEUR_STATE_URL`` in ``.env`` puts it (``<tmp>/var/lib/moteur/state.db``).

*Dependencies*: downloading them would make the test slow and flaky, so the new environment gets the wheel's
declared dependencies (with theirs, and nothing else) from this virtualenv: each distribution's top-level
files are linked into one directory that a ``.pth`` file puts on the new environment's path. A module moteur
imports without declaring it is then missing, as on a server. Plain path lines in a ``.pth`` do not run this
virtualenv's editable-install hook and moteur is not linked, so ``import moteur`` finds the wheel (checked).
The build itself needs PyPI (``build`` and the ``[build-system]`` requirements): a failure there is a failure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import tarfile
import threading
import tomllib
import zipfile
from email.parser import HeaderParser
from importlib.metadata import Distribution, distributions
from pathlib import Path
from typing import IO, Any

import pytest
import requests
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from moteur import __version__

REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-12-07"
TOOLS = ("trello", "asana", "monday")
PLAN_CSV = """id;titre;impact;effort;confiance;objectif;canal;échéance;statut
a1;Webinar SEO;8;3;7;leads;webinar;2026-12-18;à faire
a2;Refonte du site;9;9;6;leads;SEO;;à faire
a3;Post LinkedIn;4;2;;notoriété;social;;en cours
a4;Newsletter de rentrée;7;2;8;;e-mail;;fait
"""
# A warning in the build log: a line starting "WARNING" (``build`` relays the backend's Python warnings so),
# distutils' "warning: …", or a "…Warning: …" printed as is. Not a mere path containing "warning".
BUILD_WARNING = re.compile(r"(?:^|\s)warning\b|warning:", re.IGNORECASE)
# What the README's install section must show, because this test does it.
README_COMMANDS = (
    "make dist",
    "python3 -m venv .venv",
    ".venv/bin/pip install",
    "moteur --version",
    "python -m moteur",
    "moteur demo",
    "moteur plan file:",
    "moteur sandbox serve",
    "moteur doctor --json",
    "MOTEUR_STATE_URL=sqlite:////var/lib/moteur/state.db",
    "chmod 600 .env",
)


def run(args: list[str | Path], cwd: Path, env: dict[str, str], timeout: float = 120) -> str:
    """Run a command; its stdout when it exits 0, else a failure with both streams."""
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would point Python or moteur somewhere else."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped and not k.startswith("MOTEUR_")}
    return env | {"NO_COLOR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"} | extra


# -- building ------------------------------------------------------------------------------------------------


def repository_files() -> list[str]:
    """What a commit of the working tree would hold: tracked and untracked files, not the ignored ones."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return sorted(name for name in listed.split("\0") if name and (REPO / name).is_file())


def copy_checkout(files: list[str], dest: Path) -> None:
    # A copy, so that the build's egg-info and build/ never land in the repository (nor race other builds).
    for name in files:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((REPO / name).read_bytes())


def build(source: Path, tmp: Path, env: dict[str, str]) -> tuple[Path, Path]:
    """The sdist and the wheel of ``source``, built by ``python -m build`` in an environment holding exactly
    ``build`` and the ``[build-system]`` requirements; fails on any warning in the backend's output."""
    requires = tomllib.loads((source / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    builder = tmp / "build-env"
    run([sys.executable, "-m", "venv", "--without-pip", builder], tmp, env)
    python = builder / "bin" / "python"
    run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "build", *requires["requires"]],
        tmp,
        env,
    )
    out = tmp / "dist"
    done = subprocess.run(
        [str(python), "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    warnings = [line for line in log.splitlines() if BUILD_WARNING.search(line)]
    assert not warnings, "the build backend warned:\n" + "\n".join(warnings)
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


def wheel_metadata(wheel: zipfile.ZipFile) -> Any:
    (name,) = (n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    return HeaderParser().parsestr(wheel.read(name).decode("utf-8"))


# -- the new environment -------------------------------------------------------------------------------------


def dependency_closure(requires: list[str], site: Path) -> list[Distribution]:
    """The distributions of ``site`` that ``requires`` (a wheel's Requires-Dist) needs, with their own
    requirements and the extras asked for; fails when one is missing or too old."""
    dists = [d for d in distributions(path=[str(site)]) if d.metadata["Name"]]  # not a stray empty dist-info
    installed = {canonicalize_name(d.metadata["Name"]): d for d in dists}
    found: dict[str, Distribution] = {}
    visited: set[tuple[str, str]] = set()
    todo = [(text, "") for text in requires]
    while todo:
        text, extra = todo.pop()
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        dist = installed.get(name)
        assert dist is not None, f"{requirement} (a dependency of the wheel) is not installed in {site}"
        assert requirement.specifier.contains(dist.version, prereleases=True), (
            f"{requirement}: {dist.version}"
        )
        found[name] = dist
        for wanted in {"", *requirement.extras}:
            if (name, wanted) not in visited:
                visited.add((name, wanted))
                todo += [(r, wanted) for r in dist.requires or []]
    return list(found.values())


def link_distributions(dists: list[Distribution], dest: Path) -> None:
    """Link each distribution's top-level files (packages, modules, its .dist-info) into ``dest``."""
    dest.mkdir()
    for dist in dists:
        assert dist.files is not None, f"{dist.metadata['Name']} has no RECORD"
        for top in sorted({f.parts[0] for f in dist.files} - {"..", "__pycache__"}):
            link = dest / top
            if not top.endswith(".pth") and not link.exists():
                link.symlink_to(Path(str(dist.locate_file(top))))


def install_wheel(wheel: Path, metadata: Any, venv: Path, tmp: Path, env: dict[str, str]) -> Path:
    """A fresh virtual environment with the wheel installed (no dependency downloaded); its python."""
    run([sys.executable, "-m", "venv", "--without-pip", venv], tmp, env)
    python = venv / "bin" / "python"
    site = Path(
        run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp, env).strip()
    )
    here = Path(sysconfig.get_path("purelib"))  # this virtualenv's site-packages
    deps = tmp / "dependencies"
    link_distributions(dependency_closure(metadata.get_all("Requires-Dist") or [], here), deps)
    (site / "moteur-dependencies.pth").write_text(f"{deps}\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel]
    run(pip, tmp, env)
    return python


# -- running it ----------------------------------------------------------------------------------------------


def first_line(stream: IO[str], timeout: float) -> str:
    """The first line a process writes, or a failure after ``timeout`` seconds."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert lines and lines[0], "the sandbox printed no announcement"
    return lines[0]


def check_package(python: Path, venv: Path, cwd: Path, env: dict[str, str]) -> None:
    probe = (
        "import json, importlib.metadata as m, importlib.resources as r, moteur; print(json.dumps("
        "[moteur.__file__, m.version('moteur'), str(r.files('moteur.sandbox') / 'contracts')]))"
    )
    where, version, contracts = json.loads(run([python, "-c", probe], cwd, env))
    assert Path(where).is_relative_to(venv), f"moteur was imported from {where}, not from the wheel"
    assert Path(contracts).is_relative_to(venv)
    assert version == __version__
    assert run([venv / "bin" / "moteur", "--version"], cwd, env) == f"moteur {__version__}\n"
    assert run([python, "-m", "moteur", "--version"], cwd, env) == f"moteur {__version__}\n"


def check_plan(moteur: Path, cwd: Path, env: dict[str, str]) -> None:
    (cwd / "plan.csv").write_text(PLAN_CSV, encoding="utf-8")
    tables = run([moteur, "plan", "file:plan.csv", "--today", TODAY], cwd, env)
    assert "Webinar SEO" in tables and "Sprint 1" in tables
    payload = json.loads(run([moteur, "plan", "file:plan.csv", "--today", TODAY, "--json"], cwd, env))
    assert (payload["format_version"], payload["moteur_version"]) == ("1", __version__)
    assert len(payload["actions"]) == 4
    # French comes from the gettext catalogue shipped in the wheel (moteur/locale/fr/LC_MESSAGES/moteur.mo):
    # without it the headers and flags would read in English, or the command would stop.
    french = run([moteur, "plan", "file:plan.csv", "--today", TODAY], cwd, {**env, "MOTEUR_LANGUAGE": "fr"})
    assert "Victoire rapide" in french and "Capacité" in french and "Jours fériés" in french, french


def check_doctor(moteur: Path, cwd: Path, state: Path, env: dict[str, str]) -> None:
    """``sandbox serve`` (strict), its tokens in ``.env``, its boards in ``moteur.toml``, then ``doctor``."""
    sandbox = subprocess.Popen(
        [str(moteur), "sandbox", "serve", "--strict", "--port", "0"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert sandbox.stdout is not None
        announcement = json.loads(first_line(sandbox.stdout, timeout=60))
        assert all(announcement["boards"].get(tool) for tool in TOOLS), announcement  # each emulator is up
        values = {**announcement["env"], "MOTEUR_STATE_URL": f"sqlite:///{state}"}
        dotenv = cwd / ".env"
        dotenv.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
        dotenv.chmod(0o600)
        boards = [ref for refs in announcement["boards"].values() for ref in refs]
        (cwd / "moteur.toml").write_text(f"boards = {json.dumps(boards)}\n", encoding="utf-8")
        doctor = json.loads(run([moteur, "doctor", "--json"], cwd, env))  # an object, like every --json
        checks = doctor["checks"]
        failed = [c for c in checks if not (c["ok"] or c["warning"])]
        assert not failed, failed
        (database,) = (c for c in checks if c["check"] == "state database")
        assert str(state) in database["detail"] and "schema version" in database["detail"]
        assert state.is_file() and any(c["check"] == ".env permissions" and c["ok"] for c in checks)
        for ref in boards:
            assert any(c["check"] == f"{ref} writable" and c["ok"] for c in checks), ref
        check_strict(announcement)
    finally:
        sandbox.terminate()
        _, err = sandbox.communicate(timeout=30)
    assert sandbox.returncode == 0, err


def check_strict(announcement: dict[str, Any]) -> None:
    """Doctor's requests met the vendors' contracts, read from the installed package; a request outside
    them is refused (strict mode on, the contracts found)."""
    log = requests.get(f"{announcement['url']}/_sandbox/requests", timeout=10).json()
    assert {entry["tool"] for entry in log} == set(TOOLS)
    assert not [entry for entry in log if entry["refused"]]
    env = announcement["env"]
    board = announcement["boards"]["trello"][0].split(":", 1)[1]
    auth = {"key": env["MOTEUR_TRELLO_API_KEY"], "token": env["MOTEUR_TRELLO_TOKEN"], "nonsense": "1"}
    assert (
        requests.get(f"{announcement['trello']}/boards/{board}", params=auth, timeout=10).status_code == 400
    )
    project = announcement["boards"]["asana"][0].split(":", 1)[1]
    headers = {"Authorization": f"Bearer {env['MOTEUR_ASANA_TOKEN']}"}
    unknown = requests.get(
        f"{announcement['asana']}/projects/{project}", params={"sort": "name"}, headers=headers, timeout=30
    )
    assert unknown.json()["errors"][0]["message"] == "sort: Unknown parameter"


@pytest.mark.perf  # builds and installs a wheel: over 20 s
def test_the_wheel_installs_outside_the_checkout_and_runs_every_command(tmp_path: Path) -> None:
    assert not tmp_path.is_relative_to(REPO)
    env = clean_environment(XDG_STATE_HOME=str(tmp_path / "xdg-state"))  # no default state in your home
    files = repository_files()
    copy_checkout(files, tmp_path / "checkout")
    sdist, wheel = build(tmp_path / "checkout", tmp_path, env)

    package_files = [name for name in files if name.startswith("moteur/")]
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
        metadata = wheel_metadata(archive)
    assert [name for name in package_files if name not in in_wheel] == []
    assert not [name for name in in_wheel if "__pycache__" in name or name.startswith("tests/")]
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    sdist_files = [
        *package_files,
        "LICENSE",
        "README.md",
        "moteur.example.toml",
        "examples/marketing-plan.csv",
    ]
    assert [name for name in sdist_files if name not in in_sdist] == []
    assert not [name for name in in_sdist if name.startswith("tests/")]  # MANIFEST.in: the suite stays here
    assert metadata["Version"] == __version__ and metadata["License-Expression"] == "MIT"
    assert metadata["License-File"] == "LICENSE" and metadata["Metadata-Version"] == "2.4"

    venv = tmp_path / "srv" / "moteur" / ".venv"
    python = install_wheel(wheel, metadata, venv, tmp_path, env)
    moteur = venv / "bin" / "moteur"
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"  # as an activated environment

    # The demo takes ~25 s (the sandbox keeps the vendors' rate limits): it runs while the rest is checked.
    # Its output goes to files: a full pipe would stop it while nobody reads.
    demo_dir, work = tmp_path / "demo", tmp_path / "work"
    demo_dir.mkdir()
    work.mkdir()
    demo_out, demo_err = tmp_path / "demo.out", tmp_path / "demo.err"
    # The demo keeps its review under the temporary directory: this test's own, so no other demo replaces it.
    demo_tmp = tmp_path / "demo-tmp"
    demo_tmp.mkdir()
    with demo_out.open("w") as stdout, demo_err.open("w") as stderr:
        demo = subprocess.Popen(
            [moteur, "demo", "--today", TODAY],
            cwd=demo_dir,
            env={**env, "TMPDIR": str(demo_tmp)},
            stdout=stdout,
            stderr=stderr,
        )
    try:
        check_package(python, venv, work, env)
        check_plan(moteur, work, env)
        state = tmp_path / "var" / "lib" / "moteur" / "state.db"
        state.parent.mkdir(parents=True)
        check_doctor(moteur, work, state, env)
        demo.wait(timeout=180)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    out = demo_out.read_text(encoding="utf-8")
    assert demo.returncode == 0, out + demo_err.read_text(encoding="utf-8")
    assert out.count("No changes.") == 3 and out.count("(0 failed)") == 3, out
    # It ends with the follow-up review of its boards, kept outside the directory it ran in (no matplotlib
    # here, the charts extra: the page says so and holds every figure in its tables).
    review = re.search(r"\(moteur review\): (.+\.html)$", out, re.MULTILINE)
    assert review, out
    assert Path(review.group(1)).is_relative_to(demo_tmp)
    page = Path(review.group(1)).read_text(encoding="utf-8")
    assert "7. Flags" in page and "moteur[charts]" in page and "<script" not in page
    assert list(demo_dir.iterdir()) == []  # the demo leaves nothing behind


def test_the_readme_install_section_shows_what_the_wheel_test_does() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Installing on a server\n", 1)[1].split("\n## ", 1)[0]
    assert [command for command in README_COMMANDS if command not in section] == []
