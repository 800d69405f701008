"""Where ``jobguard check`` lets file functions read: the checked file's repository, else the working directory,
plus ``--allow-path``; job files that are symlinks out of that are refused; the cache never reads past it."""

from __future__ import annotations

import os

import pytest

from jobguard.check import CheckOptions, Runner
from jobguard.check.cache import ResultCache, referenced_files
from jobguard.check.fileroots import default_roots, git_toplevel

JOB = '''job "j" {{
  group "g" {{
    task "t" {{
      driver = "docker"
      config {{
        image = "registry.example.com/app:1.0"
      }}
      env {{
        X = {expr}
      }}
    }}
  }}
}}
'''


@pytest.fixture
def layout(tmp_path, monkeypatch):
    """tmp/repo (a git checkout with jobs/ and tpl/), tmp/other (no git), tmp/outside/secret.txt."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "jobs").mkdir()
    (repo / "tpl").mkdir()
    (repo / "tpl" / "app.tpl").write_text("from the checkout")
    (tmp_path / "other").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("canary")
    monkeypatch.chdir(repo / "jobs")
    monkeypatch.setenv("JOBGUARD_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def test_git_toplevel_and_default_roots(layout):
    repo = os.path.realpath(layout / "repo")
    assert git_toplevel(str(layout / "repo" / "jobs")) == repo
    assert git_toplevel(str(layout / "repo" / "jobs" / "x.nomad.hcl")) == repo
    assert git_toplevel(str(layout / "other")) is None
    assert default_roots(str(layout / "repo" / "jobs")) == (repo,)  # the repository, not just the cwd
    assert default_roots(str(layout / "other"), cwd=str(layout / "other")) == (os.path.realpath(layout / "other"),)
    assert default_roots("-") == (repo,)  # stdin: judged from the working directory
    assert default_roots(str(layout / "other"), [str(layout / "outside")], cwd="/") == \
        ("/", os.path.realpath(layout / "outside"))


def _check(path: str, **kw):
    return Runner(CheckOptions(paths=[path], jobs=1, use_cache=False, **kw)).run().files[0]


def test_the_repository_is_readable_from_a_subdirectory_and_nothing_else(layout):
    (layout / "repo" / "jobs" / "in.nomad.hcl").write_text(JOB.format(expr='file("../tpl/app.tpl")'))
    (layout / "repo" / "jobs" / "out.nomad.hcl").write_text(JOB.format(expr='file("../../outside/secret.txt")'))
    assert not _check("in.nomad.hcl").errors
    out = _check("out.nomad.hcl")
    assert out.input_error and "outside the paths job files may read" in out.errors[0].detail
    assert (out.errors[0].line, out.errors[0].column) == (9, 13)
    assert not _check("out.nomad.hcl", allow_paths=[str(layout / "outside")]).errors


def test_a_job_file_that_is_a_symlink_out_of_the_checkout_is_refused(layout):
    os.symlink(layout / "outside" / "secret.txt", layout / "repo" / "jobs" / "leak.nomad.hcl")
    result = _check("leak.nomad.hcl")
    assert result.input_error and result.errors[0].summary == "Job file outside the allowed paths"
    assert "canary" not in str(result.errors) and not result.lines


def test_a_job_file_named_outside_the_checkout_is_still_checked(layout):
    job = layout / "other" / "x.nomad.hcl"
    job.write_text(JOB.format(expr='"plain"'))
    assert not _check(str(job)).errors


def test_the_cache_key_never_reads_what_the_loader_refuses(layout):
    repo = str(layout / "repo")
    os.mkfifo(layout / "repo" / "fifo")
    text = 'x = file("{}")'
    assert referenced_files(text.format("../tpl/app.tpl"), repo + "/jobs", [repo]) is not None
    for target in ("../fifo", "/dev/zero", "../../outside/secret.txt"):
        assert referenced_files(text.format(target), repo + "/jobs", [repo]) is None  # not cached, not read
    cache = ResultCache(str(layout / "cache"), "run")
    content = text.format("../tpl/app.tpl").encode()
    assert cache.key("j", content, repo, roots=[repo]) != cache.key("j", content, repo, roots=[repo, "/"])


def test_allow_paths_are_part_of_the_run_key():
    keys = {ResultCache.make_run_key("e", "v", {}, [], None, None, False, environ={}, allow_paths=paths)
            for paths in ([], ["/tmp"], ["/usr"])}
    assert len(keys) == 3
