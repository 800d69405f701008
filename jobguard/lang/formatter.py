"""``jobguard fmt``: the layout ``sentinel fmt`` writes.

Sentinel's formatter is HashiCorp's fork of Go's printer, so a policy formatted by it looks like gofmt output: tab
indentation, one space around binary operators, the line structure of the source kept (at most one blank line in a
row), trailing commas before a closing bracket on its own line, values of consecutive ``key: value`` map entries
aligned in a column, trailing comments of consecutive lines aligned, comments kept where they are. Policy
libraries check their files with ``sentinel fmt -check`` in CI; ``jobguard fmt --check`` must accept exactly the
same files and ``jobguard fmt`` must leave them byte-identical.

The work is split the way go/printer splits it:

* ``cst.py`` re-reads the tokens into a tree that keeps every token's position (the layout decisions depend on
  which line things started on);
* ``printer.py`` walks that tree and emits tokens, whitespace commands and comments, deciding line breaks,
  indentation and alignment cells;
* ``tabwriter.py`` turns the cells into aligned text and trims trailing whitespace.

Formatting never changes meaning: the result must parse to the same AST as the input (``astcompare.py``), which
:func:`format_source` checks before returning.
"""

from __future__ import annotations

from jobguard.lang.astcompare import ast_equal
from jobguard.lang.cst import CstError, parse_cst
from jobguard.lang.errors import PolicySyntaxError
from jobguard.lang.lexer import Tok, tokenize
from jobguard.lang.parser import parse
from jobguard.lang.printer import Printer, group_comments
from jobguard.lang.tabwriter import align

# Characters that mark literal text for the tabwriter; the first one absent from the source is used.
_ESCAPES = ("\uffff", "\ufffe", "\x00", "\x01", "\x02")


class FormatError(Exception):
    """Formatting would change the policy's meaning (a bug guard; never expected)."""


def format_source(source: str, filename: str = "<policy>") -> str:
    """The formatted text. Raises PolicySyntaxError for a policy that does not parse (nothing is formatted)."""
    before = parse(source, filename)
    tokens, comments = tokenize(source)
    if len(tokens) == 1 and not comments:  # only $END: nothing but whitespace
        return ""
    escape = next((e for e in _ESCAPES if e not in source), None)
    if escape is None:  # pragma: no cover - a policy holding all of these characters
        raise FormatError("the policy contains every character the formatter uses internally; file left unchanged")
    try:
        tree = parse_cst(tokens)
    except CstError as exc:  # pragma: no cover - the source parsed, so its tokens have the grammar's shape
        raise FormatError(f"cannot read the policy's structure ({exc}); file left unchanged") from exc
    printer = Printer(escape, group_comments(comments, tokens))
    printer.file(tree)
    out = align(printer.finish(), escape)
    if out == source or _essential(tokenize(out)[0]) == _essential(tokens):
        return out  # same tokens up to separators the grammar treats alike: same parse, no need to re-parse
    try:
        after = parse(out, filename)
    except PolicySyntaxError as exc:
        raise FormatError(f"formatting would make the policy invalid ({exc}); file left unchanged") from exc
    if not ast_equal(before, after):
        raise FormatError("formatting would change the policy's meaning; file left unchanged")
    return out


_CLOSERS = {"RBRACE", "RSQB", "RPAR"}


def _essential(tokens: list[Tok]) -> list[tuple[str, str]]:
    """The token stream with what formatting may legitimately change taken out: explicit and implied semicolons
    are alike, a semicolon after ``{`` or another semicolon or before ``}`` is optional, and so is a trailing
    comma before a closing bracket; multi-word operators compare by their words. Two sources with the same
    essential tokens parse to the same tree."""
    out: list[tuple[str, str]] = []
    for t in tokens:
        kind = t.type
        if kind == "$END":
            break
        if kind == "SEMI":
            if out and out[-1][0] not in ("SEMI", "LBRACE"):
                out.append(("SEMI", ";"))
            continue
        if kind in _CLOSERS:
            while out and out[-1][0] in ("SEMI", "COMMA"):
                out.pop()
        value = t.text if kind in ("IDENT", "INT", "FLOAT", "STRING") else " ".join(t.text.split())
        out.append((kind, value))
    while out and out[-1][0] == "SEMI":
        out.pop()
    return out
