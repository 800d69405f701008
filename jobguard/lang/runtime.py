"""Runtime semantics of the policy language: operators, undefined propagation, conversions, formatting.

Values are plain Python values (see :mod:`jobguard.lang.values`). Helpers here raise :class:`RuntimeFault`
(message only); the compiled code turns that into a :class:`PolicyRuntimeError` with the position of the
expression, so this module stays free of position bookkeeping.

Rules implemented (Sentinel language specification):

* anything that touches ``undefined`` is ``undefined``, except ``undefined or true`` (true), the ``else``
  operator (replaces undefined, not null), ``is defined`` / ``is not defined``, and short-circuited operands;
* ``==``/``is`` never equate values of different types (but int and float compare numerically);
* integer ``/`` truncates toward zero, ``%`` takes the sign of the dividend; mixing int and float gives float;
* ``contains``/``in`` test lists by element, maps by key, strings by substring; ``matches`` is an unanchored
  regular-expression search in Go's RE2 syntax (linear time: see :mod:`jobguard.goregex`).

Every helper that builds a value of unbounded size (concatenation, big integers, slices) or reads one (deep
equality, searches) accounts for it in the evaluation's budget (:mod:`jobguard.lang.sandbox`); both backends call
these helpers, so they enforce the same limits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from jobguard.goregex import GoRegex, GoRegexError, compile_go
from jobguard.lang.errors import RuntimeFault
from jobguard.lang.sandbox import DEFAULT_LIMITS, MAP_ENTRY, SMALL_INT, Budget, active, current, text_size
from jobguard.lang.values import UNDEFINED, SentinelObject, _Undefined

_NUM = (int, float)


# Sentinel's names for the plain value types, in isinstance order (bool before int: bool is an int subclass).
_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (type(None), "null"), (bool, "bool"), (int, "int"), (float, "float"), (str, "string"), (list, "list"),
    (dict, "map"),
)
_EXACT_TYPE_NAMES = dict(_TYPE_NAMES)


def type_name(v: Any) -> str:
    name = _EXACT_TYPE_NAMES.get(type(v))
    if name is not None:
        return name
    if v is UNDEFINED:
        return "undefined"
    for cls, name in _TYPE_NAMES:
        if isinstance(v, cls):
            return name
    if isinstance(v, SentinelObject):
        return v.type_name
    if getattr(v, "is_rule", False):
        return "rule"
    if callable(v):
        return "func"
    return type(v).__name__


def is_number(v: Any) -> bool:
    return isinstance(v, _NUM) and not isinstance(v, bool)


# -- logical operators ----------------------------------------------------------------------------------------------
# Both backends short-circuit on the left operand themselves (``false and x``, ``true or x`` never evaluate x) and
# call these for the rest, so the undefined and type rules of and/or/xor are written once.
def logic_and(a: Any, b: Any) -> Any:
    """``a and b`` once ``a`` is known not to be false."""
    check_bool("and", a)
    check_bool("and", b)
    return UNDEFINED if a is UNDEFINED else b


def logic_or(a: Any, b: Any) -> Any:
    """``a or b`` once ``a`` is known not to be true (``undefined or true`` is true)."""
    check_bool("or", a)
    check_bool("or", b)
    if b is True:
        return True
    return UNDEFINED if (a is UNDEFINED or b is UNDEFINED) else False


def logic_xor(a: Any, b: Any) -> Any:
    """``a xor b`` (never short-circuits)."""
    check_bool("xor", a)
    check_bool("xor", b)
    if a is UNDEFINED or b is UNDEFINED:
        return UNDEFINED
    return a is not b


LOGIC: dict[str, Callable[[Any, Any], Any]] = {"and": logic_and, "or": logic_or, "xor": logic_xor}


# -- equality and ordering ----------------------------------------------------------------------------------------
def equal(a: Any, b: Any) -> bool:
    """Strict equality: bools are not numbers, lists/maps compare deeply."""
    ta, tb = type(a), type(b)
    if ta is tb and (ta is str or ta is int or ta is bool):
        return a == b
    if ta is bool or tb is bool:
        return ta is tb and a == b
    if ta in _NUM and tb in _NUM:
        return a == b
    if (ta is list and tb is list) or (ta is dict and tb is dict):
        return _deep_equal(a, b)
    if a is None or b is None:
        return a is b
    if ta is not tb:
        return False
    return a == b


def _deep_equal(a: list | dict, b: list | dict) -> bool:
    """Equality of two lists or maps. Pairs of containers already compared (or being compared) are not walked
    again, so values that share sub-values (a map holding the same map twice, nested 40 times) compare in time
    proportional to their distinct parts, and a list that contains itself terminates."""
    seen: set[tuple[int, int]] = set()
    budget = active()
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        key = (id(x), id(y))
        if key in seen:
            continue
        seen.add(key)
        if len(x) != len(y):
            return False
        if budget is not None:
            budget.tick(len(x))
        pairs = zip(x, y, strict=True) if type(x) is list else ((v, y.get(k, _ABSENT)) for k, v in x.items())
        for u, v in pairs:
            tu, tv = type(u), type(v)
            if (tu is list and tv is list) or (tu is dict and tv is dict):
                stack.append((u, v))
            elif tu is list or tu is dict or tv is list or tv is dict or v is _ABSENT or not equal(u, v):
                return False
    return True


_ABSENT = object()


def compare(op: str, a: Any, b: Any) -> Any:
    if a is UNDEFINED or b is UNDEFINED:
        return UNDEFINED
    if op in ("==", "is"):
        return equal(a, b)
    if op in ("!=", "is not"):
        return not equal(a, b)
    if (is_number(a) and is_number(b)) or (type(a) is str and type(b) is str):
        if op == "<":
            return a < b
        if op == "<=":
            return a <= b
        if op == ">":
            return a > b
        return a >= b
    raise RuntimeFault(f"cannot compare {type_name(a)} {op} {type_name(b)}")


# -- arithmetic ---------------------------------------------------------------------------------------------------
def arith(op: str, a: Any, b: Any, budget: Budget | None = None) -> Any:
    """``a op b``; ``budget`` is the evaluation's (both backends pass it; helpers called without one use the
    thread's current budget)."""
    if a is UNDEFINED or b is UNDEFINED:
        return UNDEFINED
    if is_number(a) and is_number(b):
        if op == "+":
            r = a + b
        elif op == "-":
            r = a - b
        elif op == "*":
            r = a * b
        else:
            r = None
        if r is not None:
            return r if type(r) is not int or -SMALL_INT <= r <= SMALL_INT else (budget or current()).check_int(r)
        if b == 0:
            raise RuntimeFault("division by zero")
        if type(a) is int and type(b) is int:
            q = abs(a) // abs(b)
            q = q if (a >= 0) == (b >= 0) else -q
            return q if op == "/" else a - b * q
        return a / b if op == "/" else math.fmod(a, b)
    if op == "+" and ((type(a) is str and type(b) is str) or (type(a) is list and type(b) is list)):
        return (budget or current()).concat(a, b)
    raise RuntimeFault(f"unsupported operand types for {op}: {type_name(a)} and {type_name(b)}")


def grow_map(m: dict, budget: Budget | None = None) -> None:
    """A new key is about to be added to ``m`` (index assignment): check the map's size and charge the entry."""
    budget = budget or current()
    if len(m) >= budget.limits.max_size:
        budget.check_size(len(m) + 1, "map size")
    budget.charge(MAP_ENTRY)


def negate(op: str, v: Any) -> Any:
    if v is UNDEFINED:
        return UNDEFINED
    if op in ("-", "+"):
        if is_number(v):
            return -v if op == "-" else v
        raise RuntimeFault(f"unary {op} needs a number, got {type_name(v)}")
    if type(v) is bool:
        return not v
    raise RuntimeFault(f"'{op}' needs a bool, got {type_name(v)}")


def check_bool(op: str, v: Any) -> None:
    if type(v) is not bool and v is not UNDEFINED:
        raise RuntimeFault(f"operand of '{op}' must be a bool, got {type_name(v)}")


# -- set, matches, emptiness --------------------------------------------------------------------------------------
def contains(coll: Any, item: Any, budget: Budget | None = None) -> Any:
    """``coll contains item``. A long list or string ticks the evaluation's clock check."""
    if coll is UNDEFINED or item is UNDEFINED:
        return UNDEFINED
    t = type(coll)
    if t is list:
        if len(coll) > _SCAN_FREE and (budget := budget or active()) is not None:
            budget.tick(len(coll))
        if type(item) is str:
            return any(type(x) is str and x == item for x in coll)
        return any(equal(x, item) for x in coll)
    if t is dict:
        try:
            if item in coll:
                return True
        except TypeError:
            return False
        return False
    if t is str:
        if type(item) is not str:
            raise RuntimeFault(f"a string can only contain a string, not {type_name(item)}")
        if len(coll) > _SCAN_FREE and (budget := budget or active()) is not None:
            budget.tick(len(coll))
        return item in coll
    if coll is None:
        return False
    raise RuntimeFault(f"'contains' needs a list, map or string, got {type_name(coll)}")


_SCAN_FREE = 4096  # lists and strings up to this length are searched without touching the budget

_REGEX_CACHE: dict[str, GoRegex] = {}


def matches(s: Any, pattern: Any, budget: Budget | None = None) -> Any:
    """``s matches pattern``: an unanchored search with a Go/RE2 pattern (linear in ``len(s)``, never
    backtracking). An invalid pattern is a runtime error with Go's message."""
    if s is UNDEFINED or pattern is UNDEFINED:
        return UNDEFINED
    if type(s) is not str or type(pattern) is not str:
        raise RuntimeFault(f"'matches' needs two strings, got {type_name(s)} and {type_name(pattern)}")
    rx = _REGEX_CACHE.get(pattern)
    if rx is None:
        try:
            rx = compile_go(pattern)
        except GoRegexError as exc:
            raise RuntimeFault(f"invalid regular expression {pattern!r}: {exc}") from None
        if len(_REGEX_CACHE) >= 64:
            _REGEX_CACHE.clear()
        _REGEX_CACHE[pattern] = rx
    if len(s) > _SCAN_FREE and (budget := budget or active()) is not None:
        budget.tick(len(s))
    return rx.test(s)


def is_empty(v: Any) -> Any:
    if v is UNDEFINED:
        return UNDEFINED
    if type(v) in (str, list, dict):
        return len(v) == 0
    if v is None:
        return True
    raise RuntimeFault(f"'is empty' needs a string, list or map, got {type_name(v)}")


# -- access -------------------------------------------------------------------------------------------------------
def get_index(v: Any, key: Any) -> Any:
    t = type(v)
    if t is dict:
        try:
            return v.get(key, UNDEFINED)
        except TypeError:
            raise RuntimeFault(f"a {type_name(key)} cannot be a map key") from None
    if t is list or t is str:
        if type(key) is not int:
            if key is UNDEFINED:
                return UNDEFINED
            raise RuntimeFault(f"list index must be an int, got {type_name(key)}")
        if -len(v) <= key < len(v):
            return v[key]
        return UNDEFINED
    if v is UNDEFINED or v is None:
        return UNDEFINED
    if isinstance(v, SentinelObject):
        return v.get_attr(key) if isinstance(key, str) else UNDEFINED
    raise RuntimeFault(f"cannot index into {type_name(v)}")


def get_attr(v: Any, name: str) -> Any:
    if type(v) is dict:
        return v.get(name, UNDEFINED)
    if v is UNDEFINED or v is None:
        return UNDEFINED
    if isinstance(v, SentinelObject):
        return v.get_attr(name)
    raise RuntimeFault(f"cannot select '{name}' from {type_name(v)}")


def get_slice(v: Any, low: Any, high: Any, budget: Budget | None = None) -> Any:
    if v is UNDEFINED or low is UNDEFINED or high is UNDEFINED:
        return UNDEFINED
    if type(v) not in (list, str):
        raise RuntimeFault(f"cannot slice {type_name(v)}")
    lo = 0 if low is None else low
    hi = len(v) if high is None else high
    if type(lo) is not int or type(hi) is not int:
        raise RuntimeFault("slice indices must be ints")
    if lo < 0:
        lo += len(v)
    if hi < 0:
        hi += len(v)
    if not 0 <= lo <= hi <= len(v):
        return UNDEFINED
    if hi - lo > _SCAN_FREE:  # a copy: memory the policy may keep
        return (budget or current()).new(v[lo:hi])
    return v[lo:hi]


def iterate(v: Any, nnames: int = 2):
    """Pairs for ``for``/quantifiers: list -> (index, value), map -> (key, value). ``None`` for undefined.

    ``nnames`` (how many loop names the caller binds) does not change the pairs: one-name loops pick the value of a
    list pair and the key of a map pair themselves.
    """
    t = type(v)
    if t is list:
        return enumerate(v)
    if t is dict:
        return list(v.items())
    if v is None:
        return ()
    if v is UNDEFINED:
        return None
    raise RuntimeFault(f"cannot iterate over {type_name(v)}")


# -- conversions and printing -------------------------------------------------------------------------------------
def to_string(v: Any) -> Any:
    if v is UNDEFINED:
        return UNDEFINED
    if type(v) is str:
        return v
    if type(v) is bool:
        return "true" if v else "false"
    if v is None:
        return "null"
    if type(v) is int:
        return str(v)
    if type(v) is float:
        return format_float(v)
    raise RuntimeFault(f"cannot convert {type_name(v)} to string")


def format_float(f: float) -> str:
    if f == int(f) and abs(f) < 1e21:
        return str(int(f)) if abs(f) >= 1e-4 or f == 0 else repr(f)
    return repr(f)


def to_int(v: Any) -> Any:
    if v is UNDEFINED:
        return UNDEFINED
    if type(v) is bool:
        return 1 if v else 0
    if type(v) is int:
        return v
    if type(v) is float:
        if math.isnan(v) or math.isinf(v):
            raise RuntimeFault("cannot convert a non-finite float to int")
        return int(v)
    if type(v) is str:
        s = v.strip()
        try:
            return int(s, 10)
        except ValueError:
            pass
        try:
            f = float(s)
        except ValueError:
            raise RuntimeFault(f"cannot convert {v!r} to int") from None
        if math.isnan(f) or math.isinf(f):
            raise RuntimeFault(f"cannot convert {v!r} to int")
        return int(f)
    raise RuntimeFault(f"cannot convert {type_name(v)} to int")


def to_float(v: Any) -> Any:
    if v is UNDEFINED:
        return UNDEFINED
    if type(v) is bool:
        return 1.0 if v else 0.0
    if is_number(v):
        return float(v)
    if type(v) is str:
        try:
            return float(v.strip())
        except ValueError:
            raise RuntimeFault(f"cannot convert {v!r} to float") from None
    raise RuntimeFault(f"cannot convert {type_name(v)} to float")


_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def to_bool(v: Any) -> Any:
    if v is UNDEFINED:
        return UNDEFINED
    if type(v) is bool:
        return v
    if is_number(v):
        return v != 0
    if type(v) is str:
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
        raise RuntimeFault(f"cannot convert {v!r} to bool")
    raise RuntimeFault(f"cannot convert {type_name(v)} to bool")


def show(v: Any, top: bool = True, limit: int | None = None, budget: Budget | None = None,
         strict: bool = False) -> str:
    """Text for print(): strings bare at the top level, quoted inside collections. A list or map is measured first
    (:func:`jobguard.lang.sandbox.text_size`): one whose text would exceed ``limit`` characters (default: the
    size limit), or that contains itself, is a runtime error when ``strict`` (``print``/``error`` in a policy)
    instead of gigabytes of text, and a short placeholder otherwise (traces, reports, test messages)."""
    if type(v) is list or type(v) is dict:
        budget = budget or active()
        if limit is None:
            limit = (budget.limits if budget is not None else DEFAULT_LIMITS).max_size
        try:
            text_size(v, limit, budget)
        except RuntimeFault:
            if strict:
                raise
            return f"<{type_name(v)} of {len(v)} elements, too large to show>"
    return _show(v, top)


def _show(v: Any, top: bool) -> str:
    if type(v) is str:
        return v if top else '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if type(v) is bool:
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, _Undefined):
        return "undefined"
    if type(v) is float:
        return format_float(v)
    if type(v) is list:
        return "[" + ", ".join(_show(x, False) for x in v) + "]"
    if type(v) is dict:
        return "{" + ", ".join(f"{_show(k, False)}: {_show(x, False)}" for k, x in v.items()) + "}"
    if isinstance(v, SentinelObject):
        return f"<{v.type_name}>"
    if getattr(v, "is_rule", False):
        return "<rule>"
    if callable(v):
        return "<func>"
    return str(v)


# -- building and changing collections (both backends) ---------------------------------------------------------------
def map_key(k: Any) -> Any:
    """``k`` if it can be a key of a map literal (lists, maps and undefined cannot)."""
    if type(k) in (list, dict) or k is UNDEFINED:
        raise RuntimeFault(f"a {type_name(k)} cannot be a map key")
    return k


def set_index(coll: Any, k: Any, v: Any, budget: Budget | None = None) -> None:
    """``coll[k] = v``: a new map key is charged to the budget; a list index must exist."""
    if type(coll) is dict:
        try:
            if k not in coll:
                grow_map(coll, budget)
            coll[k] = v
        except TypeError:
            raise RuntimeFault(f"a {type_name(k)} cannot be a map key") from None
    elif type(coll) is list:
        if type(k) is not int or not -len(coll) <= k < len(coll):
            raise RuntimeFault(f"list index {show(k)} out of range")
        coll[k] = v
    else:
        raise RuntimeFault(f"cannot assign into {type_name(coll)}")


# -- calls and imports (both backends) --------------------------------------------------------------------------------
class Builtin:
    """A built-in function: receives the evaluation context first (for print capture and the budget)."""

    __slots__ = ("name", "fn")

    def __init__(self, name: str, fn: Callable):
        self.name = name
        self.fn = fn


def call_external(ctx: Any, f: Callable, args: list | tuple) -> Any:
    """Call an import function (or any other Python callable a policy was given: ``functools.partial``, a bound
    method, an object with ``__call__``, a builtin). Both backends call through here.

    ValueError/TypeError (and the like) from it are the policy's fault -> runtime error. The call itself is not a
    step; the data it reads ticks the clock check and the value it returns is charged like any value the policy
    builds (its size checked, its memory counted), so a loop of import calls cannot grow memory unaccounted."""
    budget = ctx.budget if ctx is not None else current()
    try:
        result = f(*args)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        raise RuntimeFault(f"{_callable_name(f)}: {exc}") from None
    except MemoryError:
        raise RuntimeFault(f"{_callable_name(f)}: out of memory") from None
    if result is NotImplemented:
        return UNDEFINED
    return budget.external(result, args)


def call_value(ctx: Any, f: Any, args: list | tuple) -> Any:
    """Call ``f`` when it is not one of the policy's own functions (each backend calls those directly): a builtin
    gets the context first, undefined gives undefined, any other Python callable goes through :func:`call_external`
    (so its errors and the value it returns are accounted the same way in both backends)."""
    if type(f) is Builtin:
        return f.fn(ctx, *args)
    if f is UNDEFINED:
        return UNDEFINED
    if callable(f) and not isinstance(f, (type, SentinelObject)):
        return call_external(ctx, f, args)
    raise RuntimeFault(f"cannot call a {type_name(f)}")


def _callable_name(f: Any) -> str:
    """A readable name for any callable (``functools.partial`` and callable objects have no ``__name__``)."""
    name = getattr(f, "__name__", None)
    if name is None:
        name = getattr(getattr(f, "func", None), "__name__", None) or type(f).__name__
    return name


_BUILTIN_IMPORTS: dict[str, Any] | None = None


def _builtin_imports() -> dict[str, Any]:
    global _BUILTIN_IMPORTS
    if _BUILTIN_IMPORTS is None:  # deferred: discovery imports every import module (start-up time)
        from jobguard.lang.imports import BUILTIN_IMPORTS

        _BUILTIN_IMPORTS = BUILTIN_IMPORTS
    return _BUILTIN_IMPORTS


def resolve_import(ctx: Any, path: str) -> Any:
    """The value of ``import "path"``: a supplied import (mock, plugin, module) first, then a built-in one.

    ``ctx`` needs ``imports`` (the supplied ones) and, for a module (evaluated with the run's context), ``budget``:
    the closure backend passes its :class:`~jobguard.lang.compiler.Context`, the fast path a lighter object."""
    supplied = ctx.imports
    if path in supplied:
        src = supplied[path]
    elif path in (builtin := _builtin_imports()):
        src = builtin[path]
    else:
        raise RuntimeFault(f'import "{path}" is not available')
    if isinstance(src, (dict, SentinelObject)):
        return src
    load = getattr(src, "load_import", None)  # modules: evaluated with the run's context (lang/modules.py)
    if load is not None:
        return load(ctx)
    if callable(src):
        try:
            return src()
        except (ValueError, TypeError) as exc:
            raise RuntimeFault(f'import "{path}" failed: {exc}') from None
    raise RuntimeFault(f'import "{path}" is not a module')
