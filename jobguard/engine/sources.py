"""Where the engine reads its files from: the disk, or a source pinned for the current context.

Why: ``jobguard serve`` reloads its configuration while files may be half-written. It reads every file once,
validates what it read, and its worker processes must build their engines from exactly those bytes rather than
from a disk that may have changed in between. :func:`using` pins a source (any object with the four methods of
:class:`Disk`) for the code running inside it; everything else reads the disk as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any


class Disk:
    """The file system, as the engine always read it."""

    def read_text(self, path: str) -> str:
        return Path(path).read_text(encoding="utf-8")

    def is_file(self, path: str) -> bool:
        return os.path.isfile(path)

    def is_dir(self, path: str) -> bool:
        return os.path.isdir(path)

    def list_dir(self, path: str) -> list[str]:
        return os.listdir(path)


DISK = Disk()
_current: ContextVar[Any] = ContextVar("jobguard_file_source", default=DISK)


def read_text(path: str | os.PathLike[str]) -> str:
    return _current.get().read_text(os.fspath(path))


def is_file(path: str | os.PathLike[str]) -> bool:
    return _current.get().is_file(os.fspath(path))


def is_dir(path: str | os.PathLike[str]) -> bool:
    return _current.get().is_dir(os.fspath(path))


def list_dir(path: str | os.PathLike[str]) -> list[str]:
    return _current.get().list_dir(os.fspath(path))


@contextmanager
def using(source: Any) -> Iterator[None]:
    """Read through ``source`` inside the ``with`` block (this thread/task only)."""
    token = _current.set(source)
    try:
        yield
    finally:
        _current.reset(token)
