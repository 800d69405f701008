"""Read request bodies the way Nomad's Go JSON decoder does, so that what jobguard checks is what Nomad sees.

Go's ``encoding/json`` matches object keys to struct fields case-insensitively and the last matching key wins:
``{"Job": good, "job": bad}`` registers ``bad``. A Python ``dict`` lookup of ``"Job"`` would see ``good``.
:func:`field` reproduces Go's rule over the original key order; :func:`decode` keeps that order.
"""

from __future__ import annotations

import gzip
import json
import zlib
from typing import Any


class BodyError(ValueError):
    """A request body Nomad could not decode either (answered 400), or one larger than the limit (413)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class GoObject(dict):
    """A decoded JSON object that remembers every key/value pair in order (duplicates included)."""

    pairs: list[tuple[str, Any]]


def _hook(pairs: list[tuple[str, Any]]) -> GoObject:
    obj = GoObject(pairs)
    obj.pairs = pairs
    return obj


def decode(raw: bytes) -> Any:
    """Decode a JSON body; objects become :class:`GoObject`. Raises :class:`BodyError` like Nomad's 400."""
    try:
        text = raw.decode("utf-8", errors="replace")
        return json.loads(text, object_pairs_hook=_hook, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise BodyError(f"Failed to decode request body: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid character {name[0]!r} looking for beginning of value")


def field(obj: Any, name: str, default: Any = None) -> Any:
    """The value Go would put into struct field ``name``: last key equal to it ignoring case."""
    if not isinstance(obj, dict):
        return default
    pairs = getattr(obj, "pairs", None) or list(obj.items())
    lowered = name.lower()
    found = default
    for key, value in pairs:
        if key.lower() == lowered:
            found = value
    return found


def has_field(obj: Any, name: str) -> bool:
    sentinel = object()
    return field(obj, name, sentinel) is not sentinel


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
