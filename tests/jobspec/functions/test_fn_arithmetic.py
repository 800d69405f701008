"""Number functions: float64 and int conversions where cty uses them, parseint bases, min/max."""

import pytest

from jobguard.jobspec.functions import ArgumentError, FunctionError, call_function


def call(name, *args):
    return call_function(name, list(args))


def test_abs_ceil_floor_signum():
    assert call("abs", -12.5) == 12.5
    assert call("abs", -(2**70)) == 2**70
    assert call("ceil", 5.1) == 6 and type(call("ceil", 5.1)) is int
    assert call("ceil", -5.1) == -5
    assert call("floor", 4.9) == 4
    assert call("floor", -4.1) == -5
    assert call("floor", 2**60 + 1) == 2**60  # through float64, like cty
    assert call("floor", "3.7") == 3
    assert call("signum", -13) == -1 and call("signum", 0) == 0 and call("signum", 344) == 1
    with pytest.raises(FunctionError) as exc:
        call("signum", 0.5)
    assert exc.value.message == "value must be a whole number, between -9223372036854775808 and 9223372036854775807"


def test_log_and_pow():
    assert call("log", 8, 2) == 3
    assert call("log", 50, 10) == pytest.approx(1.6989700043360185)
    assert call("log", 16, 4) == 2
    assert call("pow", 3, 2) == 9
    assert call("pow", 4, 0) == 1
    assert call("pow", 2, 0.5) == pytest.approx(1.4142135623730951)
    assert call("pow", 2, 100) == 2**100
    assert call("pow", 0, -1) == float("inf")
    with pytest.raises(FunctionError) as exc:
        call("log", -1, 10)
    assert "NaN" in exc.value.message


@pytest.mark.parametrize(("args", "expected"), [
    (("100", 10), 100),
    (("FF", 16), 255),
    (("-ff", 16), -255),
    (("+101", 2), 5),
    (("zz", 36), 1295),
    (("Z", 62), 61),
    (("12345678901234567890123", 10), 12345678901234567890123),
])
def test_parseint(args, expected):
    assert call("parseint", *args) == expected


@pytest.mark.parametrize(("args", "index", "detail"), [
    ((10, 10), 0, "first argument must be a string, not number"),
    (("12", 1), 1, "base must be a whole number between 2 and 62 inclusive"),
    (("12", 63), 1, "base must be a whole number between 2 and 62 inclusive"),
    (("0x10", 16), 0, 'cannot parse "0x10" as a base 16 integer'),
    (("1_000", 10), 0, 'cannot parse "1_000" as a base 10 integer'),
    (("", 10), 0, 'cannot parse "" as a base 10 integer'),
    (("12", 2), 0, 'cannot parse "12" as a base 2 integer'),
])
def test_parseint_errors(args, index, detail):
    with pytest.raises(ArgumentError) as exc:
        call("parseint", *args)
    assert exc.value.arg_index == index
    param = "number" if index == 0 else "base"
    assert exc.value.detail == f'Invalid value for "{param}" parameter: {detail}.'


def test_min_max():
    assert call("max", 12, 54, 3) == 54
    assert call("min", 12, 54, 3) == 3
    assert call("max", "5", 4.5) == 5
    with pytest.raises(FunctionError) as exc:
        call("max")
    assert exc.value.message == "must pass at least one number"
