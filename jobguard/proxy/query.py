"""The request target (path and query string) exactly as Go's ``net/http`` and ``net/url`` give it to Nomad.

Nomad routes on ``req.URL.Path`` and reads parameters with ``req.URL.Query().Get(name)``. Both differ from what
Python's URL libraries make of the same bytes, and each difference is a way to show jobguard one request and have
Nomad act on another (``?namespace=ghost;`` is namespace ``ghost;`` to yarl, nothing to Go). Go's rules:

* the server parses the raw target with ``url.ParseRequestURI``: **no fragment** (``#`` belongs to the path or
  the query), the query starts at the first ``?``, a bad ``%`` escape in the path rejects the whole request (400);
* ``ParseQuery`` splits on ``&`` only; a pair containing ``;`` or a bad ``%`` escape is **dropped**; ``+`` is a
  space; keys are case-sensitive; ``Get`` returns the **first** value, even an empty one (and Nomad treats an
  empty namespace as absent); since Go 1.24.12/1.25.6 more than 10,000 parameters make ``Query()`` **empty**.

:func:`parse_target` applies those rules; :meth:`Target.encode` writes the parsed target back in a canonical form,
which is what the proxy forwards, so Nomad reads exactly what jobguard judged. Bytes that are not UTF-8 are kept
as ``surrogateescape`` characters so that nothing is lost or merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

MAX_PARAMS = 10_000  # Go's default urlmaxqueryparams: one more and newer Go reads no parameter at all
_HEX = frozenset(b"0123456789abcdefABCDEF")
_PATH_SAFE = "/!$&'()*+,;=:@-._~"


class TargetError(ValueError):
    """A request target Go's server refuses (it answers 400 Bad Request), or one Go versions read differently."""


@dataclass(frozen=True)
class Target:
    """A parsed request target: ``path`` decoded as Go's ``URL.Path``; ``params`` the valid query pairs in order."""

    path: str
    params: tuple[tuple[str, str], ...] = field(default=())

    def get(self, name: str) -> str:
        """Go's ``Values.Get``: the first value of ``name``, "" when absent."""
        for key, value in self.params:
            if key == name:
                return value
        return ""

    def encode(self) -> str:
        """The target in canonical form: every byte that could be read two ways percent-encoded, only the
        parameters Go keeps, in their order, so Go parses back exactly ``path`` and ``params``."""
        path = quote(_bytes(self.path), safe=_PATH_SAFE)
        if not self.params:
            return path
        query = "&".join(f"{quote_plus(_bytes(k), safe='')}={quote_plus(_bytes(v), safe='')}" for k, v in self.params)
        return f"{path}?{query}"


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def unescape(raw: bytes, query_component: bool) -> bytes:
    """Go's ``url.unescape`` in path or query-component mode; raises :class:`TargetError` on a bad escape."""
    if b"%" not in raw and not (query_component and b"+" in raw):
        return raw
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == 0x25:  # '%'
            if i + 2 >= len(raw) or raw[i + 1] not in _HEX or raw[i + 2] not in _HEX:
                raise TargetError(f"invalid URL escape {raw[i:i + 3].decode('latin-1')!r}")
            out.append(int(raw[i + 1:i + 3], 16))
            i += 3
            continue
        out.append(0x20 if c == 0x2B and query_component else c)
        i += 1
    return bytes(out)


def parse_query(raw: str) -> tuple[tuple[str, str], ...]:
    """Go's ``url.ParseQuery`` (the pairs it keeps, in order). Raises :class:`TargetError` above
    :data:`MAX_PARAMS`, where Go versions disagree (newer ones read nothing, older ones everything)."""
    if not raw:
        return ()
    if raw.count("&") + 1 > MAX_PARAMS:
        raise TargetError(f"more than {MAX_PARAMS} query parameters")
    pairs = []
    for piece in _bytes(raw).split(b"&"):
        if b";" in piece or not piece:
            continue
        key, _, value = piece.partition(b"=")
        try:
            pairs.append((_text(unescape(key, True)), _text(unescape(value, True))))
        except TargetError:
            continue
    return tuple(pairs)


def _scheme_end(raw: bytes) -> int:
    """Go's ``getScheme``: the index of the ``:`` ending a scheme, or -1 when the target has none."""
    for i, c in enumerate(raw):
        if 0x61 <= c <= 0x7A or 0x41 <= c <= 0x5A:
            continue
        if (0x30 <= c <= 0x39 or c in b"+-.") and i > 0:
            continue
        if c == 0x3A:
            if i == 0:
                raise TargetError("missing protocol scheme")
            return i
        return -1
    return -1


def parse_target(raw_target: str) -> Target:
    """The request target as Go's ``url.ParseRequestURI`` reads it. Raises :class:`TargetError` where Go's
    server answers 400 itself."""
    raw = _bytes(raw_target)
    if any(c < 0x20 or c == 0x7F for c in raw):
        raise TargetError("invalid control character in URL")
    if not raw:
        raise TargetError("empty url")
    if raw == b"*":
        return Target("*")
    colon = _scheme_end(raw)
    scheme, rest = (raw[:colon], raw[colon + 1:]) if colon >= 0 else (b"", raw)
    if rest.endswith(b"?") and rest.count(b"?") == 1:
        rest, query = rest[:-1], b""
    else:
        rest, _, query = rest.partition(b"?")
    if not rest.startswith(b"/"):
        raise TargetError("invalid URI for request")
    if scheme and rest.startswith(b"//"):
        authority, slash, path = rest[2:].partition(b"/")
        unescape(authority, False)  # a bad escape in the host fails the request too
        rest = slash + path
    path = _text(unescape(rest, False))
    return Target(path, parse_query(_text(query)))


__all__ = ["MAX_PARAMS", "Target", "TargetError", "parse_query", "parse_target", "unescape"]
