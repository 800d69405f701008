"""Compiler: AST -> Python closures (the reference backend).

Why closures: the tree is walked once at compile time; evaluation then calls small specialised Python functions.
Each closure knows its source position and turns a :class:`RuntimeFault` into a :class:`PolicyRuntimeError` at
that position, and the logical operators and quantifiers record Sentinel's trace when a tracer is active. The
generated-code backend (codegen.py) is faster; this one is authoritative for errors and traces, and runs every
policy the code generator leaves alone.

Scopes follow the Sentinel spec: the file is one scope; ``func`` bodies, ``for`` loops and quantifiers open a
child scope; assigning to a name that exists in an enclosing scope modifies it, otherwise creates it locally;
reading an unknown name gives ``undefined``. Rules are lazy and memoised (see :class:`RuleValue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

from jobguard.lang import nodes as n
from jobguard.lang import runtime as rt
from jobguard.lang.errors import PolicyRuntimeError, RuntimeFault
from jobguard.lang.runtime import resolve_import
from jobguard.lang.sandbox import SMALL_INT, list_bytes, map_bytes
from jobguard.lang.unparse import unparse
from jobguard.lang.values import UNDEFINED

Fn = Callable[["Scope"], Any]

_LOGIC = ("and", "or", "xor")


class Scope:
    __slots__ = ("vars", "parent", "ctx")

    def __init__(self, ctx: Context, parent: Scope | None = None, vars: dict | None = None):
        self.vars = {} if vars is None else vars
        self.parent = parent
        self.ctx = ctx


class Signal:
    """Control-flow outcome of a statement (break / continue / return value)."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value: Any = None):
        self.kind = kind
        self.value = value


BREAK = Signal("break")
CONTINUE = Signal("continue")


@dataclass(eq=False, slots=True)
class FuncValue:
    """A policy function. Callable from Python too, so imports can take policy functions as arguments.

    ``eq=False`` keeps identity comparison and hashing: two function values are equal only if they are the same."""

    params: list[str]
    body: Any
    scope: Scope
    name: str
    line: int
    col: int

    def __call__(self, *args):
        ctx = self.scope.ctx
        if len(args) != len(self.params):
            raise RuntimeFault(f"function {self.name or '<func>'} takes {len(self.params)} argument(s), "
                               f"got {len(args)}")
        budget = ctx.budget
        budget.step()
        budget.enter()
        try:
            local = Scope(ctx, self.scope, dict(zip(self.params, args, strict=True)))
            for st in self.body:
                sig = st(local)
                if sig is not None:
                    if sig.kind == "return":
                        return sig.value
                    raise RuntimeFault(f"'{sig.kind}' outside a loop")
        finally:
            budget.leave()
        raise RuntimeFault(f"function {self.name or '<func>'} ended without a return statement")


class RuleValue:
    """A rule: evaluated on first use, then memoised for the rest of the evaluation."""

    __slots__ = ("body", "when", "scope", "name", "line", "col", "node", "state", "value")
    is_rule = True

    def __init__(self, body, when, scope, line, col, node):
        self.body = body
        self.when = when
        self.scope = scope
        self.name = ""
        self.line = line
        self.col = col
        self.node = node
        self.state = 0  # 0 new, 1 evaluating, 2 done
        self.value = UNDEFINED

    def force(self) -> Any:
        if self.state == 2:
            return self.value
        if self.state == 1:
            raise RuntimeFault(f"rule {self.name or '<rule>'} refers to itself")
        self.state = 1
        ctx = self.scope.ctx
        tracer = ctx.tracer
        if tracer is not None:
            tracer.push()
        ctx.budget.enter()
        try:
            value = True
            if self.when is not None:
                cond = self.when(self.scope)
                if cond is UNDEFINED:
                    value = UNDEFINED
                elif type(cond) is not bool:
                    raise RuntimeFault(f"rule 'when' predicate must be a bool, got {rt.type_name(cond)}")
                elif cond:
                    value = self.body(self.scope)
            else:
                value = self.body(self.scope)
        finally:
            ctx.budget.leave()
            if tracer is not None:
                kids = tracer.pop()
                if self.state == 1:
                    self.state = 0
        if tracer is not None:
            body = self.node.body
            if not (len(kids) == 1 and (kids[0].line, kids[0].col) == (body.line, body.col)):
                kids = [TraceEntry(body.line, body.col, value, unparse(body), kids)]
            tracer.rule_done(self, value, kids)
        self.value = value
        self.state = 2
        return value


def _string_literals(node: n.Node) -> bool:
    """A non-empty list literal of string literals (``x in ["a", "b"]``: a constant set, never kept)."""
    return type(node) is n.ListLit and bool(node.items) and all(
        type(x) is n.Literal and type(x.value) is str for x in node.items)


def _traces_itself(node: n.Node) -> bool:
    """Nodes that add their own trace entry (so an enclosing ``and``/``or`` must not add one for them again)."""
    if type(node) is n.Binary:
        return node.op in _LOGIC
    return type(node) is n.Quantifier and node.kind in ("all", "any")


class TraceEntry:
    __slots__ = ("line", "col", "value", "text", "children")

    def __init__(self, line, col, value, text, children):
        self.line = line
        self.col = col
        self.value = value
        self.text = text
        self.children = children


class Tracer:
    """Collects what decided each rule (Sentinel's trace: nested and/or operands with their values)."""

    def __init__(self):
        self.stack: list[list[TraceEntry]] = [[]]
        self.rules: list[tuple[RuleValue, Any, list[TraceEntry]]] = []

    def push(self) -> None:
        self.stack.append([])

    def pop(self) -> list[TraceEntry]:
        return self.stack.pop()

    def add(self, entry: TraceEntry) -> None:
        self.stack[-1].append(entry)

    def rule_done(self, rule: RuleValue, value: Any, kids: list[TraceEntry]) -> None:
        self.rules.append((rule, value, kids))


class Context:
    """Per-evaluation state shared by all closures (through ``scope.ctx``)."""

    __slots__ = ("budget", "prints", "tracer", "imports", "import_cache", "filename", "params")

    def __init__(self, budget, imports, filename, tracer=None, params=None):
        self.budget = budget
        self.params = params or {}
        self.prints: list[str] = []
        self.tracer = tracer
        self.imports = imports
        self.import_cache: dict[str, Any] = {}
        self.filename = filename


class CompiledModule:
    """Result of :func:`compile_module`: the statements as closures, plus what the static pass learned."""

    def __init__(self, body: list[Fn], params: dict[str, n.Node | None], imports: list[str], mutates: bool):
        self.body = body
        self.params = params
        self.imports = imports
        self.mutates = mutates


def compile_module(module: n.Module, filename: str, builtins: dict[str, Any]) -> CompiledModule:
    c = _Compiler(filename, builtins)
    decls = [s for s in module.body if type(s) is n.FuncDecl]
    others = [s for s in module.body if type(s) is not n.FuncDecl]
    body = [c.stmt(s, top=True) for s in decls + others]  # named functions are hoisted
    return CompiledModule(body, c.params, c.imports, c.mutates)


class _Compiler:
    def __init__(self, filename: str, builtins: dict[str, Any]):
        self.filename = filename
        self.builtins = builtins
        self.params: dict[str, n.Node | None] = {}
        self.imports: list[str] = []
        self.mutates = False
        self.loop_depth = 0
        self.func_depth = 0

    # -- errors --------------------------------------------------------------------------------------------------
    def err(self, node: n.Node, message: str) -> PolicyRuntimeError:
        return PolicyRuntimeError(message, self.filename, node.line, node.col)

    def guard(self, node: n.Node, fn: Fn) -> Fn:
        """Wrap ``fn`` so that a fault inside it is reported at ``node``'s position."""
        filename, line, col = self.filename, node.line, node.col

        def guarded(s):
            try:
                return fn(s)
            except RuntimeFault as e:
                raise PolicyRuntimeError(e.message, filename, line, col) from None
            except RecursionError:
                raise PolicyRuntimeError("evaluation stopped: nesting too deep", filename, line, col) from None

        return guarded

    # -- statements ----------------------------------------------------------------------------------------------
    def block(self, stmts: list[n.Node]) -> list[Fn]:
        return [self.stmt(s) for s in stmts]

    def stmt(self, node: n.Node, top: bool = False) -> Fn:
        method = getattr(self, "s_" + type(node).__name__)
        return method(node, top) if top else method(node, False)

    def s_ExprStmt(self, node: n.ExprStmt, top: bool) -> Fn:
        e = self.expr(node.expr)

        def run(s):
            v = e(s)
            if type(v) is RuleValue:
                v.force()

        return run

    def s_Import(self, node: n.Import, top: bool) -> Fn:
        path, alias = node.path, node.alias
        self.imports.append(path)

        def run(s):
            ctx = s.ctx
            if path not in ctx.import_cache:
                ctx.import_cache[path] = resolve_import(ctx, path)
            s.vars[alias] = ctx.import_cache[path]

        return self.guard(node, run)

    def s_Param(self, node: n.Param, top: bool) -> Fn:
        name = node.name
        self.params[name] = node.default
        default = self.expr(node.default) if node.default is not None else None

        def run(s):
            supplied = s.ctx.params
            if name in supplied:
                s.vars[name] = supplied[name]
            elif default is not None:
                s.vars[name] = default(s)
            else:
                raise RuntimeFault(f"missing value for required param {name!r}")

        return self.guard(node, run)

    def s_FuncDecl(self, node: n.FuncDecl, top: bool) -> Fn:
        make = self.e_FuncLit(node.func)
        name = node.name

        def run(s):
            s.vars[name] = make(s)

        return run

    def s_Assign(self, node: n.Assign, top: bool) -> Fn:
        value = self.expr(node.value)
        target = node.target
        op = node.op[:-1] if node.op != "=" else ""
        if type(target) is n.Name:
            name = target.name
            line, col = node.line, node.col

            def run(s):
                v = value(s)
                scope = s
                while scope is not None and name not in scope.vars:
                    scope = scope.parent
                if scope is None:
                    scope = s
                if op:
                    cur = scope.vars.get(name, UNDEFINED)
                    if type(cur) is RuleValue:
                        cur = cur.force()
                    v = rt.arith(op, cur, v, s.ctx.budget)
                elif type(v) is RuleValue and not v.name:
                    v.name = name
                    v.line, v.col = line, col
                scope.vars[name] = v

            return self.guard(node, run)
        self.mutates = True
        container = self.expr(target.target)
        key = self.expr(target.index) if type(target) is n.Index else (lambda s, k=target.name: k)

        def run_index(s):
            coll = container(s)
            k = key(s)
            v = value(s)
            if op:
                v = rt.arith(op, rt.get_index(coll, k), v, s.ctx.budget)
            rt.set_index(coll, k, v, s.ctx.budget)

        return self.guard(node, run_index)

    def _run_block(self, body: list[Fn]) -> Fn:
        if len(body) == 1:
            return body[0]

        def run(s):
            for st in body:
                sig = st(s)
                if sig is not None:
                    return sig
            return None

        return run

    def s_If(self, node: n.If, top: bool) -> Fn:
        cond = self.expr(node.cond)
        body = self._run_block(self.block(node.body)) if node.body else (lambda s: None)
        orelse = self._run_block(self.block(node.orelse)) if node.orelse else (lambda s: None)

        def run(s):
            c = cond(s)
            if c is True:
                return body(s)
            if c is False:
                return orelse(s)
            raise RuntimeFault(f"if condition must be a bool, got {rt.type_name(c)}")

        return self.guard(node, run)

    def s_For(self, node: n.For, top: bool) -> Fn:
        coll = self.expr(node.collection)
        self.loop_depth += 1
        body = self.block(node.body)
        self.loop_depth -= 1
        names = node.names

        def run(s):
            c = coll(s)
            pairs = rt.iterate(c, len(names))
            if pairs is None:
                raise RuntimeFault("cannot iterate over undefined")
            for local, _k, _v in _bind_each(s, c, pairs, names):
                for st in body:
                    sig = st(local)
                    if sig is not None:
                        break
                else:
                    continue
                if sig is BREAK:
                    break
                if sig is CONTINUE:
                    continue
                return sig
            return None

        return self.guard(node, run)

    def s_Case(self, node: n.Case, top: bool) -> Fn:
        subject = self.expr(node.subject) if node.subject is not None else None
        clauses = [([self.expr(e) for e in w.exprs], self._run_block(self.block(w.body)) if w.body else None)
                   for w in node.clauses]
        orelse = self._run_block(self.block(node.orelse.body)) if node.orelse and node.orelse.body else None

        def run(s):
            subj = subject(s) if subject is not None else True
            for exprs, body in clauses:
                for e in exprs:
                    v = e(s)
                    if rt.equal(subj, v) if subject is not None else v is True:
                        return body(s) if body is not None else None
            if orelse is not None:
                return orelse(s)
            return None

        return self.guard(node, run)

    def _misplaced(self, node: n.Node, message: str) -> Fn:
        def fail(s):
            raise RuntimeFault(message)

        return self.guard(node, fail)

    def s_Return(self, node: n.Return, top: bool) -> Fn:
        if self.func_depth == 0:
            return self._misplaced(node, "'return' outside a function")
        value = self.expr(node.value)

        def run(s):
            v = value(s)
            return Signal("return", v)

        return run

    def s_Break(self, node: n.Break, top: bool) -> Fn:
        if self.loop_depth == 0:
            return self._misplaced(node, "'break' outside a loop")
        return lambda s: BREAK

    def s_Continue(self, node: n.Continue, top: bool) -> Fn:
        if self.loop_depth == 0:
            return self._misplaced(node, "'continue' outside a loop")
        return lambda s: CONTINUE

    # -- expressions ---------------------------------------------------------------------------------------------
    def expr(self, node: n.Node) -> Fn:
        return getattr(self, "e_" + type(node).__name__)(node)

    def e_Literal(self, node: n.Literal) -> Fn:
        v = node.value
        return lambda s: v

    def e_Name(self, node: n.Name) -> Fn:
        name = node.name
        if name == "true":
            return lambda s: True
        if name == "false":
            return lambda s: False
        if name == "null":
            return lambda s: None
        if name == "undefined":
            return lambda s: UNDEFINED
        builtin = self.builtins.get(name, UNDEFINED)

        def lookup(s):
            while s is not None:
                d = s.vars
                if name in d:
                    v = d[name]
                    if type(v) is RuleValue:
                        return v.force()
                    return v
                s = s.parent
            return builtin

        return self.guard(node, lookup)

    def e_ListLit(self, node: n.ListLit, charged: bool = True) -> Fn:
        items = [self.expr(x) for x in node.items]
        if not charged:  # a literal only searched by 'in' (the code generator makes it a tuple, nothing is kept)
            return lambda s: [f(s) for f in items]
        cost = list_bytes(len(items))

        def build(s):
            s.ctx.budget.charge(cost)
            return [f(s) for f in items]

        return self.guard(node, build)

    def e_MapLit(self, node: n.MapLit) -> Fn:
        items = [(self.expr(k), self.expr(v)) for k, v in node.items]
        cost = map_bytes(len(items))

        def build(s):
            s.ctx.budget.charge(cost)
            out = {}
            for kf, vf in items:
                k = kf(s)
                out[rt.map_key(k)] = vf(s)
            return out

        return self.guard(node, build)

    def e_Unary(self, node: n.Unary) -> Fn:
        operand = self.expr(node.operand)
        op = node.op
        if op in ("!", "not"):
            def run(s):
                v = operand(s)
                if v is True:
                    return False
                if v is False:
                    return True
                return rt.negate(op, v)
        else:
            def run(s):
                return rt.negate(op, operand(s))
        return self.guard(node, run)

    def e_Postfix(self, node: n.Postfix) -> Fn:
        operand = self.expr(node.operand)
        op = node.op
        if op == "is defined":
            return lambda s: operand(s) is not UNDEFINED
        if op == "is not defined":
            return lambda s: operand(s) is UNDEFINED
        if op == "is empty":
            return self.guard(node, lambda s: rt.is_empty(operand(s)))

        def not_empty(s):
            v = rt.is_empty(operand(s))
            return v if v is UNDEFINED else not v

        return self.guard(node, not_empty)

    def e_Binary(self, node: n.Binary) -> Fn:
        op = node.op
        left = self.expr(node.left)
        if op in ("in", "not in") and _string_literals(node.right):
            right = self.e_ListLit(node.right, charged=False)
        else:
            right = self.expr(node.right)
        if op in _LOGIC:
            return self._logic(node, op, left, right)
        if op == "else":
            def else_(s):
                v = left(s)
                return right(s) if v is UNDEFINED else v
            return else_
        if op in ("==", "is", "!=", "is not"):
            negate = op in ("!=", "is not")

            def eq(s):
                a = left(s)
                b = right(s)
                ta = type(a)
                if ta is type(b) and (ta is str or ta is int):
                    return (a != b) if negate else (a == b)
                if a is UNDEFINED or b is UNDEFINED:
                    return UNDEFINED
                r = rt.equal(a, b)
                return not r if negate else r

            return eq
        if op in ("<", "<=", ">", ">="):
            return self.guard(node, lambda s: rt.compare(op, left(s), right(s)))
        if op in ("+", "-", "*", "/", "%"):
            def arith(s):
                a = left(s)
                b = right(s)
                if type(a) is int and type(b) is int and op != "/" and op != "%":
                    r = a + b if op == "+" else (a * b if op == "*" else a - b)
                    return r if -SMALL_INT <= r <= SMALL_INT else s.ctx.budget.check_int(r)
                return rt.arith(op, a, b, s.ctx.budget)
            return self.guard(node, arith)
        if op in ("contains", "not contains", "in", "not in"):
            swap = op in ("in", "not in")
            neg = op.startswith("not")

            def contains(s):
                a = left(s)
                b = right(s)
                r = rt.contains(b, a, s.ctx.budget) if swap else rt.contains(a, b, s.ctx.budget)
                if neg and r is not UNDEFINED:
                    return not r
                return r

            return self.guard(node, contains)
        if op in ("matches", "not matches"):
            neg = op == "not matches"

            def match(s):
                r = rt.matches(left(s), right(s), s.ctx.budget)
                return (not r) if neg and r is not UNDEFINED else r

            return self.guard(node, match)
        raise AssertionError(f"unknown operator {op}")  # pragma: no cover - grammar limits operators

    def _logic(self, node: n.Binary, op: str, left: Fn, right: Fn) -> Fn:
        """``and``/``or``/``xor``: each operand is one trace line (nested logic and all/any add their own)."""
        lnode, rnode = node.left, node.right

        text = unparse(node)

        def traced(s):
            tracer = s.ctx.tracer
            if tracer is None:
                return _logic_eval(op, left, right, s)
            tracer.push()
            calls = []

            def tl(f, sub):
                def g(sc):
                    v = f(sc)
                    if not _traces_itself(sub):
                        tracer.add(TraceEntry(sub.line, sub.col, v, unparse(sub), []))
                    calls.append(v)
                    return v
                return g

            saved = (left, right)
            try:
                value = _logic_eval(op, tl(saved[0], lnode), tl(saved[1], rnode), s)
            finally:
                kids = tracer.pop()
            tracer.add(TraceEntry(node.line, node.col, value, text, kids))
            return value

        return self.guard(node, traced)

    def e_Selector(self, node: n.Selector) -> Fn:
        target = self.expr(node.target)
        name = node.name

        def sel(s):
            v = target(s)
            if type(v) is dict:
                return v.get(name, UNDEFINED)
            return rt.get_attr(v, name)

        return self.guard(node, sel)

    def e_Index(self, node: n.Index) -> Fn:
        target = self.expr(node.target)
        index = self.expr(node.index)
        return self.guard(node, lambda s: rt.get_index(target(s), index(s)))

    def e_Slice(self, node: n.Slice) -> Fn:
        target = self.expr(node.target)
        low = self.expr(node.low) if node.low is not None else (lambda s: None)
        high = self.expr(node.high) if node.high is not None else (lambda s: None)
        return self.guard(node, lambda s: rt.get_slice(target(s), low(s), high(s), s.ctx.budget))

    def e_Call(self, node: n.Call) -> Fn:
        func = self.expr(node.func)
        args = [self.expr(a) for a in node.args]
        if type(node.func) is n.Name and node.func.name in ("append", "delete"):
            self.mutates = True

        def call(s):
            f = func(s)
            vals = [a(s) for a in args]
            if type(f) is FuncValue:
                return f(*vals)
            return rt.call_value(s.ctx, f, vals)

        return self.guard(node, call)

    def e_FuncLit(self, node: n.FuncLit) -> Fn:
        saved = self.loop_depth
        self.loop_depth = 0
        self.func_depth += 1
        body = self.block(node.body)
        self.func_depth -= 1
        self.loop_depth = saved
        params, name, line, col = node.params, node.name, node.line, node.col
        return lambda s: FuncValue(params, body, s, name, line, col)

    def e_RuleExpr(self, node: n.RuleExpr) -> Fn:
        body = self.expr(node.body)
        when = self.expr(node.when) if node.when is not None else None
        line, col = node.line, node.col
        return lambda s: RuleValue(body, when, s, line, col, node)

    def e_Quantifier(self, node: n.Quantifier) -> Fn:
        coll = self.expr(node.collection)
        body = self.expr(node.body)
        kind = node.kind
        names = node.names
        text = unparse(node)

        def quant(s):
            tracer = s.ctx.tracer
            if tracer is None or kind not in ("all", "any"):
                return run(s)
            tracer.push()
            try:
                result = run(s)
            finally:
                kids = tracer.pop()
            tracer.add(TraceEntry(node.line, node.col, result, text, kids))
            return result

        def run(s):
            c = coll(s)
            pairs = rt.iterate(c, len(names))
            if pairs is None:
                return UNDEFINED
            is_list = type(c) is list
            out_list: list = []
            out_map: dict = {}
            result: Any = None
            for local, k, v in _bind_each(s, c, pairs, names):
                r = body(local)
                if type(r) is RuleValue:
                    r = r.force()
                if kind == "map":
                    out_list.append(r)
                    continue
                if r is UNDEFINED:
                    result = UNDEFINED
                    break
                if type(r) is not bool:
                    raise RuntimeFault(f"'{kind}' body must be a bool, got {rt.type_name(r)}")
                if kind == "all":
                    if not r:
                        result = False
                        break
                elif kind == "any":
                    if r:
                        result = True
                        break
                elif r:
                    if is_list:
                        out_list.append(v)
                    else:
                        out_map[k] = v
            if result is None:
                if kind == "all":
                    result = True
                elif kind == "any":
                    result = False
                elif kind == "map":
                    result = out_list
                else:
                    result = out_map if type(c) is dict else out_list
            return result

        return self.guard(node, quant)


def _bind_each(s: Scope, c: Any, pairs: Any, names: list[str]) -> Any:
    """Loop over ``pairs`` of collection ``c`` in a fresh scope (one step per element, charged before the first)
    and bind the loop names for each (one name: a list's value or a map's key; two: key/index and value),
    yielding ``(scope, key, value)``."""
    ctx = s.ctx
    if type(c) is list or type(c) is dict:  # charged up front, as the generated code charges it
        ctx.budget.step(len(c))
    local = Scope(ctx, s)
    lv = local.vars
    n1 = names[0]
    n2 = names[-1]
    one = len(names) == 1
    is_list = type(c) is list
    for k, v in pairs:
        if one:
            lv[n1] = v if is_list else k
        else:
            lv[n1] = k
            lv[n2] = v
        yield local, k, v


def _logic_eval(op: str, left: Fn, right: Fn, s: Scope) -> Any:
    """Short-circuit ``and``/``or`` on the left operand (checked first, so its type error wins); the combination
    itself is the rule the generated code applies too (:data:`jobguard.lang.runtime.LOGIC`)."""
    a = left(s)
    rt.check_bool(op, a)
    if op == "and":
        if a is False:
            return False
    elif op == "or" and a is True:
        return True
    return rt.LOGIC[op](a, right(s))
