"""``import "json"`` and ``import "base64"`` inside policies: numbers, Go-compatible encoding, errors."""

from __future__ import annotations

import pytest

from jobguard.lang import UNDEFINED

from .policy_eval import error_of, value_of


@pytest.mark.parametrize("text,expected", [
    ('{ "foo": 42 }', {"foo": 42}), ("42", 42), ("1.0", 1.0), ("1e3", 1000.0), ("-0", 0),
    ("[1, 2.5, null]", [1, 2.5, None]),
    ("12345678901234567890", 12345678901234567890.0),  # beyond 64 bits: a float, as Go decodes it
    ('{"a": 1, "a": 2}', {"a": 2}),
])
def test_unmarshal_numbers(text, expected):
    got = value_of("json.unmarshal(s)", "json", s=text)
    assert got == expected
    assert type(got) is type(expected)


def test_unmarshal_keeps_int_and_float_apart():
    assert value_of('json.unmarshal("{ \\"foo\\": 42 }").foo', "json") == 42
    assert value_of('json.unmarshal("{ \\"foo\\": 42 }").bar', "json") is UNDEFINED
    assert type(value_of('json.unmarshal("[1.0]")[0]', "json")) is float


@pytest.mark.parametrize("value,expected", [
    ({"b": 1, "a": [1.0, 1e21, 1e-7, 0.1, -0.0, 123456789.0]}, '{"a":[1,1e+21,1e-7,0.1,-0,123456789],"b":1}'),
    ({"a": UNDEFINED, "b": [1, UNDEFINED, "x"]}, '{"b":[1,"x"]}'),
    ({"html": "<a&b>", "nl": "a\nb", "u": "\u2028é"}, '{"html":"\\u003ca\\u0026b\\u003e","nl":"a\\nb","u":"\\u2028é"}'),
    ({1: True, "z": None}, '{"1":true,"z":null}'), ([], "[]"), ("x", '"x"'), (2.5, "2.5"),
])
def test_marshal_like_go(value, expected):
    assert value_of("json.marshal(v)", "json", v=value) == expected


def test_marshal_and_valid():
    assert value_of("json.marshal(undefined)", "json") is UNDEFINED
    assert value_of('json.valid("{ \\"foo\\": 42 }")', "json") is True
    for bad in ("{foo", "NaN", "[Infinity]", "[1e400]", ""):
        assert value_of("json.valid(s)", "json", s=bad) is False


@pytest.mark.parametrize("expr,message", [
    ('json.unmarshal("{nope")', "json.unmarshal: invalid JSON"), ('json.unmarshal("NaN")', "NaN is not valid JSON"),
    ("json.unmarshal(42)", "must be a string"), ("json.marshal({\"f\": func() { return 1 }})", "json.marshal: a value "
                                                                                             "of type func"),
    ("json.valid(1)", "must be a string"),
])
def test_json_errors(expr, message):
    assert message in error_of(expr, "json").message


@pytest.mark.parametrize("expr,expected", [
    ('base64.encode("foo")', "Zm9v"), ('base64.decode("Zm9v")', "foo"), ('base64.urlencode("foo")', "Zm9v"),
    ('base64.urldecode("Zm9v")', "foo"), ('base64.urlencode("\\u00ff\\u00fe?")', "w7_Dvj8="),
    ('base64.urldecode("w7_Dvj8=")', "\u00ff\u00fe?"), ('base64.encode("\\u00ff\\u00fe?")', "w7/Dvj8="),
    ("base64.encode(undefined)", UNDEFINED), ("base64.decode(undefined)", UNDEFINED),
])
def test_base64(expr, expected):
    assert value_of(expr, "base64") == expected


@pytest.mark.parametrize("expr,message", [
    ('base64.decode("!!!")', "base64.decode: illegal base64 data"), ('base64.decode("Zm9")', "illegal base64 data"),
    ('base64.urldecode("w7/Dvj8=")', "base64.urldecode: illegal base64 data"), ("base64.encode(1)", "must be a string"),
    ('base64.decode("/w==")', "not valid UTF-8"),
])
def test_base64_errors(expr, message):
    assert message in error_of(expr, "base64").message
