"""The pre-commit hook (``.pre-commit-hooks.yaml``) as pre-commit runs it: ``entry`` plus every staged file that
matches ``files``, in a repository that, like any real one, also holds non-job HCL and JSON (its own jobguard.hcl,
Terraform, a package.json). Only jobs may decide the hook's result.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml
from e2e_support import FIXTURES, JOBS, REPO, cli_env, run_jobguard

HOOKS = REPO / ".pre-commit-hooks.yaml"


def _hook() -> dict:
    hooks = yaml.safe_load(HOOKS.read_text())
    return next(h for h in hooks if h["id"] == "jobguard")


def _run_hook(repo: Path, staged: list[str]) -> tuple[int, str]:
    """What pre-commit does: filter the staged files with ``files``, append them to ``entry``."""
    hook = _hook()
    pattern = re.compile(hook.get("files", ""))
    exclude = re.compile(hook["exclude"]) if hook.get("exclude") else None
    picked = [f for f in staged if pattern.search(f) and not (exclude and exclude.search(f))]
    entry = shlex.split(hook["entry"]) + list(hook.get("args", []))
    assert Path(entry[0]).name == "jobguard"
    proc = run_jobguard(*entry[1:], *picked, cwd=repo, env=cli_env(cache_dir=repo / ".cache"))
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    shutil.copy(FIXTURES / "jobguard.hcl", tmp_path / "jobguard.hcl")
    shutil.copytree(FIXTURES / "policies", tmp_path / "policies")
    (tmp_path / "jobs").mkdir()
    shutil.copy(JOBS / "good.nomad.hcl", tmp_path / "jobs" / "web.nomad.hcl")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.hcl").write_text('resource "aws_instance" "web" {\n  ami = "ami-123"\n}\n')
    (tmp_path / "package.json").write_text('{"name": "site", "version": "1.0.0"}\n')
    return tmp_path


def test_hook_checks_a_good_job_next_to_other_hcl_and_json(repo: Path) -> None:
    code, output = _run_hook(repo, ["jobguard.hcl", "jobs/web.nomad.hcl", "infra/main.hcl", "package.json"])
    assert code == 0, output


def test_hook_fails_on_a_bad_job(repo: Path) -> None:
    shutil.copy(JOBS / "privileged.nomad.hcl", repo / "jobs" / "admin.nomad.hcl")
    code, output = _run_hook(repo, ["jobs/admin.nomad.hcl", "jobs/web.nomad.hcl"])
    assert code == 1, output
    assert "no-privileged-containers" in output
