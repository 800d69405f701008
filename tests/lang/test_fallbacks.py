"""The generated-code fast path never falls back silently (issue #10 item 7).

Import functions may be any Python callable (plugins hand in ``functools.partial`` objects, bound methods,
instances with ``__call__``, builtins). The fast path used to crash on them (``'NoneType' object has no attribute
'budget'``) and re-ran every such policy on the closure backend without a word. Now each kind runs on the fast
path, and every fallback is counted by reason and logged at debug level.
"""

from __future__ import annotations

import functools
import logging

import pytest

from jobguard.lang import compile_policy
from jobguard.lang.policy import fallback_counts
from jobguard.lang.sandbox import DEFAULT_LIMITS


class Scaler:
    def __init__(self, factor: int):
        self.factor = factor

    def scale(self, n: int) -> int:
        return n * self.factor


class Prefixer:
    def __call__(self, s: str) -> str:
        return "pre-" + s


def _power(base: int, exp: int) -> int:
    return base ** exp


CALLABLES = {
    "partial": (functools.partial(_power, 2), "m.f(10) == 1024"),
    "bound method": (Scaler(3).scale, "m.f(5) == 15"),
    "callable object": (Prefixer(), 'm.f("x") == "pre-x"'),
    "builtin": (len, 'm.f("abcd") == 4'),
    "builtin method": ("-".join, 'm.f(["a", "b"]) == "a-b"'),
}


@pytest.mark.parametrize("kind", CALLABLES)
def test_each_kind_of_callable_runs_on_the_fast_path(kind):
    fn, check = CALLABLES[kind]
    policy = compile_policy(f'import "m"\nmain = rule {{ {check} }}\n', filename=f"{kind}.sentinel")
    assert policy._fast is not None
    imports = {"m": {"f": fn}}
    before = fallback_counts()
    fast = policy._run_fast({}, {}, imports, DEFAULT_LIMITS)
    assert fast is not None and fast.result is True, kind
    assert policy.evaluate(imports=imports).result is True
    assert fallback_counts() == before, "the fast path fell back"


@pytest.mark.parametrize("kind", CALLABLES)
def test_each_kind_of_callable_is_also_usable_as_a_value(kind):
    """Stored in a variable or passed through a function, then called: still no fallback."""
    fn, check = CALLABLES[kind]
    call = check.replace("m.f(", "apply(g, ")
    source = f'import "m"\ng = m.f\napply = func(h, x) {{ return h(x) }}\nmain = rule {{ {call} }}\n'
    policy = compile_policy(source)
    before = fallback_counts()
    assert policy.evaluate(imports={"m": {"f": fn}}).result is True
    assert fallback_counts() == before


def test_errors_of_callables_are_runtime_errors_at_the_call():
    policy = compile_policy('import "m"\nmain = rule {\n  m.f("x") == 1\n}\n', filename="e.sentinel")
    res = policy.evaluate(imports={"m": {"f": functools.partial(int, base=10)}})
    assert res.error is not None and (res.error.line, res.error.column) == (3, 3)
    assert res.error.message.startswith("int: invalid literal")


def test_fallbacks_are_counted_and_logged(caplog):
    policy = compile_policy("main = rule { 1 / 0 == 1 }", name="divides", filename="d.sentinel")
    before = fallback_counts().get("runtime error", 0)
    with caplog.at_level(logging.DEBUG, logger="jobguard.lang.policy"):
        res = policy.evaluate()
    assert res.error is not None and "division by zero" in res.error.message
    assert fallback_counts()["runtime error"] == before + 1
    (record,) = [r for r in caplog.records if "fell back" in r.getMessage()]
    assert record.levelno == logging.DEBUG
    assert "policy divides" in record.getMessage() and "runtime error" in record.getMessage()


def test_an_internal_error_of_the_fast_path_is_counted_separately(caplog, monkeypatch):
    policy = compile_policy("main = rule { true }", name="broken")

    def broken(*args):
        raise AttributeError("generated code bug")

    broken.rule_names = ()
    broken.needs_ctx = False
    monkeypatch.setattr(policy, "_fast", broken)
    with caplog.at_level(logging.DEBUG, logger="jobguard.lang.policy"):
        assert policy.evaluate().result is True  # the closure backend answered
    assert fallback_counts().get("internal AttributeError", 0) >= 1
    assert any("generated code bug" in r.getMessage() for r in caplog.records)
