"""``format``/``formatlist``: cty's verbs, flags, widths, argument indexes and error texts."""

import pytest

from jobguard.jobspec.functions import ArgumentError, FunctionError, call_function
from jobguard.jobspec.functions.numbers import float_text, format_number


def fmt(pattern, *args):
    return call_function("format", [pattern, *args])


@pytest.mark.parametrize(("pattern", "args", "expected"), [
    ("", [], ""),
    ("100%% successful", [], "100% successful"),
    ("string %v", ["hello"], "string hello"),
    ("string %[2]v", [True, "hello"], "string hello"),
    ("string %#v", ["hello"], 'string "hello"'),
    ("number %v", [2], "number 2"),
    ("number %v", [1000000], "number 1e+06"),
    ("number %v", [1.5], "number 1.5"),
    ("bool %v", [True], "bool true"),
    ("object %v", [{}], "object {}"),
    ("tuple %v", [[]], "tuple []"),
    ("%v", [{"b": [1, "x"], "a": None}], '{"a":null,"b":[1,"x"]}'),
    ("%%%v", [False], "%false"),
    ("%v", [None], "null"),
    ("Hello, %s!", ["Ermintrude"], "Hello, Ermintrude!"),
    ("Hello, %q... if that _is_ your real name!", ["Ermintrude"],
     'Hello, "Ermintrude"... if that _is_ your real name!'),
    ("This statement is %s", [False], "This statement is false"),
    ("This statement is %q", [False], 'This statement is "false"'),
    ("%10s", ["hello"], "     hello"),
    ("%-10s", ["hello"], "hello     "),
    ("%4s", ["\U0001f483\U0001f3ff"], "   \U0001f483\U0001f3ff"),
    ("%.2s", ["hello"], "he"),
    ("%.2q", ["hello"], '"he"'),
    ("%.5s", ["日本語日本語"], "日本語日本"),
    ("%4.2s", ["hello"], "  he"),
    ("%-4.2s", ["hello"], "he  "),
    ("%q", ["Hello\nWorld"], '"Hello\\nWorld"'),
    ("%q", ["<b>"], '"\\u003cb\\u003e"'),
    ("%05s", ["ab"], "000ab"),
    ("This statement is %t", ["false"], "This statement is false"),
    ("%d green bottles", [10], "10 green bottles"),
    ("%[2]d things", [1, 10], "10 things"),
    ("%+d", [10], "+10"),
    ("% d", [10], " 10"),
    ("%5d|%-5d|%05d", [10, 10, -10], "   10|10   |-0010"),
    ("%d", ["12"], "12"),
    ("%b %o %x %X", [5, 9, 254, 254], "101 11 fe FE"),
    ("%#x %#o %#b", [255, 8, 5], "0xff 010 0b101"),
    ("%.3d", [7], "007"),
    ("%d", [2**80], "1208925819614629174706176"),
    ("%f things", [10], "10.000000 things"),
    ("%+f things", [10], "+10.000000 things"),
    ("% f things", [-10], "-10.000000 things"),
    ("%f things", ["100000000000000000000000000000000000001"], "100000000000000000000000000000000000001.000000 things"),
    ("%.1f things", ["1.06"], "1.1 things"),
    ("%.2f", [0.125], "0.12"),
    ("%8.3f|%-8.3f|%08.3f", [3.14159, 3.14159, -3.14159], "   3.142|3.142   |-003.142"),
    ("%e things", [1000], "1.000000e+03 things"),
    ("%E things", [1000], "1.000000E+03 things"),
    ("%.2e", [123456], "1.23e+05"),
    ("%g things", [1000], "1000 things"),
    ("%G things", ["0.00000000000000000000001"], "1E-23 things"),
    ("%g", [1e-5], "1e-05"),
    ("%g", [123456789], "1.23456789e+08"),
    ("%.3g", [1234.5], "1.23e+03"),
    ("%.3g", [0.5], "0.5"),
    ("%.0f", [2.5], "2"),
])
def test_format(pattern, args, expected):
    assert fmt(pattern, *args) == expected


@pytest.mark.parametrize(("pattern", "args", "message"), [
    ("%s is not in the args list", [], 'not enough arguments for "%s" at 0: need index 1 but have 0 total'),
    ("%[3]s is not in the args list", [True, True],
     'not enough arguments for "%[3]s" at 0: need index 3 but have 2 total'),
    ("%[0]s is not valid because args are 1-based", [True, True], "unrecognized format character '0' at offset 2"),
    ("%v %v %v", [True, True], 'not enough arguments for "%v" at 6: need index 3 but have 2 total'),
    ("%z is not a valid sequence", [10], "unsupported format verb 'z' in \"%z\" at offset 0"),
    ("%#z is not a valid sequence", [10], "unsupported format verb 'z' in \"%#z\" at offset 0"),
    ("%012z is not a valid sequence", [10], "unsupported format verb 'z' in \"%012z\" at offset 0"),
    ("%☠ is not a valid sequence", [10], "unrecognized format character '☠' at offset 1"),
    ("%\U0001f483\U0001f3ff is not a valid sequence", [10], "unrecognized format character '\U0001f483' at offset 1"),
    ("100%", [], "invalid format string starting at offset 4"),
    ("%5.", [1], "invalid format string starting at offset 3"),
    ("%d green bottles", [True], 'unsupported value for "%d" at 0: number required, but have bool'),
    ("%d green bottles", [None], 'unsupported value for "%d" at 0: null value cannot be formatted'),
    ("%s", [None], 'unsupported value for "%s" at 0: null value cannot be formatted'),
    ("This statement is %t", [None], 'unsupported value for "%t" at 18: null value cannot be formatted'),
    ("%d", [1.5], 'unsupported value for "%d" at 0: an integer is required'),
    ("%s", [[1]], 'unsupported value for "%s" at 0: string required, but have tuple'),
    ("é%d", ["x"], 'unsupported value for "%d" at 2: a number is required'),
])
def test_format_errors(pattern, args, message):
    with pytest.raises(FunctionError) as exc:
        fmt(pattern, *args)
    assert exc.value.message == message


def test_format_extra_arguments_blame_the_first_unused_one():
    with pytest.raises(ArgumentError) as exc:
        fmt("no format verbs at all", 10)
    assert exc.value.arg_index == 1
    assert exc.value.detail == 'Invalid value for "args" parameter: too many arguments; no verbs in format string.'
    with pytest.raises(ArgumentError) as exc:
        fmt("only one verb %d", 10, 11)
    assert exc.value.arg_index == 2
    assert exc.value.detail.endswith("too many arguments; only 1 used by format string.")
    assert fmt("%[2]s", "unused-but-before", "x") == "x"


def test_format_null_format_string():
    with pytest.raises(ArgumentError) as exc:
        fmt(None, 10)
    assert exc.value.detail == 'Invalid value for "format" parameter: argument must not be null.'


def test_formatlist():
    assert call_function("formatlist", ["Hello, %s!", ["Valentina", "Ander"]]) == ["Hello, Valentina!",
                                                                                    "Hello, Ander!"]
    assert call_function("formatlist", ["%s, %s!", "Salutations", ["Valentina", "Ander"]]) == [
        "Salutations, Valentina!", "Salutations, Ander!"]
    assert call_function("formatlist", ["%05d", [80, 443]]) == ["00080", "00443"]
    assert call_function("formatlist", ["x"]) == ["x"]
    assert call_function("formatlist", ["%s", []]) == []
    with pytest.raises(ArgumentError) as exc:
        call_function("formatlist", ["%s %s", ["a"], ["b", "c"]])
    assert exc.value.detail == ('Invalid value for "args" parameter: argument 2 has length 2, which is inconsistent '
                                "with argument 1 of length 1.")
    with pytest.raises(FunctionError) as exc:
        call_function("formatlist", ["%d", ["a"]])
    assert exc.value.message == 'error on format iteration 0: unsupported value for "%d" at 0: a number is required'


@pytest.mark.parametrize(("value", "expected"), [
    (0, "0"), (-5, "-5"), (0.1, "0.1"), (123.456, "123.456"), (1e16 + 0.5, "10000000000000000"),
    (float("inf"), "+Inf"), (-2.5e-10, "-0.00000000025"),
])
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_float_text_shortest_g():
    assert float_text(100000, "g", -1) == "100000"
    assert float_text(1000000, "g", -1) == "1e+06"
    assert float_text(0.0001, "g", -1) == "0.0001"
    assert float_text(0.00001, "g", -1) == "1e-05"
