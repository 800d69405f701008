"""Go RE2 regular expressions on top of Python's ``re``: pattern translation, replacement templates, error texts.

Why: ``regex_replace`` compiles its pattern with Go's ``regexp`` package. The common syntax is shared, but ``$``,
``\\z``, ``(?<name>)``, ASCII-only ``\\d``/``\\w``/``\\s``, ``$1``-style templates and the error messages differ.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache


class GoRegexpError(ValueError):
    """A pattern Go's regexp package would reject; the message is Go's."""


_UNSUPPORTED = ("(?=", "(?!", "(?<=", "(?<!", "(?>")


def _translate(pattern: str) -> str:
    out: list[str] = []
    i = 0
    in_class = False
    multiline = False
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= n:
                raise GoRegexpError("error parsing regexp: trailing backslash at end of expression: ``")
            nxt = pattern[i + 1]
            if nxt == "z" and not in_class:
                out.append(r"\Z")
            elif nxt == "Z" or nxt.isdigit() and nxt != "0":
                raise GoRegexpError(f"error parsing regexp: invalid escape sequence: `\\{nxt}`")
            elif nxt in "pP":
                raise GoRegexpError(f"error parsing regexp: invalid character class range: `\\{nxt}`")
            else:
                out.append(ch + nxt)
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "[" and pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                if end != -1:
                    out.append(_POSIX_CLASSES.get(pattern[i + 2:end], pattern[i:end + 2]))
                    i = end + 2
                    continue
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
            if pattern.startswith("]", i + 1):
                out.append(r"\]")
                i += 1
            i += 1
            continue
        if ch == "(" and pattern.startswith("(?", i):
            for bad in _UNSUPPORTED:
                if pattern.startswith(bad, i):
                    raise GoRegexpError(f"error parsing regexp: invalid or unsupported Perl syntax: `{bad}`")
            if pattern.startswith("(?<", i):
                out.append("(?P<")
                i += 3
                continue
            flags = re.match(r"\(\?([imsU-]+)[:)]", pattern[i:])
            if flags and "m" in flags.group(1).split("-")[0]:
                multiline = True
        if ch == "$" and not multiline:
            out.append(r"\Z")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


_POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}


@lru_cache(maxsize=256)
def compile_go(pattern: str) -> re.Pattern[str]:
    """Compile a Go regexp; raises :class:`GoRegexpError` with Go's message when Go would reject it."""
    translated = _translate(pattern)
    try:
        return re.compile(translated, re.ASCII)
    except re.error as exc:
        raise GoRegexpError(_go_message(pattern, exc)) from None


# Python's ``re`` error -> Go's error code and the part of the pattern Go quotes (from the error position).
_GO_ERRORS: tuple[tuple[str, str, Callable[[str, int, str], str]], ...] = (
    ("missing ), unterminated subpattern", "missing closing )", lambda pattern, pos, msg: pattern),
    ("unbalanced parenthesis", "unexpected )", lambda pattern, pos, msg: pattern),
    ("unterminated character set", "missing closing ]", lambda pattern, pos, msg: pattern[pos:]),
    ("nothing to repeat", "missing argument to repetition operator", lambda pattern, pos, msg: pattern[pos:pos + 1]),
    ("multiple repeat", "invalid nested repetition operator",
     lambda pattern, pos, msg: pattern[max(pos - 1, 0):pos + 1]),
    ("bad escape", "invalid escape sequence", lambda pattern, pos, msg: pattern[pos:pos + 2]),
    ("bad character range", "invalid character class range", lambda pattern, pos, msg: msg.split()[-1]),
)


def _go_message(pattern: str, exc: re.error) -> str:
    msg = str(exc.msg)
    pos = exc.pos or 0
    for prefix, code, quoted in _GO_ERRORS:
        if msg.startswith(prefix):
            return f"error parsing regexp: {code}: `{quoted(pattern, pos, msg)}`"
    return f"error parsing regexp: {msg}: `{pattern}`"


_TEMPLATE_RE = re.compile(r"\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def expand_template(template: str, match: re.Match[str]) -> str:
    """Go ``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``; ``$$`` is a literal ``$``; unknown -> empty."""
    def sub(m: re.Match[str]) -> str:
        if m.group(1) == "$":
            return "$"
        name = m.group(2) or m.group(3)
        try:
            value = match.group(int(name)) if name.isdigit() else match.group(name)
        except IndexError:
            return ""
        return value or ""

    return _TEMPLATE_RE.sub(sub, template)


def replace_all(pattern: re.Pattern[str], text: str, template: str) -> str:
    """Go ``Regexp.ReplaceAllString`` (template expansion, empty matches after a match are skipped like Go)."""
    out: list[str] = []
    last = 0
    prev_end = -1
    for m in pattern.finditer(text):
        if m.start() == m.end() and m.start() == prev_end:
            continue
        out.append(text[last:m.start()])
        out.append(expand_template(template, m))
        last = m.end()
        prev_end = m.end()
    out.append(text[last:])
    return "".join(out)
