"""``import "json"``: unmarshal JSON text into Sentinel values, marshal values to JSON text, validate JSON text.

Numbers unmarshal as Sentinel does with Go's decoder: a number written as an integer that fits in 64 bits is an
int, anything else (``1.0``, ``1e3``, larger integers) a float. ``NaN``/``Infinity`` are not JSON and are
refused. ``marshal`` writes what Go's ``encoding/json`` writes: compact, map keys sorted, ``<``, ``>``, ``&``
escaped as ``\\u003c`` etc., floats in their shortest form (``1.0`` -> ``1``, ``1e21`` -> ``1e+21``,
``1e-7`` -> ``1e-7``). ``undefined`` members of maps and lists are dropped, a bare ``undefined`` gives
``undefined``, and a function (or another value JSON cannot hold) is an error.
"""

from __future__ import annotations

import decimal
import json as _json
import math
from typing import Any

from jobguard.lang.imports._support import name_methods, primitive_text
from jobguard.lang.imports.module import ImportModule, require_string, type_name
from jobguard.lang.sandbox import size_limit, text_size
from jobguard.lang.values import UNDEFINED

NAME = "json"

_INT64 = 2**63


def _int(text: str) -> int | float:
    value = int(text)
    return value if -_INT64 <= value < _INT64 else float(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number {text} is out of range")
    return value


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _loads(text: str) -> Any:
    return _json.loads(text, parse_int=_int, parse_float=_parse_float, parse_constant=_constant)


def _float(f: float) -> str:
    """Go encoding/json's float text."""
    if math.isnan(f) or math.isinf(f):
        raise ValueError(f"unsupported value {f}")
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        text = repr(f)  # shortest digits, exponent form in this range: "1e-07", "1.5e+21"
        mant, exp = text.split("e")
        if exp[0] == "-" and exp[1] == "0" and len(exp) == 3:
            exp = "-" + exp[2]
        return f"{mant}e{exp}"
    text = format(decimal.Decimal(repr(f)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _string(s: str) -> str:
    return (_json.dumps(s, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _key(k: Any) -> str:
    """A map key as JSON object key text (Sentinel maps may have number and bool keys)."""
    if type(k) is float:
        return _float(k)
    if type(k) in (str, bool, int):
        return primitive_text(k)
    raise TypeError(f"a map key of type {type_name(k)} cannot be encoded as JSON")


def _encode(value: Any, out: list[str], depth: int) -> None:
    if depth > 1000:
        raise ValueError("value nested too deeply")
    t = type(value)
    if t is str:
        out.append(_string(value))
    elif t is bool:
        out.append("true" if value else "false")
    elif t is int:
        out.append(str(value))
    elif t is float:
        out.append(_float(value))
    elif value is None:
        out.append("null")
    elif t is list:
        out.append("[")
        first = True
        for v in value:
            if v is UNDEFINED:
                continue
            if not first:
                out.append(",")
            first = False
            _encode(v, out, depth + 1)
        out.append("]")
    elif t is dict:
        items = sorted(((_key(k), v) for k, v in value.items() if v is not UNDEFINED), key=lambda kv: kv[0])
        out.append("{")
        for n, (k, v) in enumerate(items):
            if n:
                out.append(",")
            out.append(_string(k))
            out.append(":")
            _encode(v, out, depth + 1)
        out.append("}")
    else:
        raise TypeError(f"a value of type {type_name(value)} cannot be encoded as JSON")


@name_methods("json")
class JSONImport(ImportModule):
    def fn_unmarshal(self, s: Any) -> Any:
        if s is UNDEFINED:
            return UNDEFINED
        text = require_string(s, "the argument")
        try:
            return _loads(text)
        except RecursionError:
            raise ValueError("invalid JSON: nested too deeply") from None
        except ValueError as exc:
            raise ValueError(f"invalid JSON: {exc}") from None

    def fn_marshal(self, value: Any) -> Any:
        if value is UNDEFINED:
            return UNDEFINED
        text_size(value, size_limit())  # a map holding one map twice, nested 40 times, is 2**40 leaves
        out: list[str] = []
        _encode(value, out, 0)
        return "".join(out)

    def fn_valid(self, s: Any) -> Any:
        if s is UNDEFINED:
            return UNDEFINED
        text = require_string(s, "the argument")
        try:
            _loads(text)
        except (ValueError, RecursionError):
            return False
        return True


_SHARED = JSONImport()


def create() -> JSONImport:
    """The module (stateless, so one shared instance serves every evaluation)."""
    return _SHARED
