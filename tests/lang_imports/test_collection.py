"""``import "collection"``: Sentinel's documented examples and predicate rules, on both evaluation paths."""

from __future__ import annotations

import pytest

from jobguard.lang import UNDEFINED

from .policy_eval import error_of, passes, value_of


@pytest.mark.parametrize("expr,expected", [
    ("collection.filter([2, 3, 4, 5, 6, 7, 8], func(el) { return el % 2 is 0 })", [2, 4, 6, 8]),
    ("collection.reject([2, 3, 4, 5, 6, 7, 8], func(el) { return el % 2 is 0 })", [3, 5, 7]),
    ('collection.find(["foo", "bar", "qux"], func(el) { return el is "bar" })', "bar"),
    ('collection.find({"foo": 2, "bar": 4}, func(el, key) { return key is "bar" })', 4),
    ('collection.find(["a"], func(el) { return el is "z" })', UNDEFINED),
    ("collection.reduce([1, 2, 3, 4, 5], func(acc, el) { return acc + el }, 0)", 15),
    ("collection.reduce([1, 2, 3], func(acc, el) { return acc * el })", 6),  # the first element starts it
    ("collection.reduce([], func(acc, el) { return acc + el })", UNDEFINED),
    ("collection.reduce([], func(acc, el) { return acc + el }, 7)", 7),
    # list predicates may take the index, map predicates the key
    ("collection.filter([10, 20, 30], func(el, i) { return i > 0 })", [20, 30]),
    ('collection.filter({"a": 1, "b": 2, "c": 3}, func(v) { return v >= 2 })', [2, 3]),
    ('collection.reject({"a": 1, "b": 2}, func(v, k) { return k is "a" })', [2]),
    ('collection.reduce({"a": 1, "b": 2}, func(acc, v, k) { return acc + k + string(v) }, "")', "a1b2"),
    ("collection.filter([1, 2], func(el) { return undefined })", []),  # undefined is not true
    ("collection.filter(undefined, func(el) { return true })", UNDEFINED),
])
def test_values(expr, expected):
    assert value_of(expr, "collection") == expected


def test_matches_deep_partial():
    items = [{"foo": {"bar": "wip"}, "baz": "qux"}, {"foo": "bar", "baz": "bar"}]
    assert value_of('collection.matches(items, {"foo": {"bar": "wip"}})', "collection", items=items) == [items[0]]
    assert value_of('collection.matches(items, {"nope": 1})', "collection", items=items) == []
    tagged = [{"tags": ["a", "b", "c"], "n": 1}, {"tags": ["c"], "n": 1.0}]
    assert value_of('collection.matches(t, {"tags": ["c", "a"]})', "collection", t=tagged) == [tagged[0]]
    assert value_of('collection.matches(t, {"n": 1})', "collection", t=tagged) == tagged  # 1 == 1.0
    assert value_of('collection.matches({"x": {"a": 1}, "y": {"a": 2}}, {"a": 2})', "collection") == [{"a": 2}]


def test_policy_function_closures_work_as_predicates():
    assert passes('import "collection"\n'
                  "limit = 2\n"
                  "big = func(x) { return x > limit }\n"
                  "main = rule { collection.filter([1, 2, 3, 4], big) is [3, 4] }\n")


@pytest.mark.parametrize("expr,message", [
    ("collection.filter([1], func(el) { return 1 })", "collection.filter: the predicate must return a bool"),
    ('collection.find("abc", func(el) { return true })', "collection.find: expected a list or map, got string"),
    ("collection.reject([1], 3)", "must be a function"),
    ("collection.matches([1], [1])", "partial must be a map"),
    ("collection.reduce([1, 2], func(acc) { return 1 })", "must take at least 2 parameter(s)"),
    ("collection.filter([1], func() { return true })", "must take at least 1 parameter(s)"),
])
def test_errors(expr, message):
    assert message in error_of(expr, "collection").message
