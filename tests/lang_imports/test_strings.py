"""The strings import against Sentinel's documented examples, on both evaluation paths."""

from __future__ import annotations

import pytest

from jobguard.lang import UNDEFINED, compile_policy

from .policy_eval import error_of, value_of


@pytest.mark.parametrize("expr,expected", [
    ('strings.has_prefix("billing-id", "billing-")', True), ('strings.has_prefix("bill-id", "billing-")', False),
    ('strings.has_suffix("billing-id", "id")', True), ('strings.has_suffix("billing-name", "id")', False),
    ('strings.join(["foo", "bar", "baz"], ".")', "foo.bar.baz"),
    ('strings.join([["foo", "bar"], "baz"], ".")', "foo.bar.baz"),
    ('strings.join(["a", 1, 1.01, true], ",")', "a,1,1.01,true"),
    ('strings.join([22, 3389], ",")', "22,3389"),  # issue #10: ports joined for a message
    ('strings.join([[1, [2, [3]]], 4.5], "-")', "1-2-3-4.5"), ('strings.join([], ",")', ""),
    ('strings.replace("foobar", "foo", "bar")', "barbar"),
    ('strings.replace("foofoofoobar", "foo", "bar", 1)', "barfoofoobar"),
    ('strings.replace("foofoofoobar", "foo", "bar", 2)', "barbarfoobar"),
    ('strings.replace("foobar", "test", "bar")', "foobar"), ('strings.replace("foobar", "foo", "bar", 0)', "foobar"),
    ('strings.replace("aaa", "a", "b", -1)', "bbb"),
    ('strings.trim("iiifoobariii", "i")', "foobar"), ('strings.trim("!1!bar foo!!1", "!1")', "bar foo"),
    ('strings.trim("abc", "")', "abc"),
    ('strings.trim_left("aaaaaaaafoo", "a")', "foo"), ('strings.trim_left("!!!bar!!!", "!")', "bar!!!"),
    ('strings.trim_right("foo_bar...", ".")', "foo_bar"), ('strings.trim_right("billing---", "-")', "billing"),
    ('strings.trim_space("      foo    ")', "foo"), ('strings.trim_space(" bar foo ")', "bar foo"),
    ('strings.trim_space("\\t\\n x \\u3000")', "x"),
    ('strings.trim_prefix("billing-id", "billing-")', "id"), ('strings.trim_prefix("bill-id", "billing-")', "bill-id"),
    ('strings.trim_suffix("billing-id", "-id")', "billing"), ('strings.trim_suffix("bill-id", "-foo")', "bill-id"),
    ('strings.to_lower("FoO")', "foo"), ('strings.to_upper("FoO")', "FOO"),
    ('strings.to_upper("straße")', "STRAßE"),  # Go maps case rune by rune: the length never changes
    ('strings.split("foo,bar,baz", ",")', ["foo", "bar", "baz"]),
    ('strings.split(["foo", "bar", "baz"], ",")', ["foo", "bar", "baz"]),
    ('strings.split("foo", ",")', ["foo"]), ('strings.split("", ",")', [""]), ('strings.split("ab", "")', ["a", "b"]),
    ('strings.join(undefined, ",")', UNDEFINED), ('strings.replace("a", "a", "b", undefined)', UNDEFINED),
    ('strings.split(undefined, ",")', UNDEFINED), ('strings.trim_space(undefined)', UNDEFINED),
])
def test_documented_examples(expr, expected):
    got = value_of(expr, "strings")
    assert got == expected and type(got) is type(expected)


def test_trim_space_keeps_what_go_keeps():
    # Python's str.strip() would also remove the file separator U+001C; Go's TrimSpace does not
    assert value_of('strings.trim_space(sep + "x")', "strings", sep="\x1c") == "\x1cx"


@pytest.mark.parametrize("expr,message", [
    ('strings.join([{"a": 1}], ",")', "strings.join: cannot convert a map to a string"),
    ('strings.join("abc", ",")', "list must be list"), ('strings.join(["a"], 1)', "separator must be str"),
    ('strings.replace("a", "a", "b", "x")', "times must be int"), ('strings.split(1, ",")', "s must be str"),
    ('strings.trim_space(1)', "strings.trim_space"),
])
def test_bad_arguments_are_positioned_errors(expr, message):
    assert message in error_of(expr, "strings").message


def test_join_refuses_absurd_nesting():
    deep: list = ["x"]
    for _ in range(150):
        deep = [deep]
    res = compile_policy('import "strings"\nv = strings.join(deep, ",")\nmain = rule { true }\n').evaluate(
        globals={"deep": deep}, force_rules=["v"])
    assert res.error is not None and "nested too deeply" in res.error.message
