"""String templates: interpolation, ``%{ if }``/``%{ for }`` directives, ``~`` strip markers, heredoc bodies.

Quoted strings arrive from the Lark tree as a flat list of parts; heredoc bodies arrive as raw text (python-hcl2's
grammar keeps them as one token) and are scanned here. Both become the same flat item list, which
:func:`build_template` turns into a tree, applying strip markers the way HCL does.
"""

from __future__ import annotations

import re
from typing import Any
from collections.abc import Callable

from jobguard.jobspec.hcl.diagnostics import HCLError, Range
from jobguard.jobspec.hcl.expressions import Expr, Paren, Scope, convert_known, iteration_scope, node
from jobguard.jobspec.hcl.values import UNKNOWN, ConversionError, iteration_pairs, to_bool, to_string, type_name
from jobguard.jobspec.limits import LimitExceeded, charge_steps, charge_text, check_string_length

# Flat template items: ("lit", text) | ("interp", expr, strip_l, strip_r, rng) | ("if", expr, sl, sr, rng)
# | ("else", sl, sr, rng) | ("endif", sl, sr, rng) | ("for", key, value, expr, sl, sr, rng) | ("endfor", sl, sr, rng)
Item = tuple


@node
class Interp:
    expr: Expr


@node
class IfDirective:
    cond: Expr
    then: list
    otherwise: list
    rng: Range


@node
class ForDirective:
    key_var: str | None
    val_var: str
    coll: Expr
    body: list
    rng: Range


def _render(value: Any, rng: Range) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        raise HCLError("Invalid template interpolation value", "The expression result is null. Cannot include a "
                       "null value in a string template.", rng)
    try:
        return to_string(value)
    except ConversionError:
        raise HCLError("Invalid template interpolation value", "Cannot include the given value in a string "
                       "template: string required.", rng) from None


class _Output(list):
    """A template's output pieces and their total length, checked as it grows: a ``%{ for }`` repeating a long
    value must stop at the string limit, not after building gigabytes."""

    length = 0

    def append(self, text: str) -> None:
        self.length += len(text)
        check_string_length(self.length, "the template's result")
        charge_text(len(text))
        super().append(text)


def _eval_parts(parts: list, scope: Scope | None, out: list) -> bool:
    """Append the rendered parts to ``out``; False if an unknown value makes the whole template unknown."""
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif isinstance(part, Interp):
            text = _render(part.expr.eval(scope), part.expr.rng)
            if text is UNKNOWN:
                return False
            out.append(text)
        elif isinstance(part, IfDirective):
            cond = convert_known(to_bool, part.cond.eval(scope), "Invalid 'if' condition",
                                 "The 'if' condition must be a bool", part.cond.rng)
            if cond is UNKNOWN:
                return False
            if not _eval_parts(part.then if cond else part.otherwise, scope, out):
                return False
        else:
            coll = part.coll.eval(scope)
            if coll is UNKNOWN:
                return False
            pairs = iteration_pairs(coll)
            if pairs is None:
                raise HCLError("Invalid template 'for' collection", "A value of type " + type_name(coll)
                               + " cannot be used as the collection in a 'for' directive.", part.coll.rng)
            for k, v in pairs:
                charge_steps()
                if not _eval_parts(part.body, iteration_scope(scope, part.key_var, part.val_var, k, v), out):
                    return False
    return True


@node
class Template(Expr):
    """A string template with literal text and interpolations/directives."""

    parts: list
    rng: Range

    def eval(self, scope):
        out = _Output()
        try:
            if not _eval_parts(self.parts, scope, out):
                return UNKNOWN
        except LimitExceeded as exc:
            exc.locate(self.rng)
            raise
        return "".join(out)

    def children(self):
        return list(_part_exprs(self.parts))


class TemplateWrap(Paren):
    """A template that is exactly one interpolation (``"${x}"``): the value keeps its own type, as in HCL, so it
    evaluates exactly like a parenthesised expression."""

    __slots__ = ()


def _part_exprs(parts: list):
    for part in parts:
        if isinstance(part, Interp):
            yield part.expr
        elif isinstance(part, IfDirective):
            yield part.cond
            yield from _part_exprs(part.then)
            yield from _part_exprs(part.otherwise)
        elif isinstance(part, ForDirective):
            yield part.coll
            yield from _part_exprs(part.body)


_WS_RIGHT = re.compile(r"[ \t\r\n]+$")
_WS_LEFT = re.compile(r"^[ \t\r\n]+")


def build_template(items: list[Item], rng: Range) -> Expr:
    """Turn flat items into a :class:`Template` (or :class:`TemplateWrap` / literal for the simple cases)."""
    from jobguard.jobspec.hcl.expressions import Literal

    items = _apply_strip(items)
    pos = 0

    def parse_seq(stop: tuple[str, ...]) -> tuple[list, Item | None]:
        nonlocal pos
        parts: list = []
        while pos < len(items):
            item = items[pos]
            kind = item[0]
            pos += 1
            if kind == "lit":
                if item[1]:
                    if parts and isinstance(parts[-1], str):
                        parts[-1] += item[1]
                    else:
                        parts.append(item[1])
            elif kind == "interp":
                parts.append(Interp(item[1]))
            elif kind == "if":
                then, end = parse_seq(("else", "endif"))
                otherwise: list = []
                if end is not None and end[0] == "else":
                    otherwise, end = parse_seq(("endif",))
                if end is None or end[0] != "endif":
                    raise HCLError("Unterminated template if", "Missing %{ endif } for this %{ if }.", item[-1])
                parts.append(IfDirective(item[1], then, otherwise, item[-1]))
            elif kind == "for":
                body, end = parse_seq(("endfor",))
                if end is None:
                    raise HCLError("Unterminated template for", "Missing %{ endfor } for this %{ for }.", item[-1])
                parts.append(ForDirective(item[1], item[2], item[3], body, item[-1]))
            elif kind in stop:
                return parts, item
            else:
                word = {"else": "else", "endif": "endif", "endfor": "endfor"}[kind]
                raise HCLError(f"Unexpected {word} directive",
                               f"The %{{ {word} }} directive does not match any open directive.", item[-1])
        return parts, None

    parts, _ = parse_seq(())
    if not parts:
        return Literal("", rng)
    if len(parts) == 1:
        if isinstance(parts[0], str):
            return Literal(parts[0], rng)
        if isinstance(parts[0], Interp):
            return TemplateWrap(parts[0].expr, rng)
    return Template(parts, rng)


def _apply_strip(items: list[Item]) -> list[Item]:
    """Apply ``~`` markers: strip whitespace from the literal text next to a marked interpolation/directive."""
    out = list(items)
    for i, item in enumerate(out):
        kind = item[0]
        if kind == "lit":
            continue
        if kind in ("interp", "if"):
            strip_l, strip_r = item[2], item[3]
        elif kind == "for":
            strip_l, strip_r = item[4], item[5]
        else:
            strip_l, strip_r = item[1], item[2]
        if strip_l and i > 0 and out[i - 1][0] == "lit":
            out[i - 1] = ("lit", _WS_RIGHT.sub("", out[i - 1][1]))
        if strip_r and i + 1 < len(out) and out[i + 1][0] == "lit":
            out[i + 1] = ("lit", _WS_LEFT.sub("", out[i + 1][1]))
    return out


# -- heredoc / raw template scanning ----------------------------------------------------------------------------

_FOR_INTRO = re.compile(r"\s*for\s+([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*)\s*)?in\s", re.S)


def _find_close(text: str, start: int) -> int:
    """Index of the ``}`` closing a ``${``/``%{`` opened just before ``start`` (nested braces and strings aware)."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                elif text[i] in "$%" and text.startswith("{", i + 1):
                    close = _find_close(text, i + 2)
                    if close < 0:
                        return -1
                    i = close
                i += 1
            if i >= n:
                return -1
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def scan_template(text: str, line: int, col: int,
                  parse_expr: Callable[[str, int, int], Expr], indent: int = 0) -> list[Item]:
    """Split raw template text (a heredoc body) starting at ``line``:``col`` into flat items.

    ``parse_expr(source, line, col)`` parses one embedded expression at its position in the file. ``indent`` is
    how many columns were trimmed from each following line (``<<-`` heredocs), to keep columns true to the file.
    """
    items: list[Item] = []
    lit: list[str] = []
    i = 0
    n = len(text)
    cur_line, cur_col = line, col

    def advance(upto: int) -> None:
        nonlocal i, cur_line, cur_col
        chunk = text[i:upto]
        nl = chunk.count("\n")
        if nl:
            cur_line += nl
            cur_col = len(chunk) - chunk.rfind("\n") + indent
        else:
            cur_col += len(chunk)
        i = upto

    while i < n:
        j = i
        while j < n and text[j] not in "$%":
            j += 1
        lit.append(text[i:j])
        advance(j)
        if i >= n:
            break
        ch = text[i]
        if text.startswith(ch + ch + "{", i):
            lit.append(ch + "{")
            advance(i + 3)
            continue
        if not text.startswith("{", i + 1):
            lit.append(ch)
            advance(i + 1)
            continue
        close = _find_close(text, i + 2)
        start_rng = (cur_line, cur_col, cur_line, cur_col + 2)
        if close < 0:
            raise HCLError("Unterminated template string", "No closing marker was found for the string.", start_rng)
        if lit:
            items.append(("lit", "".join(lit)))
            lit = []
        inner = text[i + 2:close]
        inner_line, inner_col = cur_line, cur_col + 2
        strip_l = inner.startswith("~")
        strip_r = inner.endswith("~")
        body = inner[1 if strip_l else 0: len(inner) - (1 if strip_r else 0)]
        body_col = inner_col + (1 if strip_l else 0)
        advance(close + 1)
        end_rng = (start_rng[0], start_rng[1], cur_line, cur_col)
        if ch == "$":
            items.append(("interp", parse_expr(body, inner_line, body_col), strip_l, strip_r, end_rng))
            continue
        items.append(_directive(body, inner_line, body_col, strip_l, strip_r, end_rng, parse_expr))
    if lit:
        items.append(("lit", "".join(lit)))
    return items


def _directive(body: str, line: int, col: int, strip_l: bool, strip_r: bool, rng: Range,
               parse_expr: Callable[[str, int, int], Expr]) -> Item:
    word = body.strip().split(None, 1)[0] if body.strip() else ""
    if word in ("else", "endif", "endfor") and body.strip() == word:
        return (word, strip_l, strip_r, rng)
    if word == "if":
        offset = body.index("if") + 2
        return ("if", parse_expr(body[offset:], line, col + offset), strip_l, strip_r, rng)
    if word == "for":
        m = _FOR_INTRO.match(body)
        if m:
            key, value = (m.group(1), m.group(2)) if m.group(2) else (None, m.group(1))
            return ("for", key, value, parse_expr(body[m.end():], line, col + m.end()), strip_l, strip_r, rng)
    raise HCLError("Invalid template directive", "A template directive keyword (\"if\", \"for\", etc) is expected "
                   "at the beginning of a %{ sequence.", rng)


def heredoc_body(token: str, trim: bool) -> tuple[str, int, int]:
    """The template text of a heredoc token (``<<EOT\\n...\\nEOT``), its first line offset and its indentation.

    Returns (text, indent, marker_len): ``indent`` is what ``<<-`` strips from every line (0 for ``<<``).
    """
    first_nl = token.index("\n")
    content = token[first_nl + 1:]
    # drop the closing marker line
    stripped = content.rstrip("\r\n")
    last_nl = stripped.rfind("\n")
    text = stripped[: last_nl + 1] if last_nl >= 0 else ""
    if text.endswith("\r\n"):
        text = text[:-2] + "\n"
    indent = 0
    if trim:
        widths = [len(ln) - len(ln.lstrip(" \t")) for ln in text.split("\n") if ln.strip()]
        indent = min(widths) if widths else 0
    return text, indent, first_nl + 1
