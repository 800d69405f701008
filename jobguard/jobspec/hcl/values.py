"""Plain-Python stand-ins for cty values, and the conversions HCL applies implicitly.

Values are None (null), bool, int/float (cty numbers), str, list (list/tuple/set) and dict (map/object). A value
that cannot be known at parse time (an unset variable, the result of a failed expression) is :data:`UNKNOWN`, so
that one mistake produces one diagnostic instead of a cascade, as in HCL.
"""

from __future__ import annotations

import math
from typing import Any


class _Unknown:
    """cty's unknown value: propagates through operations without further errors."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


class ConversionError(Exception):
    """A value that HCL's implicit conversion rejects; the message is cty's wording."""


def type_name(value: Any) -> str:
    """cty's friendly type name, used in diagnostics ("string", "number", "tuple", "object", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "tuple"
    if isinstance(value, dict):
        return "object"
    return "dynamic"


def normalize_number(value: float | int) -> float | int:
    """cty numbers are arbitrary precision: an integral float is the same number as the int."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 63:
        return int(value)
    return value


def format_number(value: float | int) -> str:
    """A number as cty prints it in a string ("5", "1.5", "1e+21" -> Go's big.Float 'f' format)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer():
        return str(int(value))
    return repr(value) if "e" not in repr(value) else format(value, "f").rstrip("0").rstrip(".")


def to_string(value: Any) -> str:
    """HCL's implicit conversion to string (templates, string-typed arguments)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if value is None:
        raise ConversionError("null value is not allowed")
    raise ConversionError(f"string required, but have {type_name(value)}")


def to_number(value: Any) -> int | float:
    """HCL's implicit conversion to number: numbers pass, numeric strings are parsed."""
    if isinstance(value, bool):
        raise ConversionError("number required, but have bool")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            raise ConversionError(f'a number is required, but have string "{value}"') from None
        if math.isnan(number) or text.lower() in ("inf", "+inf", "-inf", "infinity", "nan"):
            raise ConversionError(f'a number is required, but have string "{value}"')
        return normalize_number(number)
    if value is None:
        raise ConversionError("null value is not allowed")
    raise ConversionError(f"number required, but have {type_name(value)}")


def to_bool(value: Any) -> bool:
    """HCL's implicit conversion to bool: bools pass, "true"/"false" strings are accepted."""
    if isinstance(value, bool):
        return value
    if value == "true":
        return True
    if value == "false":
        return False
    if value is None:
        raise ConversionError("null value is not allowed")
    raise ConversionError(f"bool required, but have {type_name(value)}")


def values_equal(a: Any, b: Any) -> bool:
    """cty equality: no implicit conversion (1 != "1"), structural for collections."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(values_equal(a[k], b[k]) for k in a)
    return a == b


def contains_unknown(value: Any) -> bool:
    """True if the value is, or holds, an unknown value."""
    if value is UNKNOWN:
        return True
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    return False


def unify(a: Any, b: Any) -> tuple[Any, Any]:
    """The two results of a conditional converted to a common type, as HCL does (number/bool + string -> string)."""
    if a is None or b is None or a is UNKNOWN or b is UNKNOWN:
        return a, b
    if isinstance(a, str) and isinstance(b, (int, float, bool)):
        return a, to_string(b)
    if isinstance(b, str) and isinstance(a, (int, float, bool)):
        return to_string(a), b
    return a, b


def iteration_pairs(collection: Any) -> list[tuple[Any, Any]] | None:
    """(key, value) pairs as cty iterates a collection: maps by sorted key, lists by index, sets as (value, value).

    None when the value is not iterable.
    """
    if isinstance(collection, dict):
        return [(k, collection[k]) for k in sorted(collection)]
    if isinstance(collection, list):
        from jobguard.jobspec.functions.types import CtySet

        if isinstance(collection, CtySet):
            return [(v, v) for v in collection]
        return list(enumerate(collection))
    return None
