"""The ``strings`` import (Sentinel's string helpers, by the same names).

Semantics follow Sentinel's documentation: ``join`` converts non-string primitives and flattens nested lists,
``replace``'s count is optional (all occurrences), ``split`` passes a list through, ``trim_space`` trims Go's
whitespace set and case mapping is rune by rune as in Go. ``index`` is a jobguard extension (Sentinel has none).

Every function takes the common case (string arguments) first, without further checks: these run once per task
per policy in the admission path. ``undefined`` in gives ``undefined`` out; other types are a TypeError, which the
policy sees as a runtime error at the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobguard.lang.imports._support import exports, named, primitive_text
from jobguard.lang.imports.module import ImportModule, need
from jobguard.lang.sandbox import check_size, size_limit, text_size
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
    fn.__name__ = fn.__qualname__ = f"strings.{name}"
    return fn


def _strings_fn(name: str, arg: str, op: Callable[[str, str], Any]) -> Callable[[Any, Any], Any]:
    """A function of a string and a second string argument named ``arg`` (for error messages)."""
    def fn(s, other):
        if type(s) is str and type(other) is str:
            return op(s, other)
        return UNDEFINED if _strings(("s", s), (arg, other)) else None
    fn.__name__ = fn.__qualname__ = f"strings.{name}"
    return fn


def _trim_prefix(s: str, prefix: str) -> str:
    return s[len(prefix):] if prefix and s.startswith(prefix) else s


def _trim_suffix(s: str, suffix: str) -> str:
    return s[:-len(suffix)] if suffix and s.endswith(suffix) else s


# Go's unicode.IsSpace set (Python's str.strip() also strips U+001C..U+001F, which Go keeps)
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
    "\u2028\u2029\u202f\u205f\u3000"


def _case(convert: Callable[[str], str]) -> Callable[[str], str]:
    """Go maps case rune by rune and never changes a string's rune count ("ß" stays, Python would give "SS")."""
    def op(s: str) -> str:
        if s.isascii():
            return convert(s)
        return "".join(c2 if len(c2 := convert(c)) == 1 else c for c in s)
    return op


has_prefix = _strings_fn("has_prefix", "prefix", str.startswith)
has_suffix = _strings_fn("has_suffix", "suffix", str.endswith)
trim_prefix = _strings_fn("trim_prefix", "prefix", _trim_prefix)
trim_suffix = _strings_fn("trim_suffix", "suffix", _trim_suffix)
trim = _strings_fn("trim", "cutset", str.strip)
trim_left = _strings_fn("trim_left", "cutset", str.lstrip)
trim_right = _strings_fn("trim_right", "cutset", str.rstrip)
index = _strings_fn("index", "substr", str.find)
trim_space = _string_fn("trim_space", lambda s: s.strip(_GO_SPACE))
to_lower = _string_fn("to_lower", _case(str.lower))
to_upper = _string_fn("to_upper", _case(str.upper))


def _flatten_into(items: list, out: list[str], depth: int) -> None:
    """Append the text of each element; nested lists are flattened in order (Sentinel: multi-dimensional lists)."""
    if depth > 100:
        raise ValueError("lists nested too deeply")
    for x in items:
        if type(x) is str:
            out.append(x)
        elif type(x) is list:
            _flatten_into(x, out, depth + 1)
        else:
            out.append(primitive_text(x))


@named("strings.join")
def join(items, sep):
    """``strings.join(a, sep)``: non-string primitives are converted (``1.01`` -> ``"1.01"``), nested lists
    flattened; maps and other complex values are an error."""
    if type(sep) is str and type(items) is list and all(type(x) is str for x in items):
        check_size(sum(map(len, items)) + len(sep) * max(len(items) - 1, 0), "string length")
        return sep.join(items)
    if items is UNDEFINED or sep is UNDEFINED:
        return UNDEFINED
    need("list", items, list)
    need("separator", sep, str)
    text_size(items, size_limit())  # nested lists that share sub-lists could flatten to 2**40 strings
    out: list[str] = []
    _flatten_into(items, out, 0)
    check_size(sum(map(len, out)) + len(sep) * max(len(out) - 1, 0), "string length")
    return sep.join(out)


@named("strings.replace")
def replace(s, old, new, times=-1):
    """``strings.replace(s, old, new[, times])``: at most ``times`` replacements, all of them when it is negative
    or left out; zero replaces nothing."""
    if UNDEFINED in (s, old, new, times):
        return UNDEFINED
    _strings(("s", s), ("old", old), ("new", new))
    count = need("times", times, int)
    hits = len(s) + 1 if not old else s.count(old)
    check_size(len(s) + max(len(new) - len(old), 0) * (hits if count < 0 else min(hits, count)),
               "string length")  # before building: replacing every "a" with 1,000 characters
    return s.replace(old, new, count if count >= 0 else -1)


@named("strings.split")
def split(s, sep):
    """``strings.split(s, sep)``; a list passes through unchanged (so callers need not know which they hold).

    An empty separator splits after each character, as Go's strings.Split does."""
    if type(s) is str and type(sep) is str:
        return s.split(sep) if sep else list(s)
    if type(s) is list:
        return s
    return UNDEFINED if _strings(("s", s), ("separator", sep)) else None


def _build() -> ImportModule:
    funcs = [has_prefix, has_suffix, join, split, trim_prefix, trim_suffix, trim_space, trim, trim_left,
             trim_right, to_lower, to_upper, replace, index]
    return ImportModule(exports(*funcs))


_SHARED = _build()


def module() -> ImportModule:
    """The module (stateless, so one shared instance serves every evaluation)."""
    return _SHARED
