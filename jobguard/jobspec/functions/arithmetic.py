"""Number functions from cty's stdlib (number.go): abs, ceil, floor, log, pow, signum, parseint, max, min.

Several of them go through Go ``float64`` (``ceil``, ``floor``, ``log``, ``pow``) or ``int`` (``signum``) exactly like
cty, so precision loss and "whole number" errors match.
"""

from __future__ import annotations

import math

from jobguard.jobspec.functions.numbers import normalize, to_int
from jobguard.jobspec.functions.spec import Param, arg_fail, fail, register
from jobguard.jobspec.functions.types import NUMBER, STRING, type_of
from jobguard.jobspec.limits import MAX_NUMBER_DIGITS, check_limit

Num = int | float


def _float(value: Num) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _go_int64(value: float) -> Num:
    if math.isinf(value):
        return value
    return int(value)


@register("abs", [Param("num", NUMBER)])
def abs_(num: Num) -> Num:
    return abs(num)


@register("ceil", [Param("num", NUMBER)])
def ceil(num: Num) -> Num:
    return _go_int64(math.ceil(_float(num)) if math.isfinite(_float(num)) else _float(num))


@register("floor", [Param("num", NUMBER)])
def floor(num: Num) -> Num:
    return _go_int64(math.floor(_float(num)) if math.isfinite(_float(num)) else _float(num))


def _finite_result(value: float) -> Num:
    if math.isnan(value):
        raise fail("panic in function implementation: can't use NaN as a number")
    return normalize(value)


@register("log", [Param("num", NUMBER), Param("base", NUMBER)])
def log(num: Num, base: Num) -> Num:
    def ln(x: float) -> float:
        if x == 0:
            return -math.inf
        if x < 0:
            return math.nan
        if math.isinf(x):
            return math.inf
        return math.log(x)

    a, b = ln(_float(num)), ln(_float(base))
    try:
        value = a / b
    except ZeroDivisionError:
        value = math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
    return _finite_result(value)


@register("pow", [Param("num", NUMBER), Param("power", NUMBER)])
def pow_(num: Num, power: Num) -> Num:
    x, y = _float(num), _float(power)
    try:
        value = math.pow(x, y)
    except OverflowError:
        value = math.inf if x > 0 or float(y).is_integer() and int(y) % 2 == 0 else -math.inf
    except ValueError:
        value = math.inf if x == 0 else math.nan
    return _finite_result(value)


@register("signum", [Param("num", NUMBER)])
def signum(num: Num) -> int:
    try:
        n = to_int(num)
    except ValueError as exc:
        raise fail(str(exc)) from None
    return (n > 0) - (n < 0)


def _digit_value(ch: str, base: int) -> int:
    if "0" <= ch <= "9":
        return ord(ch) - 48
    if "a" <= ch <= "z":
        return ord(ch) - 87
    if "A" <= ch <= "Z":
        return ord(ch) - 55 if base <= 36 else ord(ch) - 29
    return 99


@register("parseint", [Param("number"), Param("base", NUMBER)])
def parseint(number: object, base: Num) -> int:
    if type_of(number) != STRING:
        raise arg_fail(0, f"first argument must be a string, not {type_of(number).friendly_name()}")
    try:
        b = to_int(base)
    except ValueError as exc:
        raise arg_fail(1, str(exc)) from None
    if b < 2 or b > 62:
        raise arg_fail(1, "base must be a whole number between 2 and 62 inclusive")
    text = str(number)
    body = text[1:] if text[:1] in "+-" else text
    if not body or any(_digit_value(c, b) >= b for c in body):
        raise arg_fail(0, f"cannot parse {_go_quote(text)} as a base {b} integer")
    check_limit(int(len(body) * math.log10(b)), MAX_NUMBER_DIGITS, "the digits of parseint's result")
    value = 0
    for c in body:
        value = value * b + _digit_value(c, b)
    return -value if text.startswith("-") else value


def _go_quote(text: str) -> str:
    from jobguard.jobspec.functions.setorder import go_quote

    return go_quote(text)


@register("max", [], var_param=Param("numbers", NUMBER))
def max_(*numbers: Num) -> Num:
    if not numbers:
        raise fail("must pass at least one number")
    return max(numbers)


@register("min", [], var_param=Param("numbers", NUMBER))
def min_(*numbers: Num) -> Num:
    if not numbers:
        raise fail("must pass at least one number")
    return min(numbers)
