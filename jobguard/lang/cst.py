"""Concrete syntax tree for ``jobguard fmt``: the policy's structure *with the position of every token*.

Why not the AST of ``parser.py``: formatting the way ``sentinel fmt`` does (Go's printer) is driven by where each
token was in the source: which line a list element, an operator's right operand or a closing brace starts on decides
line breaks, alignment sections and whether a literal stays on one line. The evaluation AST keeps only start
positions and drops brackets, commas and parentheses. This module re-reads the lexer's token stream with a small
recursive-descent parser that mirrors ``grammar.lark`` (same precedence levels) and keeps the tokens. It runs only on
source that ``parser.parse`` accepted, so it reports no errors of its own beyond a guard.
"""

from __future__ import annotations

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


def tok_end(t: Tok) -> tuple[int, int, int]:
    """Position just after token ``t``: (offset, line, column)."""
    return t.pos + len(t.text), t.end_line, t.end_col


def tok_pos(t: Tok) -> tuple[int, int, int]:
    return t.pos, t.line, t.col


class Node:
    """Base: ``first``/``last`` are the node's first and last tokens."""

    __slots__ = ()

    def first(self) -> Tok:
        raise NotImplementedError

    def last(self) -> Tok:
        raise NotImplementedError

    @property
    def line(self) -> int:
        return self.first().line

    @property
    def end_line(self) -> int:
        return self.last().end_line

    def pos(self) -> tuple[int, int, int]:
        return tok_pos(self.first())


# -- expressions --------------------------------------------------------------------------------------------------
class Leaf(Node):
    """Identifier or literal."""

    __slots__ = ("tok",)

    def __init__(self, tok: Tok):
        self.tok = tok

    def first(self):
        return self.tok

    last = first


class Binary(Node):
    __slots__ = ("x", "op", "y")

    def __init__(self, x: Node, op: Tok, y: Node):
        self.x, self.op, self.y = x, op, y

    def first(self):
        return self.x.first()

    def last(self):
        return self.y.last()


class Postfix(Node):
    """``x is empty``, ``x is not defined``, ..."""

    __slots__ = ("x", "op")

    def __init__(self, x: Node, op: Tok):
        self.x, self.op = x, op

    def first(self):
        return self.x.first()

    def last(self):
        return self.op


class Unary(Node):
    __slots__ = ("op", "x")

    def __init__(self, op: Tok, x: Node):
        self.op, self.x = op, x

    def first(self):
        return self.op

    def last(self):
        return self.x.last()


class Paren(Node):
    __slots__ = ("lparen", "x", "rparen")

    def __init__(self, lparen: Tok, x: Node, rparen: Tok):
        self.lparen, self.x, self.rparen = lparen, x, rparen

    def first(self):
        return self.lparen

    def last(self):
        return self.rparen


class Selector(Node):
    __slots__ = ("x", "dot", "name")

    def __init__(self, x: Node, dot: Tok, name: Tok):
        self.x, self.dot, self.name = x, dot, name

    def first(self):
        return self.x.first()

    def last(self):
        return self.name


class Index(Node):
    __slots__ = ("x", "lbrack", "index", "rbrack")

    def __init__(self, x: Node, lbrack: Tok, index: Node, rbrack: Tok):
        self.x, self.lbrack, self.index, self.rbrack = x, lbrack, index, rbrack

    def first(self):
        return self.x.first()

    def last(self):
        return self.rbrack


class Slice(Node):
    __slots__ = ("x", "lbrack", "low", "high", "rbrack")

    def __init__(self, x: Node, lbrack: Tok, low: Node | None, high: Node | None, rbrack: Tok):
        self.x, self.lbrack, self.low, self.high, self.rbrack = x, lbrack, low, high, rbrack

    def first(self):
        return self.x.first()

    def last(self):
        return self.rbrack


class Call(Node):
    __slots__ = ("fun", "lparen", "args", "rparen")

    def __init__(self, fun: Node, lparen: Tok, args: list[Node], rparen: Tok):
        self.fun, self.lparen, self.args, self.rparen = fun, lparen, args, rparen

    def first(self):
        return self.fun.first()

    def last(self):
        return self.rparen


class ListLit(Node):
    __slots__ = ("lbrack", "elts", "rbrack")

    def __init__(self, lbrack: Tok, elts: list[Node], rbrack: Tok):
        self.lbrack, self.elts, self.rbrack = lbrack, elts, rbrack

    def first(self):
        return self.lbrack

    def last(self):
        return self.rbrack


class KeyValue(Node):
    __slots__ = ("key", "colon", "value")

    def __init__(self, key: Node, colon: Tok, value: Node):
        self.key, self.colon, self.value = key, colon, value

    def first(self):
        return self.key.first()

    def last(self):
        return self.value.last()


class MapLit(Node):
    __slots__ = ("lbrace", "elts", "rbrace")

    def __init__(self, lbrace: Tok, elts: list[KeyValue], rbrace: Tok):
        self.lbrace, self.elts, self.rbrace = lbrace, elts, rbrace

    def first(self):
        return self.lbrace

    def last(self):
        return self.rbrace


class Block(Node):
    __slots__ = ("lbrace", "stmts", "rbrace")

    def __init__(self, lbrace: Tok, stmts: list[Node], rbrace: Tok):
        self.lbrace, self.stmts, self.rbrace = lbrace, stmts, rbrace

    def first(self):
        return self.lbrace

    def last(self):
        return self.rbrace


class FuncLit(Node):
    __slots__ = ("func", "lparen", "params", "rparen", "body")

    def __init__(self, func: Tok, lparen: Tok, params: list[Tok], rparen: Tok, body: Block):
        self.func, self.lparen, self.params, self.rparen, self.body = func, lparen, params, rparen, body

    def first(self):
        return self.func

    def last(self):
        return self.body.rbrace


class RuleLit(Node):
    __slots__ = ("rule", "when", "cond", "lbrace", "body", "rbrace")

    def __init__(self, rule: Tok, when: Tok | None, cond: Node | None, lbrace: Tok, body: Node, rbrace: Tok):
        self.rule, self.when, self.cond, self.lbrace, self.body, self.rbrace = rule, when, cond, lbrace, body, rbrace

    def first(self):
        return self.rule

    def last(self):
        return self.rbrace


class Quantifier(Node):
    """``all|any|filter|map COLLECTION as NAMES { BODY }``."""

    __slots__ = ("kw", "coll", "as_", "names", "lbrace", "body", "rbrace")

    def __init__(self, kw: Tok, coll: Node, as_: Tok, names: list[Tok], lbrace: Tok, body: Node, rbrace: Tok):
        self.kw, self.coll, self.as_, self.names = kw, coll, as_, names
        self.lbrace, self.body, self.rbrace = lbrace, body, rbrace

    def first(self):
        return self.kw

    def last(self):
        return self.rbrace


# -- statements ---------------------------------------------------------------------------------------------------
class Import(Node):
    __slots__ = ("kw", "path", "as_", "alias")

    def __init__(self, kw: Tok, path: Tok, as_: Tok | None, alias: Tok | None):
        self.kw, self.path, self.as_, self.alias = kw, path, as_, alias

    def first(self):
        return self.kw

    def last(self):
        return self.alias or self.path


class Param(Node):
    __slots__ = ("kw", "name", "default", "value")

    def __init__(self, kw: Tok, name: Tok, default: Tok | None, value: Node | None):
        self.kw, self.name, self.default, self.value = kw, name, default, value

    def first(self):
        return self.kw

    def last(self):
        return self.value.last() if self.value is not None else self.name


class FuncDecl(Node):
    __slots__ = ("func", "name", "lparen", "params", "rparen", "body")

    def __init__(self, func: Tok, name: Tok, lparen: Tok, params: list[Tok], rparen: Tok, body: Block):
        self.func, self.name, self.lparen = func, name, lparen
        self.params, self.rparen, self.body = params, rparen, body

    def first(self):
        return self.func

    def last(self):
        return self.body.rbrace


class Assign(Node):
    __slots__ = ("lhs", "op", "rhs")

    def __init__(self, lhs: Node, op: Tok, rhs: Node):
        self.lhs, self.op, self.rhs = lhs, op, rhs

    def first(self):
        return self.lhs.first()

    def last(self):
        return self.rhs.last()


class ExprStmt(Node):
    __slots__ = ("x",)

    def __init__(self, x: Node):
        self.x = x

    def first(self):
        return self.x.first()

    def last(self):
        return self.x.last()


class If(Node):
    __slots__ = ("kw", "cond", "body", "else_", "orelse")

    def __init__(self, kw: Tok, cond: Node, body: Block, else_: Tok | None, orelse: Node | None):
        self.kw, self.cond, self.body, self.else_, self.orelse = kw, cond, body, else_, orelse

    def first(self):
        return self.kw

    def last(self):
        return self.orelse.last() if self.orelse is not None else self.body.rbrace


class For(Node):
    __slots__ = ("kw", "coll", "as_", "names", "body")

    def __init__(self, kw: Tok, coll: Node, as_: Tok, names: list[Tok], body: Block):
        self.kw, self.coll, self.as_, self.names, self.body = kw, coll, as_, names, body

    def first(self):
        return self.kw

    def last(self):
        return self.body.rbrace


class Clause(Node):
    """``when A, B:`` (or ``else:`` when ``exprs`` is empty) and its statements."""

    __slots__ = ("kw", "exprs", "colon", "stmts")

    def __init__(self, kw: Tok, exprs: list[Node], colon: Tok, stmts: list[Node]):
        self.kw, self.exprs, self.colon, self.stmts = kw, exprs, colon, stmts

    def first(self):
        return self.kw

    def last(self):
        return self.stmts[-1].last() if self.stmts else self.colon


class Case(Node):
    __slots__ = ("kw", "subject", "lbrace", "clauses", "rbrace")

    def __init__(self, kw: Tok, subject: Node | None, lbrace: Tok, clauses: list[Clause], rbrace: Tok):
        self.kw, self.subject, self.lbrace, self.clauses, self.rbrace = kw, subject, lbrace, clauses, rbrace

    def first(self):
        return self.kw

    def last(self):
        return self.rbrace


class Return(Node):
    __slots__ = ("kw", "x")

    def __init__(self, kw: Tok, x: Node):
        self.kw, self.x = kw, x

    def first(self):
        return self.kw

    def last(self):
        return self.x.last()


class Branch(Node):
    """``break`` or ``continue``."""

    __slots__ = ("kw",)

    def __init__(self, kw: Tok):
        self.kw = kw

    def first(self):
        return self.kw

    last = first


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
