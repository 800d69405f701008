"""From python-hcl2's Lark parse tree to HCL bodies and expressions with positions.

Why walk the raw tree: python-hcl2's own transformer drops line/column (and is the slow half of ``hcl2.loads``).
This walker keeps every range, folds static traversals the way hclsyntax does (so Nomad's runtime references such
as ``${attr.unique.hostname}`` can be kept as written), and parses heredoc bodies, which the grammar leaves raw.
"""

from __future__ import annotations

import re
from typing import Any

from lark import Token, Tree

from jobguard.jobspec.hcl.diagnostics import HCLError, Range, RedefinedAttribute
from jobguard.jobspec.hcl.expressions import (
    BinaryOp,
    Call,
    Conditional,
    Expr,
    ForExpr,
    Literal,
    ObjectCons,
    ObjectKey,
    Paren,
    RelTraversal,
    Splat,
    Traversal,
    TupleCons,
    UnaryOp,
    node,
)
from jobguard.jobspec.hcl.templates import build_template, heredoc_body, scan_template
from jobguard.jobspec.hcl.values import normalize_number
from jobguard.jobspec.limits import LIMITS_DOC, MAX_NUMBER_DIGITS, LimitExceeded


class StringLiteral(Literal):
    """A quoted string without interpolations. HCL's "start range" of it (used by value-type diagnostics) is its
    content, after the opening quote."""

    __slots__ = ()


def start_range(expr: Expr) -> Range:
    """hclsyntax's ``StartRange()``: where "Unsuitable value" diagnostics point."""
    r = expr.rng
    if isinstance(expr, StringLiteral):
        return (r[0], r[1] + 1, r[2], max(r[3] - 1, r[1] + 1))
    return r


@node
class Attribute:
    """``name = expr`` inside a body."""

    name: str
    expr: Expr
    rng: Range
    name_rng: Range


@node
class Block:
    """``type "label" { body }``."""

    type: str
    labels: list[str]
    label_rngs: list[Range]
    body: Body
    type_rng: Range
    open_rng: Range
    close_rng: Range

    @property
    def def_rng(self) -> Range:
        """HCL's DefRange: from the type name to the opening brace."""
        return (self.type_rng[0], self.type_rng[1], self.open_rng[0], self.open_rng[1])


@node
class Body:
    """Attributes (unique names, source order) and blocks (source order). ``end_rng`` is the closing brace."""

    attributes: dict[str, Attribute]
    blocks: list[Block]
    end_rng: Range


_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_BINARY_OPS = {"+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=", "&&", "||"}


class Converter:
    """Converts one parse tree. ``line_off``/``col_off`` relocate sub-parses (heredoc interpolations)."""

    def __init__(self, source: str, parse_expr, line_off: int = 0, col_off: int = 0):
        self.source = source
        self.parse_expr = parse_expr
        self.line_off = line_off
        self.col_off = col_off
        self.errors: list[HCLError] = []

    # -- positions -----------------------------------------------------------------------------------------------
    def pos(self, line: int, col: int) -> tuple[int, int]:
        if line == 1:
            return line + self.line_off, col + self.col_off
        return line + self.line_off, col

    def rng(self, node: Any) -> Range:
        if isinstance(node, Token):
            line, col, eline, ecol = node.line, node.column, node.end_line, node.end_column
        else:
            m = node.meta
            if m.empty:
                return (0, 0, 0, 0)
            line, col, eline, ecol = m.line, m.column, m.end_line, m.end_column
        a = self.pos(line, col)
        b = self.pos(eline, ecol)
        return (a[0], a[1], b[0], b[1])

    def text(self, node: Tree) -> str:
        return self.source[node.meta.start_pos:node.meta.end_pos]

    # -- bodies --------------------------------------------------------------------------------------------------
    def body(self, tree: Tree, end_rng: Range) -> Body:
        attrs: dict[str, Attribute] = {}
        blocks: list[Block] = []
        for child in tree.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "attribute":
                attr = self.attribute(child)
                prev = attrs.get(attr.name)
                if prev is not None:
                    self.errors.append(RedefinedAttribute(
                        "Attribute redefined",
                        f'The argument "{attr.name}" was already set at {{file}}:{prev.name_rng[0]},'
                        f"{prev.name_rng[1]}-{prev.name_rng[3]}. Each argument may be set only once.",
                        attr.name_rng, name=attr.name, first_rng=prev.name_rng))
                    continue
                attrs[attr.name] = attr
            elif child.data == "block":
                blocks.append(self.block(child))
        return Body(attrs, blocks, end_rng)

    def name_of(self, node: Tree) -> str:
        return str(node.children[0])

    def attribute(self, tree: Tree) -> Attribute:
        name_node, _eq, value = tree.children[0], tree.children[1], tree.children[2]
        return Attribute(self.name_of(name_node), self.expr(value), self.rng(tree), self.rng(name_node))

    def block(self, tree: Tree) -> Block:
        children = tree.children
        type_node = children[0]
        labels: list[str] = []
        label_rngs: list[Range] = []
        open_tok = close_tok = body_tree = None
        for child in children[1:]:
            if isinstance(child, Token):
                if child.type == "LBRACE":
                    open_tok = child
                elif child.type == "RBRACE":
                    close_tok = child
            elif child.data == "body":
                body_tree = child
            elif child.data == "string":
                labels.append(self.string_label(child))
                label_rngs.append(self.rng(child))
            elif child.data in ("identifier", "keyword", "literal_value"):
                labels.append(self.name_of(child))
                label_rngs.append(self.rng(child))
        close_rng = self.rng(close_tok)
        body = self.body(body_tree, close_rng) if body_tree is not None else Body({}, [], close_rng)
        return Block(self.name_of(type_node), labels, label_rngs, body, self.rng(type_node), self.rng(open_tok),
                     close_rng)

    def string_label(self, tree: Tree) -> str:
        expr = self.string(tree)
        if isinstance(expr, Literal):
            return expr.value
        rng = expr.rng
        for part in tree.children:
            if isinstance(part, Tree) and isinstance(part.children[0], Tree):
                rng = self.rng(part.children[0])
                break
        raise HCLError("Invalid string literal", "Template sequences are not allowed in this string. To include a "
                       'literal "$", double it (as "$$") to escape it.', rng)

    # -- expressions ---------------------------------------------------------------------------------------------
    def expr(self, node: Any) -> Expr:
        if isinstance(node, Token):
            raise HCLError("Invalid expression", "Expected the start of an expression.", self.rng(node))
        method = getattr(self, "x_" + node.data, None)
        if method is None:
            raise HCLError("Invalid expression", f"Unsupported expression syntax ({node.data}).", self.rng(node))
        return method(node)

    def _exprs(self, children: list) -> list:
        return [c for c in children if isinstance(c, Tree) and c.data != "new_line_or_comment"]

    def x_expr_term(self, tree: Tree) -> Expr:
        children = tree.children
        first = children[0]
        if isinstance(first, Token) and first.type == "LPAR":
            return Paren(self.expr(self._exprs(children)[0]), self.rng(tree))
        return self.expr(first)

    def x_identifier(self, tree: Tree) -> Expr:
        name = str(tree.children[0])
        rng = self.rng(tree)
        return Traversal(name, [], name, rng, rng)

    x_keyword = x_identifier

    def x_literal_value(self, tree: Tree) -> Expr:
        word = str(tree.children[0])
        return Literal({"true": True, "false": False, "null": None}[word], self.rng(tree))

    def x_int_lit(self, tree: Tree) -> Expr:
        digits = str(tree.children[0])
        if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
            raise LimitExceeded(f"a number literal with {len(digits):,} digits is above jobguard's limit of "
                                f"{MAX_NUMBER_DIGITS:,} digits for job files (see {LIMITS_DOC})", self.rng(tree))
        return Literal(int(digits), self.rng(tree))

    def x_float_lit(self, tree: Tree) -> Expr:
        return Literal(normalize_number(float(str(tree.children[0]))), self.rng(tree))

    def x_template_string(self, tree: Tree) -> Expr:
        raw = str(tree.children[0])[2:-2]
        return Literal(self.unescape(raw, self.rng(tree)), self.rng(tree))

    def x_tuple(self, tree: Tree) -> Expr:
        return TupleCons([self.expr(c) for c in self._exprs(tree.children)], self.rng(tree))

    def x_object(self, tree: Tree) -> Expr:
        items = []
        for elem in self._exprs(tree.children):
            key_node = elem.children[0]
            value = self.expr(elem.children[2])
            items.append((self.object_key(key_node), value))
        return ObjectCons(items, self.rng(tree))

    def object_key(self, key_node: Tree) -> ObjectKey:
        inner = key_node.children[0]
        rng = self.rng(key_node)
        if inner.data == "keyword":
            return ObjectKey(None, str(inner.children[0]), rng)
        if inner.data == "expr_term" and isinstance(inner.children[0], Tree) \
                and inner.children[0].data in ("identifier", "keyword"):
            return ObjectKey(None, str(inner.children[0].children[0]), rng)
        if inner.data == "expr_term" and isinstance(inner.children[0], Tree) \
                and inner.children[0].data == "literal_value":
            return ObjectKey(None, str(inner.children[0].children[0]), rng)
        return ObjectKey(self.expr(inner), None, rng)

    def x_function_call(self, tree: Tree) -> Expr:
        children = tree.children
        name_node = children[0]
        name = str(name_node.children[0])
        args: list[Expr] = []
        expand = False
        for child in children[1:]:
            if isinstance(child, Token) and child.type == "COLONS":
                raise HCLError("Call to unknown function", "Namespaced functions are not supported.",
                               self.rng(name_node))
            if isinstance(child, Tree) and child.data == "arguments":
                for arg in child.children:
                    if isinstance(arg, Token):
                        if arg.type == "ELLIPSIS":
                            expand = True
                    elif arg.data != "new_line_or_comment":
                        args.append(self.expr(arg))
        return Call(name, args, expand, self.rng(tree), self.rng(name_node))

    def _step(self, node: Tree) -> tuple:
        """A get_attr / index node as a traversal step (kind, key, range)."""
        if node.data == "get_attr":
            return ("attr", str(node.children[1].children[0]), self.rng(node))
        if node.data == "short_index":
            return ("index", int(str(node.children[1])), self.rng(node))
        key = self.expr(self._exprs(node.children)[0])
        if isinstance(key, Literal):
            return ("index", key.value, self.rng(node))
        return ("index", key, self.rng(node))

    def _traverse(self, tree: Tree) -> Expr:
        source = self.expr(tree.children[0])
        step = self._step(tree.children[1])
        rng = self.rng(tree)
        if isinstance(source, Traversal) and not isinstance(step[1], Expr):
            return Traversal(source.root, source.steps + [step], self.text(tree), rng, source.root_rng)
        if isinstance(source, RelTraversal):
            return RelTraversal(source.source, source.steps + [step], rng)
        return RelTraversal(source, [step], rng)

    x_get_attr_expr_term = _traverse
    x_index_expr_term = _traverse

    def _splat(self, tree: Tree) -> Expr:
        source = self.expr(tree.children[0])
        splat = tree.children[1]
        steps = [self._step(c) for c in splat.children if isinstance(c, Tree)]
        return Splat(source, steps, self.rng(tree))

    x_attr_splat_expr_term = _splat
    x_full_splat_expr_term = _splat

    def x_conditional(self, tree: Tree) -> Expr:
        parts = self._exprs(tree.children)
        return Conditional(self.expr(parts[0]), self.expr(parts[1]), self.expr(parts[2]), self.rng(tree))

    def x_binary_op(self, tree: Tree) -> Expr:
        left = self.expr(tree.children[0])
        term = tree.children[1]
        op_node = term.children[0]
        op = str(op_node.children[0]).strip()
        right = self.expr(self._exprs(term.children[1:])[0])
        return BinaryOp(op, left, right, self.rng(tree))

    def x_unary_op(self, tree: Tree) -> Expr:
        op = str(tree.children[0])
        operand = self.expr(tree.children[1])
        if op == "-" and isinstance(operand, Literal) and isinstance(operand.value, (int, float)) \
                and not isinstance(operand.value, bool):
            return Literal(-operand.value, self.rng(tree))
        return UnaryOp(op, operand, self.rng(tree))

    def _for(self, tree: Tree, is_object: bool) -> Expr:
        intro = None
        exprs: list[Tree] = []
        cond = None
        group = False
        for child in tree.children:
            if isinstance(child, Token):
                if child.type == "ELLIPSIS":
                    group = True
                continue
            if child.data == "for_intro":
                intro = child
            elif child.data == "for_cond":
                cond = self.expr(self._exprs(child.children)[0])
            elif child.data != "new_line_or_comment":
                exprs.append(child)
        idents = [str(c.children[0]) for c in intro.children if isinstance(c, Tree) and c.data == "identifier"]
        coll = self.expr([c for c in intro.children if isinstance(c, Tree)
                          and c.data not in ("identifier", "new_line_or_comment")][0])
        key_var, val_var = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
        if is_object:
            key_expr, val_expr = self.expr(exprs[0]), self.expr(exprs[1])
        else:
            key_expr, val_expr = None, self.expr(exprs[0])
        return ForExpr(key_var, val_var, coll, key_expr, val_expr, cond, group, is_object, self.rng(tree))

    def x_for_tuple_expr(self, tree: Tree) -> Expr:
        return self._for(tree, False)

    def x_for_object_expr(self, tree: Tree) -> Expr:
        return self._for(tree, True)

    # -- strings and templates -----------------------------------------------------------------------------------
    def unescape(self, raw: str, rng: Range) -> str:
        if "\\" not in raw:
            return raw

        def repl(m: re.Match) -> str:
            esc = m.group(1)
            if esc in _SIMPLE_ESCAPES:
                return _SIMPLE_ESCAPES[esc]
            if esc[0] in "uU" and len(esc) > 1:
                return chr(int(esc[1:], 16))
            raise HCLError("Invalid escape sequence", f'The symbol "{esc}" is not a valid escape sequence '
                           "selector.", rng)

        return _ESCAPE.sub(repl, raw)

    def x_string(self, tree: Tree) -> Expr:
        return self.string(tree)

    def string(self, tree: Tree) -> Expr:
        items: list = []
        for part in tree.children:
            if isinstance(part, Token):
                continue
            inner = part.children[0]
            if isinstance(inner, Token):
                kind = inner.type
                value = str(inner)
                if kind == "STRING_CHARS":
                    if "\n" in value:
                        raise HCLError("Invalid multi-line string", "Quoted strings may not be split over multiple "
                                       "lines. To produce a multi-line string, either use the \\n escape to represent "
                                       "a newline character or use the \"heredoc\" multi-line template syntax.",
                                       self.rng(inner))
                    text = self.unescape(value, self.rng(inner))
                else:  # $${ or %%{ escapes
                    text = value[1:]
                # a quoted string's literal run is one token for strip markers, escaped newlines and all
                if items and items[-1][0] == "lit":
                    items[-1] = ("lit", items[-1][1] + text)
                else:
                    items.append(("lit", text))
                continue
            items.append(self.template_item(inner))
        expr = build_template(items, self.rng(tree))
        if type(expr) is Literal:
            expr = StringLiteral(expr.value, expr.rng)
        return expr

    def template_item(self, node: Tree) -> tuple:
        kind = node.data
        rng = self.rng(node)
        markers = [i for i, t in enumerate(node.children) if isinstance(t, Token) and t.type == "STRIP_MARKER"]
        strip_l = bool(markers) and markers[0] == 1
        strip_r = bool(markers) and markers[-1] == len(node.children) - 2
        exprs = self._exprs(node.children)
        if kind == "interpolation":
            return ("interp", self.expr(exprs[0]), strip_l, strip_r, rng)
        if kind == "template_if_start":
            return ("if", self.expr(exprs[-1]), strip_l, strip_r, rng)
        if kind == "template_for_start":
            idents = [str(c.children[0]) for c in exprs if c.data == "identifier"]
            coll = self.expr(exprs[-1])
            key, value = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
            return ("for", key, value, coll, strip_l, strip_r, rng)
        word = {"template_else": "else", "template_endif": "endif", "template_endfor": "endfor"}[kind]
        return (word, strip_l, strip_r, rng)

    def _heredoc(self, tree: Tree, trim: bool) -> Expr:
        token = tree.children[0]
        text, _ = heredoc_body(str(token))
        abs_line, _ = self.pos(token.line + 1, 1)
        items = scan_template(text, abs_line, 1, self.parse_expr)
        return build_template(items, self.rng(tree), flush=trim)

    def x_heredoc_template(self, tree: Tree) -> Expr:
        return self._heredoc(tree, False)

    def x_heredoc_template_trim(self, tree: Tree) -> Expr:
        return self._heredoc(tree, True)


def first_body(tree: Tree) -> Tree | None:
    """The ``body`` child of a ``start`` tree."""
    for child in tree.children:
        if isinstance(child, Tree) and child.data == "body":
            return child
    return None
