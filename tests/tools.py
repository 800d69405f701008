"""Where the test suite finds the programs it runs.

CI runs the README's test command (`.venv/bin/python -m pytest -q`) on a fresh machine, where `.venv/bin` is not on
PATH. Every tool the tests run that comes from the project's own install (check-jsonschema, zizmor, the `jobguard`
console script) is therefore looked up next to ``sys.executable``, never on PATH; `conftest.py` strips the
interpreter's folder from PATH for the whole session so a bare-name call fails on every machine, not only in CI.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BIN_DIR = Path(sys.executable).parent


def venv_tool(name: str) -> str:
    """The path of console script *name* installed beside this interpreter; a clear failure if it is missing."""
    for candidate in (BIN_DIR / name, BIN_DIR / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    raise FileNotFoundError(f"{name} is not installed next to {sys.executable}; "
                            f"install the test extras: {sys.executable} -m pip install -e '.[test]'")


def system_path() -> str:
    """PATH without the interpreter's own folder or any other virtualenv's: what a fresh machine running
    `.venv/bin/python -m pytest` sees."""
    keep = []
    for entry in os.environ.get("PATH", os.defpath).split(os.pathsep):
        if not entry:
            continue
        resolved = Path(entry).resolve()
        in_venv = (resolved / "pyvenv.cfg").exists() or (resolved.parent / "pyvenv.cfg").exists()
        if resolved == BIN_DIR.resolve() or in_venv:
            continue
        keep.append(entry)
    return os.pathsep.join(keep) or os.defpath
