"""Go regular expressions (RE2 syntax) on a linear-time engine: the one place that compiles a pattern a user or a
job supplies.

Why: Python's ``re`` backtracks, so a pattern such as ``^([a-z0-9]+[-.]?)+$`` takes exponential time on a
near-miss subject, and one job can freeze the admission proxy. RE2 (the ``google-re2`` wheel) matches in time
linear in the subject, and its syntax is the one Go's ``regexp`` package (a port of RE2) accepts: the dialect of
Sentinel's ``matches`` and of Nomad's HCL ``regex_replace``. That removes the translation Python needed (``\\z``,
``$`` at the end of text only, ``(?<name>)``, ASCII ``\\d``/``\\w``/``\\s``, ``\\pL``, POSIX classes, ``x{,3}``
as a literal). What C++ RE2 still does differently from Go is handled here:

* ``\\C`` (any byte) and capture names outside ``[A-Za-z0-9_]`` are accepted by RE2 and rejected by Go;
* error texts are Go's (``error parsing regexp: missing closing ): `(a```), not RE2's;
* RE2 works on UTF-8: a Python string with a lone surrogate (possible from JSON) is matched with U+FFFD in its
  place, as Go sees invalid UTF-8.

Patterns are compiled once (a small LRU cache: each compiled pattern may hold up to ``MAX_MEM`` of automaton).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2

__all__ = ["GoRegex", "GoRegexError", "compile_go", "quote_meta", "utf8"]

MAX_MEM = 8 << 20  # RE2's default program/DFA budget per pattern; Go accepts patterns this large (e.g. \pL{100})
_CACHE_SIZE = 64

# RE2's error code (the text before ": ") -> Go's regexp/syntax ErrorCode text
_GO_CODES = {
    "invalid escape sequence": "invalid escape sequence",
    "invalid character class": "invalid character class",
    "invalid character class range": "invalid character class range",
    "missing ]": "missing closing ]",
    "missing )": "missing closing )",
    "unexpected )": "unexpected )",
    "trailing \\": "trailing backslash at end of expression",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid UTF-8": "invalid UTF-8",
    "invalid named capture group": "invalid named capture",
    "pattern too large - compile failed": "expression too large",
}


class GoRegexError(ValueError):
    """A pattern Go's regexp package would reject. ``str()`` is Go's message; ``code`` and ``fragment`` its parts."""

    def __init__(self, code: str, fragment: str):
        self.code = code
        self.fragment = fragment
        super().__init__(f"error parsing regexp: {code}: `{fragment}`")


def _options(capture: bool) -> re2.Options:
    opts = re2.Options()
    opts.log_errors = False  # RE2 would print every rejected pattern to stderr
    opts.max_mem = MAX_MEM
    opts.never_capture = not capture
    return opts


_CAPTURING = _options(True)
_TEST_ONLY = _options(False)  # "is there a match?" needs no submatches: RE2 answers with its DFA alone
_UNANCHORED = re2._re2.RE2.Anchor.UNANCHORED
_SEEN_TEXT = 256  # subjects up to this length have their answer remembered, up to _SEEN_MAX per pattern
_SEEN_MAX = 512


def utf8(text: str) -> bytes:
    """``text`` as UTF-8, a lone surrogate becoming U+FFFD (what Go's decoders make of invalid UTF-8)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode("utf-8")


def _valid_text(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return utf8(text).decode("utf-8")


class GoRegex:
    """A compiled Go regexp. :meth:`test` is the fast unanchored "does it match anywhere" (Sentinel's ``matches``);
    :meth:`search`, :meth:`match`, :meth:`fullmatch` and :meth:`finditer` give ``re``-like match objects (``group``
    by number or name, ``start``/``end``) for functions that need the matched text."""

    __slots__ = ("pattern", "_test", "_full", "_seen")

    def __init__(self, pattern: str):
        self.pattern = pattern
        self._test: Any = None
        self._full: Any = None
        self._seen: dict[str, bool] = {}

    def test(self, text: str) -> bool:
        """True if the pattern matches somewhere in ``text`` (unanchored, like Go's ``MatchString``).

        Answers for short subjects are remembered (a few hundred per pattern): the admission path asks about the
        same image names and keys job after job, and a call into RE2 costs several times a dict lookup."""
        seen = self._seen.get(text)
        if seen is not None:
            return seen
        found = self._search(text)
        if len(text) <= _SEEN_TEXT:
            if len(self._seen) >= _SEEN_MAX:
                self._seen.clear()
            self._seen[text] = found
        return found

    def _search(self, text: str) -> bool:
        rx = self._test
        if rx is None:
            rx = self._test = re2._re2.RE2(utf8(self.pattern), _TEST_ONLY)
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            data = utf8(text)
        return rx.Match(_UNANCHORED, data, 0, len(data))[0][0] != -1

    @property
    def _regexp(self) -> Any:
        if self._full is None:
            # the class directly, not re2.compile(): that one keeps its own unbounded-memory cache of 128 patterns
            self._full = re2._Regexp(utf8(self.pattern).decode("utf-8"), _CAPTURING)
        return self._full

    def search(self, text: str) -> Any:
        return self._regexp.search(_valid_text(text))

    def match(self, text: str) -> Any:
        return self._regexp.match(_valid_text(text))

    def fullmatch(self, text: str) -> Any:
        return self._regexp.fullmatch(_valid_text(text))

    def sub(self, repl: Any, text: str, count: int = 0) -> str:
        """Replace matches with ``repl(match)`` (a function) or a fixed string (no template expansion)."""
        if not callable(repl):
            fixed = repl
            repl = lambda m: fixed  # noqa: E731 - the wrapper would expand "\1" in a string
        return self._regexp.sub(repl, _valid_text(text), count)

    def finditer(self, text: str) -> Iterator[Any]:
        """Successive non-overlapping matches, as Go's ``FindAllStringIndex`` walks them (an empty match right
        after a previous match is reported; callers that follow Go's ``ReplaceAll`` skip it)."""
        return self._regexp.finditer(_valid_text(text))

    @property
    def groups(self) -> int:
        return self._regexp.groups

    @property
    def groupindex(self) -> dict[str, int]:
        return self._regexp.groupindex

    def __repr__(self) -> str:
        return f"GoRegex({self.pattern!r})"


@lru_cache(maxsize=_CACHE_SIZE)
def compile_go(pattern: str) -> GoRegex:
    """Compile a Go regexp; raises :class:`GoRegexError` (Go's message) for a pattern Go would reject."""
    try:
        raw = pattern.encode("utf-8")
    except UnicodeEncodeError:
        raise GoRegexError("invalid UTF-8", pattern.encode("utf-8", "replace").decode("utf-8")) from None
    _reject_non_go(pattern)
    regex = GoRegex(pattern)
    try:
        regex._test = re2._re2.RE2(raw, _TEST_ONLY)
        if not regex._test.ok():
            raise re2.error(regex._test.error())
    except re2.error as exc:
        raise _go_error(exc, pattern) from None
    return regex


def quote_meta(text: str) -> str:
    """``text`` as a pattern that matches it literally (Go's ``regexp.QuoteMeta``)."""
    return "".join("\\" + c if c in _META else c for c in text)


_META = frozenset("\\.+*?()|[]{}^$")


def _go_error(exc: Exception, pattern: str) -> GoRegexError:
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    code, sep, fragment = str(text).partition(": ")
    if code in _GO_CODES:
        return GoRegexError(_GO_CODES[code], fragment if sep else "")
    if str(text) in _GO_CODES:  # codes RE2 reports without an argument ("trailing \", "pattern too large ...")
        return GoRegexError(_GO_CODES[str(text)], "" if str(text).startswith("trailing") else pattern)
    return GoRegexError(str(text), pattern)


def _reject_non_go(pattern: str) -> None:
    """What C++ RE2 accepts and Go does not: ``\\C`` and capture names other than ``[A-Za-z0-9_]+``."""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            if nxt == "Q":  # \Q...\E is literal text
                end = pattern.find("\\E", i + 2)
                i = n if end == -1 else end + 2
                continue
            if nxt == "C":
                raise GoRegexError("invalid escape sequence", "\\C")
            i += 2
            continue
        if ch == "(" and (pattern.startswith("(?P<", i) or pattern.startswith("(?<", i)):
            start = i + (4 if pattern[i + 2] == "P" else 3)
            end = pattern.find(">", start)
            name = pattern[start:end] if end != -1 else ""
            if end != -1 and not (name and all(c.isascii() and (c.isalnum() or c == "_") for c in name)):
                raise GoRegexError("invalid named capture", pattern[i:end + 1])
        i += 1
