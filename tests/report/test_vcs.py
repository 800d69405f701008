"""Git provenance for SARIF: the real repository, commit and branch; never credentials; nothing outside git."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from jobguard.report.vcs import clean_remote, git_provenance

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed on this machine")


@pytest.mark.parametrize(("remote", "uri"), [
    ("https://github.com/org/repo.git", "https://github.com/org/repo.git"),
    ("https://x-access-token:ghs_SECRET@github.com/org/repo", "https://github.com/org/repo"),
    ("https://user@gitlab.example.com:8443/g/r.git", "https://gitlab.example.com:8443/g/r.git"),
    ("git@github.com:org/repo.git", "ssh://github.com/org/repo.git"),
    ("ssh://git@github.com/org/repo.git", "ssh://github.com/org/repo.git"),
    ("", ""),
])
def test_clean_remote(remote, uri):
    assert clean_remote(remote) == uri


def _git(cwd, *args):
    subprocess.run([GIT, "-C", str(cwd), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


@needs_git
def test_provenance_of_a_repository(tmp_path):
    _git(tmp_path, "init", "-q", "-b", "feature/x")
    (tmp_path / "a.nomad").write_text('job "a" {}\n')
    _git(tmp_path, "add", "a.nomad")
    _git(tmp_path, "commit", "-q", "-m", "one")
    _git(tmp_path, "remote", "add", "origin", "https://bot:tok3n@github.com/org/jobs.git")
    head = subprocess.run([GIT, "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    prov = git_provenance(str(tmp_path))
    assert prov is not None
    assert prov.repository_uri == "https://github.com/org/jobs.git"
    assert prov.revision_id == head.strip() and prov.branch == "feature/x"


@needs_git
def test_no_remote_is_the_local_repository_and_no_commit_is_nothing(tmp_path):
    _git(tmp_path, "init", "-q")
    assert git_provenance(str(tmp_path)) is None  # no commit yet: nothing to point at
    (tmp_path / "f").write_text("x")
    _git(tmp_path, "add", "f")
    _git(tmp_path, "commit", "-q", "-m", "one")
    prov = git_provenance(str(tmp_path))
    assert prov.repository_uri == tmp_path.resolve().as_uri()


def test_outside_a_repository(tmp_path):
    assert git_provenance(str(tmp_path)) is None
