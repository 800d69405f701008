"""Go regexp for the HCL loader: ``regex_replace``'s pattern compilation, replacement templates and matching.

Why: Nomad evaluates ``regex_replace`` with Go's ``regexp`` package. Patterns are compiled by
:mod:`jobguard.goregex` (RE2: Go's syntax, Go's error texts, and linear time, so a job file cannot stall the
loader with a backtracking pattern); this module adds what ``ReplaceAllString`` does on top: ``$1``-style
templates and Go's handling of empty matches.
"""

from __future__ import annotations

import re

from jobguard.goregex import GoRegex, GoRegexError, compile_go

__all__ = ["GoRegexpError", "compile_go", "expand_template", "replace_all"]

GoRegexpError = GoRegexError  # the loader's name for a pattern Go would reject (the message is Go's)


_TEMPLATE_RE = re.compile(r"\$(\$|\{([A-Za-z0-9_]+)\}|([A-Za-z0-9_]+))")


def expand_template(template: str, match) -> str:
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


def replace_all(pattern: GoRegex, text: str, template: str) -> str:
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
