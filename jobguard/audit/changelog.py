"""The JSON-lines log of violation changes written by ``--watch`` (``--change-log FILE``, ``"-"`` for stdout).

One line per change (see :meth:`jobguard.audit.table.Change.record`), flushed at once so that ``tail -f`` and log
shippers see it immediately. The file is appended to, never truncated: a restarted watcher continues the history.
Records hold check names, paths and the rules' messages (which never carry secret values), never a token.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO


class ChangeLog:
    def __init__(self, path: str) -> None:
        self.path = path
        self._stream: TextIO | None = None
        if path == "-":
            self._stream = sys.stdout
        elif path:
            directory = os.path.dirname(os.path.abspath(path))
            os.makedirs(directory, exist_ok=True)
            self._stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the watcher

    def write(self, record: dict[str, Any]) -> None:
        if self._stream is None:
            return
        self._stream.write(json.dumps(record, sort_keys=True) + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._stream is not None and self._stream is not sys.stdout:
            self._stream.close()
        self._stream = None
