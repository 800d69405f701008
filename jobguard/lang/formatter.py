"""``jobguard fmt``: canonical layout for policies.

Why token-based and not an AST pretty-printer: it keeps every comment where the author put it and it keeps the
line structure, and the line structure is what Sentinel's semicolon insertion depends on. So formatting can
never change meaning: the token sequence (with inserted semicolons) is identical before and after, which
:func:`format_source` checks before returning. What changes: indentation (two spaces per open bracket, ``when``
clauses at the ``case`` level, one extra level for continued expressions), spacing around operators and
punctuation, at most one blank line in a row, no trailing whitespace, one final newline.
"""

from __future__ import annotations

from jobguard.lang.lexer import Comment, Tok, tokenize
from jobguard.lang.parser import parse

INDENT = "  "

_OPEN = {"LPAR", "LSQB", "LBRACE"}
_CLOSE = {"RPAR", "RSQB", "RBRACE"}
# tokens after which a following -, +, ! is unary
_BEFORE_UNARY = {
    "LPAR", "LSQB", "LBRACE", "COMMA", "COLON", "ASSIGN", "ADD_ASSIGN", "SUB_ASSIGN", "MUL_ASSIGN", "QUO_ASSIGN",
    "REM_ASSIGN", "EQL", "NEQ", "LEQ", "GEQ", "LSS", "GTR", "PLUS", "MINUS", "STAR", "SLASH", "PERCENT", "BANG",
    "AND", "OR", "XOR", "NOT", "IS", "IS_NOT", "IN", "NOT_IN", "CONTAINS", "NOT_CONTAINS", "MATCHES",
    "NOT_MATCHES", "ELSE", "RETURN", "IF", "FOR", "WHEN", "CASE", "DEFAULT", "ALL", "ANY", "FILTER", "MAP",
    "SEMI", "RULE",
}
_CALLABLE_END = {"IDENT", "RPAR", "RSQB", "STRING", "RBRACE"}
_ENDS_STATEMENT = {"IDENT", "INT", "FLOAT", "STRING", "RPAR", "RSQB", "RBRACE", "BREAK", "CONTINUE",
                   "IS_EMPTY", "IS_NOT_EMPTY", "IS_DEFINED", "IS_NOT_DEFINED"}


class FormatError(Exception):
    """Formatting would change the token stream (a bug guard; never expected)."""


# a "{" after one of these starts a map literal (else it opens a block: rule, func, if, for, quantifier, case)
_MAP_PREV = (_BEFORE_UNARY - {"RULE", "CASE", "ELSE", "SEMI"}) | {"RETURN", "DEFAULT"}


def _space(prev: Tok | None, prev2: Tok | None, tok: Tok, brackets: list[str]) -> str:
    if prev is None:
        return ""
    p, t = prev.type, tok.type
    if p == "LBRACE" and brackets and brackets[-1] == "m":
        return ""
    if t == "RBRACE" and brackets and brackets[-1] == "m":
        return ""
    if t in ("RPAR", "RSQB", "COMMA", "DOT") or p == "DOT":
        return ""
    if t == "SEMI":
        return ""
    if p in ("LPAR", "LSQB"):
        return ""
    if t == "COLON":
        return ""
    if p == "COLON":
        return "" if brackets and brackets[-1] == "[" else " "
    if t == "RBRACE":
        return "" if p == "LBRACE" else " "
    if t == "LPAR":
        return "" if p in _CALLABLE_END or p == "FUNC" else " "
    if t == "LSQB":
        return "" if p in _CALLABLE_END else " "
    if p in ("MINUS", "PLUS", "BANG") and (prev2 is None or prev2.type in _BEFORE_UNARY):
        return ""
    return " "


def format_source(source: str, filename: str = "<policy>") -> str:
    """The formatted text. Raises PolicySyntaxError for a policy that does not parse (nothing is formatted)."""
    parse(source, filename)
    tokens, comments = tokenize(source)
    out = _layout(source, tokens, comments)
    _check_same_tokens(tokens, tokenize(out)[0])
    return out


def _layout(source: str, tokens: list[Tok], comments: list[Comment]) -> str:
    items: list[Tok | Comment] = [t for t in tokens if not (t.type == "SEMI" and t.implied) and t.type != "$END"]
    items += comments
    items.sort(key=lambda x: x.pos)

    parts: list[str] = []
    brackets: list[str] = []   # open bracket characters
    case_braces: list[bool] = []  # for each open "{": does it belong to a case statement?
    pending_case = False
    prev: Tok | None = None
    prev2: Tok | None = None
    last_end = 0

    for item in items:
        gap = source[last_end:item.pos]
        newlines = gap.count("\n")
        if parts and newlines:
            parts.append("\n" * min(newlines, 2))
        at_line_start = not parts or newlines > 0
        if at_line_start:
            parts.append(_indent(item, brackets, case_braces, prev, source))
        elif isinstance(item, Comment):
            parts.append(" ")
        else:
            parts.append(_space(prev, prev2, item, brackets))
        if isinstance(item, Comment):
            parts.append(item.text.rstrip() if "\n" not in item.text else item.text)
            last_end = item.pos + len(item.text)
            continue
        parts.append(item.text)
        last_end = item.pos + len(item.text)
        t = item.type
        if t == "CASE":
            pending_case = True
        if t in _OPEN:
            is_map = t == "LBRACE" and (prev is None or prev.type in _MAP_PREV)
            brackets.append("m" if is_map else {"LPAR": "(", "LSQB": "[", "LBRACE": "{"}[t])
            if t == "LBRACE":
                case_braces.append(pending_case)
                pending_case = False
        elif t in _CLOSE and brackets and brackets.pop() in "{m" and case_braces:
            case_braces.pop()
        prev2, prev = prev, item
    text = "".join(parts)
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines) + "\n" if lines else ""


def _indent(item, brackets: list[str], case_braces: list[bool], prev: Tok | None, source: str) -> str:
    depth = len(brackets)
    if isinstance(item, Tok):
        if item.type in _CLOSE:
            depth -= 1
        elif (_in_case(brackets, case_braces)
              and not (item.type == "WHEN" or (item.type == "ELSE" and _next_is_colon(source, item)))):
            depth += 1
        if _continues(prev, brackets):
            depth += 1
    elif _in_case(brackets, case_braces):
        depth += 1
    return INDENT * max(depth, 0)


def _in_case(brackets: list[str], case_braces: list[bool]) -> bool:
    """Directly inside a ``case { ... }`` body (where ``when`` clauses sit at the brace's level)."""
    return bool(case_braces) and case_braces[-1] and bool(brackets) and brackets[-1] == "{"



def _next_is_colon(source: str, item: Tok) -> bool:
    return source[item.pos + len(item.text):].lstrip(" \t").startswith(":")


def _continues(prev: Tok | None, brackets: list[str]) -> bool:
    """A line that continues the previous line's expression (no statement ended there)."""
    if prev is None or (brackets and brackets[-1] not in "{m"):
        return False
    return prev.type not in _ENDS_STATEMENT and prev.type not in ("LBRACE", "SEMI", "COLON", "COMMA", "LPAR",
                                                                  "LSQB")


def _check_same_tokens(before: list[Tok], after: list[Tok]) -> None:
    a = [(t.type, t.value) for t in before]
    b = [(t.type, t.value) for t in after]
    if a != b:
        raise FormatError("formatting would change the policy's tokens; file left unchanged")
