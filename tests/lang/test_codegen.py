"""The fast path (generated Python) must agree with the reference closure backend whenever it returns.

Why this matters: evaluate() trusts the fast path's verdict (pass, fail, undefined); only exceptions send an
evaluation to the closure backend. These tests run both backends on the same inputs and compare.
"""

import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobguard.lang import UNDEFINED, compile_policy
from jobguard.lang.codegen import generate
from jobguard.lang.parser import parse
from jobguard.lang.builtins import BUILTINS
from jobguard.lang.sandbox import DEFAULT_LIMITS, Limits

from .test_operators import CASES
from .test_properties import POLICIES, json_values


def same(a, b) -> bool:
    if a is UNDEFINED or b is UNDEFINED:
        return a is b
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


def both(source, globals_=None, params=None, imports=None):
    policy = compile_policy(source, filename="d.sentinel")
    assert policy._fast is not None, "expected the fast path to handle this policy"
    fast = policy._run_fast(globals_ or {}, params or {}, imports or {}, DEFAULT_LIMITS)
    ref = policy._run(globals_ or {}, params or {}, imports or {}, False, DEFAULT_LIMITS, ())
    return fast, ref


def check(source, globals_=None, params=None, imports=None):
    fast, ref = both(source, globals_, params, imports)
    if fast is None:  # the fast path raised: the reference must have reported an error
        assert ref.error is not None, ref
        return ref
    assert ref.error is None, (source, ref.error)
    assert same(fast.result, ref.result), (source, fast.result, ref.result)
    assert fast.prints == ref.prints
    for name, value in fast.rules.items():
        assert same(value, ref.rules[name]), (source, name)
    return ref


@pytest.mark.parametrize("expr,expected", CASES, ids=[c[0] for c in CASES])
def test_operators_agree(expr, expected):
    ref = check(f"r = rule {{ {expr} }}\nmain = rule {{ r is defined or r is not defined }}\n")
    assert ref.error is None


PROGRAMS = [
    "f = func(n) {\n  if n <= 1 { return 1 }\n  return n * f(n - 1)\n}\nmain = rule { f(5) == 120 }",
    "x = 0\nfor [1, 2, 3] as i {\n  if i == 2 { continue }\n  x += i\n}\nmain = rule { x == 4 }",
    "m = {}\nfor {\"a\": 1, \"b\": 2} as k, v { m[k] = v * 2 }\nmain = rule { m.b == 4 and keys(m) == [\"a\", \"b\"] }",
    "l = []\nappend(l, 1)\nappend(l, 2)\nmain = rule { l == [1, 2] and length(l) == 2 }",
    "main = rule { map filter [1, 2, 3, 4] as x { x % 2 == 0 } as y { y * 10 } == [20, 40] }",
    'case "b" {\nwhen "a":\n  r = 1\nwhen "b", "c":\n  r = 2\nelse:\n  r = 3\n}\nmain = rule { r == 2 }',
    "a = rule { print(\"a\") }\nb = rule { a and a }\nmain = rule { b and a }",
    "main = rule when false { false }",
    "w = rule when undefined { true }\nmain = rule { w is not defined }",
    'import "strings"\nmain = rule { strings.join(strings.split("a-b", "-"), "+") == "a+b" }',
    "param p default 2\nmain = rule { p * 2 == 4 }",
    "make = func(n) { return func(x) { return x + n } }\nadd = make(3)\nmain = rule { add(1) == 4 }",
    "s = 0\nfor range(5) as i { s += i }\nmain = rule { s == 10 }",
    "f = func() {\n  for [1, 2] as x { if x == 2 { return x } }\n  return 0\n}\nmain = rule { f() == 2 }",
    "main = rule { all {\"a\": [1], \"b\": []} as k, v { length(v) < 2 } }",
    "main = rule { (filter {\"a\": 1, \"b\": 2} as k, v { v > 1 }) == {\"b\": 2} }",
    "x = undefined\nmain = rule { x else true }",
]


@pytest.mark.parametrize("source", PROGRAMS)
def test_programs_agree(source):
    ref = check(source)
    assert ref.error is None and ref.result is True, ref


def test_unsupported_constructs_use_closures():
    assert compile_policy("f = func() { return rule { true } }\nmain = rule { f() }")._fast is None
    assert compile_policy("main = rule { true }\nmain = rule { false }")._fast is None
    assert "def __policy" in generate(parse("main = rule { true }"), BUILTINS)


def test_fast_path_errors_fall_back_with_positions():
    res = compile_policy("main = rule {\n  1 + true\n}", filename="e.sentinel").evaluate()
    assert res.error is not None and (res.error.line, res.error.column) == (2, 3)


# -- random policies over random jobs ------------------------------------------------------------------------------
_X = re.compile(r"\bx\b")
PATHS = ["job", "job.a", "job.a.b", "job.l", "job.l[0]", "job.m", "job.m.k", "job.n", "job.s", "x", "y"]


def exprs():
    leaf = st.one_of(
        st.integers(-3, 3).map(str), st.sampled_from(['"a"', '""', '"ab"', "1.5", "true", "false", "null",
                                                     "undefined", "[]", "[1, \"a\"]", "{}", '{"k": 1}']),
        st.sampled_from(PATHS),
    )

    def extend(inner):
        binop = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "is", "is not", "and", "or",
                                 "xor", "in", "not in", "contains", "not contains", "matches", "else"])
        return st.one_of(
            st.tuples(inner, binop, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["!", "-", "not "]), inner).map(lambda t: f"({t[0]}{t[1]})"),
            st.tuples(inner, st.sampled_from(["is empty", "is not empty", "is defined", "is not defined"]))
            .map(lambda t: f"({t[0]} {t[1]})"),
            st.tuples(st.sampled_from(["all", "any", "filter", "map"]), st.sampled_from(PATHS), inner)
            .map(lambda t: f"({t[0]} {t[1]} as v {{ {_X.sub('v', t[2])} }})"),
            st.tuples(st.sampled_from(["length", "string", "int", "keys", "values", "bool", "float"]), inner)
            .map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}[{t[1]}]"),
        )

    return st.recursive(leaf, extend, max_leaves=8)


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(expr=exprs(), job=json_values, x=json_values)
def test_random_expressions_agree(expr, job, x):
    source = f"y = {{\"k\": [1, 2]}}\nr = rule {{ {expr} }}\nmain = rule {{ r is defined or r is not defined }}\n"
    check(source, {"job": job, "x": x})


@settings(max_examples=150, deadline=None, derandomize=True)
@given(job=json_values, which=st.integers(0, len(POLICIES) - 1))
def test_job_policies_agree(job, which):
    check(POLICIES[which], {"job": job})


# -- limits: both backends stop the same policies, with the same message -------------------------------------------
def fast_fault(source, limits, globals_=None, imports=None):
    """Run only the generated code; the RuntimeFault it raises (None if it returned)."""
    from jobguard.lang.errors import RuntimeFault
    from jobguard.lang.policy import _FastContext
    from jobguard.lang.sandbox import Budget

    policy = compile_policy(source, filename="l.sentinel")
    assert policy._fast is not None
    budget = Budget(limits)
    try:
        policy._fast(globals_ or {}, {}, imports or {}, _FastContext(imports or {}, budget), budget)
    except RuntimeFault as exc:
        return exc.message
    return None


def closure_fault(source, limits, globals_=None, imports=None):
    res = compile_policy(source, filename="l.sentinel")._run(globals_ or {}, {}, imports or {}, False, limits, ())
    return res.error.message if res.error is not None else None


STEPS = ("f = func(n) { return n + 1 }\ns = 0\nfor range(10) as i {\n  s = f(s)\n}\n"
         "main = rule { all range(5) as j { j >= 0 } and s == 10 }\n")  # 10 + 10 calls + 5 = 25 steps


@pytest.mark.parametrize("max_steps,fails", [(25, False), (24, True), (10, True)])
def test_both_backends_count_the_same_steps(max_steps, fails):
    limits = Limits(max_steps=max_steps)
    fast, ref = fast_fault(STEPS, limits), closure_fault(STEPS, limits)
    assert fast == ref
    assert (ref is not None) is fails
    if fails:
        assert ref == f"evaluation stopped: more than {max_steps} steps"


LIMITED = [
    ("x = 3\nfor range(30) as i {\n  x = x * x\n}\nmain = rule { x > 0 }\n", Limits()),
    ("x = 3\nfor range(30) as i {\n  x *= x\n}\nmain = rule { x > 0 }\n", Limits()),
    ("x = 3\nfor range(100) as i {\n  x = x * 3\n}\nmain = rule { x > 0 }\n", Limits(max_int_bits=128)),
    ('s = "ab"\nfor range(40) as i {\n  s = s + s\n}\nmain = rule { true }\n', Limits()),
    ('s = "ab"\nfor range(40) as i {\n  s += s\n}\nmain = rule { true }\n', Limits()),
    ("l = [1]\nfor range(40) as i {\n  l = l + l\n}\nmain = rule { true }\n", Limits()),
    ("l = []\nfor range(100) as i {\n  append(l, i)\n}\nmain = rule { true }\n", Limits(max_size=50)),
    ("m = {}\nfor range(100) as i {\n  m[i] = i\n}\nmain = rule { true }\n", Limits(max_size=50)),
    ("l = map range(5000) as i { [i, i, i] }\nmain = rule { true }\n", Limits(max_work=200_000)),
    ('l = map range(5000) as i { {"a": i} }\nmain = rule { true }\n', Limits(max_work=200_000)),
    ("main = rule { length(range(100)) > 0 }\n", Limits(max_size=50)),
    ('m = {"k": 1}\nfor range(40) as i {\n  m = {"a": m, "b": m}\n}\nmain = rule { print(m) }\n', Limits()),
    ('import "json"\nm = {"k": 1}\nfor range(40) as i {\n  m = {"a": m, "b": m}\n}\n'
     "main = rule { json.marshal(m) != \"\" }\n", Limits()),
    ('import "strings"\nmain = rule { length(strings.split(s, "")) > 0 }\n', Limits(max_size=1000)),
    ("main = rule { length(s[0:5000]) > 0 }\n", Limits(max_size=4096)),
]


@pytest.mark.parametrize("source,limits", LIMITED, ids=[f"limited-{i}" for i in range(len(LIMITED))])
def test_both_backends_stop_at_the_same_limit(source, limits):
    globals_ = {"s": "x" * 6000}
    fast, ref = fast_fault(source, limits, globals_), closure_fault(source, limits, globals_)
    assert ref is not None and ref.startswith("evaluation stopped: "), ref
    assert fast == ref
    # and with the limits lifted, both pass (nothing else is wrong with these policies)
    if limits != Limits():
        assert fast_fault(source, Limits(), globals_) is None and closure_fault(source, Limits(), globals_) is None


def test_work_is_charged_identically():
    from jobguard.lang.compiler import Context, Scope
    from jobguard.lang.policy import _FastContext
    from jobguard.lang.sandbox import Budget, begin, end

    source = ('import "strings"\nl = [1, 2]\nm = {"a": l}\ns = "x"\nfor range(80) as i {\n  s = s + "yy"\n'
              '  append(l, [i])\n  m[string(i)] = i\n}\nparts = strings.split(strings.join(keys(m), ","), ",")\n'
              "main = rule { length(parts) == 81 and length(s[1:30]) > 0 and keys(m) != values(m) }\n")
    policy = compile_policy(source)
    fast_budget = Budget()
    assert policy._fast({}, {}, {}, _FastContext({}, fast_budget), fast_budget)[0] is True
    closure_budget, outer = begin(Limits())
    try:
        scope = Scope(Context(closure_budget, {}, "w.sentinel"), None, {})
        for st in policy._compiled.body:
            st(scope)
        assert scope.vars["main"].force() is True
    finally:
        end(outer)
    assert fast_budget.work == closure_budget.work > 0
