"""Evaluation limits: a policy is untrusted code, so every evaluation runs under a budget.

Why steps *and* time: steps make a runaway loop stop deterministically (same policy, same job, same error), the
wall-clock deadline catches slow import calls (e.g. a catastrophic regex). Recursion depth protects the Python
stack; the print limit keeps a chatty policy from filling memory. There is no I/O and no attribute access into
Python objects: selectors only read dict keys and :class:`SentinelObject` attributes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from jobguard.lang.errors import RuntimeFault


@dataclass(frozen=True)
class Limits:
    max_steps: int = 2_000_000       # loop iterations, quantifier elements, function calls
    max_seconds: float = 5.0
    max_depth: int = 200             # nested function / rule evaluation
    max_output: int = 1_000_000      # bytes of print() output


DEFAULT_LIMITS = Limits()

_CHECK_EVERY = 1024


class Budget:
    """Mutable counters of one evaluation."""

    __slots__ = ("limits", "steps", "deadline", "depth", "output", "_next_check")

    def __init__(self, limits: Limits = DEFAULT_LIMITS):
        self.limits = limits
        self.steps = 0
        self.deadline = time.monotonic() + limits.max_seconds
        self.depth = 0
        self.output = 0
        self._next_check = _CHECK_EVERY

    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps >= self._next_check:
            self._next_check = self.steps + _CHECK_EVERY
            if self.steps > self.limits.max_steps:
                raise RuntimeFault(f"evaluation stopped: more than {self.limits.max_steps} steps")
            if time.monotonic() > self.deadline:
                raise RuntimeFault(f"evaluation stopped: took longer than {self.limits.max_seconds:g}s")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            self.depth = 0  # let the error unwind without tripping again
            raise RuntimeFault(f"evaluation stopped: call depth exceeds {self.limits.max_depth}")

    def leave(self) -> None:
        if self.depth > 0:
            self.depth -= 1

    def add_output(self, n: int) -> None:
        self.output += n
        if self.output > self.limits.max_output:
            raise RuntimeFault(f"evaluation stopped: print output exceeds {self.limits.max_output} bytes")
