"""String functions from cty's stdlib (string.go, string_replace.go), with Go's ``strings`` package semantics.

Note Nomad's quirk, kept on purpose: both ``reverse`` and ``strrev`` are cty's *string* ``ReverseFunc``.
"""

from __future__ import annotations

from jobguard.jobspec.functions.goregexp import GoRegexpError, compile_go, replace_all
from jobguard.jobspec.functions.graphemes import grapheme_len, graphemes
from jobguard.jobspec.functions.numbers import to_int
from jobguard.jobspec.functions.spec import Param, arg_fail, fail, register
from jobguard.jobspec.functions.types import NUMBER, STRING, ListType
from jobguard.jobspec.limits import MAX_STRING_LENGTH, check_string_length

S = STRING
_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
                      "\u2028\u2029\u202f\u205f\u3000")


def _simple_case(text: str, upper: bool) -> str:
    """Go ``strings.ToUpper``/``ToLower``: per-rune *simple* case mapping (``ß`` stays ``ß``).

    Python only offers the full mappings; where a full mapping has several characters, Go's simple mapping is
    the titlecase form when that is one character (``ᾀ`` -> ``ᾈ``), ``i`` for ``İ`` (its only multi-character
    lowercase), and otherwise the character itself.
    """
    if text.isascii():
        return text.upper() if upper else text.lower()
    out = []
    for ch in text:
        mapped = ch.upper() if upper else ch.lower()
        if len(mapped) != 1:
            mapped = ch.title() if upper else mapped[0]
            if len(mapped) != 1:
                mapped = ch
        out.append(mapped)
    return "".join(out)


@register("upper", [Param("str", S)])
def upper(s: str) -> str:
    return _simple_case(s, True)


@register("lower", [Param("str", S)])
def lower(s: str) -> str:
    return _simple_case(s, False)


@register(("strrev", "reverse"), [Param("str", S)])
def strrev(s: str) -> str:
    return "".join(reversed(graphemes(s)))


@register("strlen", [Param("str", S)])
def strlen(s: str) -> int:
    return grapheme_len(s)


def _int_arg(value: int | float) -> int:
    try:
        return to_int(value)
    except ValueError as exc:
        raise fail(str(exc)) from None


@register("substr", [Param("str", S), Param("offset", NUMBER), Param("length", NUMBER)])
def substr(s: str, offset: int | float, length: int | float) -> str:
    off = _int_arg(offset)
    ln = _int_arg(length)
    clusters = graphemes(s)
    if off < 0:
        off += len(clusters)
    elif ln == 0:
        return ""
    start = 0
    if off > 0:
        if off > len(clusters):
            return ""
        start = off
    rest = clusters[start:]
    if ln < 0:
        return "".join(rest)
    # cty counts clusters until it reaches the length; a zero length (possible only with a negative offset) is
    # never reached, so cty returns the whole rest.
    return "".join(rest[:ln] if ln > 0 else rest)


@register("join", [Param("separator", S)], var_param=Param("lists", ListType(S)))
def join(sep: str, *lists: list) -> str:
    if not lists:
        raise fail("at least one list is required")
    items: list[str] = []
    for ai, lst in enumerate(lists):
        for ei, val in enumerate(lst):
            if val is None:
                if len(lists) > 1:
                    raise arg_fail(ai + 1, f"element {ei} of list {ai + 1} is null; cannot concatenate null values")
                raise arg_fail(ai + 1, f"element {ei} is null; cannot concatenate null values")
            items.append(val)
    check_string_length(sum(map(len, items)) + len(sep) * max(len(items) - 1, 0))
    return sep.join(items)


@register("sort", [Param("list", ListType(S))])
def sort(lst: list) -> list:
    for i, v in enumerate(lst):
        if v is None:
            raise fail(f"given list element {i} is null; a null string cannot be sorted")
    return sorted(lst, key=lambda v: v.encode("utf-8", "surrogatepass"))


@register("split", [Param("separator", S), Param("str", S)])
def split(sep: str, s: str) -> list:
    if sep == "":
        return list(s)
    return s.split(sep)


@register("chomp", [Param("str", S)])
def chomp(s: str) -> str:
    return s.rstrip("\r\n")


@register("indent", [Param("spaces", NUMBER), Param("str", S)])
def indent(spaces: int | float, s: str) -> str:
    n = _int_arg(spaces)
    if n < 0:
        raise fail("panic in function implementation: strings: negative Repeat count")
    check_string_length(len(s) + s.count("\n") * n)
    return s.replace("\n", "\n" + " " * n)


def _go_is_separator(ch: str) -> bool:
    """Go ``strings.isSeparator`` (used by the deprecated ``strings.Title``)."""
    if ch.isascii():
        return not (ch.isalnum() or ch == "_")
    if ch.isalpha() or ch.isdigit():
        return False
    return ch in _GO_SPACE


@register("title", [Param("str", S)])
def title(s: str) -> str:
    out = []
    prev = " "
    for ch in s:
        if _go_is_separator(prev):
            mapped = ch.title() if len(ch.title()) == 1 else ch
            out.append(mapped)
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


@register("trimspace", [Param("str", S)])
def trimspace(s: str) -> str:
    start, end = 0, len(s)
    while start < end and s[start] in _GO_SPACE:
        start += 1
    while end > start and s[end - 1] in _GO_SPACE:
        end -= 1
    return s[start:end]


@register("trim", [Param("str", S), Param("cutset", S)])
def trim(s: str, cutset: str) -> str:
    return s.strip(cutset) if cutset else s


@register("trimprefix", [Param("str", S), Param("prefix", S)])
def trimprefix(s: str, prefix: str) -> str:
    return s[len(prefix):] if prefix and s.startswith(prefix) else s


@register("trimsuffix", [Param("str", S), Param("suffix", S)])
def trimsuffix(s: str, suffix: str) -> str:
    return s[: len(s) - len(suffix)] if suffix and s.endswith(suffix) else s


@register("replace", [Param("str", S), Param("substr", S), Param("replace", S)])
def replace(s: str, substr: str, repl: str) -> str:
    if substr == "":
        # Go strings.Replace with an empty old string inserts at every rune boundary.
        check_string_length(len(s) + (len(s) + 1) * len(repl))
        return repl + repl.join(s) + repl if s else repl
    if len(repl) > len(substr):
        check_string_length(len(s) + s.count(substr) * (len(repl) - len(substr)))
    return s.replace(substr, repl)


@register("regex_replace", [Param("str", S), Param("substr", S), Param("replace", S)])
def regex_replace(s: str, pattern: str, repl: str) -> str:
    try:
        compiled = compile_go(pattern)
    except GoRegexpError as exc:
        raise fail(str(exc)) from None
    _check_regex_growth(compiled, s, repl)
    return replace_all(compiled, s, repl)


def _check_regex_growth(compiled: object, s: str, repl: str) -> None:
    """Refuse a replacement whose result would pass the string limit, before building it. The worst case (every
    position matches, every ``$n`` repeats all of ``s``) is usually far below; only when it is not are the
    matches counted."""
    refs = repl.count("$")
    per_match = len(repl) + refs * len(s)
    if len(s) + (len(s) + 1) * per_match <= MAX_STRING_LENGTH:
        return
    finditer = getattr(compiled, "finditer", None)
    if finditer is None:  # an engine without finditer: the result-size check after the call still applies
        return
    matches = 0
    for _ in finditer(s):
        matches += 1
    check_string_length(len(s) + matches * per_match)
