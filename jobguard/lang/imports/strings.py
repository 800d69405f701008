"""The ``strings`` import (Sentinel's string helpers, by the same names).

Every function takes the common case (string arguments) first, without further checks: these run once per task
per policy in the admission path. ``undefined`` in gives ``undefined`` out; other types are a TypeError, which the
policy sees as a runtime error at the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobguard.lang.imports.module import ImportModule, need
from jobguard.lang.sandbox import check_size
from jobguard.lang.values import UNDEFINED

NAME = "strings"


def _strings(*pairs: tuple[str, Any]) -> bool:
    """Validate arguments after the fast path missed: True if any is undefined (the result is undefined)."""
    if any(v is UNDEFINED for _, v in pairs):
        return True
    for name, v in pairs:
        need(name, v, str)
    return False


def _string_fn(name: str, op: Callable[[str], Any]) -> Callable[[Any], Any]:
    """A function of one string: ``op`` on the fast path, else undefined/TypeError via :func:`_strings`."""
    def fn(s):
        if type(s) is str:
            return op(s)
        return UNDEFINED if _strings(("s", s)) else None
    fn.__name__ = fn.__qualname__ = name
    return fn


def _strings_fn(name: str, arg: str, op: Callable[[str, str], Any]) -> Callable[[Any, Any], Any]:
    """A function of a string and a second string argument named ``arg`` (for error messages)."""
    def fn(s, other):
        if type(s) is str and type(other) is str:
            return op(s, other)
        return UNDEFINED if _strings(("s", s), (arg, other)) else None
    fn.__name__ = fn.__qualname__ = name
    return fn


def _trim_prefix(s: str, prefix: str) -> str:
    return s[len(prefix):] if prefix and s.startswith(prefix) else s


def _trim_suffix(s: str, suffix: str) -> str:
    return s[:-len(suffix)] if suffix and s.endswith(suffix) else s


has_prefix = _strings_fn("has_prefix", "prefix", str.startswith)
has_suffix = _strings_fn("has_suffix", "suffix", str.endswith)
split = _strings_fn("split", "separator", lambda s, sep: s.split(sep) if sep else list(s))
trim_prefix = _strings_fn("trim_prefix", "prefix", _trim_prefix)
trim_suffix = _strings_fn("trim_suffix", "suffix", _trim_suffix)
trim = _strings_fn("trim", "cutset", str.strip)
trim_left = _strings_fn("trim_left", "cutset", str.lstrip)
trim_right = _strings_fn("trim_right", "cutset", str.rstrip)
index = _strings_fn("index", "substr", str.find)
trim_space = _string_fn("trim_space", str.strip)
to_lower = _string_fn("to_lower", str.lower)
to_upper = _string_fn("to_upper", str.upper)


def join(items, sep):
    if items is UNDEFINED or sep is UNDEFINED:
        return UNDEFINED
    need("list", items, list)
    need("separator", sep, str)
    for x in items:
        need("list element", x, str)
    check_size(sum(map(len, items)) + len(sep) * max(len(items) - 1, 0), "string length")
    return sep.join(items)


def replace(s, old, new, n):
    if UNDEFINED in (s, old, new, n):
        return UNDEFINED
    _strings(("s", s), ("old", old), ("new", new))
    count = need("n", n, int)
    hits = len(s) + 1 if not old else s.count(old)
    check_size(len(s) + max(len(new) - len(old), 0) * (hits if count < 0 else min(hits, count)),
               "string length")  # before building: replacing every "a" with 1,000 characters
    return s.replace(old, new, count if count >= 0 else -1)


def _build() -> ImportModule:
    funcs = [has_prefix, has_suffix, join, split, trim_prefix, trim_suffix, trim_space, trim, trim_left,
             trim_right, to_lower, to_upper, replace, index]
    return ImportModule({f.__name__: f for f in funcs})


_SHARED = _build()


def module() -> ImportModule:
    """The module (stateless, so one shared instance serves every evaluation)."""
    return _SHARED
