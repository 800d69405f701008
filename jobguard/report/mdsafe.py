"""Job text made inert in GitHub-flavoured Markdown: step summaries, pull-request comments, anything GitHub renders.

Why: image names, file names, job IDs, suppression reasons and messages built from them come from the pull request
being checked. Rendered raw, ``image = "evil/[click me](https://evil.example/x)*bold*:1.0"`` becomes a live link in
the job summary, ``<img src=...>`` loads a tracking pixel, ``@org/team`` pings people and a ``|`` breaks the table.

Two tools, both for one-line contexts (table cells, list items, headings):

* :func:`text` for prose: control characters shown as ``\\xNN``, line breaks folded into spaces, ``&``, ``<``, ``>``
  as entities, the ASCII punctuation that Markdown syntax starts with backslash-escaped (CommonMark allows escaping
  any of it, so nothing can open emphasis, a link, an image, a heading, a table cell, strikethrough or math; list
  and quote markers only where they would start the text; an escape splits the text where GFM's autolink extension
  would look for ``https://``, ``www.`` or ``user@host``), and a zero-width space
  after ``@`` and ``#`` so GitHub's HTML pipeline sees no ``@mention`` or ``#123`` reference (it runs on the
  rendered text, where backslash escapes are already gone);
* :func:`code` for identifiers (paths, job IDs, rule IDs): a code span, in which GitHub renders nothing (no HTML,
  links, mentions or references); its backtick fence is longer than any backtick run in the value, and in a table
  cell ``|`` is escaped, which GFM's table parser undoes inside code spans.

:func:`truncate_utf8` cuts text to a byte budget on a character boundary (step summaries are limited in bytes).
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x85]")
_BACKTICKS = re.compile(r"`+")
_ESCAPED = frozenset("#$*:@[\\]_`|~")  # always: emphasis, links, code, cells, math, refs and autolinks
_LEADING = frozenset("-+.=!>")  # only where they start the text: lists, thematic breaks, quotes
_ZWSP = "\u200b"


def _plain(value: object) -> str:
    """One line of printable text: breaks become spaces, control and bidi-override characters ``\\xNN``/``\\uNNNN``
    (a Trojan-Source style override could otherwise reorder what a reviewer reads)."""
    flat = _LINE_BREAKS.sub(" ", str(value))
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", flat)


def text(value: object) -> str:
    """``value`` as literal Markdown text: renders as exactly its characters, links, HTML and mentions inert."""
    out: list[str] = []
    plain = _plain(value)
    digits = len(plain) - len(plain.lstrip("0123456789"))
    for index, char in enumerate(plain):
        if index == 0 and char in _LEADING or (char in ".)" and index == digits > 0):
            out.append("\\" + char)  # "- x", "+ x", "1. x", "1) x", "> x" would open a list or a quote
        elif char == "." and plain[max(index - 3, 0):index].lower() == "www":
            out.append("\\.")  # GFM autolinks www.example.com even without a scheme
        elif char == "&":
            out.append("&amp;")
        elif char == "<":
            out.append("&lt;")
        elif char == ">":
            out.append("&gt;")
        elif char in _ESCAPED:
            out.append("\\" + char + (_ZWSP if char in "@#" else ""))
        else:
            out.append(char)
    return "".join(out)


def code(value: object, in_table: bool = True) -> str:
    """``value`` as a code span (see the module docstring); "" for an empty value."""
    plain = _plain(value)
    if not plain:
        return ""
    longest = max((len(run) for run in _BACKTICKS.findall(plain)), default=0)
    fence = "`" * (longest + 1)
    # CommonMark strips one space from each end when both are present; pad when the value touches a backtick or
    # has a leading/trailing space of its own, so the span shows it exactly
    pad = " " if plain[0] in "` " or plain[-1] in "` " else ""
    if in_table:
        plain = plain.replace("|", "\\|")
    return f"{fence}{pad}{plain}{pad}{fence}"


def truncate_utf8(value: str, max_bytes: int) -> str:
    """The longest prefix of ``value`` whose UTF-8 encoding fits in ``max_bytes`` (never half a character)."""
    data = value.encode("utf-8")
    if len(data) <= max_bytes:
        return value
    return data[:max(max_bytes, 0)].decode("utf-8", errors="ignore")


def utf8_len(value: str) -> int:
    return len(value.encode("utf-8"))
