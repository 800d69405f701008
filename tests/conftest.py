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


def pytest_configure(config):
    """Run the whole suite with the PATH a fresh CI machine has: the virtualenv's bin folder is not on it.

    A test that runs a project tool by bare name (`zizmor`, `check-jsonschema`, `jobguard`) passes on a developer's
    machine with an activated venv and fails in CI; taking the venv off PATH here makes it fail everywhere. Tools are
    found with `tests.tools.venv_tool` instead.
    """
    from tests.tools import system_path

    os.environ["PATH"] = system_path()
