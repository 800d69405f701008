"""Where each part of a job came from: API object path -> file:line:col.

Paths are tuples of API keys (PascalCase, as in ``nomad job run -output``) and list indices, e.g.
``("TaskGroups", 0, "Tasks", 1, "Env", "DB_PASSWORD")``. Findings name such a path; the source map turns it into
the line a human should look at. A path that has no entry of its own resolves to its nearest recorded ancestor, so
a finding about a defaulted field still points at the block it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from collections.abc import Iterator

PathKey = str | int
Path = tuple[PathKey, ...]


@dataclass(frozen=True)
class Position:
    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def format_path(path: Path) -> str:
    """``("TaskGroups", 0, "Tasks", 1, "Env", "A.B")`` -> ``TaskGroups[0].Tasks[1].Env["A.B"]``."""
    out = []
    for key in path:
        if isinstance(key, int):
            out.append(f"[{key}]")
        elif key.replace("_", "").isalnum() and not key[:1].isdigit():
            out.append(("." if out else "") + key)
        else:
            out.append('["' + key.replace("\\", "\\\\").replace('"', '\\"') + '"]')
    return "".join(out)


_SEGMENT = re.compile(r'\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.\[]+)')


def parse_path(text: str) -> Path:
    """Inverse of :func:`format_path`: ``TaskGroups[0].Env["A.B"]`` -> ``("TaskGroups", 0, "Env", "A.B")``.

    Only for paths that arrive as text (a report or a baseline written earlier, a hand-made finding): the engine
    hands findings their path as a tuple. Text that ``format_path`` cannot have written is a ValueError.
    """
    out: list[PathKey] = []
    pos = 0
    while pos < len(text):
        m = _SEGMENT.match(text, pos)
        if m is None or (m.group(3) is not None and (text[pos] == ".") == (pos == 0)):
            raise ValueError(f"not an API path: {text!r} (at offset {pos})")
        index, quoted, bare = m.groups()
        if index is not None:
            out.append(int(index))
        elif quoted is not None:
            out.append(re.sub(r"\\(.)", r"\1", quoted))
        else:
            out.append(bare)
        pos = m.end()
    return tuple(out)


@dataclass
class SourceMap:
    """Positions of blocks, attributes and map entries of one job."""

    file: str
    entries: dict[Path, Position] = field(default_factory=dict)

    def add(self, path: Path, line: int, column: int, file: str | None = None) -> None:
        self.entries.setdefault(tuple(path), Position(file or self.file, line, column))

    def lookup(self, path: Path) -> Position | None:
        """The position of ``path`` or of its nearest ancestor that has one (None if nothing is known)."""
        path = tuple(path)
        while True:
            pos = self.entries.get(path)
            if pos is not None:
                return pos
            if not path:
                return None
            path = path[:-1]

    def __iter__(self) -> Iterator[tuple[Path, Position]]:
        return iter(self.entries.items())

    def __len__(self) -> int:
        return len(self.entries)
