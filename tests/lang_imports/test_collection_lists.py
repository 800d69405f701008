"""``import "collection/lists"`` (bound to ``lists``), on both evaluation paths."""

from __future__ import annotations

import pytest

from jobguard.lang import UNDEFINED

from .policy_eval import error_of, value_of

_CMP = "func(x, y) { if x < y { return -1 } else if x > y { return 1 } else { return 0 } }"


@pytest.mark.parametrize("expr,expected", [
    ("lists.concat([1], [2, 3])", [1, 2, 3]),
    ("lists.concat([1, 2], [10, 20], [100, 200])", [1, 2, 10, 20, 100, 200]),
    ("lists.difference([1, 2], [2, 3])", [1]), ("lists.difference([1, 2, 3, 4, 5], [2, 5], [1])", [3, 4]),
    ("lists.diff([1, 1, 2], [2])", [1, 1]), ("lists.difference([1, 2])", [1, 2]),
    ("lists.intersection([1, 2], [2, 3], [3, 2])", [2]), ("lists.intersection([1, 1, 2], [1])", [1]),
    ("lists.union([1, 3], [2, 3, 5], [6, 2, 1])", [1, 3, 2, 5, 6]), ("lists.union([1, 1.0, true])", [1, True]),
    ('lists.union([{"a": [1]}], [{"a": [1]}, {"a": [2]}])', [{"a": [1]}, {"a": [2]}]),
    ('lists.sort(["zebra", "bat", "horse"], ' + _CMP + ")", ["bat", "horse", "zebra"]),
    ("lists.sort([3, 1, 2], func(x, y) { return y - x })", [3, 2, 1]),
    ("lists.sum([2, 5, 10, 500])", 517.0), ("lists.sum([])", 0.0), ("lists.sum([0.5, 1])", 1.5),
    ("lists.concat(undefined, [1])", UNDEFINED), ("lists.sum(undefined)", UNDEFINED),
])
def test_values(expr, expected):
    got = value_of(expr, "collection/lists")
    assert got == expected and type(got) is type(expected)


def test_sort_by_key_is_stable_and_new():
    items = [{"foo": 8, "i": 0}, {"foo": 4, "i": 1}, {"foo": 8, "i": 2}, {"foo": 100, "i": 3}]
    got = value_of("lists.sort(items, func(x, y) { return x.foo - y.foo })", "collection/lists", items=items)
    assert [x["i"] for x in got] == [1, 0, 2, 3]
    assert [x["i"] for x in items] == [0, 1, 2, 3]  # the argument is not sorted in place


def test_sum_is_always_a_float():
    assert type(value_of("lists.sum([1, 2])", "collection/lists")) is float


@pytest.mark.parametrize("expr,message", [
    ("lists.concat([1])", "missing 1 required positional argument"),
    ("lists.concat([1], 2)", "lists.concat: argument 2 must be a list, got int"),
    ('lists.sum([1, "2"])', "lists.sum: the list must hold only ints and floats, found string"),
    ('lists.sort([2, 1], func(x, y) { return "less" })', "lists.sort: the sort function must return -1, 0 or 1"),
    ("lists.sort([2, 1], 1)", "sort_function must be a function"),
    ("lists.union([1], {})", "argument 2 must be a list, got map"),
])
def test_errors(expr, message):
    assert message in error_of(expr, "collection/lists").message
