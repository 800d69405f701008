"""The standard imports beyond strings/time/units: types, json, base64, version, decimal, collection."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobguard.lang.imports import base64, collection, decimal, json, types, version
from jobguard.lang.values import UNDEFINED


@pytest.mark.parametrize("value,name", [
    (True, "bool"), (42, "int"), (42.5, "float"), ("x", "string"), ([1], "list"), ({"a": 1}, "map"),
    (None, "null"), (UNDEFINED, "undefined"), (lambda x: x, "func"),
])
def test_types_type_of(value, name):
    assert types.create().get_attr("type_of")(value) == name


def test_types_unknown_attribute_is_undefined():
    assert types.create().get_attr("nope") is UNDEFINED


def test_json_unmarshal_marshal_valid():
    j = json.create()
    config = j.get_attr("unmarshal")('{ "foo": 42, "bar": [1.5, null, true] }')
    assert config == {"foo": 42, "bar": [1.5, None, True]}
    assert isinstance(config["foo"], int)
    assert j.get_attr("marshal")({"a": UNDEFINED, "b": [1, UNDEFINED, "x"]}) == '{"b":[1,"x"]}'
    assert j.get_attr("marshal")(UNDEFINED) is UNDEFINED
    assert j.get_attr("valid")('{"foo": 42}') is True
    assert j.get_attr("valid")("{foo") is False


def test_json_errors():
    j = json.create()
    with pytest.raises(ValueError, match="invalid JSON"):
        j.get_attr("unmarshal")("{nope")
    with pytest.raises(TypeError, match="must be a string"):
        j.get_attr("unmarshal")(42)
    with pytest.raises(TypeError, match="func"):
        j.get_attr("marshal")({"f": lambda: 1})


# integers within int64: larger ones come back as floats, as documented in jobguard/lang/imports/json.py
@given(st.recursive(st.none() | st.booleans() | st.integers(-(2 ** 63), 2 ** 63 - 1) | st.text(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=10))
def test_json_round_trip(value):
    j = json.create()
    assert j.get_attr("unmarshal")(j.get_attr("marshal")(value)) == value


def test_base64_standard_and_url():
    b = base64.create()
    assert b.get_attr("encode")("foo") == "Zm9v"
    assert b.get_attr("decode")("Zm9v") == "foo"
    assert b.get_attr("urlencode")("\xff\xfe?") == "w7_Dvj8="
    assert b.get_attr("urldecode")("w7_Dvj8=") == "\xff\xfe?"
    with pytest.raises(ValueError, match="illegal base64"):
        b.get_attr("decode")("!!!")


@given(st.text())
def test_base64_round_trip(text):
    b = base64.create()
    assert b.get_attr("decode")(b.get_attr("encode")(text)) == text
    assert b.get_attr("urldecode")(b.get_attr("urlencode")(text)) == text


def test_version_attributes_and_comparisons():
    v = version.create().get_attr("new")("1.0.0-alpha.1+001")
    assert [v.get_attr(a) for a in ("major", "minor", "patch", "prerelease", "metadata", "version")] == [
        1, 0, 0, "alpha.1", "001", "1.0.0-alpha.1+001"]
    assert v.get_attr("greater_than")("0.12.0-alpha.1+001") is True
    assert v.get_attr("gt")("1.0.1-alpha.1+001") is False
    assert v.get_attr("less_than")("1.0.0") is True  # a prerelease sorts before its release
    assert v.get_attr("equals")("1.0.0-alpha.1+999") is True  # metadata does not count
    assert version.create().get_attr("new")("v1.2").get_attr("version") == "1.2.0"


@pytest.mark.parametrize("ver,constraint,ok", [
    ("1.2.5", "~> 1.2.3", True), ("1.3.0", "~> 1.2.3", False), ("1.9.0", "~> 1.2", True),
    ("2.0.0", "~> 1.2", False), ("1.5.0", ">= 1.0, < 2.0", True), ("2.0.0", ">= 1.0, < 2.0", False),
    ("1.0.0", "!= 1.0.0", False), ("1.0.0", "1.0.0", True), ("1.1.0-beta", ">= 1.0.0", False),
    ("1.1.0-beta", ">= 1.1.0-alpha", True),
])
def test_version_satisfies(ver, constraint, ok):
    assert version.create().get_attr("new")(ver).get_attr("satisfies")(constraint) is ok


def test_version_errors():
    with pytest.raises(ValueError, match="malformed version"):
        version.create().get_attr("new")("one.two")
    with pytest.raises(ValueError, match="malformed constraint"):
        version.create().get_attr("new")("1.0.0").get_attr("satisfies")(">= ")


def test_decimal_is_exact():
    d = decimal.create()
    total = d.get_attr("new")("1.1").get_attr("add")(2.2)
    assert total.get_attr("string") == "3.3"
    assert total.get_attr("is")(3.3) is True
    assert d.get_attr("new")(10).get_attr("divide")(4).get_attr("string") == "2.5"
    assert d.get_attr("new")("-12.50").get_attr("sign") == -1
    assert d.get_attr("new")(7).get_attr("mod")(4).get_attr("int") == 3
    assert d.get_attr("new")(2).get_attr("pow")(10).get_attr("int") == 1024
    assert d.get_attr("new")(1).get_attr("lt")("1.0000000000000000000001") is True


def test_decimal_special_values():
    d = decimal.create()
    nan = d.get_attr("nan")
    assert nan.get_attr("is")(nan) is False
    assert d.get_attr("isnan")(nan) is True
    inf = d.get_attr("inf")(-1)
    assert d.get_attr("isinfinite")(inf) is True and inf.get_attr("lt")(-1e300) is True
    with pytest.raises(ValueError, match="division by zero"):
        d.get_attr("new")(1).get_attr("div")(0)
    with pytest.raises(ValueError, match="not a number"):
        d.get_attr("new")("abc")


def test_collection_list_operations():
    c = collection.create()
    assert c.get_attr("filter")([1, 2, 3, 4], lambda x: x % 2 == 0) == [2, 4]
    assert c.get_attr("reject")([1, 2, 3, 4], lambda x: x % 2 == 0) == [1, 3]
    assert c.get_attr("find")([1, 2, 3], lambda x: x > 1) == 2
    assert c.get_attr("find")([1, 2, 3], lambda x: x > 5) is UNDEFINED
    assert c.get_attr("reduce")([1, 2, 3], lambda acc, x: acc + x, 0) == 6
    assert c.get_attr("matches")([{"a": 1, "b": 2}, {"a": 2}], {"a": 1}) == [{"a": 1, "b": 2}]


def test_collection_map_operations():
    # Sentinel: over a map the predicate gets the value (and the key when it takes two parameters)
    c = collection.create()
    m = {"web": 3, "db": 1}
    assert c.get_attr("filter")(m, lambda v, k: v > 1) == [3]
    assert c.get_attr("filter")(m, lambda v: v == 1) == [1]
    assert c.get_attr("find")(m, lambda v, k: k == "db") == 1
    assert c.get_attr("reduce")(m, lambda acc, v, k: acc + v, 0) == 4


def test_collection_errors():
    c = collection.create()
    with pytest.raises(TypeError, match="must return a bool"):
        c.get_attr("filter")([1], lambda x: 1)
    with pytest.raises(TypeError, match="list or map"):
        c.get_attr("filter")("abc", lambda x: True)
