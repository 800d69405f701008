"""``import "collection/maps"`` (bound to ``maps``): paths, splat, and every documented example."""

from __future__ import annotations

import pytest

from jobguard.lang import UNDEFINED
from jobguard.lang.imports import collection_maps

from .policy_eval import error_of, value_of

DEEP = {"foo": "bar", "baz": [{"qux": 4}, {"qux": 10}], "nit": {"nat": "pak"}}


@pytest.mark.parametrize("expr,expected", [
    ('maps.get({"foo": "bar"}, "foo")', "bar"),
    ('maps.get({"foo": [{"bar": {"baz": 4}}]}, "foo.0.bar.baz")', 4),
    ('maps.get({"foo": [{"bar": 4}, {"bar": 8}, {"bar": 45}]}, "foo.*.bar")', [4, 8, 45]),
    ('maps.get({"foo": [{"bar": 4}, {}]}, "foo.*.bar")', [4]),
    ('maps.get({}, "foo", "bar")', "bar"), ('maps.get({}, "foo")', UNDEFINED),
    ('maps.get({"a": null}, "a", 1)', None), ('maps.get({"a": [1]}, "a.5", "none")', "none"),
    ('maps.get({"a": "text"}, "a.b", 0)', 0), ('maps.get({1: "one"}, "1")', "one"),
    ('maps.get(undefined, "a", "d")', "d"),
    ('maps.has({"foo": "bar"}, "foo")', True), ('maps.has({}, "foo")', False),
    ('maps.has({"a": null}, "a")', True), ('maps.has({"a": [{"b": 1}, {"b": 2}]}, "a.*.b")', True),
    ('maps.has({"a": [{"b": 1}, {}]}, "a.*.b")', False), ('maps.has({"a": [1, 2]}, "a.1")', True),
    ('maps.has({"a": [1, 2]}, "a.2")', False),
    ('maps.pick({"foo": "bar"}, ["foo"])', {"foo": "bar"}),
    ('maps.pick({"foo": "bar", "baz": "qux", "nit": "nat"}, ["foo", "baz"])', {"foo": "bar", "baz": "qux"}),
    ('maps.pick(deep, ["baz.1.qux", "nit.nat"])', {"baz": [{"qux": 10}], "nit": {"nat": "pak"}}),
    ('maps.pick(deep, ["baz.*.qux"])', {"baz": [{"qux": 4}, {"qux": 10}]}),
    ('maps.pick(deep, ["nope", "baz.7"])', {}), ('maps.pick({"e": {}}, ["e"])', {"e": {}}),
    ('maps.omit({"foo": "bar"}, ["foo"])', {}),
    ('maps.omit({"foo": "bar", "baz": "qux", "nit": "nat"}, ["foo", "baz"])', {"nit": "nat"}),
    ('maps.omit(deep, ["baz.1.qux", "nit.nat"])', {"foo": "bar", "baz": [{"qux": 4}]}),
    ('maps.omit(deep, ["missing.path"])', DEEP), ('maps.omit({"e": {}}, ["x"])', {"e": {}}),
    ('maps.set({"foo": "bar"}, "foo", "qux")', {"foo": "qux"}),
    ('maps.set({}, "foo.bar.baz", 10)', {"foo": {"bar": {"baz": 10}}}),
    ('maps.set({"foo": [2, 5]}, "foo.0", 10)', {"foo": [10, 5]}),
    ('maps.set({"foo": [{"bar": true}, {"bar": false}]}, "foo.*.bar", true)', {"foo": [{"bar": True}, {"bar": True}]}),
    ('maps.unset({"foo": "bar"}, "foo")', {}),
    ('maps.unset({"foo": {"bar": {"baz": 10, "qux": 15}}}, "foo.bar.baz")', {"foo": {"bar": {"qux": 15}}}),
    ('maps.unset({"foo": [2, 5]}, "foo.0")', {"foo": [5]}),
    ('maps.unset({"foo": [{"bar": true}, {"bar": false}]}, "foo.*", true)', {"foo": []}),
    ('maps.unset({"foo": [{"bar": 1, "x": 2}, {"bar": 3}]}, "foo.*.bar")', {"foo": [{"x": 2}, {}]}),
    ('maps.unset({"a": 1}, "b.c")', {"a": 1}),
    ('maps.set(undefined, "a", 1)', UNDEFINED), ('maps.pick(undefined, ["a"])', UNDEFINED),
])
def test_values(expr, expected):
    assert value_of(expr, "collection/maps", deep=DEEP) == expected


def test_results_are_new_values():
    src = {"a": {"b": [1, 2]}, "c": 1}
    for expr in ('maps.set(m, "a.b.0", 9)', 'maps.unset(m, "a.b.0")', 'maps.omit(m, ["a.b"])',
                 'maps.pick(m, ["a"])'):
        value_of(expr, "collection/maps", m=src)
    assert src == {"a": {"b": [1, 2]}, "c": 1}
    picked = collection_maps.module().get_attr("pick")(src, ["a"])
    picked["a"]["b"].append(3)
    assert src["a"]["b"] == [1, 2]  # no list is shared with the argument


@pytest.mark.parametrize("expr,message", [
    ('maps.get({}, 1)', "maps.get: path must be a string, got int"),
    ('maps.pick({}, "a")', "maps.pick: paths must be a list of strings, got string"),
    ('maps.omit([], ["a"])', "maps.omit: object must be a map, got list"),
    ('maps.set({"a": [1]}, "a.3", 1)', "maps.set: no element '3' in a list of 1"),
    ('maps.set({"a": "text"}, "a.b", 1)', "maps.set: cannot set 'b' inside a string"),
    ('maps.unset({}, ["a"])', "maps.unset: path must be a string"),
])
def test_errors(expr, message):
    assert message in error_of(expr, "collection/maps").message
