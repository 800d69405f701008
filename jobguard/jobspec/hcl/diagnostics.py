"""Diagnostics raised while reading HCL, worded like HCL's and Nomad's own.

Evaluation raises :class:`HCLError` for the first problem of an expression; the decoder catches it per attribute,
records it and carries on with an unknown value, so that a file's independent mistakes are all reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterable

from jobguard.suggest import nearest

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


@dataclass
class RedefinedAttribute(HCLError):
    """"Attribute redefined": also says which argument and where it was first set, so a reader with its own
    wording (``jobguard.hcl``) can say it without parsing the detail text."""

    name: str = ""
    first_rng: Range = NO_RANGE


class MultiError(Exception):
    """Several diagnostics at once (a body's schema check, a syntax error with follow-ups)."""

    def __init__(self, errors: list[HCLError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def suggestion(name: str, candidates: Iterable[str]) -> str:
    """`` Did you mean "x"?`` (HCL's wording) for the closest candidate within distance 2 (HCL's rule), else "".

    Ties go to the candidate listed first: the loader passes names in schema or scope order, which keeps its hints
    stable and as close to HCL's (first match in declaration order) as a closest-match rule can be.
    """
    best = nearest(name, candidates, keep_order=True)
    return f' Did you mean "{best}"?' if best else ""
