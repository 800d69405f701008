"""``import "decimal"``: exact decimal arithmetic (up to 100 significant digits), for when floats are not exact.

``decimal.new(x)`` accepts an int, float, numeric string or decimal. Decimal values have ``sign``,
``coefficient``, ``exponent``, ``string``, ``float`` and ``int`` attributes, comparison methods (``is``/``equals``,
``is_not``, ``less_than``/``lt``, ``less_than_or_equals``/``lte``, ``greater_than``/``gt``,
``greater_than_or_equals``/``gte``) and arithmetic (``add``, ``subtract``/``sub``, ``multiply``/``mul``,
``divide``/``div``, ``modulo``/``mod``, ``power``/``pow``, ``exp``, ``loge``/``ln``, ``log``, ``sqrt``, ``neg``,
``abs``). The module also has ``infinity(sign)``/``inf``, ``nan``, ``isinfinite(d)`` and ``isnan(d)``.
"""

from __future__ import annotations

import decimal as _d
from typing import Any, ClassVar

from jobguard.lang.imports.module import ImportModule, type_name

NAME = "decimal"

CONTEXT = _d.Context(prec=100, Emax=2**31 - 1, Emin=-(2**31), traps=[_d.InvalidOperation, _d.DivisionByZero])
QUIET = _d.Context(prec=100, Emax=2**31 - 1, Emin=-(2**31), traps=[])


class Decimal(ImportModule):
    type_name = "decimal"
    aliases: ClassVar[dict[str, str]] = {
               "equals": "is", "eq": "is", "lt": "less_than", "lte": "less_than_or_equals", "gt": "greater_than",
               "gte": "greater_than_or_equals", "sub": "subtract", "mul": "multiply", "div": "divide",
               "mod": "modulo", "pow": "power", "ln": "loge"}

    def __init__(self, value: _d.Decimal):
        self.value = value

    def attributes(self) -> dict[str, Any]:
        v = self.value
        sign, digits, exponent = v.as_tuple()
        finite = v.is_finite()
        return {
            "sign": 0 if finite and v == 0 else (-1 if sign else 1),
            "coefficient": int("".join(map(str, digits))) if finite else 0,
            "exponent": exponent if isinstance(exponent, int) else 0,
            "string": _text(v),
            "float": float(v),
            "int": int(v) if finite else 0,
        }

    def fn_is(self, other: Any) -> bool:
        return _compare(self.value, other) == 0

    def fn_is_not(self, other: Any) -> bool:
        return not self.fn_is(other)

    def fn_less_than(self, other: Any) -> bool:
        return _compare(self.value, other) == -1

    def fn_less_than_or_equals(self, other: Any) -> bool:
        return _compare(self.value, other) in (-1, 0)

    def fn_greater_than(self, other: Any) -> bool:
        return _compare(self.value, other) == 1

    def fn_greater_than_or_equals(self, other: Any) -> bool:
        return _compare(self.value, other) in (1, 0)

    def fn_add(self, other: Any) -> Decimal:
        return Decimal(QUIET.add(self.value, to_decimal(other)))

    def fn_subtract(self, other: Any) -> Decimal:
        return Decimal(QUIET.subtract(self.value, to_decimal(other)))

    def fn_multiply(self, other: Any) -> Decimal:
        return Decimal(QUIET.multiply(self.value, to_decimal(other)))

    def fn_divide(self, other: Any) -> Decimal:
        divisor = to_decimal(other)
        if divisor == 0:
            raise ValueError("decimal: division by zero")
        return Decimal(QUIET.divide(self.value, divisor))

    def fn_modulo(self, other: Any) -> Decimal:
        divisor = to_decimal(other)
        if divisor == 0:
            raise ValueError("decimal: division by zero")
        return Decimal(QUIET.remainder(self.value, divisor))

    def fn_power(self, other: Any) -> Decimal:
        return Decimal(QUIET.power(self.value, to_decimal(other)))

    def fn_exp(self) -> Decimal:
        return Decimal(QUIET.exp(self.value))

    def fn_loge(self) -> Decimal:
        return Decimal(QUIET.ln(self.value))

    def fn_log(self) -> Decimal:
        return Decimal(QUIET.log10(self.value))

    def fn_sqrt(self) -> Decimal:
        return Decimal(QUIET.sqrt(self.value))

    def fn_neg(self) -> Decimal:
        return Decimal(QUIET.minus(self.value))

    def fn_abs(self) -> Decimal:
        return Decimal(QUIET.abs(self.value))


def _text(v: _d.Decimal) -> str:
    if v.is_nan():
        return "NaN"
    if v.is_infinite():
        return "-Infinity" if v < 0 else "Infinity"
    return format(v, "f")


def to_decimal(value: Any) -> _d.Decimal:
    if isinstance(value, Decimal):
        return value.value
    if isinstance(value, bool):
        raise TypeError("decimal: a bool is not a number")
    if isinstance(value, int):
        return _d.Decimal(value)
    if isinstance(value, float):
        return CONTEXT.create_decimal(repr(value))  # the shortest text that round-trips, as users wrote it
    if isinstance(value, str):
        try:
            return CONTEXT.create_decimal(value.strip())
        except _d.InvalidOperation:
            raise ValueError(f"decimal: {value!r} is not a number") from None
    raise TypeError(f"decimal: cannot make a decimal from a {type_name(value)}")


def _compare(a: _d.Decimal, other: Any) -> int | None:
    b = to_decimal(other)
    if a.is_nan() or b.is_nan():
        return None  # NaN is neither equal to, less than nor greater than anything
    return (a > b) - (a < b)


class DecimalImport(ImportModule):
    aliases: ClassVar[dict[str, str]] = {"inf": "infinity"}

    def attributes(self) -> dict[str, Any]:
        return {"nan": Decimal(_d.Decimal("NaN"))}

    def fn_new(self, value: Any) -> Decimal:
        return Decimal(to_decimal(value))

    def fn_infinity(self, sign: Any) -> Decimal:
        return Decimal(_d.Decimal("-Infinity" if isinstance(sign, (int, float)) and sign < 0 else "Infinity"))

    def fn_isinfinite(self, value: Any) -> bool:
        return to_decimal(value).is_infinite()

    def fn_isnan(self, value: Any) -> bool:
        return to_decimal(value).is_nan()


def create() -> DecimalImport:
    return DecimalImport()
