"""A one-line progress bar on stderr, for long runs in a terminal only.

Why so restrained: CI logs and pipes must stay clean (the report goes to stdout, often into a file), so the bar is
drawn only when stderr is a TTY, only for runs with enough files to be worth it, and erased when the run ends.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

MIN_FILES = 20
_INTERVAL = 0.1


class ProgressBar:
    def __init__(self, stream: TextIO | None = None, width: int = 30, min_files: int = MIN_FILES,
                 unit: str = "files") -> None:
        self.stream = stream or sys.stderr
        self.unit = unit
        self.width = width
        self.min_files = min_files
        self._last = 0.0
        self._drawn = False

    @classmethod
    def for_terminal(cls, stream: TextIO | None = None, unit: str = "files") -> ProgressBar | None:
        stream = stream or sys.stderr
        return cls(stream, unit=unit) if getattr(stream, "isatty", lambda: False)() else None

    def __call__(self, done: int, total: int) -> None:
        if total < self.min_files:
            return
        now = time.monotonic()
        if done < total and now - self._last < _INTERVAL:
            return
        self._last = now
        filled = int(self.width * done / total) if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {self.unit}")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the bar so the report starts on a clean line."""
        if self._drawn:
            self.stream.write("\r" + " " * (self.width + 30) + "\r")
            self.stream.flush()
            self._drawn = False
