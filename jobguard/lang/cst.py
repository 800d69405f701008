"""Concrete syntax tree for ``jobguard fmt``: the policy's structure *with the position of every token*.

Why not the AST of ``parser.py``: formatting the way ``sentinel fmt`` does (Go's printer) is driven by where each
token was in the source: which line a list element, an operator's right operand or a closing brace starts on decides
line breaks, alignment sections and whether a literal stays on one line. The evaluation AST keeps only start
positions and drops brackets, commas and parentheses. This module re-reads the lexer's token stream with a small
recursive-descent parser that mirrors ``grammar.lark`` (same precedence levels) and keeps the tokens. It runs only on
source that ``parser.parse`` accepted, so it reports no errors of its own beyond a guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from jobguard.lang.lexer import Tok

# Binary operator precedence, lowest first (grammar.lark): or xor < and < comparisons < else < + - < * / %
PREC = {"OR": 1, "XOR": 1, "AND": 2, "ELSE": 4, "PLUS": 5, "MINUS": 5, "STAR": 6, "SLASH": 6, "PERCENT": 6}
CMP_OPS = {"EQL", "NEQ", "LSS", "LEQ", "GTR", "GEQ", "IS", "IS_NOT", "CONTAINS", "NOT_CONTAINS", "IN", "NOT_IN",
           "MATCHES", "NOT_MATCHES"}
for _op in CMP_OPS:
    PREC[_op] = 3
POSTFIX_OPS = {"IS_EMPTY", "IS_NOT_EMPTY", "IS_DEFINED", "IS_NOT_DEFINED"}
CMP_PREC = 3
UNARY_PREC = 7
HIGHEST_PREC = 8
ASSIGN_OPS = {"ASSIGN", "ADD_ASSIGN", "SUB_ASSIGN", "MUL_ASSIGN", "QUO_ASSIGN", "REM_ASSIGN"}


class CstError(Exception):
    """The token stream does not have the expected shape (a bug guard: the source already parsed)."""


def tok_pos(t: Tok) -> tuple[int, int, int]:
    return t.pos, t.line, t.col


class Node:
    """Base: ``first``/``last`` are the node's first and last tokens, found through the fields named in ``_span``
    (a field holds a token or a node)."""

    __slots__ = ()
    _span: ClassVar[tuple[str, str]] = ("", "")

    def first(self) -> Tok:
        v = getattr(self, self._span[0])
        return v if isinstance(v, Tok) else v.first()

    def last(self) -> Tok:
        v = getattr(self, self._span[1])
        return v if isinstance(v, Tok) else v.last()

    @property
    def line(self) -> int:
        return self.first().line

    @property
    def end_line(self) -> int:
        return self.last().end_line

    def pos(self) -> tuple[int, int, int]:
        return tok_pos(self.first())


# -- expressions --------------------------------------------------------------------------------------------------
@dataclass(slots=True, eq=False)
class Leaf(Node):
    """Identifier or literal."""

    _span: ClassVar[tuple[str, str]] = ("tok", "tok")
    tok: Tok


@dataclass(slots=True, eq=False)
class Binary(Node):
    _span: ClassVar[tuple[str, str]] = ("x", "y")
    x: Node
    op: Tok
    y: Node


@dataclass(slots=True, eq=False)
class Postfix(Node):
    """``x is empty``, ``x is not defined``, ..."""

    _span: ClassVar[tuple[str, str]] = ("x", "op")
    x: Node
    op: Tok


@dataclass(slots=True, eq=False)
class Unary(Node):
    _span: ClassVar[tuple[str, str]] = ("op", "x")
    op: Tok
    x: Node


@dataclass(slots=True, eq=False)
class Paren(Node):
    _span: ClassVar[tuple[str, str]] = ("lparen", "rparen")
    lparen: Tok
    x: Node
    rparen: Tok


@dataclass(slots=True, eq=False)
class Selector(Node):
    _span: ClassVar[tuple[str, str]] = ("x", "name")
    x: Node
    dot: Tok
    name: Tok


@dataclass(slots=True, eq=False)
class Index(Node):
    _span: ClassVar[tuple[str, str]] = ("x", "rbrack")
    x: Node
    lbrack: Tok
    index: Node
    rbrack: Tok


@dataclass(slots=True, eq=False)
class Slice(Node):
    _span: ClassVar[tuple[str, str]] = ("x", "rbrack")
    x: Node
    lbrack: Tok
    low: Node | None
    high: Node | None
    rbrack: Tok


@dataclass(slots=True, eq=False)
class Call(Node):
    _span: ClassVar[tuple[str, str]] = ("fun", "rparen")
    fun: Node
    lparen: Tok
    args: list[Node]
    rparen: Tok


@dataclass(slots=True, eq=False)
class ListLit(Node):
    _span: ClassVar[tuple[str, str]] = ("lbrack", "rbrack")
    lbrack: Tok
    elts: list[Node]
    rbrack: Tok


@dataclass(slots=True, eq=False)
class KeyValue(Node):
    _span: ClassVar[tuple[str, str]] = ("key", "value")
    key: Node
    colon: Tok
    value: Node


@dataclass(slots=True, eq=False)
class MapLit(Node):
    _span: ClassVar[tuple[str, str]] = ("lbrace", "rbrace")
    lbrace: Tok
    elts: list[KeyValue]
    rbrace: Tok


@dataclass(slots=True, eq=False)
class Block(Node):
    _span: ClassVar[tuple[str, str]] = ("lbrace", "rbrace")
    lbrace: Tok
    stmts: list[Node]
    rbrace: Tok


@dataclass(slots=True, eq=False)
class FuncLit(Node):
    _span: ClassVar[tuple[str, str]] = ("func", "body")
    func: Tok
    lparen: Tok
    params: list[Tok]
    rparen: Tok
    body: Block


@dataclass(slots=True, eq=False)
class RuleLit(Node):
    _span: ClassVar[tuple[str, str]] = ("rule", "rbrace")
    rule: Tok
    when: Tok | None
    cond: Node | None
    lbrace: Tok
    body: Node
    rbrace: Tok


@dataclass(slots=True, eq=False)
class Quantifier(Node):
    """``all|any|filter|map COLLECTION as NAMES { BODY }``."""

    _span: ClassVar[tuple[str, str]] = ("kw", "rbrace")
    kw: Tok
    coll: Node
    as_: Tok
    names: list[Tok]
    lbrace: Tok
    body: Node
    rbrace: Tok


# -- statements ---------------------------------------------------------------------------------------------------
@dataclass(slots=True, eq=False)
class Import(Node):
    kw: Tok
    path: Tok
    as_: Tok | None
    alias: Tok | None

    def first(self):
        return self.kw

    def last(self):
        return self.alias or self.path


@dataclass(slots=True, eq=False)
class Param(Node):
    kw: Tok
    name: Tok
    default: Tok | None
    value: Node | None

    def first(self):
        return self.kw

    def last(self):
        return self.value.last() if self.value is not None else self.name


@dataclass(slots=True, eq=False)
class FuncDecl(Node):
    _span: ClassVar[tuple[str, str]] = ("func", "body")
    func: Tok
    name: Tok
    lparen: Tok
    params: list[Tok]
    rparen: Tok
    body: Block


@dataclass(slots=True, eq=False)
class Assign(Node):
    _span: ClassVar[tuple[str, str]] = ("lhs", "rhs")
    lhs: Node
    op: Tok
    rhs: Node


@dataclass(slots=True, eq=False)
class ExprStmt(Node):
    _span: ClassVar[tuple[str, str]] = ("x", "x")
    x: Node


@dataclass(slots=True, eq=False)
class If(Node):
    kw: Tok
    cond: Node
    body: Block
    else_: Tok | None
    orelse: Node | None

    def first(self):
        return self.kw

    def last(self):
        return self.orelse.last() if self.orelse is not None else self.body.rbrace


@dataclass(slots=True, eq=False)
class For(Node):
    _span: ClassVar[tuple[str, str]] = ("kw", "body")
    kw: Tok
    coll: Node
    as_: Tok
    names: list[Tok]
    body: Block


@dataclass(slots=True, eq=False)
class Clause(Node):
    """``when A, B:`` (or ``else:`` when ``exprs`` is empty) and its statements."""

    kw: Tok
    exprs: list[Node]
    colon: Tok
    stmts: list[Node]

    def first(self):
        return self.kw

    def last(self):
        return self.stmts[-1].last() if self.stmts else self.colon


@dataclass(slots=True, eq=False)
class Case(Node):
    _span: ClassVar[tuple[str, str]] = ("kw", "rbrace")
    kw: Tok
    subject: Node | None
    lbrace: Tok
    clauses: list[Clause]
    rbrace: Tok


@dataclass(slots=True, eq=False)
class Return(Node):
    _span: ClassVar[tuple[str, str]] = ("kw", "x")
    kw: Tok
    x: Node


@dataclass(slots=True, eq=False)
class Branch(Node):
    """``break`` or ``continue``."""

    _span: ClassVar[tuple[str, str]] = ("kw", "kw")
    kw: Tok


# -- parser -------------------------------------------------------------------------------------------------------
class CstParser:
    """Recursive descent over the lexer's tokens (implied semicolons included), following grammar.lark."""

    def __init__(self, tokens: list[Tok]):
        self.toks = tokens
        self.i = 0

    # helpers
    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.toks[j].type if j < len(self.toks) else "$END"

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, type_: str) -> Tok:
        if self.peek() != type_:
            t = self.toks[min(self.i, len(self.toks) - 1)]
            raise CstError(f"{t.line}:{t.col}: expected {type_}, found {t.type}")
        return self.take()

    def skip_semis(self) -> None:
        while self.peek() == "SEMI":
            self.i += 1

    # statements
    def parse_file(self) -> list[Node]:
        stmts = self.stmt_list({"$END"})
        self.expect("$END")
        return stmts

    def stmt_list(self, stop: set[str]) -> list[Node]:
        stmts: list[Node] = []
        while True:
            self.skip_semis()
            if self.peek() in stop:
                return stmts
            stmts.append(self.stmt())

    def stmt(self) -> Node:
        t = self.peek()
        if t == "IMPORT":
            kw = self.take()
            path = self.expect("STRING")
            if self.peek() == "AS":
                return Import(kw, path, self.take(), self.expect("IDENT"))
            return Import(kw, path, None, None)
        if t == "PARAM":
            kw = self.take()
            name = self.expect("IDENT")
            if self.peek() == "DEFAULT":
                default = self.take()
                return Param(kw, name, default, self.expr())
            return Param(kw, name, None, None)
        if t == "FUNC" and self.peek(1) == "IDENT":
            kw = self.take()
            name = self.take()
            lparen, params, rparen = self.params()
            return FuncDecl(kw, name, lparen, params, rparen, self.block())
        if t == "IF":
            return self.if_stmt()
        if t == "FOR":
            kw = self.take()
            coll = self.expr()
            as_ = self.expect("AS")
            return For(kw, coll, as_, self.names(), self.block())
        if t == "CASE":
            return self.case_stmt()
        if t == "RETURN":
            kw = self.take()
            return Return(kw, self.expr())
        if t in ("BREAK", "CONTINUE"):
            return Branch(self.take())
        x = self.expr()
        if self.peek() in ASSIGN_OPS:
            op = self.take()
            return Assign(x, op, self.expr())
        return ExprStmt(x)

    def if_stmt(self) -> If:
        kw = self.expect("IF")
        cond = self.expr()
        body = self.block()
        if self.peek() != "ELSE":
            return If(kw, cond, body, None, None)
        else_ = self.take()
        orelse = self.if_stmt() if self.peek() == "IF" else self.block()
        return If(kw, cond, body, else_, orelse)

    def case_stmt(self) -> Case:
        kw = self.take()
        subject = None
        if not (self.peek() == "LBRACE" and self._starts_clauses(1)):
            subject = self.expr()
        lbrace = self.expect("LBRACE")
        clauses: list[Clause] = []
        self.skip_semis()
        while self.peek() in ("WHEN", "ELSE"):
            ckw = self.take()
            exprs: list[Node] = []
            if ckw.type == "WHEN":
                exprs.append(self.expr())
                while self.peek() == "COMMA":
                    self.take()
                    exprs.append(self.expr())
            colon = self.expect("COLON")
            clauses.append(Clause(ckw, exprs, colon, self.stmt_list({"WHEN", "ELSE", "RBRACE"})))
        return Case(kw, subject, lbrace, clauses, self.expect("RBRACE"))

    def _starts_clauses(self, k: int) -> bool:
        while self.peek(k) == "SEMI":
            k += 1
        return self.peek(k) in ("WHEN", "ELSE", "RBRACE")

    def block(self) -> Block:
        lbrace = self.expect("LBRACE")
        stmts = self.stmt_list({"RBRACE"})
        return Block(lbrace, stmts, self.expect("RBRACE"))

    def params(self) -> tuple[Tok, list[Tok], Tok]:
        lparen = self.expect("LPAR")
        params: list[Tok] = []
        while self.peek() == "IDENT":
            params.append(self.take())
            if self.peek() != "COMMA":
                break
            self.take()
        return lparen, params, self.expect("RPAR")

    def names(self) -> list[Tok]:
        names = [self.expect("IDENT")]
        if self.peek() == "COMMA":
            self.take()
            names.append(self.expect("IDENT"))
        return names

    # expressions
    def expr(self) -> Node:
        return self.binary(1)

    def binary(self, level: int) -> Node:
        if level > 6:
            return self.unary()
        x = self.binary(level + 1)
        while True:
            t = self.peek()
            if PREC.get(t) == level:
                op = self.take()
                x = Binary(x, op, self.binary(level + 1))
            elif level == CMP_PREC and t in POSTFIX_OPS:
                x = Postfix(x, self.take())
            else:
                return x

    def unary(self) -> Node:
        if self.peek() in ("MINUS", "PLUS", "BANG", "NOT"):
            op = self.take()
            return Unary(op, self.unary())
        return self.postfix()

    def postfix(self) -> Node:
        x = self.primary()
        while True:
            t = self.peek()
            if t == "DOT":
                dot = self.take()
                x = Selector(x, dot, self.expect("IDENT"))
            elif t == "LSQB":
                lbrack = self.take()
                low = None if self.peek() == "COLON" else self.expr()
                if self.peek() == "COLON":
                    self.take()
                    high = None if self.peek() == "RSQB" else self.expr()
                    x = Slice(x, lbrack, low, high, self.expect("RSQB"))
                else:
                    assert low is not None
                    x = Index(x, lbrack, low, self.expect("RSQB"))
            elif t == "LPAR":
                lparen = self.take()
                args = self.expr_seq("RPAR")
                x = Call(x, lparen, args, self.expect("RPAR"))
            else:
                return x

    def expr_seq(self, close: str) -> list[Node]:
        items: list[Node] = []
        while self.peek() != close:
            items.append(self.expr())
            if self.peek() != "COMMA":
                break
            self.take()
        return items

    def primary(self) -> Node:
        t = self.peek()
        if t in ("IDENT", "INT", "FLOAT", "STRING"):
            return Leaf(self.take())
        if t == "LSQB":
            lbrack = self.take()
            elts = self.expr_seq("RSQB")
            return ListLit(lbrack, elts, self.expect("RSQB"))
        if t == "LBRACE":
            lbrace = self.take()
            pairs: list[KeyValue] = []
            while self.peek() not in ("RBRACE", "SEMI"):
                key = self.expr()
                colon = self.expect("COLON")
                pairs.append(KeyValue(key, colon, self.expr()))
                if self.peek() != "COMMA":
                    break
                self.take()
            self.skip_semis()
            return MapLit(lbrace, pairs, self.expect("RBRACE"))
        if t == "LPAR":
            lparen = self.take()
            x = self.expr()
            return Paren(lparen, x, self.expect("RPAR"))
        if t == "FUNC":
            kw = self.take()
            lparen, params, rparen = self.params()
            return FuncLit(kw, lparen, params, rparen, self.block())
        if t == "RULE":
            kw = self.take()
            when = cond = None
            if self.peek() == "WHEN":
                when = self.take()
                cond = self.expr()
            lbrace = self.expect("LBRACE")
            self.skip_semis()
            body = self.expr()
            self.skip_semis()
            return RuleLit(kw, when, cond, lbrace, body, self.expect("RBRACE"))
        if t in ("ALL", "ANY", "FILTER", "MAP"):
            kw = self.take()
            coll = self.expr()
            as_ = self.expect("AS")
            names = self.names()
            lbrace = self.expect("LBRACE")
            self.skip_semis()
            body = self.expr()
            self.skip_semis()
            return Quantifier(kw, coll, as_, names, lbrace, body, self.expect("RBRACE"))
        tok = self.toks[min(self.i, len(self.toks) - 1)]
        raise CstError(f"{tok.line}:{tok.col}: unexpected {tok.type}")


def parse_cst(tokens: list[Tok]) -> list[Node]:
    """The file's statements, from ``tokenize(source)[0]`` (implied semicolons included, ending with ``$END``)."""
    return CstParser(tokens).parse_file()
