"""Helpers for the policy-language tests: evaluate a snippet in one call."""

from __future__ import annotations

from typing import Any

import pytest

from jobguard.lang import compile_policy


def run(source: str, **globals_: Any):
    """Evaluate a policy source; returns the EvalResult."""
    return compile_policy(source, filename="t.sentinel").evaluate(globals=globals_)


def value(expr: str, **globals_: Any) -> Any:
    """The value of one expression (assigned to a variable and exposed through a rule)."""
    res = compile_policy(f"v = {expr}\nmain = rule {{ true }}\n", filename="t.sentinel")
    out = res.evaluate(globals=globals_, force_rules=["v"])
    if out.error is not None:
        raise out.error
    return out.rules["v"]


@pytest.fixture
def ev():
    return value
