"""Built-in functions of the policy language (Sentinel's: append, delete, error, keys, values, length, range,
print, int, float, string, bool). Each receives the evaluation context first, so print() output is captured with
the result (never written to stdout) and counted against the output budget.
"""

from __future__ import annotations

from typing import Any

from jobguard.lang import runtime as rt
from jobguard.lang.runtime import Builtin
from jobguard.lang.errors import RuntimeFault
from jobguard.lang.sandbox import LIST_SLOT, SMALL_INT
from jobguard.lang.values import UNDEFINED


def _arity(name: str, args: tuple, lo: int, hi: int | None = None) -> None:
    hi = lo if hi is None else hi
    if not lo <= len(args) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        raise RuntimeFault(f"{name}() takes {want} argument(s), got {len(args)}")


def _subject(name: str, args: tuple, count: int, kind: type, what: str) -> Any:
    """Check the arity and that the first argument is a ``kind`` (named ``what``); UNDEFINED passes through."""
    _arity(name, args, count)
    c = args[0]
    if c is UNDEFINED or type(c) is kind:
        return c
    raise RuntimeFault(f"{name}() needs a {what}, got {rt.type_name(c)}")


def b_append(ctx, *args) -> Any:
    lst = _subject("append", args, 2, list, "list")
    if lst is not UNDEFINED:
        budget = ctx.budget
        if len(lst) >= budget.limits.max_size:
            budget.check_size(len(lst) + 1, "list length")
        budget.charge(LIST_SLOT)
        lst.append(args[1])
    return UNDEFINED


def b_delete(ctx, *args) -> Any:
    m = _subject("delete", args, 2, dict, "map")
    if m is not UNDEFINED:
        try:
            m.pop(args[1], None)
        except TypeError:
            pass
    return UNDEFINED


def b_error(ctx, *args) -> Any:
    raise RuntimeFault(" ".join(rt.show(a, budget=ctx.budget, strict=True) for a in args) or "error() called")


def b_keys(ctx, *args) -> Any:
    m = _subject("keys", args, 1, dict, "map")
    return UNDEFINED if m is UNDEFINED else ctx.budget.new(list(m.keys()))


def b_values(ctx, *args) -> Any:
    m = _subject("values", args, 1, dict, "map")
    return UNDEFINED if m is UNDEFINED else ctx.budget.new(list(m.values()))


def b_length(ctx, *args) -> Any:
    _arity("length", args, 1)
    v = args[0]
    if v is UNDEFINED:
        return UNDEFINED
    if type(v) in (str, list, dict):
        return len(v)
    if v is None:
        return 0
    raise RuntimeFault(f"length() needs a string, list or map, got {rt.type_name(v)}")


def b_range(ctx, *args) -> Any:
    _arity("range", args, 1, 3)
    if any(a is UNDEFINED for a in args):
        return UNDEFINED
    if not all(type(a) is int for a in args):
        raise RuntimeFault("range() needs int arguments")
    if len(args) == 3 and args[2] == 0:
        raise RuntimeFault("range() step must not be zero")
    r = range(*args)
    budget = ctx.budget
    budget.check_size(len(r), "range() length")  # before allocating; looping over it is charged as steps
    budget.charge(_INT_OBJECT * len(r))
    return budget.new(list(r))


_INT_OBJECT = 28  # bytes of each int object in a range() list


def b_print(ctx, *args) -> Any:
    room = max(ctx.budget.limits.max_output - ctx.budget.output, 0)
    text = " ".join(rt.show(a, limit=room, budget=ctx.budget, strict=True) for a in args)
    ctx.budget.add_output(len(text) + 1)
    ctx.prints.append(text)
    return True


def _conv(name, fn):
    def conv(ctx, *args):
        _arity(name, args, 1)
        if args[0] is None:  # Sentinel: converting a type the rules do not cover (null) gives undefined
            return UNDEFINED
        return fn(args[0])
    return conv


def _b_int(ctx, *args) -> Any:
    """``int()``: the conversion, then the integer size limit (``int("9" * 4000)`` is a 13,000-bit number)."""
    v = _INT(ctx, *args)
    if type(v) is int and not -SMALL_INT <= v <= SMALL_INT:
        ctx.budget.check_int(v)
    return v


_INT = _conv("int", rt.to_int)

BUILTINS: dict[str, Builtin] = {
    name: Builtin(name, fn) for name, fn in {
        "append": b_append, "delete": b_delete, "error": b_error, "keys": b_keys, "values": b_values,
        "length": b_length, "range": b_range, "print": b_print,
        "int": _b_int, "float": _conv("float", rt.to_float),
        "string": _conv("string", rt.to_string), "bool": _conv("bool", rt.to_bool),
    }.items()
}
