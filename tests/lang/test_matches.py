"""``matches``: Sentinel's unanchored regular-expression search, in Go's RE2 dialect and in linear time.

Issue #18: ``image matches "^([a-z0-9]+[-.]?)+(:[a-z0-9.]+)?$"`` with an image of 34 letters and a "!" froze
the admission proxy (Python's ``re`` backtracks exponentially on it)."""

from __future__ import annotations

import time

import pytest

from jobguard.lang import compile_policy

from .conftest import value

REDOS = "^([a-z0-9]+[-.]?)+(:[a-z0-9.]+)?$"


@pytest.mark.parametrize("image", ["a" * 34 + "!", "a" * 5000 + "!", "nginx-" * 2000 + "?"])
def test_the_issues_pattern_is_answered_at_once(image):
    policy = compile_policy(f'main = rule {{ image matches "{REDOS}" }}', filename="redos.sentinel")
    start = time.perf_counter()
    res = policy.evaluate(globals={"image": image})
    assert time.perf_counter() - start < 0.5
    assert res.error is None and res.result is False


def test_a_backtracking_pattern_from_the_job_is_safe_too():
    policy = compile_policy("main = rule { all job.checks as c { c.value matches c.pattern } }")
    job = {"checks": [{"value": "x" * 3000 + "y", "pattern": "^(x+x+)+$"}] * 20}
    start = time.perf_counter()
    assert policy.evaluate(globals={"job": job}).result is False
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("expr,expected", [
    ('"a\\n" matches "a$"', False),                 # $ is the end of the text (Python's $ also matches before \n)
    ('"xa" matches "a\\\\z"', True),
    ('"é" matches "\\\\w"', False),                 # \w \d \s \b are ASCII
    ('"é" matches "\\\\pL"', True),                 # Unicode classes
    ('"Ωmega" matches "^\\\\p{Greek}"', True),
    ('"a{,2}" matches "^a{,2}$"', True),            # not a repetition in Go
    ('"AB" matches "(?i)ab"', True),
    ('"a\\nb" matches "(?s)a.b"', True),
    ('"xy" matches "(?P<first>x)(?<second>y)"', True),
    ('"12" matches "^[[:digit:]]+$"', True),
])
def test_go_semantics(expr, expected):
    assert value(expr) is expected


@pytest.mark.parametrize("pattern,go_message", [
    ("(", "missing closing ): `(`"),
    ("a(?=b)", "invalid or unsupported Perl syntax: `(?=`"),
    ("\\\\C", "invalid escape sequence: `\\C`"),
    ("\\\\Z", "invalid escape sequence: `\\Z`"),
    ("x{1001}", "invalid repeat count: `{1001}`"),
])
def test_an_invalid_pattern_is_a_runtime_error_at_the_expression(pattern, go_message):
    res = compile_policy(f'r = rule {{ true }}\nmain = rule {{\n  "abc" matches "{pattern}"\n}}',
                         filename="bad.sentinel").evaluate()
    assert res.error is not None
    assert (res.error.file, res.error.line, res.error.column) == ("bad.sentinel", 3, 3)
    assert res.error.message.startswith("invalid regular expression")
    assert res.error.message.endswith("error parsing regexp: " + go_message)


def test_answers_are_remembered_without_changing_them():
    policy = compile_policy('main = rule { all images as i { i matches "^nginx:[0-9]" } }')
    for _ in range(3):
        assert policy.evaluate(globals={"images": ["nginx:1", "nginx:2"]}).result is True
        assert policy.evaluate(globals={"images": ["nginx:1", "nginx:latest"]}).result is False
