"""String templates: interpolation, ``%{ if }``/``%{ for }`` directives, ``~`` strip markers, heredoc bodies.

Quoted strings arrive from the Lark tree as a flat list of parts; heredoc bodies arrive as raw text (python-hcl2's
grammar keeps them as one token) and are scanned here. Both become the same flat item list, which
:func:`build_template` turns into a tree the way hclsyntax's ``parseTemplateInner`` does:

1. strip markers (``${~``, ``~}``) trim whitespace from the one literal *token* next to them;
2. a flush heredoc (``<<-``) then removes the common indentation from the literal tokens that start a line;
3. consecutive literals are joined, and a template that is exactly one interpolation keeps its value's type.

Why tokens matter: hclsyntax's scanner cuts a heredoc (and a JSON string's template) into one literal token per
line, while a quoted string's literal run is one token whatever escaped newlines it holds. So ``~}`` in a heredoc
removes whitespace only up to and including the first newline, ``${~`` only back to the previous newline, and a
line whose newline was stripped away no longer "starts a line" for the flush rule: it keeps its indentation.
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


def _is_space(ch: str) -> bool:
    """Go's ``unicode.IsSpace`` (what hclsyntax trims with): Python's ``isspace`` minus the four C0 separators."""
    return ch.isspace() and ch not in "\x1c\x1d\x1e\x1f"


def _lstrip(text: str) -> str:
    i = 0
    while i < len(text) and _is_space(text[i]):
        i += 1
    return text[i:]


def _rstrip(text: str) -> str:
    i = len(text)
    while i > 0 and _is_space(text[i - 1]):
        i -= 1
    return text[:i]


def build_template(items: list[Item], rng: Range, flush: bool = False) -> Expr:
    """Turn flat items into a :class:`Template` (or :class:`TemplateWrap` / literal for the simple cases).

    ``items`` hold literal *tokens* as hclsyntax's scanner cuts them (see the module docstring); ``flush`` applies
    the ``<<-`` heredoc indentation rule.
    """
    from jobguard.jobspec.hcl.expressions import Literal

    items = _apply_strip(items)
    if flush:
        items = _flush_indentation(items)
    items = _meld_literals(items)
    # hclsyntax's "passthru": only a template that is one interpolation and nothing else (not even a literal a
    # strip marker emptied) keeps its value's own type.
    passthru = len(items) == 1 and items[0][0] == "interp"
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
    if passthru:
        return TemplateWrap(parts[0].expr, rng)
    if not parts:
        return Literal("", rng)
    if len(parts) == 1 and isinstance(parts[0], str):
        return Literal(parts[0], rng)
    return Template(parts, rng)


def _strip_flags(item: Item) -> tuple[bool, bool]:
    kind = item[0]
    if kind in ("interp", "if"):
        return item[2], item[3]
    if kind == "for":
        return item[4], item[5]
    return item[1], item[2]


def _apply_strip(items: list[Item]) -> list[Item]:
    """Apply ``~`` markers as hclsyntax's ``parseTemplateParts`` does: ``${~``/``%{~`` trims trailing whitespace
    off the literal token just before, ``~}`` leading whitespace off the literal token just after (a token that
    is only whitespace becomes empty but stays a token)."""
    out = list(items)
    for i, item in enumerate(out):
        if item[0] == "lit":
            continue
        strip_l, strip_r = _strip_flags(item)
        if strip_l and i > 0 and out[i - 1][0] == "lit":
            out[i - 1] = ("lit", _rstrip(out[i - 1][1]))
        if strip_r and i + 1 < len(out) and out[i + 1][0] == "lit":
            out[i + 1] = ("lit", _lstrip(out[i + 1][1]))
    return out


def _flush_indentation(items: list[Item]) -> list[Item]:
    """hclsyntax's ``flushHeredocTemplateParts`` for ``<<-`` heredocs.

    Only a token that *starts a line* (the first one, or one after a literal ending in a newline) counts: a
    literal there contributes its leading whitespace, measured in grapheme clusters (a tab is one, like a space),
    unless it is a blank line (only whitespace, ending in a newline), which is ignored and left as it is; an
    interpolation or directive there counts as no indentation at all. The smallest count is then removed from
    every counted literal. Literal text after a directive whose newline a ``~`` stripped does not start a line, so
    it keeps all of its indentation.
    """
    from jobguard.jobspec.functions.graphemes import graphemes

    at_line_start = True
    least: int | None = None
    starters: list[int] = []
    for i, item in enumerate(items):
        if at_line_start:
            at_line_start = False
            if item[0] != "lit":
                least = 0
            else:
                text = item[1]
                rest = _lstrip(text)
                if not (rest == "" and text.endswith("\n")):
                    count = len(graphemes(text[:len(text) - len(rest)]))
                    least = count if least is None else min(least, count)
                    starters.append(i)
        if item[0] == "lit" and item[1].endswith("\n"):
            at_line_start = True
    if not least:
        return items
    out = list(items)
    for i in starters:
        out[i] = ("lit", "".join(graphemes(out[i][1])[least:]))
    return out


def _meld_literals(items: list[Item]) -> list[Item]:
    """Join consecutive literal tokens (hclsyntax's ``meldConsecutiveStringLiterals``), empty ones included."""
    out: list[Item] = []
    for item in items:
        if item[0] == "lit" and out and out[-1][0] == "lit":
            out[-1] = ("lit", out[-1][1] + item[1])
        else:
            out.append(item)
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


def scan_template(text: str, line: int, col: int, parse_expr: Callable[[str, int, int], Expr]) -> list[Item]:
    """Split raw template text (a heredoc body, a JSON string) starting at ``line``:``col`` into flat items.

    ``parse_expr(source, line, col)`` parses one embedded expression at its position in the file. Literal text
    becomes one token per line, as hclsyntax's heredoc and bare-template scanners cut it (each token ends at a
    newline or at the next ``${``/``%{``); strip markers and the ``<<-`` rule work on those tokens.
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
            cur_col = len(chunk) - chunk.rfind("\n")
        else:
            cur_col += len(chunk)
        i = upto

    def flush_literal() -> None:
        items.extend(("lit", piece) for piece in _line_tokens("".join(lit)))
        lit.clear()

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
        flush_literal()
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
    flush_literal()
    return items


def _line_tokens(text: str) -> list[str]:
    """``text`` cut after every ``\n`` (only there: hclsyntax knows no other line break)."""
    pieces = []
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        pieces.append(text[start:end])
        start = end
    return pieces


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


def heredoc_body(token: str) -> tuple[str, int]:
    """The template text of a heredoc token (``<<EOT\\n...\\nEOT``) and the offset of its first line.

    The text is raw, indentation included: a ``<<-`` heredoc's indentation is removed by :func:`build_template`
    (``flush=True``), token by token, as hclsyntax does.
    """
    first_nl = token.index("\n")
    content = token[first_nl + 1:]
    # drop the closing marker line
    stripped = content.rstrip("\r\n")
    last_nl = stripped.rfind("\n")
    text = stripped[: last_nl + 1] if last_nl >= 0 else ""
    if text.endswith("\r\n"):
        text = text[:-2] + "\n"
    return text, first_nl + 1
