"""The outline of an HCL file: its comments and the line extents of its blocks and attributes.

Why: suppression comments (``# jobguard:ignore RULE reason="..."``) refer to the block or attribute they sit on or
above, and the evaluated job no longer knows about comments or where a block ends. The outline is read from the
same parse as the job itself (:func:`jobguard.jobspec.hcl.parser.parse_tree`), so every file the loader accepts --
strip markers, heredocs with trailing spaces and all -- has an outline; a second, different parser used to give up
on some of them and the comments were silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lark import Token, Tree

from jobguard.jobspec.hcl.parser import parse_tree


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


@dataclass(frozen=True)
class Outline:
    """``spans`` come outer ones first (a block before what it contains); ``comments`` in source order."""

    spans: tuple[Span, ...]
    comments: tuple[Comment, ...]


def read_outline(text: str) -> Outline:
    """Parse ``text`` and list its spans and comments; raises :class:`~.diagnostics.MultiError` on bad syntax."""
    tree, parsed = parse_tree(text)
    return Outline(tuple(_spans(tree)), tuple(_comments(tree, parsed)))


def _name_of(node: Tree | Token) -> str:
    if isinstance(node, Token):
        return str(node)
    return "".join(str(tok) for tok in node.scan_values(lambda v: isinstance(v, Token)))


def _end_line(tree: Tree) -> int:
    # Heredocs end with their newline, so the node ends at column 1 of the following line.
    if tree.meta.end_column == 1 and tree.meta.end_line > tree.meta.line:
        return tree.meta.end_line - 1
    return tree.meta.end_line


def _spans(tree: Tree) -> Iterator[Span]:
    for node in tree.iter_subtrees_topdown():
        if node.data in ("block", "attribute") and not node.meta.empty:
            yield Span(node.data, _name_of(node.children[0]), node.meta.line, node.meta.column, _end_line(node))


def _comments(tree: Tree, text: str) -> Iterator[Comment]:
    lines = text.splitlines()
    for token in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "NL_OR_COMMENT"):
        raw = str(token)
        body = raw.lstrip("\n \t")
        if not body.startswith(("#", "//", "/*")):
            continue
        offset = len(raw) - len(body)
        line, column = token.line, token.column + offset
        if offset:
            # the token started with a newline: the comment sits on a later line
            line += raw[:offset].count("\n")
            column = len(raw[:offset].rsplit("\n", 1)[-1]) + 1
        before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
        yield Comment(body.rstrip("\n"), line, column, own_line=not before.strip())
