import pytest

from jobguard.lang import UNDEFINED, PolicyRuntimeError

from .conftest import run, value


@pytest.mark.parametrize("expr,expected", [
    ("length([1, 2])", 2), ('length("abc")', 3), ('length({"a": 1})', 1), ("length(undefined)", UNDEFINED),
    ("length(null)", 0),
    ('keys({"a": 1, "b": 2})', ["a", "b"]), ('values({"a": 1, "b": 2})', [1, 2]), ("keys(undefined)", UNDEFINED),
    ("values(undefined)", UNDEFINED),
    ("range(3)", [0, 1, 2]), ("range(1, 4)", [1, 2, 3]), ("range(0, 10, 4)", [0, 4, 8]), ("range(3, 0, -1)", [3, 2, 1]),
    ('int("12")', 12), ("int(1.9)", 1), ("int(-1.9)", -1), ("int(true)", 1), ('int("1.6")', 1),
    ("int(undefined)", UNDEFINED), ('float("1.5")', 1.5), ("float(2)", 2.0), ("float(false)", 0.0),
    ("string(true)", "true"), ("string(1)", "1"), ("string(1.6)", "1.6"), ("string(2.0)", "2"),
    ("string(null)", UNDEFINED), ("string(undefined)", UNDEFINED), ("float(null)", UNDEFINED), ("int(null)", UNDEFINED),
    ("bool(null)", UNDEFINED),
    ('bool("True")', True), ('bool("false")', False), ("bool(-1)", True), ("bool(0)", False),
    ("bool(undefined)", UNDEFINED), ('print("x")', True),
])
def test_builtin_values(expr, expected):
    got = value(expr)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("expr,message", [
    ("length(1)", "length() needs"), ("keys([1])", "keys() needs a map"), ("values(1)", "values() needs a map"),
    ('int("x")', "cannot convert 'x' to int"), ("int([1])", "cannot convert list"), ('float("x")', "to float"),
    ('bool("maybe")', "to bool"), ("string([1])", "cannot convert list"), ("range()", "range() takes"),
    ('range("a")', "int arguments"), ("range(1, 2, 0)", "must not be zero"), ("length(1, 2)", "takes 1"),
    ("append(1, 2)", "append() needs a list"), ("delete([1], 0)", "delete() needs a map"),
])
def test_builtin_errors(expr, message):
    with pytest.raises(PolicyRuntimeError) as info:
        value(expr)
    assert message in info.value.message


def test_append_and_delete_modify_in_place_and_return_undefined():
    src = """
l = [1]
r = append(l, 2)
m = {"a": 1, "b": 2}
d = delete(m, "a")
delete(m, "zz")
main = rule { l == [1, 2] and r is not defined and m == {"b": 2} and d is not defined }
"""
    assert run(src).result is True


def test_error_builtin_stops_with_message():
    res = run('main = rule { error("bad value:", 3) }')
    assert res.error is not None and res.error.message == "bad value: 3"


def test_builtins_can_be_shadowed():
    assert run("length = func(x) { return 99 }\nmain = rule { length([1]) == 99 }").result is True
