"""The ``strings`` import (Sentinel's string helpers, by the same names).

Every function takes the common case (string arguments) first, without further checks: these run once per task
per policy in the admission path. ``undefined`` in gives ``undefined`` out; other types are a TypeError, which the
policy sees as a runtime error at the call.
"""

from __future__ import annotations

from typing import Any

from jobguard.lang.imports.module import ImportModule, need
from jobguard.lang.values import UNDEFINED

NAME = "strings"


def _strings(*pairs: tuple[str, Any]) -> bool:
    """Validate arguments after the fast path missed: True if any is undefined (the result is undefined)."""
    if any(v is UNDEFINED for _, v in pairs):
        return True
    for name, v in pairs:
        need(name, v, str)
    return False


def has_prefix(s, prefix):
    if type(s) is str and type(prefix) is str:
        return s.startswith(prefix)
    return UNDEFINED if _strings(("s", s), ("prefix", prefix)) else None


def has_suffix(s, suffix):
    if type(s) is str and type(suffix) is str:
        return s.endswith(suffix)
    return UNDEFINED if _strings(("s", s), ("suffix", suffix)) else None


def join(items, sep):
    if items is UNDEFINED or sep is UNDEFINED:
        return UNDEFINED
    need("list", items, list)
    need("separator", sep, str)
    for x in items:
        need("list element", x, str)
    return sep.join(items)


def split(s, sep):
    if type(s) is str and type(sep) is str:
        return s.split(sep) if sep else list(s)
    return UNDEFINED if _strings(("s", s), ("separator", sep)) else None


def trim_prefix(s, prefix):
    if type(s) is str and type(prefix) is str:
        return s[len(prefix):] if prefix and s.startswith(prefix) else s
    return UNDEFINED if _strings(("s", s), ("prefix", prefix)) else None


def trim_suffix(s, suffix):
    if type(s) is str and type(suffix) is str:
        return s[:-len(suffix)] if suffix and s.endswith(suffix) else s
    return UNDEFINED if _strings(("s", s), ("suffix", suffix)) else None


def trim_space(s):
    if type(s) is str:
        return s.strip()
    return UNDEFINED if _strings(("s", s)) else None


def trim(s, cutset):
    if type(s) is str and type(cutset) is str:
        return s.strip(cutset)
    return UNDEFINED if _strings(("s", s), ("cutset", cutset)) else None


def trim_left(s, cutset):
    if type(s) is str and type(cutset) is str:
        return s.lstrip(cutset)
    return UNDEFINED if _strings(("s", s), ("cutset", cutset)) else None


def trim_right(s, cutset):
    if type(s) is str and type(cutset) is str:
        return s.rstrip(cutset)
    return UNDEFINED if _strings(("s", s), ("cutset", cutset)) else None


def to_lower(s):
    if type(s) is str:
        return s.lower()
    return UNDEFINED if _strings(("s", s)) else None


def to_upper(s):
    if type(s) is str:
        return s.upper()
    return UNDEFINED if _strings(("s", s)) else None


def replace(s, old, new, n):
    if UNDEFINED in (s, old, new, n):
        return UNDEFINED
    _strings(("s", s), ("old", old), ("new", new))
    count = need("n", n, int)
    return s.replace(old, new, count if count >= 0 else -1)


def index(s, sub):
    if type(s) is str and type(sub) is str:
        return s.find(sub)
    return UNDEFINED if _strings(("s", s), ("substr", sub)) else None


def _build() -> ImportModule:
    funcs = [has_prefix, has_suffix, join, split, trim_prefix, trim_suffix, trim_space, trim, trim_left,
             trim_right, to_lower, to_upper, replace, index]
    return ImportModule({f.__name__: f for f in funcs})


_SHARED = _build()


def module() -> ImportModule:
    """The module (stateless, so one shared instance serves every evaluation)."""
    return _SHARED
