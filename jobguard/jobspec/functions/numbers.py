"""cty numbers as Python values: parsing, printing and Go's float/int formatting.

Why this exists: cty prints numbers with Go's ``big.Float.Text('f', -1)`` (shortest round-trip digits, never an
exponent), formats ``%e``/``%f``/``%g`` through ``big.Float.Format`` and ``%d``/``%x``/... through ``big.Int.Format``.
Python's own formatting differs in small but visible ways (``1e+16`` vs ``10000000000000000``, ``e+3`` vs ``e+03``,
``#o`` prefixes), so the rules are reproduced here on exact decimals.

Value model: an integral number is a Python ``int`` (any size), anything else a ``float``.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_EVEN, Context, Decimal

from jobguard.jobspec.limits import LIMITS_DOC, MAX_NUMBER_DIGITS, LimitExceeded

Number = int | float

_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_INF_RE = re.compile(r"[+-]?inf(?:inity)?\Z", re.IGNORECASE)
_WIDE = Context(prec=2000, rounding=ROUND_HALF_EVEN)

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def is_number(value: object) -> bool:
    """True for HCL numbers (Python ``bool`` is excluded on purpose: it is HCL's bool)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def normalize(value: Number | Decimal) -> Number:
    """Apply the value model: integral -> ``int``, else ``float``."""
    if isinstance(value, Decimal):
        if value.is_infinite():
            return math.inf if value > 0 else -math.inf
        if value.adjusted() >= MAX_NUMBER_DIGITS:  # int(Decimal("1e999999999")) would run for minutes
            raise LimitExceeded(f"a number with more than {MAX_NUMBER_DIGITS:,} digits is above jobguard's limit for "
                                f"job files (see {LIMITS_DOC})")
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        return value
    return value


def parse_number(text: str) -> Number | None:
    """cty's ``ParseNumberVal`` (Go ``big.ParseFloat`` base 10): ``None`` when ``text`` is not a number."""
    if _NUMBER_RE.match(text):
        return normalize(Decimal(text))
    if _INF_RE.match(text):
        return -math.inf if text.startswith("-") else math.inf
    return None


def to_decimal(value: Number) -> Decimal:
    """The exact decimal value of a number (floats are exact binary fractions)."""
    return Decimal(value)


def format_number(value: Number) -> str:
    """A number as cty converts it to a string: ``big.Float.Text('f', -1)``.

    Integers print all their digits; other numbers their shortest round-trip digits in fixed notation.
    """
    if isinstance(value, int):
        return str(value)
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = format(Decimal(repr(value)), "f")
    return text


def to_int(value: Number, lo: int = INT64_MIN, hi: int = INT64_MAX) -> int:
    """gocty's conversion to a Go ``int``: raises ``ValueError`` with gocty's message when not a whole number."""
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise ValueError(f"value must be a whole number, between {lo} and {hi}")
    iv = int(value)
    if iv < lo or iv > hi:
        raise ValueError(f"value must be a whole number, between {lo} and {hi}")
    return iv


def to_bigint(value: Number) -> int:
    """gocty's conversion to ``*big.Int``: any whole number."""
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise ValueError("value must be a whole number")
    return int(value)


def _digits(value: Number, sig: int | None) -> tuple[bool, str, int]:
    """(negative, mantissa digits without trailing zeros, decimal exponent ``exp`` with value = 0.DIGITS x 10^exp).

    ``sig`` rounds to that many significant digits (half to even, like Go's ``decimal.round``); ``None`` gives the
    shortest digits that identify the value.
    """
    if isinstance(value, float):
        dec = Decimal(repr(value)) if sig is None else Decimal(value)
    else:
        dec = Decimal(value)
    neg = dec.is_signed()
    dec = abs(dec)
    if dec == 0:
        return neg, "0", 1
    if sig is not None:
        dec = Context(prec=max(sig, 1), rounding=ROUND_HALF_EVEN).plus(dec)
    _sign, dig, exp = dec.as_tuple()
    text = "".join(map(str, dig)).rstrip("0")
    exponent = len(dig) + exp  # position of the decimal point relative to the digit string
    return neg, text or "0", exponent


def _fmt_e(mant: str, exp: int, prec: int, upper: bool) -> str:
    first = mant[0]
    rest = (mant[1:] + "0" * max(prec, 0))[: max(prec, 0)]
    e = exp - 1 if mant != "0" else 0
    body = first + ("." + rest if prec > 0 else "")
    sign = "-" if e < 0 else "+"
    return f"{body}{'E' if upper else 'e'}{sign}{abs(e):02d}"


def _fmt_f(mant: str, exp: int, prec: int) -> str:
    if mant == "0":
        intpart, frac = "0", ""
    elif exp > 0:
        intpart = (mant + "0" * exp)[:exp]
        frac = mant[exp:]
    else:
        intpart = "0"
        frac = "0" * (-exp) + mant
    if prec > 0:
        frac = (frac + "0" * prec)[:prec]
        return intpart + "." + frac
    return intpart


def float_text(value: Number, verb: str, prec: int) -> str:
    """Go ``big.Float.Text(verb, prec)`` for verbs e E f g G (``prec`` -1 = shortest). Includes a leading ``-``."""
    if isinstance(value, float) and math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    lower = verb.lower()
    if lower == "f":
        if prec < 0:
            neg, mant, exp = _digits(value, None)
            body = _fmt_f(mant, exp, max(len(mant) - exp, 0))
        else:
            dec = Decimal(value) if isinstance(value, float) else Decimal(value)
            q = dec.quantize(Decimal(1).scaleb(-prec, context=_WIDE), context=_WIDE, rounding=ROUND_HALF_EVEN)
            neg = dec < 0
            body = format(q.copy_abs(), "f")
        return ("-" if neg else "") + body
    if lower == "e":
        neg, mant, exp = _digits(value, None if prec < 0 else prec + 1)
        p = len(mant) - 1 if prec < 0 else prec
        return ("-" if neg else "") + _fmt_e(mant, exp, p, verb == "E")
    # %g / %G
    shortest = prec < 0
    if prec == 0:
        prec = 1
    neg, mant, exp = _digits(value, None if shortest else prec)
    eprec = prec
    if shortest:
        eprec = 6
    elif eprec > len(mant) and len(mant) >= exp:
        eprec = len(mant)
    e = exp - 1
    if e < -4 or e >= eprec:
        p = len(mant) if shortest or prec > len(mant) else prec
        body = _fmt_e(mant, exp, p - 1, verb == "G")
    else:
        p = len(mant) if shortest or prec > exp else prec
        body = _fmt_f(mant, exp, max(p - exp, 0))
    return ("-" if neg else "") + body


def go_format_float(value: Number, verb: str, *, width: int | None, prec: int | None, plus: bool = False,
                    space: bool = False, minus: bool = False, zero: bool = False) -> str:
    """``fmt.Sprintf("%<flags><width>.<prec><verb>", *big.Float)`` for verbs e E f g G."""
    p = prec if prec is not None else (6 if verb in "eEf" else -1)
    buf = float_text(value, verb, p)
    sign = ""
    if buf.startswith("-"):
        sign, buf = "-", buf[1:]
    elif buf.startswith("+"):
        sign, buf = (" " if space else "+"), buf[1:]
    elif plus:
        sign = "+"
    elif space:
        sign = " "
    padding = 0
    if width is not None and width > len(sign) + len(buf):
        padding = width - len(sign) - len(buf)
    is_inf = isinstance(value, float) and math.isinf(value)
    if zero and not minus and not is_inf:
        return sign + "0" * padding + buf
    if minus:
        return sign + buf + " " * padding
    return " " * padding + sign + buf


def go_format_int(value: int, verb: str, *, width: int | None, prec: int | None, plus: bool = False,
                  space: bool = False, minus: bool = False, zero: bool = False, sharp: bool = False) -> str:
    """``fmt.Sprintf`` of a ``*big.Int`` for verbs b d o x X (Go's ``big.Int.Format``)."""
    base = {"b": 2, "o": 8, "d": 10, "x": 16, "X": 16}[verb]
    sign = "-" if value < 0 else ("+" if plus else (" " if space else ""))
    prefix = ""
    if sharp:
        prefix = {"b": "0b", "o": "0", "x": "0x", "X": "0X"}.get(verb, "")
    digits = _to_base(abs(value), base)
    if verb == "X":
        digits = digits.upper()
    zeros = left = right = 0
    if prec is not None:
        if len(digits) < prec:
            zeros = prec - len(digits)
        elif digits == "0" and prec == 0:
            return ""
    length = len(sign) + len(prefix) + zeros + len(digits)
    if width is not None and length < width:
        d = width - length
        if minus:
            right = d
        elif zero and prec is None:
            zeros = d
        else:
            left = d
    return " " * left + sign + prefix + "0" * zeros + digits + " " * right


def _to_base(n: int, base: int) -> str:
    if base == 10:
        return str(n)
    if base == 16:
        return format(n, "x")
    if base == 8:
        return format(n, "o")
    return format(n, "b")
