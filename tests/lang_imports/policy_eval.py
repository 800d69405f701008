"""Evaluate import calls inside real policies, on both evaluation paths.

``value_of`` runs an expression with the closure backend (which reports errors with their position) and then
checks that the compiled fast path computes the same value *without falling back*: a fallback would hide an
import that the fast path cannot call.
"""

from __future__ import annotations

from typing import Any

from jobguard.lang import UNDEFINED, PolicyRuntimeError, compile_policy
from jobguard.lang.sandbox import DEFAULT_LIMITS
from jobguard.lang.values import SentinelObject


def _header(imports: tuple[str, ...]) -> str:
    return "".join(f'import "{name}"\n' for name in imports)


def value_of(expr: str, *imports: str, **globals_: Any) -> Any:
    """The value of ``expr`` in a policy that imports ``imports``; both backends must agree."""
    header = _header(imports)
    policy = compile_policy(f"{header}v = {expr}\nmain = rule {{ true }}\n", filename="imp.sentinel")
    res = policy.evaluate(globals=globals_, force_rules=["v"])
    if res.error is not None:
        raise res.error
    got = res.rules["v"]
    if isinstance(got, SentinelObject):
        return got  # compared by the caller through its attributes
    test = f"({expr}) is not defined" if got is UNDEFINED else f"({expr}) == expected_value"
    check = compile_policy(f"{header}main = rule {{ {test} }}\n", filename="imp.sentinel")
    assert check._fast is not None, "the compiled path refused the policy"
    fast = check._run_fast({**globals_, "expected_value": got}, {}, {}, DEFAULT_LIMITS)
    assert fast is not None, f"the compiled path fell back for {expr}"
    assert fast.result is True, f"the compiled path computed another value for {expr}"
    return got


def error_of(expr: str, *imports: str) -> PolicyRuntimeError:
    """The runtime error ``expr`` raises (positioned at line 2 or later: the imports come first)."""
    header = _header(imports)
    policy = compile_policy(f"{header}v = {expr}\nmain = rule {{ true }}\n", filename="imp.sentinel")
    res = policy.evaluate(force_rules=["v"])
    assert res.error is not None, f"{expr} did not fail"
    assert res.error.line == len(imports) + 1
    return res.error


def passes(source: str, **globals_: Any) -> bool:
    """Whether a whole policy passes on both paths (the fast one must not fall back)."""
    policy = compile_policy(source, filename="imp.sentinel")
    res = policy.evaluate(globals=globals_, trace=True)
    if res.error is not None:
        raise res.error
    fast = policy._run_fast(globals_, {}, {}, DEFAULT_LIMITS)
    assert fast is not None, "the compiled path fell back"
    assert fast.result is res.result
    return res.result is True
