"""The README's quick start tells the truth: on a clean copy of the repository, its ``jobguard check`` command exits
1 (the bundled examples include bad jobs on purpose) and lists findings, and ``.ci/run`` runs exactly the README's
test command.

The copy holds what a fresh clone would (``git ls-files`` plus untracked, non-ignored files), so stray caches or
build output in the working tree cannot make the command pass. It runs with the already-installed jobguard: creating
a venv is the README's business, not this suite's.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from e2e_support import REPO, cli_env, jobguard_command, run_jobguard

README = REPO / "README.md"
CI_RUN = REPO / ".ci" / "run"
# What a clone never holds (used only when git cannot list the files).
NOT_IN_A_CLONE = {".git", ".venv", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache",
                  ".jobguard-cache"}


def quick_start_commands() -> list[str]:
    """The shell commands of the fenced blocks in README's "Quick start" section, in order."""
    text = README.read_text()
    match = re.search(r"^## Quick start\s*$(.*?)(?=^## )", text, re.M | re.S)
    assert match, "README.md has no '## Quick start' section"
    blocks = re.findall(r"^```(?:sh|bash|shell|console)?\s*\n(.*?)^```", match.group(1), re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def check_part(command: str) -> list[str]:
    """``python3 -m venv .venv && ... && .venv/bin/jobguard check examples/`` -> ["check", "examples/"]."""
    for step in command.split("&&"):
        words = shlex.split(step)
        if words and Path(words[0]).name == "jobguard" and words[1:2] == ["check"]:
            return words[1:]
    raise AssertionError(f"no `jobguard check` step in {command!r}")


def clean_copy(dest: Path) -> Path:
    """Copy what a fresh clone of the repository would contain into ``dest``."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                                capture_output=True, check=True, timeout=30).stdout.decode().split("\0")
        files = [REPO / name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        files = [p for p in REPO.rglob("*") if not NOT_IN_A_CLONE & set(p.relative_to(REPO).parts)
                 and not p.name.endswith(".egg-info")]
    for src in files:
        if src.is_file() and not src.is_symlink():
            target = dest / src.relative_to(REPO)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    return dest


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clean_copy(tmp_path_factory.mktemp("clone"))


def test_quick_start_has_the_two_documented_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2, commands
    assert check_part(commands[0])[0] == "check"
    assert "pytest" in commands[1]


def test_quick_start_check_exits_1_with_findings(clone: Path) -> None:
    args = check_part(quick_start_commands()[0])
    env = cli_env(cache_dir=clone / ".e2e-cache")
    proc = run_jobguard(*args, cwd=clone, env=env)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert proc.returncode == 1, f"README says this exits 1; got {proc.returncode}:\n{proc.stdout[-3000:]}"
    # the same run as JSON: what it found, and that every example parsed
    report = json.loads(run_jobguard(*args, "--format", "json", cwd=clone, env=env).stdout)
    assert report["errors"] == []
    assert report["summary"]["blocking"] > 0
    assert {"no-inline-secrets", "connect-requires-bridge"} <= {f["rule"] for f in report["findings"]}


def test_good_examples_pass_and_every_bad_example_fails(clone: Path) -> None:
    """The examples mean what their folders say, under the examples' own jobguard.hcl."""
    env = cli_env(cache_dir=clone / ".e2e-cache")
    config = ("--config", "examples/jobguard.hcl")
    good = run_jobguard("check", *config, "examples/jobs/good", cwd=clone, env=env)
    assert good.returncode == 0, good.stdout[-3000:]
    bad = sorted(p for p in (clone / "examples/jobs/bad").iterdir() if p.is_file())
    assert bad
    for job in bad:
        proc = run_jobguard("check", *config, str(job.relative_to(clone)), cwd=clone, env=env)
        assert proc.returncode == 1, f"{job.name} should be caught:\n{proc.stdout[-2000:]}"


def test_ci_run_invokes_exactly_the_readme_test_command() -> None:
    test_command = quick_start_commands()[1]
    lines = [line.strip() for line in CI_RUN.read_text().splitlines()]
    commands = [line for line in lines if line and not line.startswith("#")]
    assert test_command in commands, f"{test_command!r} not in .ci/run"
    assert commands[-1] == test_command, "the README's test command must be what .ci/run ends with"


def test_installed_jobguard_is_what_the_suite_runs() -> None:
    """The suite drives the installed console script (the README's ``jobguard``), at this checkout's version."""
    from jobguard import __version__

    proc = subprocess.run([*jobguard_command(), "--version"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and __version__ in proc.stdout
