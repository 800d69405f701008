"""base64, urlencode, JSON, CSV and YAML functions."""

import pytest

from jobguard.jobspec.functions import FunctionError, call_function


def call(name, *args):
    return call_function(name, list(args))


def test_base64():
    assert call("base64encode", "Hello World") == "SGVsbG8gV29ybGQ="
    assert call("base64decode", "SGVsbG8gV29ybGQ=") == "Hello World"
    assert call("base64decode", "SGVs\nbG8=") == "Hello"
    with pytest.raises(FunctionError) as exc:
        call("base64decode", "SGVsbG8")
    assert exc.value.message == "failed to decode base64 data 'SGVsbG8'"
    with pytest.raises(FunctionError) as exc:
        call("base64decode", "/w==")
    assert exc.value.message == "the result of decoding the the provided string is not valid UTF-8"


def test_urlencode_matches_go_query_escape():
    assert call("urlencode", "Hello World!") == "Hello+World%21"
    assert call("urlencode", "a-b_c.d~e/f?g=h&i") == "a-b_c.d~e%2Ff%3Fg%3Dh%26i"
    assert call("urlencode", "é") == "%C3%A9"


@pytest.mark.parametrize(("value", "expected"), [
    ({"hello": "world"}, '{"hello":"world"}'),
    ({"b": 1, "a": [True, None, 2.5]}, '{"a":[true,null,2.5],"b":1}'),
    ("<script>&", '"\\u003cscript\\u003e\\u0026"'),
    ("tab\tnew\nline\x01\x7f\u2028é", '"tab\\tnew\\nline\\u0001\x7f\\u2028é"'),
    ("\b\f", '"\\b\\f"'),
    (None, "null"),
    (10**30, "1000000000000000000000000000000"),
    (0.1, "0.1"),
    ([], "[]"),
])
def test_jsonencode(value, expected):
    assert call("jsonencode", value) == expected


def test_jsondecode():
    assert call("jsondecode", '{"a": [1, 2.5, "x", null, true], "b": {}}') == {"a": [1, 2.5, "x", None, True],
                                                                                "b": {}}
    assert call("jsondecode", " 1e2 ") == 100
    assert call("jsondecode", '"\\u00e9\\ud83d\\ude00"') == "é😀"
    assert type(call("jsondecode", "1.0")) is int


@pytest.mark.parametrize(("text", "message"), [
    ("{", "EOF"),
    ("", "EOF"),
    ("  ", "EOF"),
    ('{"a": 1,', "EOF"),
    ("[1", "EOF"),
    ('"abc', "unexpected EOF"),
    ("-", "unexpected EOF"),
    ("1.", "unexpected EOF"),
    ("{'a': 1}", "invalid character '\\'' looking for beginning of object key string"),
    ('{"a" 1}', "invalid character '1' after object key"),
    ('{"a": 1 "b": 2}', "invalid character '\"' after object key:value pair"),
    ("[1 2]", "invalid character '2' after array element"),
    ("nul", "unexpected EOF"),
    ("nulx", "invalid character 'x' in literal null (expecting 'l')"),
    ("x", "invalid character 'x' looking for beginning of value"),
    ("01", "extraneous data after JSON object"),
    ("{} {}", "extraneous data after JSON object"),
    ('{"a": 1, "a": 2}', 'duplicate "a" property in JSON object'),
])
def test_jsondecode_errors(text, message):
    with pytest.raises(FunctionError) as exc:
        call("jsondecode", text)
    assert exc.value.message == message


def test_csvdecode():
    assert call("csvdecode", "a,b,c\n1,2,3\n4,5,6\n") == [{"a": "1", "b": "2", "c": "3"},
                                                           {"a": "4", "b": "5", "c": "6"}]
    assert call("csvdecode", 'name,note\r\n"x, y","say ""hi""\nthere"\r\n') == [
        {"name": "x, y", "note": 'say "hi"\nthere'}]
    assert call("csvdecode", "a,b\n") == []
    for text, message in [
        ("", "missing header line"),
        ("a,b\n1\n", "CSV parse error on line 2: wrong number of fields"),
        ('a\nx"y\n', 'CSV parse error on line 2: bare " in non-quoted-field'),
        ('a\n"x"y\n', 'CSV parse error on line 2: extraneous or missing " in quoted-field'),
    ]:
        with pytest.raises(FunctionError) as exc:
            call("csvdecode", text)
        assert exc.value.message == message


def test_yamlencode_go_cty_yaml_style():
    assert call("yamlencode", {"a": "b", "c": "d"}) == '"a": "b"\n"c": "d"\n'
    assert call("yamlencode", {"foo": [1, 2, 3], "bar": "baz"}) == '"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n'
    assert call("yamlencode", {"foo": [1, {"a": "b", "c": "d"}, 3], "bar": "baz"}) == (
        '"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n')
    assert call("yamlencode", True) == "true\n...\n"
    assert call("yamlencode", "") == '""\n'
    assert call("yamlencode", "hello") == '"hello"\n'
    assert call("yamlencode", 0) == "0\n...\n"
    assert call("yamlencode", None) == "null\n...\n"
    assert call("yamlencode", {}) == "{}\n"
    assert call("yamlencode", []) == "[]\n"
    assert call("yamlencode", {"s": "line1\nline2"}) == '"s": |-\n  line1\n  line2\n'


def test_yamldecode():
    doc = "a: 1\nb: [yes, 'no', 1.5, ~, 0x10]\nc:\n  d: hello\nwhen: 2020-01-02\n"
    assert call("yamldecode", doc) == {"a": 1, "b": [True, "no", 1.5, None, "0x10"], "c": {"d": "hello"},
                                       "when": "2020-01-02T00:00:00Z"}
    assert call("yamldecode", "base: &b {x: 1}\nderived:\n  <<: *b\n  z: 2\n") == {"base": {"x": 1},
                                                                                 "derived": {"x": 1, "z": 2}}
    # YAML 1.1 booleans, as go-cty-yaml resolves them, even as keys (converted to strings)
    assert call("yamldecode", "y: on\nn: 1") == {"true": True, "false": 1}
    assert call("yamldecode", "") is None
    assert call("yamldecode", "!!int 5") == 5
    with pytest.raises(FunctionError):
        call("yamldecode", "a: [1")
    with pytest.raises(FunctionError) as exc:
        call("yamldecode", "a:\n  - x\n - y\n")
    assert exc.value.message.startswith("on line 2, column 1: ")  # go-cty-yaml prints libyaml's 0-based marks
    with pytest.raises(FunctionError) as exc:
        call("yamldecode", ".nan")
    assert exc.value.message == "floating point NaN is not supported"
