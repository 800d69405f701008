"""Fast path: AST -> Python source -> one Python function per policy (Jinja2's approach).

Why a second backend: the closure compiler (compiler.py) is the reference implementation; it reports exact error
positions and produces traces, but every node is a Python call. Policies run for every job the proxy admits, and
most of them pass, so passing evaluations must cost about what the same check written by hand in Python costs.
This module translates a policy into straight-line Python: file-scope variables become locals of one function,
rules become memoised nested functions, quantifiers become loops, and operators are inlined with fast paths for
the common types, falling back to the shared helpers in :mod:`jobguard.lang.runtime` for everything else.

The contract with :mod:`jobguard.lang.policy`: the generated function either returns ``(main value, rules)`` or
raises. A returned verdict (``true``, ``false`` or ``undefined``) is final: the caller reports it as is, so the
generated code must be right whenever it returns (tests/lang/test_codegen.py and tests/lang/test_differential.py
hold it to the closure backend on every policy we have). Only the trace of a verdict other than ``true`` comes from
the closure backend, rendered by a re-run when someone reads it. Anything unusual (a runtime error, a budget
overrun, a main that is not a bool) makes the caller re-run the policy with the closure backend, which then
provides the authoritative result, error position and trace; the generated code may refuse a construct at
generation time by raising (see :class:`Unsupported`): such policies always use the closure backend.

Limits (see :mod:`jobguard.lang.sandbox`) are enforced exactly as the closure backend enforces them, so the two
never disagree about whether a policy is within its budget: the generated function receives the evaluation's
:class:`~jobguard.lang.sandbox.Budget` as ``_B``; loops and quantifiers charge their length up front and calls one
step, checked with the same function (``_over``); int results beyond 64 bits, string and list concatenation,
literals, index assignment and the values import functions return are charged through the same Budget methods
and runtime helpers the closure backend calls (tests/lang/test_codegen.py compares both).

Scoping is resolved statically (the closure backend resolves it at run time): a name assigned in a function body
refers to the enclosing variable when the enclosing scope assigns (or reads) that name anywhere, else it is local.
"""

from __future__ import annotations

import math
import re
from types import FunctionType as _FunctionType
from types import MethodType as _MethodType
from typing import Any

from jobguard.lang import nodes as n
from jobguard.lang import runtime as rt
from jobguard.lang import sandbox
from jobguard.lang.sandbox import list_bytes, map_bytes
from jobguard.lang.errors import RuntimeFault
from jobguard.lang.values import UNDEFINED, SentinelObject

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOPVAR = re.compile(r"\bl_[A-Za-z0-9_]*?_\d+\b")
_CONSTANTS = {"true": "True", "false": "False", "null": "None", "undefined": "U"}
_SMALL = sandbox.SMALL_INT  # int results within +-_SMALL need no size check (inlined as a constant)
_CMP = {"<": "<", "<=": "<=", ">": ">", ">=": ">="}
_NUMERIC = (int, float)


class Unsupported(Exception):
    """The construct is left to the closure backend."""


# -- runtime support used by generated code -------------------------------------------------------------------------
def _sel(v, name):
    if isinstance(v, SentinelObject):
        return v.get_attr(name)
    return rt.get_attr(v, name)


def _eq(a, b):
    if a is UNDEFINED or b is UNDEFINED:
        return UNDEFINED
    return rt.equal(a, b)


def _ne(a, b):
    if a is UNDEFINED or b is UNDEFINED:
        return UNDEFINED
    return not rt.equal(a, b)


def _in(item, coll, budget=None):
    return rt.contains(coll, item, budget)


def _not_in(item, coll, budget=None):
    r = rt.contains(coll, item, budget)
    return r if r is UNDEFINED else not r


def _not(v):
    if v is True:
        return False
    if v is False:
        return True
    return rt.negate("!", v)


def _truth(v, what):
    raise RuntimeFault(f"{what} must be a bool, got {rt.type_name(v)}")


def _iter1(c):
    """Values of a list, keys of a map, nothing for null (one-name loops)."""
    t = type(c)
    if t is dict:
        return list(c)
    if c is None:
        return ()
    raise RuntimeFault(f"cannot iterate over {rt.type_name(c)}")


def _call(f, ctx, *args):
    """A call the inlined fast case did not take: a builtin, or any callable that is not one of this policy's own
    functions (import functions, plugin callables such as ``functools.partial``, bound methods, classes' instances
    with ``__call__``, builtins): dispatched as the closure backend dispatches them."""
    return rt.call_value(ctx, f, args)


def _map(pairs):
    out = {}
    for k, v in pairs:
        out[rt.map_key(k)] = v
    return out


def _fault(message):
    """Raise a fixed runtime error from generated code (undefined loop, missing return, no main, self-reference)."""
    raise RuntimeFault(message)


def _badif(v):
    raise RuntimeFault(f"if condition must be a bool, got {rt.type_name(v)}")


def _param(params, name, default):
    if name in params:
        return params[name]
    if default is _MISSING:
        raise RuntimeFault(f"missing value for required param {name!r}")
    return default


_MISSING = object()


SUPPORT = {
    "U": UNDEFINED, "_rt": rt, "_sel": _sel, "_eq": _eq, "_ne": _ne, "_and": rt.logic_and, "_or": rt.logic_or,
    "_xor": rt.logic_xor, "_not": _not, "_truth": _truth, "_iter1": _iter1, "_iter2": rt.iterate,
    "_over": sandbox.next_step_check,
    "_call": _call, "_setitem": rt.set_index, "_map": _map, "_fault": _fault, "_badif": _badif,
    "_in": _in, "_not_in": _not_in,
    "_param": _param, "_MISSING": _MISSING, "_N": _NUMERIC,
    "_FunctionType": _FunctionType, "_MethodType": _MethodType,
}


# -- code generation ------------------------------------------------------------------------------------------------
class _Func:
    """One generated Python function and the Sentinel names it owns."""

    def __init__(self, parent: _Func | None, kind: str):
        self.parent = parent
        self.kind = kind  # "policy", "func", "rule", "quant"
        self.names: dict[str, str] = {}  # Sentinel name -> Python name owned by this function
        self.nonlocals: set[str] = set()  # enclosing functions' variables this function assigns


class _Gen:
    def __init__(self, module: n.Module, builtins: dict[str, Any]):
        self.module = module
        self.builtins = builtins
        self.counter = 0
        self.rule_names: set[str] = set()
        self.decl_funcs: set[str] = set()
        self._pre_stack: list[list[str]] = []
        self._indent_stack: list[int] = []
        self._qstack: list[tuple[set[str], list[str], int]] = []
        self.inline_rules: set[str] = set()
        self.rule_defs: dict[str, n.RuleExpr] = {}

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    # -- static analysis -----------------------------------------------------------------------------------------
    def analyse(self) -> tuple[set[str], set[str]]:
        """(names living at file scope, every identifier used anywhere).

        File-scope names: assigned by top-level statements (including inside top-level ``if``/``for``/``case``
        bodies) plus free names (read somewhere, assigned nowhere: globals, builtins or undefined). Names assigned
        only inside function bodies are locals of those functions."""
        file_assigned: set[str] = set()
        used: set[str] = set()
        assigned_anywhere: set[str] = set()
        assign_count: dict[str, int] = {}

        def walk(node: n.Node, top: bool) -> None:
            t = type(node)
            if t is n.Name:
                if not _IDENT.match(node.name):
                    raise Unsupported("identifier")
                used.add(node.name)
            elif t is n.Assign and type(node.target) is n.Name:
                if top:
                    file_assigned.add(node.target.name)
                assigned_anywhere.add(node.target.name)
                used.add(node.target.name)
                assign_count[node.target.name] = assign_count.get(node.target.name, 0) + 1
                if type(node.value) is n.RuleExpr:
                    if not (top and node.op == "=" and node in self.module.body):
                        raise Unsupported("rule outside a top-level assignment")
                    self.rule_names.add(node.target.name)
            elif t is n.Import or t is n.Param or t is n.FuncDecl:  # file-level names these declare
                name = node.alias if t is n.Import else node.name
                if not _IDENT.match(name):
                    raise Unsupported("identifier")
                file_assigned.add(name)
                used.add(name)
                if t is n.FuncDecl:
                    self.decl_funcs.add(name)
            for name in ("params", "names"):
                for p in getattr(node, name, None) or []:
                    if isinstance(p, str):
                        if not _IDENT.match(p):
                            raise Unsupported("identifier")
                        assigned_anywhere.add(p)  # bound by a loop, quantifier or parameter: never free
            child_top = False if t in (n.FuncLit, n.Quantifier, n.FuncDecl) else top
            for child in n.children(node):
                walk(child, child_top)

        for st in n.nodes_in(self.module.body):
            walk(st, True)
        if any(assign_count.get(r, 0) != 1 for r in self.rule_names):
            raise Unsupported("a rule name assigned more than once")
        self.assigned_names = assigned_anywhere | file_assigned
        free = used - assigned_anywhere - file_assigned
        return file_assigned | free, used

    def plan_rules(self) -> None:
        """Decide which rules are inlined: a rule read exactly once, at a place evaluated at most once (a
        top-level statement after the rule's definition, or the body of another inlined rule), is computed right
        there into ``_V_<name>``; ``main`` (never read) is computed at the end. Other rules become memoising
        functions. Inlining keeps Sentinel's laziness: the body still runs only where the rule is first read."""
        rules: dict[str, tuple[int, n.RuleExpr]] = {}
        for i, st in enumerate(self.module.body):
            if type(st) is n.Assign and type(st.target) is n.Name and type(st.value) is n.RuleExpr:
                rules[st.target.name] = (i, st.value)
        refs: dict[str, list] = {r: [] for r in rules}

        def walk(value, ctx) -> None:
            """Record ``ctx`` for every rule read in ``value`` (a node or a list of nodes)."""
            for node in n.nodes_in(value):
                t = type(node)
                if t is n.Name:
                    if node.name in refs:
                        refs[node.name].append(ctx)
                elif t is n.Quantifier or t is n.For:
                    walk(node.collection, ctx)
                    walk(node.body, "nested")
                elif t in (n.FuncLit, n.FuncDecl):
                    walk(node.body if t is n.FuncLit else node.func.body, "nested")
                else:
                    walk(list(n.children(node)), ctx)

        for i, st in enumerate(self.module.body):
            if st.__class__ is n.Assign and st.target.__class__ is n.Name and st.target.name in rules:
                walk([st.value.body, st.value.when], ("rule", st.target.name))
            else:
                walk(st, ("top", i))
        inline: set[str] = set()
        if "main" in rules and not refs["main"]:
            inline.add("main")
        changed = True
        while changed:
            changed = False
            for r, (index, _) in rules.items():
                if r in inline or len(refs[r]) != 1:
                    continue
                where = refs[r][0]
                if (where[0] == "top" and where[1] > index) or (where[0] == "rule" and where[1] in inline):
                    inline.add(r)
                    changed = True
        self.rule_defs = {r: node for r, (_, node) in rules.items()}
        self.inline_rules = inline

    # -- entry -----------------------------------------------------------------------------------------------
    def generate(self) -> str:
        file_names, used = self.analyse()
        self.plan_rules()
        self.file_assigned = {s.target.name for s in self.module.body if type(s) is n.Assign
                              and type(s.target) is n.Name} | {s.name for s in self.module.body
                                                               if type(s) in (n.FuncDecl, n.Param)}
        root = _Func(None, "policy")
        self.root = root
        lines: list[str] = []
        names = sorted(file_names - set(_CONSTANTS))
        for name in names:
            root.names[name] = "v_" + name
        body = self.module.body
        decls = [s for s in body if type(s) is n.FuncDecl]
        others = [s for s in body if type(s) is not n.FuncDecl]
        for st in decls + others:
            self.stmt(st, root, lines, 1, loop=False)
        if "main" in self.inline_rules:
            e = self.rule_value(self.rule_defs["main"], root, lines, 1)
            lines.append(f"    _m = _V_main = {e}")
        elif "main" in self.rule_names:
            lines.append("    _m = _R_main()")
        elif "main" in self.file_assigned:
            lines.append("    _m = v_main")
        else:
            lines.append("    _m = _fault('policy has no main rule')")
        text = "\n".join(lines)
        out = ["def __policy(_G, _P, _I, _ctx, _B):"]
        if "_steps" in text:  # loops or function calls: the step budget (checked as Budget.step checks it)
            out += ["    _steps = 0", "    _lim = _B.next_check"]
        free = [nm for nm in names if nm not in self.file_assigned]
        if free:
            out.append("    _g = _G.get")
        for name in free:  # globals (or builtins / undefined); file variables are assigned before use
            if name in self.builtins:
                out.append(f"    v_{name} = _g({name!r}, _BI[{name!r}])")
            else:
                out.append(f"    v_{name} = _g({name!r}, U)")
        rules = sorted(self.rule_names)
        for r in rules:
            out.append(f"    _V_{r} = _NE")
        out.extend(lines)
        out.append("    return _m, (" + "".join(f"_V_{r}, " for r in rules) + ")")
        self.rule_order = tuple(rules)
        return "\n".join(out) + "\n"

    # -- name resolution -----------------------------------------------------------------------------------------
    def resolve(self, name: str, fn: _Func) -> tuple[str, _Func]:
        f: _Func | None = fn
        while f is not None:
            if name in f.names:
                return f.names[name], f
            f = f.parent
        raise Unsupported(f"unresolved name {name}")

    def read(self, name: str, fn: _Func) -> str:
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in self.rule_names:
            if name in self.inline_rules:
                node = self.rule_defs[name]
                return f"(_V_{name} := {self.rule_value(node, fn, self._pre_stack[-1], self._indent_stack[-1])})"
            return f"_R_{name}()"
        py, _ = self.resolve(name, fn)
        return py

    # -- statements ----------------------------------------------------------------------------------------------
    def emit(self, lines: list[str], indent: int, text: str) -> None:
        lines.append("    " * indent + text)

    def block(self, stmts, fn, lines, indent, loop) -> None:
        start = len(lines)
        for st in stmts:
            self.stmt(st, fn, lines, indent, loop)
        if len(lines) == start:
            self.emit(lines, indent, "pass")

    def stmt(self, node, fn: _Func, lines, indent, loop: bool) -> None:
        t = type(node)
        pre: list[str] = []
        if t is n.ExprStmt:
            e = self.expr(node.expr, fn, pre, indent)
            self._flush(pre, lines)
            self.emit(lines, indent, f"_t = {e}")
        elif t is n.Import:
            if fn is not self.root:
                raise Unsupported("nested import")
            self.emit(lines, indent, f"v_{node.alias} = _imp(_I, {node.path!r}, _B)")
        elif t is n.Param:
            if fn is not self.root:
                raise Unsupported("nested param")
            if node.default is not None:
                d = self.expr(node.default, fn, pre, indent)
                self._flush(pre, lines)
                self.emit(lines, indent, f"v_{node.name} = _P[{node.name!r}] if {node.name!r} in _P else {d}")
            else:
                self.emit(lines, indent, f"v_{node.name} = _param(_P, {node.name!r}, _MISSING)")
        elif t is n.FuncDecl:
            name = self.funclit(node.func, fn, lines, indent)
            self.emit(lines, indent, f"{self.resolve(node.name, fn)[0]} = {name}")
        elif t is n.Assign:
            self.assign(node, fn, lines, indent)
        elif t is n.If:
            c = self.expr(node.cond, fn, pre, indent)
            self._flush(pre, lines)
            tv = self.fresh("_c")
            self.emit(lines, indent, f"{tv} = {c}")
            self.emit(lines, indent, f"if {tv} is True:")
            self.block(node.body, fn, lines, indent + 1, loop)
            self.emit(lines, indent, f"elif {tv} is not False:")
            self.emit(lines, indent + 1, f"_badif({tv})")
            if node.orelse:
                self.emit(lines, indent, "else:")
                self.block(node.orelse, fn, lines, indent + 1, loop)
        elif t is n.For:
            self.for_stmt(node, fn, lines, indent)
        elif t is n.Case:
            self.case_stmt(node, fn, lines, indent, loop)
        elif t is n.Return:
            if fn.kind != "func":
                raise Unsupported("return outside function")
            e = self.expr(node.value, fn, pre, indent)
            self._flush(pre, lines)
            self.emit(lines, indent, f"return {e}")
        elif t is n.Break:
            if not loop:
                raise Unsupported("break outside loop")
            self.emit(lines, indent, "break")
        elif t is n.Continue:
            if not loop:
                raise Unsupported("continue outside loop")
            self.emit(lines, indent, "continue")
        else:  # pragma: no cover - parser produces no other statements
            raise Unsupported(t.__name__)

    def _flush(self, pre: list[str], lines: list[str]) -> None:
        lines.extend(pre)
        pre.clear()

    def assign(self, node: n.Assign, fn: _Func, lines, indent) -> None:
        pre: list[str] = []
        value = "" if type(node.value) is n.RuleExpr else self.expr(node.value, fn, pre, indent)
        target = node.target
        op = node.op[:-1] if node.op != "=" else ""
        if type(target) is n.Name:
            name = target.name
            if name in _CONSTANTS or name in self.decl_funcs and fn is not self.root:
                raise Unsupported("assignment to a constant")
            if type(node.value) is n.RuleExpr:
                self.rule(name, node.value, lines, indent)
                return
            if op:
                cur = self.read(name, fn) if self._known(name, fn) else "U"
                value = f"_rt.arith({op!r}, {cur}, {value}, _B)"
            self._flush(pre, lines)
            py = self.target_name(name, fn, lines, indent)
            self.emit(lines, indent, f"{py} = {value}")
            return
        coll = self.expr(target.target, fn, pre, indent)
        key = self.expr(target.index, fn, pre, indent) if type(target) is n.Index else repr(target.name)
        self._flush(pre, lines)
        tc, tk, tv = self.fresh("_t"), self.fresh("_t"), self.fresh("_t")
        self.emit(lines, indent, f"{tc} = {coll}")
        self.emit(lines, indent, f"{tk} = {key}")
        self.emit(lines, indent, f"{tv} = {value}")
        if op:
            self.emit(lines, indent, f"{tv} = _rt.arith({op!r}, _rt.get_index({tc}, {tk}), {tv}, _B)")
        self.emit(lines, indent, f"_setitem({tc}, {tk}, {tv}, _B)")

    def _is_free(self, name: str, fn: _Func) -> bool:
        """A name never assigned by the policy (so a builtin name means the builtin)."""
        try:
            _, owner = self.resolve(name, fn)
        except Unsupported:
            return False
        return owner is self.root and name not in self.file_assigned and not self._assigned_anywhere(name)

    def _assigned_anywhere(self, name: str) -> bool:
        return name in self.assigned_names

    def _known(self, name: str, fn: _Func) -> bool:
        try:
            self.resolve(name, fn)
            return True
        except Unsupported:
            return False

    def target_name(self, name: str, fn: _Func, lines, indent) -> str:
        """Python name for an assignment: the enclosing variable when one exists, else a new local."""
        f: _Func | None = fn
        while f is not None:
            if name in f.names:
                if f is not fn and f.kind in ("func", "policy") and fn.kind == "func":
                    fn.nonlocals.add(f.names[name])
                elif f is not fn:
                    raise Unsupported("assignment to an outer variable from a rule or quantifier")
                return f.names[name]
            f = f.parent
        if fn.kind != "func":
            raise Unsupported("new variable outside a function")
        py = "v_" + name
        fn.names[name] = py
        return py

    def for_stmt(self, node: n.For, fn: _Func, lines, indent) -> None:
        pre: list[str] = []
        coll = self.expr(node.collection, fn, pre, indent)
        self._flush(pre, lines)
        tc = self.fresh("_c")
        loop_names = []
        for name in node.names:
            py = self.fresh(f"l_{name}_")
            loop_names.append(py)
        saved = {nm: fn.names.get(nm) for nm in node.names}
        for nm, py in zip(node.names, loop_names, strict=True):
            fn.names[nm] = py
        self.emit(lines, indent, f"{tc} = {coll}")
        self.emit(lines, indent, f"if {tc} is U: _fault('cannot iterate over undefined')")
        self.emit(lines, indent, f"_steps += len({tc}) if type({tc}) in (list, dict) else 0")
        self.emit(lines, indent, "if _steps > _lim: _lim = _over(_steps, _B)")
        if len(loop_names) == 1:
            self.emit(lines, indent, f"for {loop_names[0]} in ({tc} if type({tc}) is list else _iter1({tc})):")
        else:
            self.emit(lines, indent, f"for {loop_names[0]}, {loop_names[1]} in _iter2({tc}):")
        self.block(node.body, fn, lines, indent + 1, loop=True)
        for nm, old in saved.items():
            if old is None:
                fn.names.pop(nm, None)
            else:
                fn.names[nm] = old

    def case_stmt(self, node: n.Case, fn: _Func, lines, indent, loop) -> None:
        pre: list[str] = []
        subj = self.fresh("_s")
        if node.subject is not None:
            s = self.expr(node.subject, fn, pre, indent)
            self._flush(pre, lines)
            self.emit(lines, indent, f"{subj} = {s}")
        first = True
        for clause in node.clauses:
            conds = []
            for e in clause.exprs:
                v = self.expr(e, fn, pre, indent)
                if pre:
                    raise Unsupported("complex when")
                conds.append(f"_rt.equal({subj}, {v})" if node.subject is not None else f"({v}) is True")
            self.emit(lines, indent, f"{'if' if first else 'elif'} {' or '.join(conds)}:")
            first = False
            self.block(clause.body, fn, lines, indent + 1, loop)
        if node.orelse is not None:
            if first:
                self.emit(lines, indent, "if True:")
            else:
                self.emit(lines, indent, "else:")
            self.block(node.orelse.body, fn, lines, indent + 1, loop)

    # -- functions, rules, quantifiers ---------------------------------------------------------------------------
    def funclit(self, node: n.FuncLit, fn: _Func, lines, indent) -> str:
        name = self.fresh("_f")
        sub = _Func(fn, "func")
        params = []
        for p in node.params:
            py = "v_" + p
            sub.names[p] = py
            params.append(py)
        body: list[str] = []
        # names assigned in the body that are not visible outside become locals initialised to undefined
        local_init = self._body_locals(node.body, sub)
        self.block(node.body, sub, body, indent + 1, loop=False)
        self.emit(lines, indent, f"def {name}({', '.join(params)}):")
        if sub.nonlocals:
            self.emit(lines, indent + 1, "nonlocal " + ", ".join(sorted(sub.nonlocals)))
        self.emit(lines, indent + 1, "nonlocal _steps, _lim")
        for py in local_init:
            self.emit(lines, indent + 1, f"{py} = U")
        self.emit(lines, indent + 1, "_steps += 1")
        self.emit(lines, indent + 1, "if _steps > _lim: _lim = _over(_steps, _B)")
        lines.extend(body)
        self.emit(lines, indent + 1, "_fault('function ended without a return statement')")
        return name

    def _body_locals(self, body, sub: _Func) -> list[str]:
        """Names first assigned in a function body (not visible in an enclosing scope): locals of the function."""
        found: list[str] = []

        def walk(node):
            if isinstance(node, list):
                for x in node:
                    walk(x)
                return
            t = type(node)
            if t is n.Assign and type(node.target) is n.Name:
                name = node.target.name
                if not self._known(name, sub) and name not in _CONSTANTS:
                    sub.names[name] = "v_" + name
                    found.append("v_" + name)
            elif t is n.If:
                walk(node.body)
                walk(node.orelse or [])
            elif t is n.For:
                walk(node.body)
            elif t is n.Case:
                for c in node.clauses:
                    walk(c.body)
                if node.orelse is not None:
                    walk(node.orelse.body)

        walk(body)
        return found

    def rule(self, name: str, node: n.RuleExpr, lines, indent) -> None:
        """A rule that is not inlined: a memoising function ``_R_<name>()`` over ``_V_<name>``."""
        if name in self.inline_rules:
            return  # computed where it is read (see plan_rules)
        sub = _Func(self.root, "rule")
        val = f"_V_{name}"
        emit = self.emit
        emit(lines, indent, f"def _R_{name}():")
        emit(lines, indent + 1, f"nonlocal {val}")
        emit(lines, indent + 1, f"if {val} is not _NE:")
        emit(lines, indent + 2, f"if {val} is _BUSY: _fault('rule refers to itself')")
        emit(lines, indent + 2, f"return {val}")
        emit(lines, indent + 1, f"{val} = _BUSY")
        body: list[str] = []
        e = self.rule_value(node, sub, body, indent + 1)
        lines.extend(body)
        emit(lines, indent + 1, f"{val} = {e}")
        emit(lines, indent + 1, f"return {val}")

    def rule_value(self, node: n.RuleExpr, fn: _Func, pre, indent) -> str:
        """The expression computing a rule's value (``when``: false -> true, undefined -> undefined)."""
        body = self.expr(node.body, fn, pre, indent)
        if node.when is None:
            return body
        w = self.fresh("_w")
        cond = self.expr(node.when, fn, pre, indent)
        return f"({body} if ({w} := {cond}) is True else _whenv({w}))"

    def quantifier(self, node: n.Quantifier, fn: _Func, pre, indent) -> str:
        """A quantifier becomes a function ``_qN(collection)``. Its definition is hoisted as far out as the loop
        variables it uses allow (to the statement when it uses none), so that nested quantifiers are not
        re-created for every element of the outer collection."""
        name = self.fresh("_q")
        sub = _Func(fn, "quant")
        names = [self.fresh(f"l_{x}_") for x in node.names]
        for x, py in zip(node.names, names, strict=True):
            sub.names[x] = py
        if not self._qstack:
            base = (set(), pre, indent)
            self._qstack.append(base)
            pushed_base = True
        else:
            pushed_base = False
        inner: list[str] = []  # definitions hoisted into this quantifier (before its loop)
        self._qstack.append((set(names), inner, 1))
        try:
            b = self.expr(node.body, sub, inner, 1)
        finally:
            self._qstack.pop()
        d: list[str] = []
        emit = self.emit
        kind = node.kind
        emit(d, 0, f"def {name}(_c):")
        emit(d, 1, "nonlocal _steps, _lim")
        d.extend(inner)
        emit(d, 1, "if _c is U: return U")
        # the budget is charged per element, up front: collections are finite, so this bounds the loop
        emit(d, 1, "_steps += len(_c) if type(_c) in (list, dict) else 0")
        emit(d, 1, "if _steps > _lim: _lim = _over(_steps, _B)")
        if kind == "filter":
            emit(d, 1, "_out = [] if type(_c) is not dict else {}")
        elif kind == "map":
            emit(d, 1, "_out = []")
        if len(names) == 1:
            emit(d, 1, f"for {names[0]} in (_c if type(_c) is list else _iter1(_c)):")
        else:
            emit(d, 1, f"for {names[0]}, {names[1]} in _iter2(_c):")
        emit(d, 2, f"_b = {b}")
        if kind == "map":
            emit(d, 2, "_out.append(_b)")
            emit(d, 1, "return _out")
        elif kind in ("all", "any"):
            stop, go = ("False", "True") if kind == "all" else ("True", "False")
            emit(d, 2, f"if _b is {go}: continue")
            emit(d, 2, f"if _b is {stop}: return {stop}")
            emit(d, 2, "if _b is U: return U")
            emit(d, 2, f"_truth(_b, '{kind} body')")
            emit(d, 1, f"return {go}")
        else:  # filter
            emit(d, 2, "if _b is True:")
            if len(names) == 1:
                emit(d, 3, f"if type(_c) is list: _out.append({names[0]})")
                emit(d, 3, f"else: _out[{names[0]}] = _c[{names[0]}]")
            else:
                emit(d, 3, f"if type(_c) is list: _out.append({names[1]})")
                emit(d, 3, f"else: _out[{names[0]}] = {names[1]}")
            emit(d, 2, "elif _b is U: return U")
            emit(d, 2, "elif _b is not False: _truth(_b, 'filter body')")
            emit(d, 1, "return _out")
        used = set(_LOOPVAR.findall("\n".join(d))) - set(names)
        target = self._qstack[0]
        for entry in reversed(self._qstack):
            if entry[0] & used:
                target = entry
                break
        _, where, level = target
        where.extend("    " * level + line for line in d)
        if pushed_base:
            self._qstack.pop()
        return name

    # -- expressions ---------------------------------------------------------------------------------------------
    def expr(self, node, fn: _Func, pre: list[str], indent: int) -> str:
        self._pre_stack.append(pre)
        self._indent_stack.append(indent)
        try:
            return self._expr(node, fn, pre, indent)
        finally:
            self._pre_stack.pop()
            self._indent_stack.pop()

    def _expr(self, node, fn: _Func, pre: list[str], indent: int) -> str:
        t = type(node)
        if t is n.Literal:
            if type(node.value) is float and not math.isfinite(node.value):
                return f"float({str(node.value)!r})"
            return repr(node.value)
        if t is n.Name:
            return self.read(node.name, fn)
        if t is n.ListLit:  # charged as the closure backend charges it (compiler.list_bytes), before its items
            return (f"(_B.charge({list_bytes(len(node.items))}) or ["
                    + ", ".join(self.expr(x, fn, pre, indent) for x in node.items) + "])")
        if t is n.MapLit:
            charge = f"_B.charge({map_bytes(len(node.items))}) or "
            if all(type(k) is n.Literal and isinstance(k.value, (str, int, float)) for k, _ in node.items):
                return "(" + charge + "{" + ", ".join(f"{self.expr(k, fn, pre, indent)}: "
                                                      f"{self.expr(v, fn, pre, indent)}"
                                                      for k, v in node.items) + "})"
            return "(" + charge + "_map((" + "".join(f"({self.expr(k, fn, pre, indent)}, "
                                                     f"{self.expr(v, fn, pre, indent)}), "
                                                     for k, v in node.items) + ")))"
        if t is n.Unary:
            v = self.expr(node.operand, fn, pre, indent)
            if node.op in ("!", "not"):
                return f"_not({v})"
            return f"_rt.negate({node.op!r}, {v})"
        if t is n.Postfix:
            v = self.expr(node.operand, fn, pre, indent)
            tmp = self.fresh("_t")
            if node.op == "is defined":
                return f"(({tmp} := {v}) is not U)"
            if node.op == "is not defined":
                return f"(({tmp} := {v}) is U)"
            if node.op == "is empty":
                return f"_rt.is_empty({v})"
            return f"(U if ({tmp} := _rt.is_empty({v})) is U else not {tmp})"
        if t is n.Binary:
            return self.binary(node, fn, pre, indent)
        if t is n.Selector:
            v = self.expr(node.target, fn, pre, indent)
            tmp = self.fresh("_t")
            return f"({tmp}.get({node.name!r}, U) if type({tmp} := {v}) is dict else _sel({tmp}, {node.name!r}))"
        if t is n.Index:
            v = self.expr(node.target, fn, pre, indent)
            k = self.expr(node.index, fn, pre, indent)
            tv, tk = self.fresh("_t"), self.fresh("_t")
            if type(node.index) is n.Literal and type(node.index.value) is int:
                i = node.index.value
                bound = f"len({tv}) > {i}" if i >= 0 else f"len({tv}) >= {-i}"
                return f"({tv}[{i}] if type({tv} := {v}) is list and {bound} else _rt.get_index({tv}, {i}))"
            if type(node.index) is n.Literal and type(node.index.value) is str:
                return f"({tv}.get({k}, U) if type({tv} := {v}) is dict else _rt.get_index({tv}, {k}))"
            return (f"({tv}[{tk}] if (({tv} := {v}), ({tk} := {k})) and type({tv}) is list and type({tk}) is int "
                    f"and -len({tv}) <= {tk} < len({tv}) else ({tv}.get({tk}, U) if type({tv}) is dict and "
                    f"type({tk}) is str else _rt.get_index({tv}, {tk})))")
        if t is n.Slice:
            v = self.expr(node.target, fn, pre, indent)
            lo = self.expr(node.low, fn, pre, indent) if node.low is not None else "None"
            hi = self.expr(node.high, fn, pre, indent) if node.high is not None else "None"
            return f"_rt.get_slice({v}, {lo}, {hi}, _B)"
        if t is n.Call:
            return self.call(node, fn, pre, indent)
        if t is n.FuncLit:
            return self.funclit(node, fn, pre, indent)
        if t is n.RuleExpr:
            raise Unsupported("rule expression outside a top-level assignment")
        if t is n.Quantifier:
            q = self.quantifier(node, fn, pre, indent)
            return f"{q}({self.expr(node.collection, fn, pre, indent)})"
        raise Unsupported(t.__name__)  # pragma: no cover

    def call(self, node: n.Call, fn: _Func, pre, indent) -> str:
        args = [self.expr(a, fn, pre, indent) for a in node.args]
        f = node.func
        if type(f) is n.Name and f.name in self.decl_funcs:
            return f"{self.resolve(f.name, fn)[0]}({', '.join(args)})"
        if type(f) is n.Name and f.name in self.builtins and self._is_free(f.name, fn):
            if f.name == "length" and len(args) == 1:
                t = self.fresh("_t")
                return f"(len({t}) if type({t} := {args[0]}) in (str, list, dict) else _b_length(_ctx, {t}))"
            return f"_b_{f.name}(_ctx{''.join(', ' + a for a in args)})"
        fv = self.expr(f, fn, pre, indent)
        t = self.fresh("_t")
        temps = [self.fresh("_a") for _ in args]
        binds = "".join(f"({a} := {v}), " for a, v in zip(temps, args, strict=True))
        joined = ", ".join(temps)
        # this policy's own functions (generated here: their globals are this namespace) are called directly;
        # everything else (builtins, import functions, any Python callable) through _call. The callee is evaluated
        # first, then the arguments, each once
        # import functions (plain functions and bound methods of import modules) are called directly too: their
        # result is accounted by Budget.new exactly as call_external accounts it in the closure backend (their
        # exceptions make this path fall back, and the closure backend reports them)
        r = self.fresh("_r")
        return (f"({t}({joined}) if (({t} := {fv}), {binds}) and type({t}) is _FunctionType and "
                f"{t}.__globals__ is _NS else (({r} if type({r} := {t}({joined})) is bool or "
                f"(type({r}) is str or type({r}) is list) and len({r}) < {sandbox.FREE_RESULT} "
                f"else _B.external({r}, ({joined}{',' if temps else ''}))) "
                f"if type({t}) is _FunctionType or type({t}) is _MethodType "
                f"else _call({t}, _ctx{''.join(', ' + a for a in temps)})))")

    def binary(self, node: n.Binary, fn: _Func, pre, indent) -> str:
        op = node.op
        a = self.expr(node.left, fn, pre, indent)
        b = self.expr(node.right, fn, pre, indent)
        ta, tb = self.fresh("_t"), self.fresh("_t")
        if op == "and":
            return (f"(False if ({ta} := {a}) is False else ({tb} if (({tb} := {b}) is True or {tb} is False) "
                    f"and {ta} is True else _and({ta}, {tb})))")
        if op == "or":
            return (f"(True if ({ta} := {a}) is True else ({tb} if (({tb} := {b}) is True or {tb} is False) "
                    f"and {ta} is False else _or({ta}, {tb})))")
        if op == "xor":
            return f"_xor({a}, {b})"
        if op == "else":
            return f"({tb} if ({tb} := {a}) is not U else {b})"
        if op in ("==", "is", "!=", "is not"):
            neg = op in ("!=", "is not")
            pyop = "!=" if neg else "=="
            slow = "_ne" if neg else "_eq"
            if type(node.right) is n.Literal and type(node.right.value) is str:
                return f"({ta} {pyop} {b} if type({ta} := {a}) is str else {slow}({ta}, {b}))"
            return (f"({ta} {pyop} {tb} if (({ta} := {a}), ({tb} := {b})) and type({ta}) is type({tb}) "
                    f"and type({ta}) in (str, int) else {slow}({ta}, {tb}))")
        lit = type(node.right) is n.Literal and type(node.right.value) in (int, float)
        if op in _CMP and lit:
            return f"({ta} {op} {b} if type({ta} := {a}) in _N else _rt.compare({op!r}, {ta}, {b}))"
        if op in ("+", "-", "*") and lit and type(node.right.value) is int:
            r = self.fresh("_t")
            return (f"(({r} if {-_SMALL} <= ({r} := {ta} {op} {b}) <= {_SMALL} else _B.check_int({r})) "
                    f"if type({ta} := {a}) is int else _rt.arith({op!r}, {ta}, {b}, _B))")
        if op in _CMP:
            return (f"({ta} {op} {tb} if (({ta} := {a}), ({tb} := {b})) and type({ta}) in _N and type({tb}) in _N "
                    f"else _rt.compare({op!r}, {ta}, {tb}))")
        if op in ("+", "-", "*"):  # int results beyond 64 bits are checked as the closure backend checks them
            r = self.fresh("_t")
            slow = f"_rt.arith({op!r}, {ta}, {tb}, _B)"
            if op == "+":  # string concatenation, accounted as rt.arith accounts it
                slow = f"(_B.concat({ta}, {tb}) if type({ta}) is str and type({tb}) is str else {slow})"
            return (f"(({r} if {-_SMALL} <= ({r} := {ta} {op} {tb}) <= {_SMALL} else _B.check_int({r})) "
                    f"if (({ta} := {a}), ({tb} := {b})) and type({ta}) is int and type({tb}) is int "
                    f"else {slow})")
        if op in ("/", "%"):
            return f"_rt.arith({op!r}, {a}, {b}, _B)"
        if op in ("in", "not in") and type(node.right) is n.ListLit and node.right.items and all(
                type(x) is n.Literal and type(x.value) is str for x in node.right.items):
            members = "(" + "".join(repr(x.value) + ", " for x in node.right.items) + ")"
            test = "not in" if op == "not in" else "in"
            slow = "_not_in" if op == "not in" else "_in"
            return f"({ta} {test} {members} if type({ta} := {a}) is str else {slow}({ta}, {b}))"
        if op in ("in", "not in", "contains", "not contains"):
            item, coll = (ta, tb) if op in ("in", "not in") else (tb, ta)
            test = "not in" if op.startswith("not") else "in"
            slow = f"_rt.contains({coll}, {item}, _B)"
            if op.startswith("not"):
                slow = f"_not_in({item}, {coll}, _B)"
            # a string in a list (compared by ==, never equal across types) or a string key of a map; long lists
            # go through the runtime helper, which ticks the clock check for the scan
            return (f"({item} {test} {coll} if (({ta} := {a}), ({tb} := {b})) and type({item}) is str and "
                    f"(type({coll}) is dict or type({coll}) is list and len({coll}) <= {rt._SCAN_FREE}) "
                    f"else {slow})")
        elif op in ("matches", "not matches"):
            r = f"_rt.matches({a}, {b}, _B)"
        else:  # pragma: no cover
            raise Unsupported(op)
        if op.startswith("not"):
            return f"(U if ({ta} := {r}) is U else not {ta})"
        return r


def generate(module: n.Module, builtins: dict[str, Any]) -> str:
    """Python source of ``__policy`` for ``module``; raises :class:`Unsupported` for constructs left to closures."""
    return _Gen(module, builtins).generate()


def build(module: n.Module, builtins: dict[str, Any], import_resolver) -> Any:
    """The compiled fast-path function, or None when the policy needs the closure backend."""
    gen = _Gen(module, builtins)
    try:
        source = gen.generate()
    except (Unsupported, RecursionError):
        return None
    namespace: dict[str, Any] = dict(SUPPORT)
    namespace["_BI"] = builtins
    for bname, b in builtins.items():
        namespace["_b_" + bname] = b.fn
    namespace["_imp"] = import_resolver
    namespace["_whenv"] = _whenv
    namespace["_NE"] = NOT_EVALUATED
    namespace["_BUSY"] = _BUSY
    try:
        code = compile(source, "<policy>", "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    namespace["_NS"] = namespace  # how a call recognises the policy's own functions
    exec(code, namespace)  # noqa: S102 - source generated from our own AST, no user text is executed
    fn = namespace["__policy"]
    fn.source = source
    fn.rule_names = gen.rule_order
    # builtins that print or account get the context (captured prints, the budget); a policy calling none gets
    # None (one object less per evaluation). _call( dispatches to builtins too (an aliased builtin, f = print)
    fn.needs_ctx = "_call(" in source or any(f"_b_{name}(" in source for name in _CTX_BUILTINS)
    return fn


_CTX_BUILTINS = ("append", "keys", "values", "range", "print", "error", "int")  # the builtins that use ctx


def _whenv(w):
    """Value of a rule whose ``when`` predicate is not true."""
    if w is False:
        return True
    if w is UNDEFINED:
        return UNDEFINED
    raise RuntimeFault("rule predicate must be a bool")


NOT_EVALUATED = object()
_BUSY = object()
