"""One consistent reading of the configuration and policy files, for a reload that swaps all or nothing.

:class:`Recording` is the engine's file source (:mod:`jobguard.engine.sources`) while the proxy builds a new
engine: every file is read once, atomically (see :func:`read_stable`), and every answer the engine got (file
contents, "is this a file", directory listings) is kept. The resulting :class:`Snapshot` is what was validated;
worker processes rebuild their engines from it through :class:`Replay`, never from the disk, so a file that
changes after validation cannot reach a worker half-read or unvalidated.
"""

from __future__ import annotations

import os
import time
import weakref
from dataclasses import dataclass, field
from typing import Any

#: attempts to get a reading during which the file did not change, and the pause between them
READ_ATTEMPTS = 3
RETRY_PAUSE_S = 0.05


class ChangedWhileReading(OSError):
    """The file kept changing (or was replaced) while it was being read: likely being written right now."""


def _identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _read_all(handle: Any) -> bytes:
    return handle.read()


def read_stable(path: str) -> str:
    """The file's text, read in one piece while it did not change.

    The path is stat'ed before and after, the open file before and after the read: a different inode (the
    file was replaced by a rename), size or change time, or fewer bytes than its size, means a writer was at
    work; the read is retried a few times and then refused with :class:`ChangedWhileReading`. Missing files and
    permission errors raise the usual ``OSError`` subclasses; undecodable bytes ``UnicodeDecodeError``.
    """
    for attempt in range(READ_ATTEMPTS):
        before = os.stat(path)
        with open(path, "rb") as handle:
            opened = os.fstat(handle.fileno())
            data = _read_all(handle)
            after_read = os.fstat(handle.fileno())
        after = os.stat(path)
        same = _identity(before) == _identity(opened) == _identity(after_read) == _identity(after)
        if same and len(data) == opened.st_size:
            return data.decode("utf-8")
        if attempt + 1 < READ_ATTEMPTS:
            time.sleep(RETRY_PAUSE_S)
    raise ChangedWhileReading(f"{path} changed while it was being read (is it being written?); not loaded")


@dataclass
class Snapshot:
    """Every answer the engine got while loading: ``(operation, path) -> value``."""

    answers: dict[tuple[str, str], Any] = field(default_factory=dict)

    def texts(self) -> dict[str, str]:
        """Path -> text of every file read."""
        return {path: value for (op, path), value in self.answers.items() if op == "read_text"}


class Recording:
    """Answers from the disk (each file read once, atomically) and remembers them."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def _remember(self, op: str, path: str, compute: Any) -> Any:
        key = (op, path)
        if key not in self.snapshot.answers:
            self.snapshot.answers[key] = compute()
        return self.snapshot.answers[key]

    def read_text(self, path: str) -> str:
        return self._remember("read_text", path, lambda: read_stable(path))

    def is_file(self, path: str) -> bool:
        return self._remember("is_file", path, lambda: os.path.isfile(path))

    def is_dir(self, path: str) -> bool:
        return self._remember("is_dir", path, lambda: os.path.isdir(path))

    def list_dir(self, path: str) -> list[str]:
        return list(self._remember("list_dir", path, lambda: sorted(os.listdir(path))))


class Replay:
    """Answers from a :class:`Snapshot` only; anything it does not hold does not exist."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.answers = snapshot.answers

    def read_text(self, path: str) -> str:
        try:
            return self.answers[("read_text", path)]
        except KeyError:
            raise FileNotFoundError(f"{path}: not part of the validated configuration") from None

    def is_file(self, path: str) -> bool:
        return bool(self.answers.get(("is_file", path), ("read_text", path) in self.answers))

    def is_dir(self, path: str) -> bool:
        return bool(self.answers.get(("is_dir", path), False))

    def list_dir(self, path: str) -> list[str]:
        return list(self.answers.get(("list_dir", path), []))


_SNAPSHOTS: weakref.WeakKeyDictionary[Any, Snapshot] = weakref.WeakKeyDictionary()


def remember(engine: Any, snapshot: Snapshot) -> None:
    """Record which snapshot ``engine`` was built from (workers rebuild it from there)."""
    try:
        _SNAPSHOTS[engine] = snapshot
    except TypeError:  # not weak-referenceable (a test double): it simply has no snapshot
        pass


def snapshot_of(engine: Any) -> Snapshot | None:
    try:
        return _SNAPSHOTS.get(engine)
    except TypeError:
        return None
