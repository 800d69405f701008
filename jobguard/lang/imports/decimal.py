"""``import "decimal"``: exact decimal arithmetic (up to 100 significant digits), for when floats are not exact.

As Sentinel documents it: ``decimal.new(x)`` accepts an int, float, numeric string (E-notation too) or decimal,
and so does every operand. Decimal values have ``sign``, ``coefficient``, ``exponent`` (value = sign *
coefficient * 10^exponent), ``string`` (the General Decimal Arithmetic scientific form, e.g. ``1.1234E+400``),
``float`` and ``int`` (truncated); comparisons ``is`` (also ``equals``/``eq``), ``is_not``, ``less_than``/``lt``,
``less_than_or_equals``/``lte``, ``greater_than``/``gt``, ``greater_than_or_equals``/``gte``; arithmetic
``add``, ``subtract``/``sub``, ``multiply``/``mul``, ``divide``/``div``, ``modulo``/``mod``/``remainder``/``rem``,
``power``/``pow``; and ``exp()``, ``loge()``/``ln()``, ``log10()``/``log()``, ``square_root()``/``sqrt()``,
``ceiling()``/``ceil()``, ``floor()``, ``absolute()``/``abs()``, ``negate()``/``neg()``. The module has
``infinity(sign)``/``inf``, ``nan``, ``is_infinite(d)`` (also ``is_inf``, ``isinf``, ``isinfinite``) and
``is_nan(d)``/``isnan``. Invalid operations (``sqrt`` of a negative, 0 * infinity) give NaN, which equals nothing;
division by zero is an error. An ``undefined`` operand gives ``undefined``.
"""

from __future__ import annotations

import decimal as _d
from collections.abc import Callable
from typing import Any, ClassVar

from jobguard.lang.imports._support import name_methods
from jobguard.lang.imports.module import ImportModule, type_name
from jobguard.lang.sandbox import check_size
from jobguard.lang.values import UNDEFINED

NAME = "decimal"

CONTEXT = _d.Context(prec=100, Emax=2**31 - 1, Emin=-(2**31), traps=[_d.InvalidOperation, _d.DivisionByZero])
QUIET = _d.Context(prec=100, Emax=2**31 - 1, Emin=-(2**31), traps=[])


def _method(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    fn.__name__ = f"fn_{name}"
    fn.__qualname__ = f"Decimal.fn_{name}"
    return fn


def _comparison(name: str, *outcomes: int) -> Callable[..., bool]:
    """A comparison method: true when comparing the value with ``other`` gives one of ``outcomes`` (-1, 0, 1)."""
    def method(self: Decimal, other: Any) -> Any:
        if other is UNDEFINED:
            return UNDEFINED
        return _compare(self.value, other) in outcomes
    return _method(name, method)


def _binary(name: str, op: Callable[[_d.Decimal, _d.Decimal], _d.Decimal], divides: bool = False
            ) -> Callable[..., Decimal]:
    """An arithmetic method ``op(value, other)``; ``divides`` refuses a zero divisor (Sentinel errors, no NaN)."""
    def method(self: Decimal, other: Any) -> Any:
        if other is UNDEFINED:
            return UNDEFINED
        operand = to_decimal(other)
        if divides and operand == 0:
            raise ValueError("division by zero")
        return Decimal(op(self.value, operand))
    return _method(name, method)


def _unary(name: str, op: Callable[[_d.Decimal], _d.Decimal]) -> Callable[..., Decimal]:
    """A method returning ``op(value)``."""
    def method(self: Decimal) -> Decimal:
        return Decimal(op(self.value))
    return _method(name, method)


@name_methods("decimal")
class Decimal(ImportModule):
    type_name = "decimal"
    aliases: ClassVar[dict[str, str]] = {
               "equals": "is", "eq": "is", "lt": "less_than", "lte": "less_than_or_equals", "gt": "greater_than",
               "gte": "greater_than_or_equals", "sub": "subtract", "mul": "multiply", "div": "divide",
               "mod": "modulo", "remainder": "modulo", "rem": "modulo", "pow": "power", "ln": "loge",
               "log": "log10", "sqrt": "square_root", "ceil": "ceiling", "abs": "absolute", "neg": "negate"}

    def __init__(self, value: _d.Decimal):
        self.value = value

    def attributes(self) -> dict[str, Any]:
        v = self.value
        sign, digits, exponent = v.as_tuple()
        finite = v.is_finite()
        # "int" and "string" write out every digit: 1e999999999 would be a billion of them
        check_size(len(digits) + (abs(exponent) if finite else 0), "decimal written out (digits)")
        return {
            "sign": 0 if finite and v == 0 else (-1 if sign else 1),
            "coefficient": int("".join(map(str, digits))) if finite else 0,
            "exponent": exponent if isinstance(exponent, int) else 0,
            "string": str(v),
            "float": float(v),
            "int": int(v) if finite else 0,
        }

    def fn_is(self, other: Any) -> Any:
        if other is UNDEFINED:
            return UNDEFINED
        return _compare(self.value, other) == 0

    def fn_is_not(self, other: Any) -> Any:
        same = self.fn_is(other)
        return UNDEFINED if same is UNDEFINED else not same

    fn_less_than = _comparison("less_than", -1)
    fn_less_than_or_equals = _comparison("less_than_or_equals", -1, 0)
    fn_greater_than = _comparison("greater_than", 1)
    fn_greater_than_or_equals = _comparison("greater_than_or_equals", 1, 0)

    fn_add = _binary("add", QUIET.add)
    fn_subtract = _binary("subtract", QUIET.subtract)
    fn_multiply = _binary("multiply", QUIET.multiply)
    fn_divide = _binary("divide", QUIET.divide, divides=True)
    fn_modulo = _binary("modulo", QUIET.remainder, divides=True)
    fn_power = _binary("power", QUIET.power)

    fn_exp = _unary("exp", QUIET.exp)
    fn_loge = _unary("loge", QUIET.ln)
    fn_log10 = _unary("log10", QUIET.log10)
    fn_square_root = _unary("square_root", QUIET.sqrt)
    fn_ceiling = _unary("ceiling", lambda d: d.to_integral_value(rounding=_d.ROUND_CEILING, context=QUIET))
    fn_floor = _unary("floor", lambda d: d.to_integral_value(rounding=_d.ROUND_FLOOR, context=QUIET))
    fn_negate = _unary("negate", QUIET.minus)
    fn_absolute = _unary("absolute", QUIET.abs)

    def __repr__(self) -> str:
        return f"Decimal({self.value})"


def to_decimal(value: Any) -> _d.Decimal:
    if isinstance(value, Decimal):
        return value.value
    if isinstance(value, bool):
        raise TypeError("a bool is not a number")
    if isinstance(value, int):
        return _d.Decimal(value)
    if isinstance(value, float):
        return CONTEXT.create_decimal(repr(value))  # the shortest text that round-trips, as users wrote it
    if isinstance(value, str):
        try:
            return CONTEXT.create_decimal(value.strip())
        except _d.InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    raise TypeError(f"cannot make a decimal from a {type_name(value)}")


def _compare(a: _d.Decimal, other: Any) -> int | None:
    b = to_decimal(other)
    if a.is_nan() or b.is_nan():
        return None  # NaN is neither equal to, less than nor greater than anything
    return (a > b) - (a < b)


@name_methods("decimal")
class DecimalImport(ImportModule):
    aliases: ClassVar[dict[str, str]] = {"inf": "infinity", "is_inf": "is_infinite", "isinf": "is_infinite",
                                         "isinfinite": "is_infinite", "isnan": "is_nan"}

    def attributes(self) -> dict[str, Any]:
        return {"nan": Decimal(_d.Decimal("NaN"))}

    def fn_new(self, value: Any) -> Any:
        return UNDEFINED if value is UNDEFINED else Decimal(to_decimal(value))

    def fn_infinity(self, sign: Any) -> Decimal:
        return Decimal(_d.Decimal("-Infinity" if isinstance(sign, (int, float)) and sign < 0 else "Infinity"))

    def fn_is_infinite(self, value: Any) -> Any:
        return UNDEFINED if value is UNDEFINED else to_decimal(value).is_infinite()

    def fn_is_nan(self, value: Any) -> Any:
        return UNDEFINED if value is UNDEFINED else to_decimal(value).is_nan()


def create() -> DecimalImport:
    return DecimalImport()
