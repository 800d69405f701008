"""HCL2 expression nodes and their evaluation (the hclsyntax semantics Nomad relies on).

Each node knows its source range, so every diagnostic names the line and column HCL would. Evaluation happens in
a :class:`Scope`: the root variables (``var``, ``local``, iterators), the function table, and Nomad's rule for
unknown references -- ``${attr.kernel.name}`` and friends are not errors but stay in the output verbatim, for the
Nomad client to interpolate at run time.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

from jobguard.jobspec.hcl.diagnostics import HCLError, Range, suggestion
from jobguard.jobspec.hcl.values import (
    UNKNOWN,
    ConversionError,
    iteration_pairs,
    normalize_number,
    to_bool,
    to_number,
    to_string,
    type_name,
    unify,
    values_equal,
)

FunctionCaller = Callable[[str, list, "Expr", "Scope"], Any]


class Scope:
    """Names visible to an expression. ``functions`` is None where HCL allows no calls (variable defaults)."""

    __slots__ = ("names", "parent", "functions", "unknown_variable")

    def __init__(self, names: dict[str, Any], parent: Scope | None = None,
                 functions: FunctionCaller | None = None,
                 unknown_variable: Callable[[str], Any] | None = None):
        self.names = names
        self.parent = parent
        self.functions = functions if functions is not None or parent is None else parent.functions
        self.unknown_variable = unknown_variable if unknown_variable or parent is None else parent.unknown_variable

    def child(self, names: dict[str, Any]) -> Scope:
        return Scope(names, parent=self)

    def lookup(self, name: str) -> tuple[bool, Any]:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.names:
                return True, scope.names[name]
            scope = scope.parent
        return False, None

    def all_names(self) -> list[str]:
        out: list[str] = []
        scope: Scope | None = self
        while scope is not None:
            out.extend(scope.names)
            scope = scope.parent
        return out


class Expr:
    """Base expression: ``rng`` is the whole expression's range."""

    __slots__ = ("rng",)

    def eval(self, scope: Scope | None) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def references(self) -> list[Traversal]:
        """Root variable references inside (for validation rules that may only name their own variable)."""
        out: list[Traversal] = []
        for child in self.children():
            out.extend(child.references())
        return out

    def children(self) -> list[Expr]:
        return []


class Literal(Expr):
    __slots__ = ("value",)

    def __init__(self, value: Any, rng: Range):
        self.value = value
        self.rng = rng

    def eval(self, scope):
        return self.value


class Paren(Expr):
    """A parenthesised expression: only matters as an object key (``(var.x) = 1`` is evaluated)."""

    __slots__ = ("expr",)

    def __init__(self, expr: Expr, rng: Range):
        self.expr = expr
        self.rng = rng

    def eval(self, scope):
        return self.expr.eval(scope)

    def children(self):
        return [self.expr]


# -- traversals -----------------------------------------------------------------------------------------------------

def get_attr(value: Any, name: str, rng: Range) -> Any:
    """``value.name`` with HCL's diagnostics."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, dict):
        if name in value:
            return value[name]
        raise HCLError("Unsupported attribute",
                       f'This object does not have an attribute named "{name}".' + suggestion(name, value), rng)
    if value is None:
        raise HCLError("Attempt to get attribute from null value",
                       "This value is null, so it does not have any attributes.", rng)
    if isinstance(value, list):
        raise HCLError("Unsupported attribute", "This value does not have any attributes.", rng)
    raise HCLError("Unsupported attribute",
                   f"Can't access attributes on a primitive-typed value ({type_name(value)}).", rng)


def get_index(value: Any, key: Any, rng: Range) -> Any:
    """``value[key]`` with HCL's diagnostics (a list index may be a numeric string)."""
    if value is UNKNOWN or key is UNKNOWN:
        return UNKNOWN
    if value is None:
        raise HCLError("Attempt to index null value", "This value is null, so it does not have any indices.", rng)
    if key is None:
        raise HCLError("Invalid index", "Can't use a null value as an indexing key.", rng)
    if isinstance(value, list):
        try:
            idx = to_number(key)
        except ConversionError:
            raise HCLError("Invalid index", "The given key does not identify an element in this collection "
                           "value: a number is required.", rng) from None
        if not isinstance(idx, int) or idx < 0 or idx >= len(value):
            if isinstance(idx, int) and idx < 0:
                detail = "The given key does not identify an element in this collection value: a negative number " \
                         "is not a valid index for a sequence."
            else:
                detail = "The given key does not identify an element in this collection value."
            raise HCLError("Invalid index", detail, rng)
        return value[idx]
    if isinstance(value, dict):
        try:
            skey = to_string(key)
        except ConversionError:
            raise HCLError("Invalid index", "The given key does not identify an element in this collection value: "
                           "string required.", rng) from None
        if skey not in value:
            raise HCLError("Invalid index", "The given key does not identify an element in this collection value.",
                           rng)
        return value[skey]
    raise HCLError("Invalid index", "This value does not have any indices.", rng)


def apply_steps(value: Any, steps: list, scope: Scope | None) -> Any:
    """Follow ``.attr`` / ``[key]`` steps; a step's key is a constant or an expression."""
    for kind, key, rng in steps:
        if kind == "attr":
            value = get_attr(value, key, rng)
        else:
            k = key.eval(scope) if isinstance(key, Expr) else key
            value = get_index(value, k, rng)
    return value


class Traversal(Expr):
    """``root.attr[0].x`` rooted at a variable. ``text`` is the source, kept for Nomad's runtime references."""

    __slots__ = ("root", "steps", "text", "root_rng")

    def __init__(self, root: str, steps: list, text: str, rng: Range, root_rng: Range):
        self.root = root
        self.steps = steps
        self.text = text
        self.rng = rng
        self.root_rng = root_rng

    def eval(self, scope):
        if scope is None:
            raise HCLError("Variables not allowed", "Variables may not be used here.", self.rng)
        found, value = scope.lookup(self.root)
        if not found:
            if scope.unknown_variable is not None:
                return scope.unknown_variable(self.text)
            raise HCLError("Unknown variable", f'There is no variable named "{self.root}".'
                           + suggestion(self.root, scope.all_names()), self.root_rng)
        return apply_steps(value, self.steps, scope)

    def references(self):
        return [self]

    def children(self):
        return [k for _kind, k, _r in self.steps if isinstance(k, Expr)]


class RelTraversal(Expr):
    """Attribute/index steps applied to a non-variable expression (``f(x).a``, ``[1, 2][0]``)."""

    __slots__ = ("source", "steps")

    def __init__(self, source: Expr, steps: list, rng: Range):
        self.source = source
        self.steps = steps
        self.rng = rng

    def eval(self, scope):
        return apply_steps(self.source.eval(scope), self.steps, scope)

    def children(self):
        return [self.source] + [k for _kind, k, _r in self.steps if isinstance(k, Expr)]


class Splat(Expr):
    """``src[*].a`` and ``src.*.a``: the steps applied to each element (a non-list becomes a one-element list)."""

    __slots__ = ("source", "steps")

    def __init__(self, source: Expr, steps: list, rng: Range):
        self.source = source
        self.steps = steps
        self.rng = rng

    def eval(self, scope):
        value = self.source.eval(scope)
        if value is UNKNOWN:
            return UNKNOWN
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        return [apply_steps(item, self.steps, scope) for item in items]

    def children(self):
        return [self.source] + [k for _kind, k, _r in self.steps if isinstance(k, Expr)]


# -- operators ------------------------------------------------------------------------------------------------------

def _num(value: Any, side: str, rng: Range) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    try:
        return to_number(value)
    except ConversionError as exc:
        raise HCLError("Invalid operand", f"Unsuitable value for {side} operand: {exc}.", rng) from None


def _bool(value: Any, side: str, rng: Range) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    try:
        return to_bool(value)
    except ConversionError as exc:
        raise HCLError("Invalid operand", f"Unsuitable value for {side} operand: {exc}.", rng) from None


def _arith(op: str, a: Any, b: Any, rng: Range) -> Any:
    if op == "+":
        return normalize_number(a + b)
    if op == "-":
        return normalize_number(a - b)
    if op == "*":
        return normalize_number(a * b)
    if b == 0:
        if op == "/":
            raise HCLError("Operation failed", "Error during operation: can't divide by zero.", rng)
        raise HCLError("Operation failed", "Error during operation: can't use modulo with zero.", rng)
    if op == "/":
        return normalize_number(a / b)
    result = abs(a) % abs(b)  # cty's modulo keeps the sign of the dividend
    return normalize_number(-result if a < 0 else result)


class BinaryOp(Expr):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Expr, right: Expr, rng: Range):
        self.op = op
        self.left = left
        self.right = right
        self.rng = rng

    def eval(self, scope):
        op = self.op
        a = self.left.eval(scope)
        b = self.right.eval(scope)
        if op in ("==", "!="):
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            eq = values_equal(a, b)
            return eq if op == "==" else not eq
        if op in ("&&", "||"):
            a = _bool(a, "left", self.left.rng)
            b = _bool(b, "right", self.right.rng)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return (a and b) if op == "&&" else (a or b)
        a = _num(a, "left", self.left.rng)
        b = _num(b, "right", self.right.rng)
        if a is UNKNOWN or b is UNKNOWN:
            return UNKNOWN
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        if op == ">=":
            return a >= b
        return _arith(op, a, b, self.rng)

    def children(self):
        return [self.left, self.right]


class UnaryOp(Expr):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Expr, rng: Range):
        self.op = op
        self.operand = operand
        self.rng = rng

    def eval(self, scope):
        value = self.operand.eval(scope)
        if self.op == "!":
            value = _bool(value, "", self.operand.rng) if value is not UNKNOWN else UNKNOWN
            return UNKNOWN if value is UNKNOWN else not value
        value = _num(value, "", self.operand.rng)
        return UNKNOWN if value is UNKNOWN else normalize_number(-value)

    def children(self):
        return [self.operand]


class Conditional(Expr):
    __slots__ = ("cond", "true", "false")

    def __init__(self, cond: Expr, true: Expr, false: Expr, rng: Range):
        self.cond = cond
        self.true = true
        self.false = false
        self.rng = rng

    def eval(self, scope):
        c = self.cond.eval(scope)
        if c is UNKNOWN:
            return UNKNOWN
        if c is None:
            raise HCLError("Null condition", "The condition value is null. Conditions must either be true or false.",
                           self.cond.rng)
        try:
            c = to_bool(c)
        except ConversionError as exc:
            raise HCLError("Incorrect condition type", f"The condition expression must be of type bool: {exc}.",
                           self.cond.rng) from None
        chosen, other = (self.true, self.false) if c else (self.false, self.true)
        value = chosen.eval(scope)
        try:  # HCL evaluates both branches to unify their types; the other branch's errors do not count
            other_value = other.eval(scope)
        except HCLError:
            return value
        return unify(value, other_value)[0]

    def children(self):
        return [self.cond, self.true, self.false]


# -- constructors ---------------------------------------------------------------------------------------------------

class TupleCons(Expr):
    __slots__ = ("items",)

    def __init__(self, items: list[Expr], rng: Range):
        self.items = items
        self.rng = rng

    def eval(self, scope):
        return [item.eval(scope) for item in self.items]

    def children(self):
        return list(self.items)


class ObjectKey(Expr):
    """An object key: a bare identifier is a literal name, anything else is evaluated and must be a string."""

    __slots__ = ("expr", "name")

    def __init__(self, expr: Expr | None, name: str | None, rng: Range):
        self.expr = expr
        self.name = name
        self.rng = rng

    def eval(self, scope):
        if self.name is not None:
            return self.name
        value = self.expr.eval(scope)
        if value is UNKNOWN:
            return UNKNOWN
        if value is None:
            raise HCLError("Invalid object key", "Can't use a null value as a key.", self.rng)
        try:
            return to_string(value)
        except ConversionError as exc:
            raise HCLError("Incorrect key type", f"Can't use this value as a key: {exc}.", self.rng) from None

    def children(self):
        return [self.expr] if self.expr is not None else []


class ObjectCons(Expr):
    __slots__ = ("items",)

    def __init__(self, items: list[tuple[ObjectKey, Expr]], rng: Range):
        self.items = items
        self.rng = rng

    def eval(self, scope):
        out: dict[str, Any] = {}
        for key, value in self.items:
            k = key.eval(scope)
            v = value.eval(scope)
            if k is UNKNOWN:
                return UNKNOWN
            out[k] = v
        return out

    def children(self):
        out: list[Expr] = []
        for k, v in self.items:
            out += [k, v]
        return out


class ForExpr(Expr):
    """``[for k, v in coll : expr if cond]`` and ``{for k, v in coll : key => value... if cond}``."""

    __slots__ = ("key_var", "val_var", "coll", "key_expr", "val_expr", "cond", "group", "is_object")

    def __init__(self, key_var, val_var, coll, key_expr, val_expr, cond, group, is_object, rng):
        self.key_var = key_var
        self.val_var = val_var
        self.coll = coll
        self.key_expr = key_expr
        self.val_expr = val_expr
        self.cond = cond
        self.group = group
        self.is_object = is_object
        self.rng = rng

    def eval(self, scope):
        coll = self.coll.eval(scope)
        if coll is UNKNOWN:
            return UNKNOWN
        if coll is None:
            raise HCLError("Iteration over null value", "A null value cannot be used as the collection in a 'for' "
                           "expression.", self.coll.rng)
        pairs = iteration_pairs(coll)
        if pairs is None:
            raise HCLError("Iteration over non-iterable value", "A value of type " + type_name(coll)
                           + " cannot be used as the collection in a 'for' expression.", self.coll.rng)
        out_list: list = []
        out_map: dict = {}
        for k, v in pairs:
            names = {self.val_var: v}
            if self.key_var:
                names[self.key_var] = k
            inner = Scope(names, parent=scope) if scope is not None else Scope(names)
            if self.cond is not None:
                c = self.cond.eval(inner)
                if c is UNKNOWN:
                    return UNKNOWN
                try:
                    if not to_bool(c):
                        continue
                except ConversionError as exc:
                    raise HCLError("Invalid 'for' condition", f"The 'if' clause value is invalid: {exc}.",
                                   self.cond.rng) from None
            if not self.is_object:
                out_list.append(self.val_expr.eval(inner))
                continue
            key = self.key_expr.eval(inner)
            if key is UNKNOWN:
                return UNKNOWN
            try:
                key = to_string(key)
            except ConversionError as exc:
                raise HCLError("Invalid object key", f"Key expression in 'for' expression must be a string: {exc}.",
                               self.key_expr.rng) from None
            value = self.val_expr.eval(inner)
            if self.group:
                out_map.setdefault(key, []).append(value)
            elif key in out_map:
                raise HCLError("Duplicate object key", f'Two different items produced the key "{key}" in this '
                               "'for' expression. If duplicates are expected, use the ellipsis (...) after the value "
                               "expression to enable grouping by key.", self.key_expr.rng)
            else:
                out_map[key] = value
        return out_map if self.is_object else out_list

    def children(self):
        return [e for e in (self.coll, self.key_expr, self.val_expr, self.cond) if e is not None]

    def references(self):
        bound = {self.key_var, self.val_var}
        out = self.coll.references()
        for e in (self.key_expr, self.val_expr, self.cond):
            if e is not None:
                out += [t for t in e.references() if t.root not in bound]
        return out


class Call(Expr):
    """A function call; the function table and lazy ``can``/``try`` live in the scope's caller."""

    __slots__ = ("name", "args", "expand", "name_rng")

    def __init__(self, name: str, args: list[Expr], expand: bool, rng: Range, name_rng: Range):
        self.name = name
        self.args = args
        self.expand = expand
        self.rng = rng
        self.name_rng = name_rng

    def eval(self, scope):
        if scope is None or scope.functions is None:
            raise HCLError("Function calls not allowed", "Functions may not be called here.", self.rng)
        return scope.functions(self.name, self.args, self, scope)

    def children(self):
        return list(self.args)
