"""Where file functions may read: the allowed roots, with symlinks resolved before the check.

Why: ``file()``, ``filebase64()``, ``fileexists()`` and ``fileset()`` take any path, absolute or with ``..``, and
run while a job file loads. In CI the job file may come from a fork's pull request, and what a file function reads
can reach annotations, the job summary and SARIF. So when the loader is given roots (``jobguard check`` always
gives them: the repository of the checked path, else the working directory, plus every ``--allow-path``), a path
whose real location -- symlinks followed -- is not inside one of them is an error, worded like a failed read.

Without roots (the Python API's default, policy test cases) nothing is confined, as in Nomad.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence
from contextvars import ContextVar

ALLOWED_ROOTS: ContextVar[tuple[str, ...] | None] = ContextVar("jobguard_allowed_roots", default=None)


def real_roots(roots: Sequence[str]) -> tuple[str, ...]:
    """The roots as real absolute paths (a root that is itself a symlink allows what it points to)."""
    return tuple(dict.fromkeys(os.path.realpath(os.path.abspath(r)) for r in roots))


@contextlib.contextmanager
def confined_to(roots: Sequence[str] | None) -> Iterator[None]:
    """File functions called within the block may only reach paths inside ``roots`` (None: anywhere)."""
    token = ALLOWED_ROOTS.set(None if roots is None else real_roots(roots))
    try:
        yield
    finally:
        ALLOWED_ROOTS.reset(token)


def is_inside(real: str, roots: Sequence[str]) -> bool:
    """Is the real path ``real`` one of ``roots`` (real paths) or below one?"""
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def confine(path: str, shown: str) -> str:
    """The real path of ``path`` (to open), or a function error when it lies outside the allowed roots."""
    roots = ALLOWED_ROOTS.get()
    real = os.path.realpath(path)
    if roots is not None and not is_inside(real, roots):
        raise outside_error(shown, roots)
    return real


def outside_error(shown: str, roots: Sequence[str]) -> Exception:
    """The function error for a path outside ``roots`` (worded like a failed read: the call fails, the file is
    reported at the call)."""
    from jobguard.jobspec.functions.spec import fail

    listed = ", ".join(roots)
    return fail(f"{shown} is outside the paths job files may read ({listed}); symbolic links are followed before "
                "this check. `jobguard check --allow-path DIR` allows another directory")
