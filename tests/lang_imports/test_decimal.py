"""``import "decimal"``: every documented function, attribute and alias, inside policies."""

from __future__ import annotations

import pytest

from jobguard.lang import UNDEFINED

from .policy_eval import error_of, value_of


def text(expr: str) -> str:
    return value_of(f"({expr}).string", "decimal")


@pytest.mark.parametrize("expr,expected", [
    ("decimal.new(1.5)", "1.5"), ('decimal.new("1.1")', "1.1"), ("decimal.new(2.2)", "2.2"), ("decimal.new(3)", "3"),
    ('decimal.new("1.1234E+400")', "1.1234E+400"), ("decimal.new(decimal.new(7))", "7"),
    ('decimal.new("1.1").add(2.2)', "3.3"),  # exact, unlike floats
    ("decimal.new(1.5).add(1)", "2.5"), ("decimal.new(1.5).subtract(1)", "0.5"), ("decimal.new(1.5).sub(1)", "0.5"),
    ("decimal.new(1.5).multiply(2)", "3.0"), ("decimal.new(1.5).mul(2)", "3.0"),
    ("decimal.new(3.0).divide(1.5)", "2"), ("decimal.new(3.0).div(1.5)", "2"),
    ("decimal.new(1.5).modulo(1)", "0.5"), ("decimal.new(1.5).mod(1)", "0.5"),
    ("decimal.new(1.5).remainder(1)", "0.5"), ("decimal.new(1.5).rem(1)", "0.5"),
    ("decimal.new(1.5).power(2)", "2.25"), ("decimal.new(1.5).pow(2)", "2.25"),
    ("decimal.new(1.5).ceiling()", "2"), ("decimal.new(1.5).ceil()", "2"), ("decimal.new(-1.5).ceil()", "-1"),
    ("decimal.new(1.5).floor()", "1"), ("decimal.new(-1.5).floor()", "-2"),
    ("decimal.new(1.5).absolute()", "1.5"), ("decimal.new(-1.5).absolute()", "1.5"), ("decimal.new(-1.5).abs()", "1.5"),
    ("decimal.new(1.5).negate()", "-1.5"), ("decimal.new(-1.5).negate()", "1.5"), ("decimal.new(1.5).neg()", "-1.5"),
    ("decimal.new(-1).sqrt()", "NaN"), ("decimal.new(0).mul(decimal.inf(1))", "NaN"),
    ("decimal.infinity(1)", "Infinity"), ("decimal.infinity(-1)", "-Infinity"), ("decimal.nan", "NaN"),
])
def test_string_results(expr, expected):
    assert text(expr) == expected


@pytest.mark.parametrize("expr,prefix", [
    ("decimal.new(1.5).exp()", "4.4816"), ("decimal.new(1.5).loge()", "0.4054"), ("decimal.new(1.5).ln()", "0.4054"),
    ("decimal.new(1.5).log10()", "0.1760"), ("decimal.new(1.5).log()", "0.1760"),
    ("decimal.new(1.5).square_root()", "1.2247"), ("decimal.new(1.5).sqrt()", "1.2247"),
])
def test_functions_with_long_results(expr, prefix):
    got = text(expr)
    assert got.startswith(prefix) and len(got.replace(".", "").lstrip("0")) == 100  # 100 significant digits


@pytest.mark.parametrize("expr,expected", [
    ("decimal.new(1.5).sign", 1), ("decimal.new(-2).sign", -1), ("decimal.new(0).sign", 0),
    ("decimal.new(1.5).coefficient", 15), ("decimal.new(1.5).exponent", -1), ("decimal.new(1.5).float", 1.5),
    ("decimal.new(1.5).int", 1), ("decimal.new(-1.5).int", -1),
    ("decimal.new(1.5).is(1)", False), ("decimal.new(1.5).is(1.5)", True), ('decimal.new(1.5).is("1.50")', True),
    ("decimal.new(1.5).is_not(1)", True),
    ("decimal.new(1.5).less_than(1)", False), ("decimal.new(1.5).lt(2)", True),
    ("decimal.new(1.5).less_than_or_equals(1)", False), ("decimal.new(1.5).lte(1.5)", True),
    ("decimal.new(1.5).greater_than(1)", True), ("decimal.new(1.5).gt(2)", False),
    ("decimal.new(1.5).greater_than_or_equals(1)", True), ("decimal.new(1.5).gte(1.5)", True),
    ('decimal.new(1).lt("1.0000000000000000000001")', True),
    ("decimal.nan.is(decimal.nan)", False),
    ("decimal.is_infinite(100)", False), ('decimal.is_infinite("Infinity")', True),
    ('decimal.is_inf("-Infinity")', True),
    ("decimal.isinf(decimal.inf(1))", True), ("decimal.isinfinite(1)", False),
    ('decimal.is_nan("NaN")', True), ("decimal.isnan(decimal.nan)", True), ("decimal.is_nan(1)", False),
    ("decimal.infinity(-1).lt(-1e300)", True),
    ("decimal.new(undefined)", UNDEFINED), ("decimal.new(1).add(undefined)", UNDEFINED),
    ("decimal.new(1).is(undefined)", UNDEFINED),
])
def test_values(expr, expected):
    got = value_of(expr, "decimal")
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("expr,message", [
    ("decimal.new(1).divide(0)", "decimal.divide: division by zero"),
    ("decimal.new(1).mod(0)", "decimal.modulo: division by zero"),
    ('decimal.new("abc")', "decimal.new: 'abc' is not a number"), ("decimal.new(true)", "a bool is not a number"),
    ("decimal.new([1])", "cannot make a decimal from a list"),
])
def test_errors(expr, message):
    assert message in error_of(expr, "decimal").message
