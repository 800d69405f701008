"""``jobguard check`` on the hostile job files of issue #17, in process: exit 2 within a second of CPU, the
error at the file's line and column, nothing from outside the checkout in the output; ``--allow-path`` and
``--file-timeout`` as documented."""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from jobguard.cli import cli
from tests.hostile_jobs import CANARY, HOSTILE, write_checkout


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    repo = write_checkout(tmp_path)
    monkeypatch.chdir(repo / "jobs")  # relative file paths resolve against the working directory, as in Nomad
    monkeypatch.setenv("JOBGUARD_CACHE_DIR", str(tmp_path / "cache"))
    return repo


def check(*args: str):
    return CliRunner().invoke(cli, ["check", "--no-cache", "--jobs", "1", "--format", "json", *args],
                              catch_exceptions=False)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_hostile_file_exits_2_within_a_second(checkout, name):
    check("good.nomad.hcl")  # engine, parser and imports warm: what is timed is this file
    start = time.process_time()
    result = check(name)
    assert time.process_time() - start < 1.0
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    error = doc["errors"][0]  # (a failed call inside a list is followed by "value must be known", as before)
    assert error["file"] == name and error["line"] == HOSTILE[name][1] and error["column"] > 0, error
    assert CANARY not in result.output


def test_allow_path_widens_the_root(checkout, tmp_path):
    assert check("file-dotdot.nomad.hcl").exit_code == 2
    result = check("--allow-path", str(tmp_path / "outside"), "file-dotdot.nomad.hcl")
    assert result.exit_code != 2 and not json.loads(result.stdout)["errors"]


def test_allow_path_must_exist(checkout):
    result = check("--allow-path", "no/such/dir", "good.nomad.hcl")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_file_timeout_flag(checkout):
    assert "--file-timeout" in CliRunner().invoke(cli, ["check", "--help"]).output
    assert check("--file-timeout", "-1", "good.nomad.hcl").exit_code == 2  # a usage error
    assert check("--file-timeout", "0", "good.nomad.hcl").exit_code != 2  # 0: no budget


def test_the_run_goes_on_after_hostile_files(checkout):
    result = check(".")
    doc = json.loads(result.stdout)
    assert result.exit_code == 2
    assert sorted({e["file"] for e in doc["errors"]}) == sorted(HOSTILE)
    assert doc["summary"]["files"] == len(HOSTILE) + 1 and doc["summary"]["jobs"] == 1  # good.nomad.hcl
