"""cty value equality and the iteration order of cty sets.

Why: a set in the value model is a Python list "in cty's set order", and that order shows in output
(``setunion``, ``fileset``, ``set(...)`` conversions, ``for_each``). cty orders sets of strings lexically, of
numbers numerically, of bools false-first; any other element type by comparing the bytes of a textual rendering of
each element (the text cty also hashes), which is reproduced here.
"""

from __future__ import annotations

from typing import Any

from jobguard.jobspec.functions.numbers import float_text, is_number


def values_equal(a: Any, b: Any) -> bool:
    """cty ``Value.Equals`` for known values: nulls are equal to each other, otherwise the *types* must be equal
    (a list is never equal to a tuple, a map never to an object) and then the values, deeply."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (list, dict)) or isinstance(b, (list, dict)):
        from jobguard.jobspec.functions.types import type_of

        if type_of(a) != type_of(b):
            return False
    return _equal_values(a, b)


def _equal_values(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) or is_number(b):
        return is_number(a) and is_number(b) and a == b
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal_values(x, y) for x, y in zip(a, b, strict=False))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal_values(a[k], b[k]) for k in a)
    return False


def go_quote(text: str) -> str:
    """Go ``strconv.Quote``: double-quoted with Go escapes; printable non-ASCII stays literal."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch.isprintable() and code != 0x7F:
            out.append(ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif code < 0x80:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _hash_text(value: Any, buf: list[str]) -> None:
    """cty ``appendSetHashBytes``: maps ``{k:v;}``, lists/sets ``[v;]``, objects/tuples ``<v;>`` (no names)."""
    from jobguard.jobspec.functions.types import CtyList, CtyMap

    if value is None:
        buf.append("~")
    elif isinstance(value, bool):
        buf.append("T" if value else "F")
    elif is_number(value):
        buf.append(float_text(value, "g", 10))
    elif isinstance(value, str):
        buf.append(go_quote(value))
    elif isinstance(value, CtyMap):
        buf.append("{")
        for k in sorted(value, key=_utf8):
            buf.append(go_quote(k) + ":")
            _hash_text(value[k], buf)
            buf.append(";")
        buf.append("}")
    elif isinstance(value, dict):
        buf.append("<")
        for k in sorted(value, key=_utf8):
            _hash_text(value[k], buf)
            buf.append(";")
        buf.append(">")
    elif isinstance(value, list):
        open_, close = ("[", "]") if isinstance(value, CtyList) else ("<", ">")
        buf.append(open_)
        for v in value:
            _hash_text(v, buf)
            buf.append(";")
        buf.append(close)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def set_hash_bytes(value: Any) -> bytes:
    """cty ``makeSetHashBytes``: the text cty hashes a set element by, and orders non-primitive elements by."""
    buf: list[str] = []
    _hash_text(value, buf)
    return _utf8("".join(buf))


def order_set(values: list[Any]) -> list[Any]:
    """Sort already-unique values into cty's set iteration order (``setRules.Less``)."""
    if not values:
        return []
    nonnull = [v for v in values if v is not None]
    nulls = [v for v in values if v is None]
    if nonnull and all(isinstance(v, str) for v in nonnull):
        return sorted(nonnull, key=lambda s: s.encode("utf-8")) + nulls
    if nonnull and all(is_number(v) for v in nonnull):
        return sorted(nonnull) + nulls
    if nonnull and all(isinstance(v, bool) for v in nonnull):
        return sorted(nonnull) + nulls
    # cty's setRules.Less: no natural order, so compare the hash bytes
    return sorted(values, key=set_hash_bytes)


def make_set(values: list[Any], element_type: Any = None) -> list[Any]:
    """A cty set built from ``values`` (already converted to one element type): unique, in cty's order."""
    return order_set(unique_values(values))


def unique_values(values: list[Any]) -> list[Any]:
    """``values`` without repeats (the first of equal values stays), in linear time: comparing every pair would
    let a job file with a few thousand elements spend minutes here."""
    seen: set[Any] = set()
    unique: list[Any] = []
    for v in values:
        key = value_key(v)
        if key not in seen:
            seen.add(key)
            unique.append(v)
    return unique


def value_key(value: Any) -> Any:
    """A hashable key with ``value_key(a) == value_key(b)`` exactly when :func:`values_equal` holds: the type for
    collections (a list never equals a tuple), then the structure the way :func:`_equal_values` compares it."""
    if isinstance(value, (list, dict)):
        from jobguard.jobspec.functions.types import type_of

        return ("value", type_of(value), _structure(value))
    return _structure(value)


def _structure(value: Any) -> Any:
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if is_number(value):
        return ("number", value)  # 1 == 1.0, and so are their hashes
    if isinstance(value, str):
        return ("string", value)
    if isinstance(value, list):
        return ("list", tuple(_structure(v) for v in value))
    if isinstance(value, dict):
        return ("map", tuple(sorted((k, _structure(v)) for k, v in value.items())))
    return ("other", id(value))
