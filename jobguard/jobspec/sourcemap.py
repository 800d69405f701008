"""Where each part of a job came from: API object path -> file:line:col.

Paths are tuples of API keys (PascalCase, as in ``nomad job run -output``) and list indices, e.g.
``("TaskGroups", 0, "Tasks", 1, "Env", "DB_PASSWORD")``. Findings name such a path; the source map turns it into
the line a human should look at. A path that has no entry of its own resolves to its nearest recorded ancestor, so
a finding about a defaulted field still points at the block it belongs to.
"""

from __future__ import annotations

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
