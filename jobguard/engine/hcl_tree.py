"""Positions in HCL text, read from python-hcl2's raw Lark tree.

Two consumers need HCL *with positions* but no evaluation: ``jobguard.hcl`` (only literal values are allowed
there, so a tiny literal reader is enough and every error can name file:line:col), and suppression comments in
job files (which need the comments and the line extents of blocks and attributes, things the evaluated job no
longer knows). Both work on the tree python-hcl2's Lark parser builds with ``propagate_positions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Iterator

from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from jobguard.jobspec.errors import Diagnostic


class HclSyntaxError(Exception):
    """Text that is not HCL (or, for literals, a value that is not a literal). Carries one diagnostic."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


@dataclass(frozen=True)
class Span:
    """A block or attribute: where it starts and the last line it covers."""

    kind: str  # "block" | "attribute"
    name: str
    line: int
    column: int
    end_line: int


@dataclass(frozen=True)
class Comment:
    """One ``#``, ``//`` or ``/* */`` comment; ``own_line`` when only whitespace precedes it on its line."""

    text: str
    line: int
    column: int
    own_line: bool


def parse(text: str, filename: str) -> Tree:
    """Parse HCL text into python-hcl2's raw Lark tree; syntax errors become :class:`HclSyntaxError`."""
    from hcl2.api import parses_to_tree

    if not text.endswith("\n"):
        text += "\n"  # the grammar wants a final newline (comments end at one)
    try:
        return parses_to_tree(text)
    except UnexpectedInput as exc:
        raise HclSyntaxError(Diagnostic(filename, exc.line or 0, exc.column or 0, "Invalid HCL syntax",
                                          _unexpected(exc))) from None
    except Exception as exc:  # lark may raise other LarkErrors (e.g. from the post-lexer)
        raise HclSyntaxError(Diagnostic(filename, 0, 0, "Invalid HCL syntax", str(exc).splitlines()[0])) from None


def _unexpected(exc: UnexpectedInput) -> str:
    """A short human description of what the parser tripped over (never Lark's multi-line dump)."""
    token = getattr(exc, "token", None)
    if isinstance(token, Token):
        if token.type == "$END":
            return "unexpected end of file"
        text = next((line.strip() for line in str(token).splitlines() if line.strip()), "")
        return f"unexpected {text[:40]!r}" if text else "unexpected end of line"
    char = getattr(exc, "char", None)
    return f"unexpected character {char!r}" if char else "unexpected input"


def name_of(node: Tree | Token) -> str:
    """The text of an identifier/keyword/literal name node or a quoted label."""
    if isinstance(node, Token):
        return str(node)
    if node.data == "string":
        return "".join(str(part.children[0]) for part in node.children if isinstance(part, Tree)
                       and part.children and isinstance(part.children[0], Token))
    return "".join(str(tok) for tok in node.scan_values(lambda v: isinstance(v, Token)))


def _end_line(tree: Tree) -> int:
    # Heredocs end with their newline, so the node ends at column 1 of the following line.
    if tree.meta.end_column == 1 and tree.meta.end_line > tree.meta.line:
        return tree.meta.end_line - 1
    return tree.meta.end_line


def spans(tree: Tree) -> Iterator[Span]:
    """Every block and attribute in the document, outer ones before the ones they contain."""
    for node in tree.iter_subtrees_topdown():
        if node.data in ("block", "attribute") and not node.meta.empty:
            yield Span(node.data, name_of(node.children[0]), node.meta.line, node.meta.column, _end_line(node))


def comments(tree: Tree, text: str) -> Iterator[Comment]:
    """Every comment in the document, with its position."""
    lines = text.splitlines()
    for token in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "NL_OR_COMMENT"):
        body = str(token).lstrip("\n \t")
        if not body.startswith(("#", "//", "/*")):
            continue
        offset = len(str(token)) - len(body)
        line, column = token.line, token.column + offset
        if offset:
            # the token started with a newline: the comment sits on a later line
            newlines = str(token)[:offset].count("\n")
            line += newlines
            column = len(str(token)[:offset].rsplit("\n", 1)[-1]) + 1
        before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
        yield Comment(body.rstrip("\n"), line, column, own_line=not before.strip())


# ---------------------------------------------------------------------------------------------------------------
# Literal values (jobguard.hcl allows nothing else)
# ---------------------------------------------------------------------------------------------------------------

LiteralPath = tuple[Any, ...]


def literal(node: Tree, filename: str, path: LiteralPath = (),
            positions: dict[LiteralPath, tuple[int, int]] | None = None) -> Any:
    """Evaluate a literal expression (string, number, bool, null, list, object); record each element's position.

    Anything else (references, function calls, interpolation, operators) is an error naming its position, because
    a configuration file should mean the same thing wherever it is read.
    """
    if positions is not None and not node.meta.empty:
        positions.setdefault(path, (node.meta.line, node.meta.column))
    data = node.data
    if data == "expr_term":
        inner = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        if len(inner) == 1 and inner[0].data != "identifier":
            return literal(inner[0], filename, path, positions)
    elif data == "string":
        return _string(node, filename)
    elif data in ("int_lit", "float_lit"):
        text = str(node.children[0])
        return int(text) if data == "int_lit" else float(text)
    elif data == "literal_value":
        return {"true": True, "false": False, "null": None}[str(node.children[0])]
    elif data == "unary_op" and str(node.children[0]) == "-":
        value = literal(node.children[1], filename, path, None)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    elif data == "tuple":
        items = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        return [literal(item, filename, path + (i,), positions) for i, item in enumerate(items)]
    elif data == "object":
        out: dict[str, Any] = {}
        for elem in (c for c in node.children if isinstance(c, Tree) and c.data == "object_elem"):
            key_node, value_node = elem.children[0], elem.children[-1]
            key = _object_key(key_node, filename)
            if positions is not None:
                positions.setdefault(path + (key,), (elem.meta.line, elem.meta.column))
            out[key] = literal(value_node, filename, path + (key,), positions)
        return out
    raise HclSyntaxError(Diagnostic(filename, node.meta.line, node.meta.column, "Unsupported expression",
                                    "only literal values (strings, numbers, booleans, lists, objects) are allowed"))


def _string(node: Tree, filename: str) -> str:
    out = []
    for part in node.children:
        if not isinstance(part, Tree):
            continue
        piece = part.children[0]
        if isinstance(piece, Tree):
            raise HclSyntaxError(Diagnostic(filename, node.meta.line, node.meta.column, "Unsupported expression",
                                            "interpolation and template directives are not allowed here"))
        if piece.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
            out.append(str(piece)[1:])
        else:
            out.append(_unescape(str(piece)))
    return "".join(out)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt in "uU":
                width = 4 if nxt == "u" else 8
                digits = text[i + 2:i + 2 + width]
                try:
                    out.append(chr(int(digits, 16)))
                    i += 2 + width
                    continue
                except ValueError:
                    pass
        out.append(ch)
        i += 1
    return "".join(out)


def _object_key(node: Tree, filename: str) -> str:
    """Object keys: a bare name or a quoted string (HCL also allows expressions, which config has no use for)."""
    target = node.children[0]
    if isinstance(target, Tree) and target.data == "expr_term":
        inner = target.children[0]
        if isinstance(inner, Tree) and inner.data in ("identifier", "literal_value"):
            return name_of(inner)
        if isinstance(inner, Tree) and inner.data == "string":
            return _string(inner, filename)
        if isinstance(inner, Tree) and inner.data in ("int_lit", "float_lit"):
            return str(inner.children[0])
    if isinstance(target, Tree) and target.data == "keyword":
        return name_of(target)
    raise HclSyntaxError(Diagnostic(filename, node.meta.line, node.meta.column, "Unsupported object key",
                                    "use a name or a quoted string"))
