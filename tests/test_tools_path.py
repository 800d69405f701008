"""The suite runs with the virtualenv off PATH (see conftest.py), and the project's tools are still found."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.tools import venv_tool


def test_virtualenv_bin_is_not_on_path():
    venv_bin = Path(sys.executable).parent.resolve()
    entries = [Path(p).resolve() for p in os.environ["PATH"].split(os.pathsep) if p]
    assert venv_bin not in entries
    found = shutil.which("jobguard")
    assert found is None or Path(found).resolve().parent != venv_bin


def test_project_tools_are_found_next_to_the_interpreter():
    for tool in ("check-jsonschema", "zizmor", "jobguard"):
        path = Path(venv_tool(tool))
        assert path.parent == Path(sys.executable).parent
        proc = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() or proc.stderr.strip()
