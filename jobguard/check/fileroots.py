"""The directories ``jobguard check`` lets file functions read: the checked file's repository, else the working
directory, plus ``--allow-path`` (see :mod:`jobguard.jobspec.confinement` for the check itself).

Why the repository: templates and certificates that jobs embed with ``file()`` live next to them in the same
checkout (often in a sibling directory, reached with ``../``), while anything outside the checkout -- the CI
runner's home, ``/etc``, other checkouts -- is none of a job file's business.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from jobguard.jobspec.confinement import real_roots
from jobguard.report.locations import repository_root


def git_toplevel(start: str) -> str | None:
    """The top directory of the git work tree holding ``start`` (file or directory), else None."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    top = repository_root(here)
    return top if os.path.exists(os.path.join(top, ".git")) else None


def default_roots(checked_path: str, allow: Sequence[str] = (), cwd: str | None = None) -> tuple[str, ...]:
    """The roots for one checked file (``-``: stdin, judged from the working directory)."""
    cwd = cwd or os.getcwd()
    base = git_toplevel(cwd if checked_path == "-" else checked_path) or cwd
    return real_roots([base, *allow])
