"""Diagnostics for job files, shaped like Nomad's own (``FILE:LINE:COL: summary; detail``).

Why a list and not the first error: Nomad reports every diagnostic of a file at once, and users fix them in one
pass. A :class:`JobspecError` therefore always carries all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Diagnostic:
    """One problem in a job file. ``line``/``column`` are 1-based; 0 means "no position known"."""

    file: str
    line: int
    column: int
    summary: str
    detail: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.summary}" + (f"; {self.detail}" if self.detail else "")

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column,
                "message": self.summary + (f"; {self.detail}" if self.detail else "")}


@dataclass
class JobspecError(Exception):
    """A job file (or request body) that Nomad would reject. Exit code 2 at the CLI."""

    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)
