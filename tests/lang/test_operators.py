"""Every operator, including undefined propagation, per the Sentinel specification."""

import pytest

from jobguard.lang import UNDEFINED, PolicyRuntimeError

from .conftest import value

U = UNDEFINED

CASES = [
    # arithmetic
    ("1 + 2", 3), ("1.5 + 2", 3.5), ('"a" + "b"', "ab"), ("[1] + [2, 3]", [1, 2, 3]), ("5 - 7", -2),
    ("3 * 4", 12), ("2 * 1.5", 3.0), ("7 / 2", 3), ("-7 / 2", -3), ("7 / -2", -3), ("7.0 / 2", 3.5),
    ("7 % 3", 1), ("-7 % 3", -1), ("7.5 % 2", 1.5), ("1 + 2 * 3", 7), ("(1 + 2) * 3", 9), ("-3", -3), ("+3", 3),
    ("-1.5", -1.5), ("undefined + 1", U), ("1 * undefined", U),
    # comparison
    ("1 == 1", True), ("1 == 1.0", True), ('1 == "1"', False), ("true == 1", False), ("null == null", True),
    ("[1, [2]] == [1, [2]]", True), ('{"a": 1} == {"a": 1}', True), ('{"a": 1} == {"a": 2}', False),
    ("1 != 2", True), ("1 is 1", True), ("1 is not 1", False), ('"a" is not "b"', True),
    ("1 < 2", True), ("2 <= 2", True), ("3 > 2.5", True), ("2 >= 3", False), ('"a" < "b"', True),
    ("undefined == undefined", U), ("1 < undefined", U), ("undefined is 1", U),
    # logical
    ("true and false", False), ("true or false", True), ("true xor true", False), ("true xor false", True),
    ("!true", False), ("not false", True), ("!undefined", U), ("not undefined", U),
    ("undefined or true", True), ("undefined or false", U), ("undefined or undefined", U),
    ("undefined and true", U), ("undefined and false", U), ("undefined xor true", U),
    ("false or true or undefined", True), ("false or undefined or true", True),
    ("true and false and undefined", False), ("true and undefined and false", U), ("false and undefined", False),
    ("true or undefined", True),
    # set operators
    ("[1, 2, 3] contains 2", True), ("[1, 2, 3] contains 5", False), ('[1, 2] contains "1"', False),
    ('[1, 2] not contains "x"', True), ('{"a": 1} contains "a"', True), ('{"a": 1} contains 1', False),
    ('"test" contains "es"', True), ('"test" in "testing"', True), ('"best" in "testing"', False),
    ("1 in [1, 2]", True), ("1 not in [1, 2]", False), ('"a" in {"a": 1}', True), ("undefined in [1]", U),
    ("1 in undefined", U), ("[[1]] contains [1]", True),
    # matches
    ('"test" matches "e"', True), ('"test" matches "^e"', False), ('"TEST" matches "test"', False),
    ('"TEST" matches "(?i)test"', True), ('"ABC123" matches "[A-Z]+\\\\d+"', True), ('"test" not matches "e"', False),
    ('undefined matches "x"', U), ('"x" matches undefined', U),
    # emptiness and definedness
    ('"" is empty', True), ("[1] is empty", False), ("{} is empty", True), ('"a" is not empty', True),
    ("undefined is empty", U), ("undefined is not empty", U), ("null is empty", True),
    ("1 is defined", True), ("undefined is defined", False), ("undefined is not defined", True),
    ("null is defined", True),
    # else
    ("undefined else 42", 42), ("null else 42", None), ("1 else 2", 1), ("undefined else undefined", U),
    ('{"a": 1}.b else "x"', "x"), ("undefined else 1 + 1", 2),
    # indexing, selectors, slices
    ("[1, 2, 3][0]", 1), ("[1, 2, 3][-1]", 3), ("[1][5]", U), ('{"a": {"b": 2}}.a.b', 2), ('{"a": 1}["z"]', U),
    ("null.a", U), ("null[0]", U), ("[1, 2, 3, 4][1:3]", [2, 3]), ("[1, 2, 3][:2]", [1, 2]), ("[1, 2, 3][1:]", [2, 3]),
    ('"hello"[1:3]', "el"), ("[1, 2][0:9]", U), ("undefined.x.y", U), ('{1: "one"}[1]', "one"),
]


@pytest.mark.parametrize("expr,expected", CASES, ids=[c[0] for c in CASES])
def test_operator(expr, expected):
    got = value(expr)
    if expected is U:
        assert got is U
    else:
        assert got == expected and type(got) is type(expected)


ERRORS = [
    ("1 + true", "unsupported operand"), ('"a" - "b"', "unsupported operand"), ("1 / 0", "division by zero"),
    ("1 % 0", "division by zero"), ('1 < "a"', "cannot compare"), ("1 and true", "must be a bool"),
    ("false or 1", "must be a bool"), ("!1", "needs a bool"), ('-"a"', "needs a number"),
    ("1 contains 1", "'contains' needs"), ('"a" contains 1', "only contain a string"),
    ('1 matches "a"', "'matches' needs two strings"), ('"a" matches "("', "invalid regular expression"),
    ("1 is empty", "'is empty' needs"), ('"abc".x', "cannot select"), ("1[0]", "cannot index"),
    ('[1]["a"]', "index must be an int"), ("{[1]: 2}", "cannot be a map key"), ("1[1:2]", "cannot slice"),
]


@pytest.mark.parametrize("expr,message", ERRORS, ids=[e[0] for e in ERRORS])
def test_operator_errors_are_runtime_errors_with_position(expr, message):
    with pytest.raises(PolicyRuntimeError) as info:
        value(expr)
    assert message in info.value.message
    assert info.value.file == "t.sentinel" and info.value.line == 1 and info.value.column >= 5
