"""HCL2 expression nodes and their evaluation (the hclsyntax semantics Nomad relies on).

Each node knows its source range, so every diagnostic names the line and column HCL would. Evaluation happens in
a :class:`Scope`: the root variables (``var``, ``local``, iterators), the function table, and Nomad's rule for
unknown references -- ``${attr.kernel.name}`` and friends are not errors but stay in the output verbatim, for the
Nomad client to interpolate at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

from jobguard.jobspec.hcl.diagnostics import HCLError, Range, suggestion
from jobguard.jobspec.limits import LIMITS_DOC, MAX_NUMBER_DIGITS, LimitExceeded, charge_steps
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

_MAX_NUMBER_BITS = int(MAX_NUMBER_DIGITS * 3.33)  # log2(10) bits per decimal digit, rounded down

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


# Expression nodes are slotted dataclasses (one generated ``__init__`` per node, fields in constructor order) that
# compare by identity: two equal-looking nodes at different places are different nodes.
node = dataclass(slots=True, eq=False, repr=False)


def iteration_scope(scope: Scope | None, key_var: str | None, val_var: str, key: Any, value: Any) -> Scope:
    """The scope of one turn of a ``for`` (expression or template directive): its iterator names over ``scope``."""
    names = {val_var: value}
    if key_var:
        names[key_var] = key
    return Scope(names, parent=scope)


class Expr:
    """Base expression: ``rng`` is the whole expression's range (each node declares it, last or next to last)."""

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


@node
class Literal(Expr):
    value: Any
    rng: Range

    def eval(self, scope):
        return self.value


@node
class Paren(Expr):
    """A parenthesised expression: only matters as an object key (``(var.x) = 1`` is evaluated)."""

    expr: Expr
    rng: Range

    def eval(self, scope):
        return self.expr.eval(scope)

    def children(self):
        return [self.expr]


def convert_known(convert: Callable[[Any], Any], value: Any, summary: str, detail: str, rng: Range) -> Any:
    """``value`` converted with ``convert`` where HCL needs one type (a condition, a key, an operand); unknown stays
    unknown. A failure is HCL's diagnostic: ``summary``, then ``detail`` followed by cty's reason, at ``rng``."""
    if value is UNKNOWN:
        return UNKNOWN
    try:
        return convert(value)
    except ConversionError as exc:
        raise HCLError(summary, f"{detail}: {exc}.", rng) from None


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


def _step_exprs(steps: list) -> list[Expr]:
    """The index expressions among traversal steps (``[var.i]``), the steps' only child nodes."""
    return [k for _kind, k, _r in steps if isinstance(k, Expr)]


@node
class Traversal(Expr):
    """``root.attr[0].x`` rooted at a variable. ``text`` is the source, kept for Nomad's runtime references."""

    root: str
    steps: list
    text: str
    rng: Range
    root_rng: Range

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
        return _step_exprs(self.steps)


@node
class Stepped(Expr):
    """Steps applied to a non-variable ``source`` expression: what :class:`RelTraversal` and :class:`Splat` share."""

    source: Expr
    steps: list
    rng: Range

    def children(self):
        return [self.source] + _step_exprs(self.steps)


class RelTraversal(Stepped):
    """Attribute/index steps applied to a non-variable expression (``f(x).a``, ``[1, 2][0]``)."""

    __slots__ = ()

    def eval(self, scope):
        return apply_steps(self.source.eval(scope), self.steps, scope)


class Splat(Stepped):
    """``src[*].a`` and ``src.*.a``: the steps applied to each element (a non-list becomes a one-element list)."""

    __slots__ = ()

    def eval(self, scope):
        value = self.source.eval(scope)
        if value is UNKNOWN:
            return UNKNOWN
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        return [apply_steps(item, self.steps, scope) for item in items]


# -- operators ------------------------------------------------------------------------------------------------------

def _operand(convert: Callable[[Any], Any], value: Any, side: str, rng: Range) -> Any:
    """An operator's operand converted to the type the operator needs (unknown stays unknown)."""
    return convert_known(convert, value, "Invalid operand", f"Unsuitable value for {side} operand", rng)


def _arith(op: str, a: Any, b: Any, rng: Range) -> Any:
    if op == "+":
        return normalize_number(check_number_size(a + b, rng))
    if op == "-":
        return normalize_number(check_number_size(a - b, rng))
    if op == "*":
        return normalize_number(check_number_size(a * b, rng))
    if b == 0:
        if op == "/":
            raise HCLError("Operation failed", "Error during operation: can't divide by zero.", rng)
        raise HCLError("Operation failed", "Error during operation: can't use modulo with zero.", rng)
    if op == "/":
        return normalize_number(a / b)
    result = abs(a) % abs(b)  # cty's modulo keeps the sign of the dividend
    return normalize_number(-result if a < 0 else result)


@node
class BinaryOp(Expr):
    op: str
    left: Expr
    right: Expr
    rng: Range

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
            a = _operand(to_bool, a, "left", self.left.rng)
            b = _operand(to_bool, b, "right", self.right.rng)
            if a is UNKNOWN or b is UNKNOWN:
                return UNKNOWN
            return (a and b) if op == "&&" else (a or b)
        a = _operand(to_number, a, "left", self.left.rng)
        b = _operand(to_number, b, "right", self.right.rng)
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


@node
class UnaryOp(Expr):
    op: str
    operand: Expr
    rng: Range

    def eval(self, scope):
        value = self.operand.eval(scope)
        if self.op == "!":
            value = _operand(to_bool, value, "", self.operand.rng) if value is not UNKNOWN else UNKNOWN
            return UNKNOWN if value is UNKNOWN else not value
        value = _operand(to_number, value, "", self.operand.rng)
        return UNKNOWN if value is UNKNOWN else normalize_number(-value)

    def children(self):
        return [self.operand]


@node
class Conditional(Expr):
    cond: Expr
    true: Expr
    false: Expr
    rng: Range

    def eval(self, scope):
        c = self.cond.eval(scope)
        if c is UNKNOWN:
            return UNKNOWN
        if c is None:
            raise HCLError("Null condition", "The condition value is null. Conditions must either be true or false.",
                           self.cond.rng)
        c = convert_known(to_bool, c, "Incorrect condition type", "The condition expression must be of type bool",
                          self.cond.rng)
        chosen, other = (self.true, self.false) if c else (self.false, self.true)
        value = chosen.eval(scope)
        try:  # HCL evaluates both branches to unify their types; the other branch's errors do not count
            other_value = other.eval(scope)
        except HCLError:
            return value
        return unify(value, other_value)[0]

    def children(self):
        return [self.cond, self.true, self.false]


def check_number_size(value: Any, rng: Range) -> Any:
    """Integers are exact here (cty's are big too): squaring a number through a chain of locals doubles its
    digits each time (doubling it adds a bit), so a result past :data:`MAX_NUMBER_DIGITS` ends the load instead of
    the machine, and Python never meets an integer too long to print."""
    if isinstance(value, int) and value.bit_length() > _MAX_NUMBER_BITS:
        raise LimitExceeded(f"the result has more than {MAX_NUMBER_DIGITS:,} digits, jobguard's limit for numbers "
                            f"in job files (see {LIMITS_DOC})", rng)
    return value


# -- constructors ---------------------------------------------------------------------------------------------------

@node
class TupleCons(Expr):
    items: list[Expr]
    rng: Range

    def eval(self, scope):
        return [item.eval(scope) for item in self.items]

    def children(self):
        return list(self.items)


@node
class ObjectKey(Expr):
    """An object key: a bare identifier is a literal name, anything else is evaluated and must be a string."""

    expr: Expr | None
    name: str | None
    rng: Range

    def eval(self, scope):
        if self.name is not None:
            return self.name
        value = self.expr.eval(scope)
        if value is UNKNOWN:
            return UNKNOWN
        if value is None:
            raise HCLError("Invalid object key", "Can't use a null value as a key.", self.rng)
        return convert_known(to_string, value, "Incorrect key type", "Can't use this value as a key", self.rng)

    def children(self):
        return [self.expr] if self.expr is not None else []


@node
class ObjectCons(Expr):
    items: list[tuple[ObjectKey, Expr]]
    rng: Range

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


@node
class ForExpr(Expr):
    """``[for k, v in coll : expr if cond]`` and ``{for k, v in coll : key => value... if cond}``."""

    key_var: str | None
    val_var: str
    coll: Expr
    key_expr: Expr | None
    val_expr: Expr
    cond: Expr | None
    group: bool
    is_object: bool
    rng: Range

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
        try:
            return self._iterate(pairs, scope)
        except LimitExceeded as exc:
            exc.locate(self.rng)
            raise

    def _iterate(self, pairs: Any, scope: Scope | None) -> Any:
        out_list: list = []
        out_map: dict = {}
        for k, v in pairs:
            charge_steps()
            inner = iteration_scope(scope, self.key_var, self.val_var, k, v)
            if self.cond is not None:
                c = convert_known(to_bool, self.cond.eval(inner), "Invalid 'for' condition",
                                  "The 'if' clause value is invalid", self.cond.rng)
                if c is UNKNOWN:
                    return UNKNOWN
                if not c:
                    continue
            if not self.is_object:
                out_list.append(self.val_expr.eval(inner))
                continue
            key = convert_known(to_string, self.key_expr.eval(inner), "Invalid object key",
                                "Key expression in 'for' expression must be a string", self.key_expr.rng)
            if key is UNKNOWN:
                return UNKNOWN
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


@node
class Call(Expr):
    """A function call; the function table and lazy ``can``/``try`` live in the scope's caller."""

    name: str
    args: list[Expr]
    expand: bool
    rng: Range
    name_rng: Range

    def eval(self, scope):
        if scope is None or scope.functions is None:
            raise HCLError("Function calls not allowed", "Functions may not be called here.", self.rng)
        return scope.functions(self.name, self.args, self, scope)

    def children(self):
        return list(self.args)
