"""The real ``jobguard check`` command on the hostile job files of issue #17 (written at test time): exit 2,
every file reported at its line, never a traceback, the run going on past each, with ``--jobs 1`` and
``--jobs 2``; and each of the issue's inputs costs less than a second of CPU beyond a good file's run."""

from __future__ import annotations

import json
import resource

import pytest
from e2e_support import cli_env, run_jobguard

from tests.hostile_jobs import CANARY, HOSTILE, write_checkout

# The issue's own list: huge format widths, fileset of the whole filesystem, a high bcrypt cost, a file outside
# the checkout, and API JSON / HCL nested 5,000 and 100,000 levels deep.
ISSUE = ["format-width.nomad.hcl", "fileset-root.nomad.hcl", "bcrypt-31.nomad.hcl", "file-etc.nomad.hcl",
         "api-deep-5000.nomad.json", "api-deep-100000.nomad.json", "hcl-deep-5000.nomad.hcl",
         "hcl-deep-100000.nomad.hcl"]


@pytest.fixture(scope="module")
def jobs_dir(tmp_path_factory):
    return write_checkout(tmp_path_factory.mktemp("untrusted")) / "jobs"


def _check(jobs_dir, *args: str):
    proc = run_jobguard("check", "--no-cache", "--format", "json", *args, cwd=jobs_dir, timeout=120,
                        env=cli_env(cache_dir=jobs_dir.parent / ".cache"))
    assert "Traceback" not in proc.stderr, proc.stderr
    assert CANARY not in proc.stdout + proc.stderr
    return proc


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_hostile_file_is_reported_and_the_run_goes_on(jobs_dir, jobs):
    proc = _check(jobs_dir, "--jobs", jobs, ".")
    assert proc.returncode == 2, proc.stderr
    doc = json.loads(proc.stdout)
    first = {}
    for error in doc["errors"]:
        first.setdefault(error["file"], error)
    assert sorted(first) == sorted(HOSTILE)
    for name, error in first.items():
        assert error["line"] == HOSTILE[name][1] and error["column"] > 0, error
    assert doc["summary"]["jobs"] == 1  # good.nomad.hcl was checked too


def test_each_input_of_the_issue_costs_less_than_a_second(jobs_dir):
    before = _cpu_of_children()
    assert _check(jobs_dir, "--jobs", "1", "good.nomad.hcl").returncode in (0, 1)
    baseline = _cpu_of_children() - before  # interpreter start-up, engine, one good job
    for name in ISSUE:
        before = _cpu_of_children()
        proc = _check(jobs_dir, "--jobs", "1", name)
        spent = _cpu_of_children() - before
        assert proc.returncode == 2, (name, proc.stdout[-500:])
        assert spent < baseline + 1.0, f"{name}: {spent:.2f} s CPU (a good file: {baseline:.2f} s)"
