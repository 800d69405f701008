"""File functions confined to allowed roots: absolute paths, ``..`` and symbolic links out of them are errors
at the call; inside them, and without roots (the Python API's default), everything reads as in Nomad."""

from __future__ import annotations

import os

import pytest
from hclhelpers import load, task_job

from jobguard.jobspec import JobspecError

CANARY = "canary-outside-the-checkout"


@pytest.fixture
def checkout(tmp_path, monkeypatch):
    """tmp/repo (the root, the working directory) with templates; tmp/outside/secret.txt beside it."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(CANARY)
    repo = tmp_path / "repo"
    (repo / "tpl" / "sub").mkdir(parents=True)
    (repo / "tpl" / "app.tpl").write_text("port = 80")
    (repo / "tpl" / "sub" / "db.tpl").write_text("db")
    os.symlink("../outside/secret.txt", repo / "link-out")
    os.symlink("../outside", repo / "dir-out")
    os.symlink("tpl/app.tpl", repo / "link-in")
    monkeypatch.chdir(repo)
    return repo


def _env(expr: str, roots) -> str:
    job = load(task_job(f"env {{\n  X = {expr}\n}}"), file_roots=roots).job
    return job["TaskGroups"][0]["Tasks"][0]["Env"]["X"]


def _refused(expr: str, roots) -> str:
    with pytest.raises(JobspecError) as info:
        load(task_job(f"env {{\n  X = {expr}\n}}"), file_roots=roots)
    diag = info.value.diagnostics[0]
    assert diag.line == 9 and diag.column > 1, diag  # at the call, in the job file
    assert "outside the paths job files may read" in diag.detail
    assert CANARY not in str(info.value)
    return diag.detail


@pytest.mark.parametrize("expr", [
    'file("/etc/passwd")', 'file("../outside/secret.txt")', 'file("tpl/../../outside/secret.txt")',
    'file("link-out")', 'file("dir-out/secret.txt")', 'filebase64("../outside/secret.txt")',
    '"${fileexists("/etc/passwd")}"', '"${fileexists("../outside/nothing-here")}"',
    'join(",", fileset("/", "**"))', 'join(",", fileset("..", "outside/*"))', 'join(",", fileset(".", "../*/*"))',
    'join(",", fileset("dir-out", "*"))', 'join(",", fileset(".", "**"))',
])
def test_outside_the_root_is_an_error_at_the_call(checkout, expr):
    _refused(expr, [str(checkout)])


def test_inside_the_root_reads_as_before(checkout):
    roots = [str(checkout)]
    assert _env('file("tpl/app.tpl")', roots) == "port = 80"
    assert _env(f'file("{checkout}/tpl/app.tpl")', roots) == "port = 80"
    assert _env('file("link-in")', roots) == "port = 80"  # a symlink that stays inside
    assert _env('"${fileexists("tpl/none")}"', roots) == "false"
    assert _env('join(",", fileset("tpl", "**"))', roots) == "app.tpl,sub/db.tpl"


def test_allow_paths_widen_and_the_root_may_be_a_symlink(checkout, tmp_path):
    assert _env('file("../outside/secret.txt")', [str(checkout), str(tmp_path / "outside")]) == CANARY
    os.symlink(checkout, tmp_path / "alias")
    assert _env('file("tpl/app.tpl")', [str(tmp_path / "alias")]) == "port = 80"


def test_without_roots_nothing_is_confined(checkout):
    assert _env('file("../outside/secret.txt")', None) == CANARY


def test_can_and_try_see_a_failed_call_like_a_missing_file(checkout):
    roots = [str(checkout)]
    assert _env('"${can(file("/etc/passwd"))}"', roots) == "false"
    assert _env('try(file("../outside/secret.txt"), "fallback")', roots) == "fallback"


def test_the_error_names_the_roots_and_the_way_out(checkout):
    detail = _refused('file("/etc/hostname")', [str(checkout)])
    assert os.path.realpath(checkout) in detail and "--allow-path" in detail
