"""Parsing HCL text into :class:`~jobguard.jobspec.hcl.syntax.Body`, with HCL-shaped syntax diagnostics.

python-hcl2's grammar is looser than hclsyntax in a few places Nomad users hit (several arguments on one line,
single-line blocks that are not closed on their line) and reports failures as Lark exceptions. This module fixes
both: it checks the newline rules HCL enforces and translates Lark errors into HCL's wording at HCL's position.
"""

from __future__ import annotations

import functools
import os
import re

from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from jobguard.jobspec.hcl.diagnostics import HCLError, MultiError
from jobguard.jobspec.hcl.expressions import Expr
from jobguard.jobspec.hcl.prescan import prescan_error
from jobguard.jobspec.hcl.syntax import Body, Converter, first_body
from jobguard.jobspec.limits import MAX_NESTING_DEPTH


@functools.lru_cache(maxsize=1)
def _parser():
    from hcl2.parser import parser

    return parser()


_PLAIN_INTERPOLATION = "interpolation: INTERP_START expression RBRACE"


@functools.lru_cache(maxsize=1)
def _strip_marker_parser():
    """python-hcl2's grammar plus ``~`` strip markers inside ``${ }`` of quoted strings (``"a ${~ x ~} b"``).

    Built only for files that need it (the common path keeps python-hcl2's cached parser, for start-up time).
    """
    import hcl2
    from hcl2.postlexer import PostLexer
    from lark import Lark

    with open(os.path.join(os.path.dirname(hcl2.__file__), "hcl2.lark"), encoding="utf-8") as fh:
        grammar = fh.read()
    grammar = grammar.replace(_PLAIN_INTERPOLATION,
                              "interpolation: INTERP_START STRIP_MARKER? expression STRIP_MARKER? RBRACE")
    return Lark(grammar, parser="lalr", propagate_positions=True, postlex=PostLexer())


def _parse_tree(text: str):
    try:
        return _parser().parse(text)
    except UnexpectedInput:
        if "${~" not in text and "~}" not in text:
            raise
    return _strip_marker_parser().parse(text)


_HEREDOC_OPEN = re.compile(r"<<-?([A-Za-z_][\w.-]*)[ \t]*\r?\n")
_HEREDOC_OPEN_TRAILING = re.compile(r"(<<-?[A-Za-z_][\w.-]*)[ \t]+(\r?\n)")


def _fix_heredoc_markers(text: str) -> str:
    """HCL ignores spaces after a heredoc's opening and closing markers; python-hcl2's terminal does not."""
    names = set(_HEREDOC_OPEN.findall(text))
    if not names:
        return text
    text = _HEREDOC_OPEN_TRAILING.sub(r"\1\2", text)
    closing = re.compile(r"^([ \t]*(?:" + "|".join(re.escape(n) for n in names) + r"))[ \t]+(?=\r?$)", re.M)
    return closing.sub(r"\1", text)


def parse_tree(text: str) -> tuple[Tree, str]:
    """Parse a whole file into the raw Lark tree (comments and positions kept) and the text it was parsed from.

    The one place that feeds HCL text to the grammar, so every reader (job files, literal-only documents, the
    comment/extent outline used by suppressions) accepts the same syntax, strip markers and heredocs included.
    Raises :class:`MultiError` with every syntax diagnostic found.
    """
    if not text.endswith("\n"):
        text += "\n"  # python-hcl2's comment/heredoc terminals need a final newline
    if "<<" in text:
        text = _fix_heredoc_markers(text)
    too_deep = prescan_error(text)
    if too_deep is not None:  # before Lark: it costs per token, and it and every later stage recurse per level
        raise MultiError([too_deep])
    try:
        return _parse_tree(text), text
    except UnexpectedInput as exc:
        raise MultiError(_with_earlier_errors(_translate(exc, text), text)) from None
    except LarkError as exc:  # pragma: no cover - other Lark failures
        raise MultiError([HCLError("Invalid syntax", str(exc).splitlines()[0], (1, 1, 1, 1))]) from None


def parse_body(text: str, *, newline_rules: bool = True) -> Body:
    """Parse a whole file. Raises :class:`MultiError` with every syntax diagnostic found.

    ``newline_rules=False`` skips HCL's one-argument-per-line rules, for ``jobguard.hcl``, which has always been
    read with python-hcl2's looser grammar (``proxy { a = 1  b = 2 }``) and must keep accepting what it accepted.
    """
    tree, text = parse_tree(text)
    conv = Converter(text, parse_expression)
    body_tree = first_body(tree)
    errors: list[HCLError] = []
    if body_tree is not None and newline_rules:
        _check_newlines(body_tree, None, errors)
    try:
        body = conv.body(body_tree, (0, 0, 0, 0)) if body_tree is not None else Body({}, [], (0, 0, 0, 0))
    except HCLError as exc:
        errors += conv.errors + [exc]
        if len(errors) == 1:  # conversion stops at its first error: look for later template errors too
            errors += [e for e in _scan_errors(text) if e.rng[:2] > exc.rng[:2] and e.summary == exc.summary]
    else:
        errors += conv.errors
    if errors:
        raise MultiError(sorted(errors, key=lambda e: e.rng[:2]))
    return body


def parse_expression(source: str, line: int = 1, col: int = 1) -> Expr:
    """Parse one expression (template interpolation, ``--var`` value) located at ``line``:``col``."""
    text = "_=" + source.strip("\r\n") + "\n"
    too_deep = prescan_error(text) if len(text) > MAX_NESTING_DEPTH else None
    if too_deep is not None:
        l0, c0 = too_deep.rng[0], too_deep.rng[1] + (col - 3 if too_deep.rng[0] == 1 else 0)
        too_deep.rng = (l0 + line - 1, c0, l0 + line - 1, c0 + 1)
        raise too_deep
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        err = _translate(exc, text)
        l0, c0 = err.rng[0], err.rng[1]
        if l0 == 1:
            c0 = c0 - 2 + col - 1
        err.rng = (l0 + line - 1, c0, l0 + line - 1, c0 + 1)
        if err.summary in ("Argument or block definition required", "Invalid expression"):
            err.summary = "Extra characters after interpolation expression"
            err.detail = _EXTRA_DETAIL
        raise err from None
    body = first_body(tree)
    attrs = [c for c in body.children if isinstance(c, Tree) and c.data == "attribute"]
    if len(attrs) != 1 or len([c for c in body.children if isinstance(c, Tree) and c.data == "block"]):
        raise HCLError("Extra characters after interpolation expression",
                       "Expected a closing brace to end the interpolation expression, but found extra characters.",
                       (line, col, line, col + 1))
    conv = Converter(text, parse_expression, line_off=line - 1, col_off=col - 3)
    return conv.expr(attrs[0].children[2])


# -- HCL's newline rules ----------------------------------------------------------------------------------------

def _start(node) -> tuple[int, int]:
    if isinstance(node, Token):
        return node.line, node.column
    return node.meta.line, node.meta.column


def _end(node) -> tuple[int, int]:
    if isinstance(node, Token):
        return node.end_line, node.end_column
    while node.data != "block":  # trailing newlines/comments may belong to an expression rule: skip them
        kids = [c for c in node.children if not (isinstance(c, Tree) and c.data == "new_line_or_comment")
                and not (isinstance(c, Token) and c.type == "NL_OR_COMMENT")]
        if not kids:
            break
        last = kids[-1]
        if isinstance(last, Token):
            return _token_end(last)
        if last.meta.empty:
            break
        node = last
    line, col = node.meta.end_line, node.meta.end_column
    if col == 1 and line > node.meta.line:  # a heredoc token swallows its final newline
        return line - 1, 10 ** 6
    return line, col


def _token_end(tok: Token) -> tuple[int, int]:
    if tok.type.startswith("HEREDOC"):
        return tok.end_line - 1, 10 ** 6
    return tok.end_line, tok.end_column


def _check_newlines(body: Tree, open_tok: Token | None, errors: list[HCLError]) -> None:
    """Arguments and blocks end with a newline; a block opened and filled on one line holds one argument only."""
    items = [c for c in body.children if isinstance(c, Tree) and c.data in ("attribute", "block")]
    for i, item in enumerate(items):
        if item.data == "block":
            inner_open = next(c for c in item.children if isinstance(c, Token) and c.type == "LBRACE")
            header = [c for c in item.children if isinstance(c, Tree) and c.data not in ("body", "new_line_or_comment")]
            header_end = _end(header[-1])
            if inner_open.line != header_end[0]:
                errors.append(HCLError(
                    "Invalid block definition", 'A block definition must have block content delimited by "{" and '
                    '"}", starting on the same line as the block header.',
                    (header_end[0], header_end[1], header_end[0], header_end[1] + 1)))
            inner_body = next((c for c in item.children if isinstance(c, Tree) and c.data == "body"), None)
            if inner_body is not None:
                _check_newlines(inner_body, inner_open, errors)
        if open_tok is not None and i == 0 and _start(item)[0] == open_tok.line:
            # single-line block: exactly one argument, closed on the same line
            if item.data == "block":
                name = str(item.children[0].children[0])
                errors.append(HCLError(
                    "Argument definition required",
                    "A single-line block definition can contain only a single argument. If you meant to define "
                    f'argument "{name}", use an equals sign to assign it a value. To define a nested block, place '
                    "it on a line of its own within its parent block.",
                    (_start(item)[0], _start(item)[1], _end(item)[0], _end(item)[1])))
                return
            end_line, end_col = _end(item)
            if len(items) > 1 and _start(items[1])[0] == end_line:
                s = _start(items[1])
                errors.append(HCLError(
                    "Invalid single-argument block definition",
                    "A single-line block definition must end with a closing brace immediately after its single "
                    "argument definition.", (s[0], s[1], s[0], s[1] + 1)))
                return
            if len(items) > 1 or _closing_line(body) != end_line:
                errors.append(HCLError(
                    "Invalid single-argument block definition",
                    "An argument definition on the same line as its containing block creates a single-line block "
                    "definition, which must also be closed on the same line. Place the block's closing brace "
                    "immediately after the argument definition.", (end_line, end_col, end_line + 1, 1)))
                return
            continue
        if i + 1 < len(items) and item.data == "attribute":
            end_line = _end(item)[0]
            nxt = _start(items[i + 1])
            if nxt[0] == end_line:
                errors.append(HCLError("Missing newline after argument",
                                       "An argument definition must end with a newline.",
                                       (nxt[0], nxt[1], nxt[0], nxt[1] + 1)))


def _closing_line(body: Tree) -> int:
    """Line where the body's enclosing block closes: the end of its last item when nothing follows."""
    nl = [c for c in body.children if isinstance(c, Tree) and c.data == "new_line_or_comment"]
    items = [c for c in body.children if isinstance(c, Tree) and c.data in ("attribute", "block")]
    if nl and items and _start(nl[-1]) > _start(items[-1]):
        return -1
    return _end(items[-1])[0] if items else -1


# -- Lark error translation -------------------------------------------------------------------------------------

def _translate(exc: UnexpectedInput, text: str) -> HCLError:
    line = getattr(exc, "line", 1) or 1
    col = getattr(exc, "column", 1) or 1
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        return _unclosed(text)
    rng = (line, col, line, col + 1)
    if _inside_interpolation(text, line, col):
        return _extra_characters(text, exc, rng)
    if isinstance(exc, UnexpectedCharacters):
        ch = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        if ch == ",":
            return HCLError("Unexpected comma after argument", "Argument definitions must be separated by newlines, "
                            "not commas. An argument definition must end with a newline.", rng)
        if ch in "\"'":
            if ch == '"':
                return _after_string(exc, text, rng)
            return HCLError("Invalid character", "Single quotes are not valid. Use double quotes (\") to enclose "
                            "strings.", rng)
        if ch == "{" or ch == "}" or ch.isalnum() or ch in "_-":
            return HCLError("Argument or block definition required", "An argument or block definition is required "
                            "here. To set an argument, use the equals sign \"=\" to introduce the argument value.", rng)
        return HCLError("Invalid character", "This character is not used within the language.", rng)
    tok = exc.token
    expected = set(getattr(exc, "expected", ()) or ())
    if tok.type == "COMMA":
        return HCLError("Unexpected comma after argument", "Argument definitions must be separated by newlines, not "
                        "commas. An argument definition must end with a newline.", rng)
    if tok.type == "DBLQUOTE" and ("EQ" in expected or "LBRACE" in expected) and "NAME" not in expected:
        return HCLError("Invalid argument name", "Argument names must not be quoted.", rng)
    if tok.type == "DBLQUOTE" and "NAME" in expected and _line_starts_with_quote(text, line, col):
        return HCLError("Invalid argument name", "Argument names must not be quoted.", rng)
    if "COLON" in expected and "EQ" in expected:
        return HCLError("Missing key/value separator", "Expected an equals sign (\"=\") to mark the beginning of the "
                        "attribute value.", rng)
    if tok.type == "STRING_CHARS" and ("NAME" in expected or "NL_OR_COMMENT" in expected):
        return HCLError("Argument or block definition required", "An argument or block definition is required here.",
                        rng)
    if "EQ" in expected or "LBRACE" in expected or "NAME" in expected:
        start = _item_start(text, line, col)
        if start is not None:
            rng = (line, start, line, col)
        return HCLError("Argument or block definition required", "An argument or block definition is required here. "
                        "To set an argument, use the equals sign \"=\" to introduce the argument value.", rng)
    return HCLError("Invalid expression", f"Unexpected {tok.type.lower().replace('_', ' ')} here.", rng)


def _inside_interpolation(text: str, line: int, col: int) -> bool:
    """True when ``line``:``col`` is inside an unclosed ``${`` of a quoted string on that line."""
    lines = text.split("\n")
    if line - 1 >= len(lines):
        return False
    before = lines[line - 1][: col - 1]
    start = before.rfind("${")
    return start >= 0 and before.count('"', 0, start) % 2 == 1 and "}" not in before[start:] \
        and not before[:start].endswith("$")


_EXTRA_DETAIL = ("Expected a closing brace to end the interpolation expression, but found extra characters.\n\nThis "
                 "can happen when you include interpolation syntax for another language, such as shell scripting, "
                 "but forget to escape the interpolation start token. If this is an embedded sequence for another "
                 'language, escape it by starting with "$${" instead of just "${".')


def _extra_characters(text: str, exc: UnexpectedInput, rng) -> HCLError:
    ch = text[exc.pos_in_stream] if getattr(exc, "pos_in_stream", None) is not None \
        and exc.pos_in_stream < len(text) else ""
    if ch == ":":
        detail = ("Template interpolation doesn't expect a colon at this location. Did you intend this to be a "
                  "literal sequence to be processed as part of another language? If so, you can escape it by "
                  'starting with "$${" instead of just "${".')
    else:
        detail = _EXTRA_DETAIL
    return HCLError("Extra characters after interpolation expression", detail, rng)


def _item_start(text: str, line: int, col: int) -> int | None:
    """When the bad token follows a lone name at the start of its line, HCL blames that name."""
    lines = text.split("\n")
    if line - 1 >= len(lines):
        return None
    before = lines[line - 1][: col - 1]
    m = re.fullmatch(r"([ \t]*)([A-Za-z_][\w-]*)[ \t]*", before)
    return len(m.group(1)) + 1 if m else None


def _line_starts_with_quote(text: str, line: int, col: int) -> bool:
    lines = text.split("\n")
    if line - 1 >= len(lines):
        return False
    return lines[line - 1][: col - 1].strip() == ""


def _after_string(exc: UnexpectedCharacters, text: str, rng) -> HCLError:
    if _line_starts_with_quote(text, rng[0], rng[1]):
        return HCLError("Invalid argument name", "Argument names must not be quoted.", rng)
    return HCLError("Argument or block definition required", "An argument or block definition is required here.", rng)


def _unclosed(text: str) -> HCLError:
    """At end of file: point at the innermost brace that never closed (HCL's "Unclosed configuration block")."""
    stack: list[tuple[int, int]] = []
    line, col = 1, 1
    i, n = 0, len(text)
    in_str = False
    quote = unterminated = None  # where the open quoted string starts; the first one a newline ended
    while i < n:
        ch = text[i]
        if in_str:
            if ch == "\\":
                i += 1
                col += 1
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str, quote = True, (line, col)
        elif ch == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            col += j - i
            i = j
            continue
        elif ch == "{":
            stack.append((line, col))
        elif ch == "}" and stack:
            stack.pop()
        if ch == "\n":
            if in_str and unterminated is None:
                unterminated = quote
            line, col = line + 1, 1
            in_str = False
        else:
            col += 1
        i += 1
    if unterminated is not None:  # hclsyntax reports the string first: it is why the braces never balance
        ln, cl = unterminated
        return HCLError("Unterminated template string", "No closing marker was found for the string.",
                        (ln, cl, ln, cl + 1))
    if stack:
        ln, cl = stack[0] if len(stack) == 1 else stack[-1]
        return HCLError("Unclosed configuration block", "There is no closing brace for this block before the end of "
                        "the file. This may be caused by incorrect brace nesting elsewhere in this file.",
                        (ln, cl, ln, cl + 1))
    return HCLError("Unexpected end of file", "The file ends before the end of this expression.", (line, 1, line, 1))


# -- finding the errors HCL reports before the point where the Lark parse stopped --------------------------------
#
# hclsyntax recovers from a syntax error and goes on, so Nomad lists problems that come *before* the place where
# python-hcl2's parser gives up (a single-line block holding two arguments is valid to python-hcl2, a heredoc's
# broken interpolation is only parsed later). These scans find those few kinds so the first diagnostic is Nomad's.

_SINGLE_LINE_BLOCK = re.compile(r'^[ \t]*[A-Za-z_][\w-]*(?:[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*))*[ \t]*\{(.*)\}[ \t]*$')
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_ASSIGN = re.compile(r'([A-Za-z_][\w-]*)[ \t]*=(?!=)')
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][\w.-]*)\r?\n(.*?)^[ \t]*\2[ \t]*\r?$", re.S | re.M)


def _with_earlier_errors(err: HCLError, text: str) -> list[HCLError]:
    found = _scan_errors(text)
    if not any(e.rng[:2] == err.rng[:2] for e in found):  # the scan's wording wins at the same place
        found.append(err)
    return sorted(found, key=lambda e: e.rng[:2])


def _scan_errors(text: str) -> list[HCLError]:
    errors: list[HCLError] = []
    heredoc_lines: set[int] = set()
    for m in _HEREDOC.finditer(text):
        first = text.count("\n", 0, m.start(3)) + 1
        body_lines = m.group(3).count("\n")
        heredoc_lines.update(range(first, first + body_lines + 1))
        try:
            from jobguard.jobspec.hcl.syntax import Converter as _C

            from jobguard.jobspec.hcl.templates import scan_template

            conv = _C(text, parse_expression)
            scan_template(m.group(3), first, 1, conv.parse_expr)
        except HCLError as exc:
            errors.append(exc)
    text = _BLOCK_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    for number, line in enumerate(text.split("\n"), 1):
        if number in heredoc_lines:
            continue
        code = _strip_strings_and_comments(line)
        errors.extend(_invalid_characters(code, number))
        m = _SINGLE_LINE_BLOCK.match(line)
        if m:
            col = _after_first_argument(_strip_strings_and_comments(m.group(1)))
            if col is not None:
                col += m.start(1) + 1
                errors.append(HCLError("Invalid single-argument block definition", "A single-line block definition "
                                       "must end with a closing brace immediately after its single argument "
                                       "definition.", (number, col, number, col + 1)))
    return errors


_FIRST_ARG = re.compile(r'[ \t]*[A-Za-z_][\w-]*[ \t]*=[ \t]*("[^"]*"|[\w.+-]+)[ \t]*')


def _after_first_argument(inner: str) -> int | None:
    """Offset of whatever follows a single-line block's first argument, when it is not the closing brace."""
    m = _FIRST_ARG.match(inner)
    if m is None or m.end() >= len(inner.rstrip()):
        return None
    return m.end()


def _strip_strings_and_comments(line: str) -> str:
    """The line with string contents blanked (same length) and any comment cut off."""
    out = []
    in_str = False
    i = 0
    while i < len(line):
        ch = line[i]
        if in_str:
            if ch == "\\":
                out.append("  ")
                i += 2
                continue
            if ch == '"':
                in_str = False
                out.append(ch)
            else:
                out.append(" ")
        elif ch == '"':
            in_str = True
            out.append(ch)
        elif ch == "#" or line.startswith("//", i):
            break
        else:
            out.append(ch)
        i += 1
    return "".join(out)


_INVALID_DETAIL = {
    "'": "Single quotes are not valid. Use double quotes (\") to enclose strings.",
    "`": 'The "`" character is not valid. To create a multi-line string, use the "heredoc" syntax, like "<<EOT".',
    ";": 'The ";" character is not valid. Use newlines to separate arguments and blocks, and commas to separate items '
         "in collection values.",
}
_BITWISE = {"&": 'Did you mean boolean AND ("&&")?', "|": 'Did you mean boolean OR ("||")?',
            "^": 'Did you mean boolean NOT ("!")?'}


def _invalid_characters(code: str, number: int) -> list[HCLError]:
    """hclsyntax's scanner-level diagnostics (reported before any parse error): characters HCL has no token for."""
    errors: list[HCLError] = []
    i = 0
    while i < len(code):
        ch = code[i]
        rng = (number, i + 1, number, i + 2)
        if ch in "&|" and code[i + 1:i + 2] == ch:
            i += 2
            continue
        if ch in _BITWISE:
            errors.append(HCLError("Unsupported operator", "Bitwise operators are not supported. " + _BITWISE[ch], rng))
        elif ch in _INVALID_DETAIL:
            errors.append(HCLError("Invalid character", _INVALID_DETAIL[ch], rng))
        elif ch in "$@\\":
            errors.append(HCLError("Invalid character", "This character is not used within the language.", rng))
        i += 1
    return errors
