"""Shared fixtures: the small `jobguard check` project (config, a policy, three jobs) for tests/check and tests/cli."""

from __future__ import annotations

import os
import shutil

import pytest

PROJECT = os.path.join(os.path.dirname(__file__), "check", "fixtures", "project")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The fixture project as the working directory, with its own cache directory."""
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    monkeypatch.chdir(root)
    monkeypatch.setenv("JOBGUARD_CACHE_DIR", str(tmp_path / "cache"))
    for key in [k for k in os.environ if k.startswith("NOMAD_VAR_")]:
        monkeypatch.delenv(key)
    return root
