"""Parser: tokens (lexer.py) -> AST (nodes.py), with Lark's LALR(1) parser over ``grammar.lark``.

Why Lark with our own token stream: the grammar stays declarative and reviewable while semicolon insertion, which
a context-free grammar cannot express, lives in the lexer. All syntax errors of a file are collected: after an
error the parser resumes at the next top-level statement, so users fix a policy in one pass.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput, UnexpectedToken, VisitError
from lark.lexer import Lexer

from jobguard.jobspec.errors import Diagnostic
from jobguard.lang import nodes as n
from jobguard.lang.errors import PolicySyntaxError
from jobguard.lang.lexer import Tok, tokenize

MAX_ERRORS = 20

_TOKEN_NAMES = {
    "SEMI": "newline or ';'", "IDENT": "identifier", "STRING": "string", "INT": "number", "FLOAT": "number",
    "LPAR": "'('", "RPAR": "')'", "LSQB": "'['", "RSQB": "']'", "LBRACE": "'{'", "RBRACE": "'}'", "COMMA": "','",
    "COLON": "':'", "DOT": "'.'", "ASSIGN": "'='", "$END": "end of file",
}


class _LitToken(Token):
    """A Lark token that also carries the decoded literal value (``lit``)."""


class _TokenFeed(Lexer):
    """Lark lexer adapter: the 'text' handed to Lark is our already-lexed token list."""

    def __init__(self, lexer_conf):  # noqa: D107 - signature required by Lark
        pass

    def lex(self, data):  # type: ignore[override]
        for t in data:
            tok = _LitToken(t.type, t.text, t.pos, t.line, t.col, t.end_line, t.end_col)
            tok.lit = t.value  # decoded literal value
            yield tok


class _Builder(Transformer):
    """Builds nodes while Lark reduces (inline transformer: no intermediate parse tree)."""

    def start(self, c):
        return c[0]

    def stmt_list(self, c):
        return [x for x in c if not (isinstance(x, Token) and x.type == "SEMI")]

    def block(self, c):
        return c[1]

    def params(self, c):
        return [str(t) for t in c if t.type == "IDENT"]

    def args(self, c):
        return [x for x in c if not isinstance(x, Token)]

    # statements
    def import_stmt(self, c):
        alias = str(c[3]) if len(c) > 2 else c[1].lit.split("/")[-1]
        return n.Import(c[0].line, c[0].column, c[1].lit, alias)

    def param_stmt(self, c):
        return n.Param(c[0].line, c[0].column, str(c[1]), c[3] if len(c) > 2 else None)

    def func_decl(self, c):
        f = n.FuncLit(c[0].line, c[0].column, c[3] if not isinstance(c[3], Token) else [], c[-1], str(c[1]))
        return n.FuncDecl(c[0].line, c[0].column, str(c[1]), f)

    def assign(self, c):
        target, op, value = c
        if not isinstance(target, (n.Name, n.Index, n.Selector)):
            raise _NodeError(target, "cannot assign to this expression")
        return n.Assign(target.line, target.col, target, str(op), value)

    def if_stmt(self, c):
        orelse = None
        if len(c) > 3:
            orelse = c[4] if isinstance(c[4], list) else [c[4]]
        return n.If(c[0].line, c[0].column, c[1], c[2], orelse)

    def for_stmt(self, c):
        names = [str(t) for t in c[3:-1] if isinstance(t, Token) and t.type == "IDENT"]
        return n.For(c[0].line, c[0].column, c[1], names, c[-1])

    def when_clause(self, c):
        exprs = [x for x in c[1:-1] if not isinstance(x, Token)]
        return n.When(c[0].line, c[0].column, exprs, c[-1])

    def else_clause(self, c):
        return n.When(c[0].line, c[0].column, [], c[-1])

    def case_stmt(self, c):
        subject = c[1] if not isinstance(c[1], Token) else None
        clauses = [x for x in c if isinstance(x, n.When)]
        orelse = None
        if clauses and not clauses[-1].exprs:
            orelse = clauses.pop()
        return n.Case(c[0].line, c[0].column, subject, clauses, orelse)

    def return_stmt(self, c):
        return n.Return(c[0].line, c[0].column, c[1])

    def break_stmt(self, c):
        return n.Break(c[0].line, c[0].column)

    def continue_stmt(self, c):
        return n.Continue(c[0].line, c[0].column)

    def expr_stmt(self, c):
        return n.ExprStmt(c[0].line, c[0].col, c[0])

    # expressions
    def binary(self, c):
        left, op, right = c
        text = " ".join(str(op).split())  # "is  not" -> "is not"
        return n.Binary(left.line, left.col, text, left, right)

    def postfix_op(self, c):
        return n.Postfix(c[0].line, c[0].col, " ".join(str(c[1]).split()), c[0])

    def unary_op(self, c):
        return n.Unary(c[0].line, c[0].column, str(c[0]), c[1])

    def selector(self, c):
        return n.Selector(c[0].line, c[0].col, c[0], str(c[2]))

    def index(self, c):
        return n.Index(c[0].line, c[0].col, c[0], c[2])

    def slice(self, c):
        target = c[0]
        inner = c[2:-1]
        colon = next(i for i, x in enumerate(inner) if isinstance(x, Token) and x.type == "COLON")
        low = inner[colon - 1] if colon > 0 else None
        high = inner[colon + 1] if colon + 1 < len(inner) else None
        return n.Slice(target.line, target.col, target, low, high)

    def call(self, c):
        return n.Call(c[0].line, c[0].col, c[0], c[2])

    def name(self, c):
        return n.Name(c[0].line, c[0].column, str(c[0]))

    def literal(self, c):
        return n.Literal(c[0].line, c[0].column, c[0].lit)

    def list_lit(self, c):
        return n.ListLit(c[0].line, c[0].column, [x for x in c if not isinstance(x, Token)])

    def map_item(self, c):
        return (c[0], c[2])

    def map_lit(self, c):
        return n.MapLit(c[0].line, c[0].column, [x for x in c if isinstance(x, tuple)])

    def paren(self, c):
        return c[1]

    def func_lit(self, c):
        params = c[2] if not isinstance(c[2], Token) else []
        return n.FuncLit(c[0].line, c[0].column, params, c[-1])

    def rule_expr(self, c):
        exprs = [x for x in c if not isinstance(x, Token)]
        when = exprs[0] if len(exprs) == 2 else None
        return n.RuleExpr(c[0].line, c[0].column, exprs[-1], when)

    def quantifier(self, c):
        names = []
        i = 3
        while i < len(c) and isinstance(c[i], Token) and c[i].type in ("IDENT", "COMMA"):
            if c[i].type == "IDENT":
                names.append(str(c[i]))
            i += 1
        body = next(x for x in c[i:] if not isinstance(x, Token))
        return n.Quantifier(c[0].line, c[0].column, str(c[0]), c[1], names, body)


class _NodeError(Exception):
    def __init__(self, node, message):
        self.node = node
        self.message = message


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = (Path(__file__).with_name("grammar.lark")).read_text()
    # cache=True: the analysed grammar is kept in a temp file (keyed by grammar and options), which cuts the
    # parser build from ~140 ms to ~15 ms on every later start (the CLI's cold start matters in pre-commit).
    return Lark(grammar, parser="lalr", lexer=_TokenFeed, transformer=_Builder(), maybe_placeholders=False,
                cache=True)


def _describe(tok) -> str:
    if tok.type == "$END":
        return "end of file"
    if tok.type == "SEMI" and str(tok) == "\n":
        return "newline"
    return repr(str(tok))


def _expected(names) -> str:
    shown = sorted({_TOKEN_NAMES.get(x, "'" + x.lower().replace("_", " ") + "'") for x in names})
    if len(shown) > 6:
        return ""
    return "; expected " + ", ".join(shown)


def parse(source: str, filename: str = "<policy>") -> n.Module:
    """Parse a policy. Raises :class:`PolicySyntaxError` with every error found (``file:line:col: message``)."""
    tokens, comments = tokenize(source)
    diags: list[Diagnostic] = []
    for t in tokens:
        if t.type == "ILLEGAL":
            diags.append(Diagnostic(filename, t.line, t.col, str(t.value)))
    body_tokens = [t for t in tokens if t.type not in ("ILLEGAL", "$END")]
    module = None
    start = 0
    depth = _depths(body_tokens)
    while len(diags) < MAX_ERRORS:
        try:
            result = _lark().parse(body_tokens[start:])
        except UnexpectedToken as e:
            tok = e.token
            if tok.type == "$END" or not getattr(tok, "line", None):
                line, col = tokens[-1].line, tokens[-1].col  # our $END token knows where the file ends
            else:
                line, col = tok.line, tok.column
            diags.append(Diagnostic(filename, line, col, f"unexpected {_describe(tok)}{_expected(e.expected)}"))
            idx = _index_of(body_tokens, tok, start)
            nxt = _next_top_level(body_tokens, depth, idx, start)
            if nxt is None:
                break
            start = nxt
            continue
        except UnexpectedInput as e:  # pragma: no cover - our lexer never produces UnexpectedCharacters
            diags.append(Diagnostic(filename, getattr(e, "line", 0) or 0, getattr(e, "column", 0) or 0, str(e)))
            break
        except _NodeError as e:
            diags.append(Diagnostic(filename, e.node.line, e.node.col, e.message))
            break
        except VisitError as e:  # pragma: no cover - inline transformers raise directly; kept for safety
            orig = e.orig_exc
            if isinstance(orig, _NodeError):
                diags.append(Diagnostic(filename, orig.node.line, orig.node.col, orig.message))
            else:
                diags.append(Diagnostic(filename, 0, 0, f"internal parser error: {orig}"))
            break
        if start == 0:
            module = n.Module(1, 1, result)
        break
    if diags:
        diags.sort(key=lambda d: (d.line, d.column))
        raise PolicySyntaxError(diags)
    assert module is not None
    module.description = _top_comment(source, comments)
    module.comments = comments
    return module


def _top_comment(source: str, comments) -> str:
    """The file's top comment block: consecutive comments before the first token, up to the first blank line
    that is followed by code (Sentinel uses the leading comment as the policy description)."""
    lines: list[str] = []
    prev_end = 0
    for c in comments:
        gap = source[prev_end:c.pos]
        if gap.strip("\ufeff \t\r\n"):
            break  # code before this comment
        if lines and gap.count("\n") > 1:
            break  # blank line ends the block
        text = c.text
        if text.startswith("/*"):
            body = text[2:-2].strip()
            lines.extend(line.strip().lstrip("*").strip() for line in body.splitlines())
        else:
            lines.append(re.sub(r"^(#|//)\s?", "", text).rstrip())
        prev_end = c.pos + len(c.text)
    return "\n".join(lines).strip()


def _depths(tokens: list[Tok]) -> list[int]:
    out, d = [], 0
    for t in tokens:
        if t.type in ("LBRACE", "LPAR", "LSQB"):
            d += 1
        elif t.type in ("RBRACE", "RPAR", "RSQB"):
            d = max(0, d - 1)
        out.append(d)
    return out


def _index_of(tokens: list[Tok], tok, start: int) -> int:
    pos = getattr(tok, "start_pos", None)
    if pos is None:
        return len(tokens)
    for i in range(start, len(tokens)):
        if tokens[i].pos >= pos:
            return i
    return len(tokens)


def _next_top_level(tokens: list[Tok], depth: list[int], idx: int, start: int) -> int | None:
    """Index just after the next statement separator at the nesting depth where parsing (re)started."""
    base = depth[start - 1] if start > 0 else 0
    for i in range(max(idx, start), len(tokens)):
        if tokens[i].type == "SEMI" and depth[i] <= base:
            return i + 1 if i + 1 < len(tokens) else None
    return None
