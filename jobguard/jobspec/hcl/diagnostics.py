"""Diagnostics raised while reading HCL, worded like HCL's and Nomad's own.

Evaluation raises :class:`HCLError` for the first problem of an expression; the decoder catches it per attribute,
records it and carries on with an unknown value, so that a file's independent mistakes are all reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable

Range = tuple[int, int, int, int]  # start line, start column, end line, end column (1-based)
NO_RANGE: Range = (0, 0, 0, 0)


@dataclass
class HCLError(Exception):
    """One diagnostic: summary and detail as Nomad prints them, at ``rng`` (the "subject" range)."""

    summary: str
    detail: str = ""
    rng: Range = NO_RANGE
    file: str | None = None  # the file ``rng`` is in, when not the job file (e.g. a --var-file)

    def __str__(self) -> str:
        return f"{self.rng[0]}:{self.rng[1]}: {self.summary}; {self.detail}"


class MultiError(Exception):
    """Several diagnostics at once (a body's schema check, a syntax error with follow-ups)."""

    def __init__(self, errors: list[HCLError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def levenshtein(a: str, b: str) -> int:
    """Edit distance, for HCL's "Did you mean" suggestions."""
    if a == b:
        return 0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggestion(name: str, candidates: Iterable[str]) -> str:
    """`` Did you mean "x"?`` for the closest candidate within distance 2 (HCL's rule), else ""."""
    best, best_dist = "", 3
    for cand in candidates:
        dist = levenshtein(name, cand)
        if dist < best_dist:
            best, best_dist = cand, dist
    return f' Did you mean "{best}"?' if best else ""
