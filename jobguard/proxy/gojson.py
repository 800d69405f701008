"""Read request bodies the way Nomad's Go JSON decoder does, so that what jobguard checks is what Nomad sees.

Nomad's agent decodes every request body with ``json.NewDecoder(body).Decode(&args)`` (Go's ``encoding/json``).
A guardrail that reads JSON any other way can be shown one request and have Nomad act on another, so this module
reproduces the rules that decide *which value lands in which field*:

* **keys** match struct fields by exact name, else by Unicode simple folding (``bytes.EqualFold``): ``namespace``,
  ``NAMESPACE`` and ``Nameſpace`` (U+017F) all set ``Namespace``; the **last** matching key wins. Map keys (``Meta``,
  ``Target``, task ``Config``) are never folded;
* a key that repeats with an **object** is decoded into the value already there: structs and maps *merge*;
  ``null`` clears pointers, maps and slices and leaves strings, numbers and booleans as they were;
* **strings**: each byte of invalid UTF-8 becomes U+FFFD, and so does an escaped lone surrogate (``\\ud800``);
* only the **first** JSON value is read; bytes after it are ignored (``Decoder.Decode`` never looks at them);
* **numbers** must fit their field (no ``1.0`` or ``"1"`` for an integer, nothing beyond float64 anywhere), and a
  value of the wrong JSON type fails the whole request: Go keeps decoding, then returns the first such error,
  which Nomad answers with 400.

:func:`decode` gives Python values (objects as :class:`GoObject`, which remembers every key in order);
:func:`decode_struct` then applies a :class:`Struct` description of a Nomad request type to them.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field as dc_field
from typing import Any

from jobguard.jobspec.api.gofold import fold_name

__all__ = ["BodyError", "GoObject", "GoFloat", "Field", "Struct", "decode", "decode_struct", "decompress", "encode",
           "encode_struct", "field", "fold_name", "json_kind"]

_WHITESPACE = " \t\n\r"  # JSON whitespace, the only bytes Go skips around values
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_INVALID_BYTE = re.compile("[\udc80-\udcff]")  # what ``surrogateescape`` makes of bytes that are not UTF-8


class BodyError(ValueError):
    """A request body Nomad could not decode either (answered 400), or one larger than the limit (413)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class GoObject(dict):
    """A decoded JSON object that remembers every key/value pair in order (repeated keys included).

    As a ``dict`` it holds the last value of each exact key; Go's rules need ``pairs``.
    """

    pairs: list[tuple[str, Any]]

    @classmethod
    def of(cls, pairs: list[tuple[str, Any]]) -> GoObject:
        obj = cls(pairs)
        obj.pairs = pairs
        return obj


class GoFloat(float):
    """A JSON number written with a fraction or an exponent; keeps its literal, which Go quotes in its errors."""

    literal: str

    def __repr__(self) -> str:
        return self.literal


def _parse_float(literal: str) -> GoFloat:
    value = GoFloat(literal)
    if math.isinf(value):  # Go's strconv.ParseFloat refuses it for every target type
        raise ValueError(f"json: cannot unmarshal number {literal} into Go value of type float64")
    value.literal = literal
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid character {name[0]!r} looking for beginning of value")


_DECODER = json.JSONDecoder(object_pairs_hook=GoObject.of, parse_float=_parse_float, parse_constant=_reject_constant)


def go_text(raw: bytes) -> str:
    """Bytes as Go's decoder reads strings: every byte that is not part of valid UTF-8 becomes U+FFFD."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _INVALID_BYTE.sub("\ufffd", raw.decode("utf-8", "surrogateescape"))


def decode(raw: bytes) -> Any:
    """The first JSON value of ``raw``, decoded like Go; raises :class:`BodyError` (400) where Go fails."""
    if not raw:
        raise BodyError("Request body is empty")
    text = go_text(raw)
    start = 0
    while start < len(text) and text[start] in _WHITESPACE:
        start += 1
    if start == len(text):
        raise BodyError("Failed to decode request body: EOF")
    try:
        value, end = _DECODER.raw_decode(text, start)
    except RecursionError:
        raise BodyError("Failed to decode request body: exceeded max depth") from None
    except ValueError as exc:  # JSONDecodeError (with line and column), a number out of range, NaN...
        raise BodyError(f"Failed to decode request body: {exc}") from None
    if not isinstance(value, (dict, list)) and end < len(text) and text[end] not in _WHITESPACE:
        # Go ends a top-level scalar only on the byte after it, which must be a space (objects end at "}")
        raise BodyError(f"Failed to decode request body: invalid character {text[end]!r} after top-level value")
    if _ESCAPED_SURROGATE.search(text, start):
        value = _replace_surrogates(value)
    return value


def _replace_surrogates(value: Any) -> Any:
    """Go turns an escaped surrogate that is not half of a valid pair into U+FFFD; Python's json keeps it."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_surrogates(v) for v in value]
    if isinstance(value, GoObject):
        return GoObject.of([(_replace_surrogates(k), _replace_surrogates(v)) for k, v in value.pairs])
    return value


def encode(value: Any) -> str:
    """JSON text for a decoded value, objects written from their ``pairs`` (repeated keys and their order kept),
    so that Go reads it exactly as it read the original."""
    if isinstance(value, GoObject):
        return "{" + ",".join(f"{json.dumps(k)}:{encode(v)}" for k, v in value.pairs) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{encode(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def field(obj: Any, name: str, default: Any = None) -> Any:
    """The value Go would put into struct field ``name`` (ASCII): the last key that folds to it.

    A plain lookup, without Go's merging of repeated objects; request fields go through :func:`decode_struct`.
    """
    if not isinstance(obj, dict):
        return default
    wanted = fold_name(name)
    found = default
    for key, value in getattr(obj, "pairs", None) or obj.items():
        if key == name or fold_name(key) == wanted:
            found = value
    return found


_JSON_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "bool"), ((int, float), "number"), (str, "string"), (list, "array"), (dict, "object"))


def json_kind(value: Any) -> str:
    """The JSON kind Go names in ``cannot unmarshal <kind> into ...`` (bool before number: a bool is an int)."""
    return next((kind for types, kind in _JSON_KINDS if isinstance(value, types)), "null")


# ---------------------------------------------------------------------------- typed structs
@dataclass(frozen=True)
class Field:
    """One field of a Go struct, by the JSON decoding rules of its Go type.

    ``kind``: ``string``, ``bool``, ``int``/``uint`` (``bits`` wide), ``map_string`` (map[string]string),
    ``map_any`` (map[string]interface{}), ``bytes`` ([]byte, base64 in JSON), ``struct`` (pointer to ``struct``),
    ``object`` (pointer to a struct decoded elsewhere: the merged :class:`GoObject` is kept, e.g. the job).
    ``pointer``: null sets None (Go's nil) instead of leaving the value alone.
    """

    name: str
    kind: str
    bits: int = 64
    pointer: bool = False
    go_type: str = ""
    struct: Struct | None = None

    def zero(self) -> Any:
        if self.pointer or self.kind in ("map_string", "map_any", "bytes", "struct", "object"):
            return None
        return {"string": "", "bool": False, "int": 0, "uint": 0}[self.kind]

    @property
    def type_name(self) -> str:
        """The Go type named in errors (Go names the pointee of a pointer)."""
        if self.go_type:
            return self.go_type
        if self.kind in ("int", "uint"):
            return f"{self.kind}{self.bits}" if self.bits != 64 or self.kind == "uint" else "int64"
        return {"string": "string", "bool": "bool", "map_string": "map[string]string",
                "map_any": "map[string]interface {}", "bytes": "[]uint8"}.get(self.kind, self.kind)


@dataclass(frozen=True)
class Struct:
    """A Go struct type: ``name`` as Go's errors print it in field paths, ``go_name`` with its package."""

    name: str
    go_name: str
    fields: tuple[Field, ...]
    by_name: dict[str, Field] = dc_field(init=False, repr=False, compare=False)
    by_fold: dict[str, Field] = dc_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})
        object.__setattr__(self, "by_fold", {fold_name(f.name): f for f in self.fields})

    def lookup(self, key: str) -> Field | None:
        """Go's field match: the exact name, else the folded one."""
        return self.by_name.get(key) or self.by_fold.get(fold_name(key))


class _StructDecoder:
    """Decodes Python JSON values into field dicts; keeps Go's first error, like ``Decoder.Decode``."""

    def __init__(self) -> None:
        self.error: str | None = None

    def fail(self, message: str) -> None:
        if self.error is None:
            self.error = message

    def type_error(self, what: str, struct: Struct, path: list[str], go_type: str) -> None:
        self.fail(f"json: cannot unmarshal {what} into Go struct field {struct.name}.{'.'.join(path)} "
                  f"of type {go_type}")

    def struct(self, value: GoObject | dict, spec: Struct, into: dict[str, Any] | None, path: list[str],
               owner: Struct | None = None) -> dict[str, Any]:
        out = into if into is not None else {f.name: f.zero() for f in spec.fields}
        for key, item in getattr(value, "pairs", None) or value.items():
            f = spec.lookup(key)
            if f is not None:
                out[f.name] = self.value(f, item, out[f.name], owner or spec, path + [f.name])
        return out

    def value(self, f: Field, item: Any, current: Any, owner: Struct, path: list[str]) -> Any:
        if item is None:
            return None if f.zero() is None else current
        kind = f.kind
        if kind == "object":
            if not isinstance(item, dict):
                self.type_error(json_kind(item), owner, path, f.type_name)
                return current
            pairs = list(getattr(item, "pairs", None) or item.items())
            return GoObject.of((current.pairs if current is not None else []) + pairs)
        if kind == "struct":
            if not isinstance(item, dict):
                self.type_error(json_kind(item), owner, path, f.type_name)
                return current
            assert f.struct is not None
            return self.struct(item, f.struct, current, path, owner)
        if kind in ("map_string", "map_any"):
            if not isinstance(item, dict):
                self.type_error(json_kind(item), owner, path, f.type_name)
                return current
            out = current if current is not None else {}
            for key, element in getattr(item, "pairs", None) or item.items():
                if kind == "map_any":
                    out[key] = element
                elif element is None or isinstance(element, str):
                    out[key] = element or ""  # Go stores the zero string for null
                else:
                    self.type_error(json_kind(element), owner, path + [key], "string")
                    out[key] = ""
            return out
        if kind == "string":
            if isinstance(item, str):
                return item
        elif kind == "bool":
            if isinstance(item, bool):
                return item
        elif kind == "bytes":
            if isinstance(item, str):
                return self.base64(item, current)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            return self.integer(f, item, current, owner, path)
        self.type_error(json_kind(item), owner, path, f.type_name)
        return current

    def integer(self, f: Field, item: int | float, current: Any, owner: Struct, path: list[str]) -> Any:
        lo, hi = (0, 1 << f.bits) if f.kind == "uint" else (-(1 << (f.bits - 1)), 1 << (f.bits - 1))
        if isinstance(item, int) and lo <= item < hi:
            return item
        self.type_error(f"number {item!r}", owner, path, f.type_name)
        return current

    def base64(self, text: str, current: Any) -> Any:
        """``[]byte`` fields: standard base64 with padding; Go skips ``\\r`` and ``\\n`` anywhere."""
        cleaned = text.replace("\r", "").replace("\n", "")
        try:
            return base64.b64decode(cleaned, validate=True)
        except (binascii.Error, ValueError):
            bad = next((i for i, ch in enumerate(cleaned)
                        if not (ch.isascii() and (ch.isalnum() or ch in "+/="))), len(cleaned))
            self.fail(f"illegal base64 data at input byte {bad}")
            return current


def decode_struct(value: Any, spec: Struct) -> dict[str, Any]:
    """``value`` (from :func:`decode`) as Go decodes it into ``spec``: a dict of every field (zero values for
    absent ones). Raises :class:`BodyError` with Go's first error, as Nomad answers it (400)."""
    if value is None:  # a JSON null body leaves the request struct at its zero value
        return {f.name: f.zero() for f in spec.fields}
    if not isinstance(value, dict):
        raise BodyError(f"json: cannot unmarshal {json_kind(value)} into Go value of type {spec.go_name}")
    decoder = _StructDecoder()
    out = decoder.struct(value, spec, None, [])
    if decoder.error:
        raise BodyError(decoder.error)
    return out


def encode_struct(values: dict[str, Any], spec: Struct, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Field values back to JSON-ready data under their canonical names (what the proxy forwards): one key per
    field, no spelling for Go to fold, nothing for a second decoder to read differently."""
    out: dict[str, Any] = {}
    for f in spec.fields:
        if f.name in skip:
            continue
        value = values.get(f.name, f.zero())
        if f.kind == "bytes" and value is not None:
            value = base64.b64encode(value).decode()
        elif f.kind == "struct" and value is not None:
            assert f.struct is not None
            value = encode_struct(value, f.struct)
        out[f.name] = value
    return out


# ---------------------------------------------------------------------------- transfer encodings
def decompress(raw: bytes, encoding: str, limit: int) -> bytes:
    """Undo ``Content-Encoding`` (gzip/deflate) with a bound on the output size (no zip bombs)."""
    encoding = (encoding or "").strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise BodyError(f"unsupported Content-Encoding {encoding!r}", status=415)
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        out = inflater.decompress(raw, limit + 1)
        if len(out) > limit or inflater.unconsumed_tail:
            raise BodyError(f"request body exceeds {limit} bytes once decompressed", status=413)
        return out + inflater.flush()
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise BodyError(f"Failed to decompress request body: {exc}") from None
