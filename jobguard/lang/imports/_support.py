"""Helpers shared by the standard imports (not an import itself: discovery skips ``_`` modules).

* :func:`arity` / :func:`call_with_index`: Sentinel calls a predicate with as many of (element, index) or
  (value, key) as the policy function declares, so imports must know how many parameters it takes.
* :func:`value_key`: a hashable stand-in for any value, equal exactly when Sentinel's ``==`` says two values are
  equal (1 and 1.0 equal, true and 1 not), so set-like helpers (union, intersection, ...) run in linear time.
* :func:`primitive_text`: how a non-string primitive turns into text inside ``strings.join``.
* :func:`named` / :func:`name_methods`: the name a runtime error shows (``maps.get: path must be a string``): the
  compiler prefixes an import function's error with the function's ``__name__``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable
from typing import Any

from jobguard.lang.runtime import format_float, type_name
from jobguard.lang.values import UNDEFINED

_ARITY_CACHE: dict[Any, int] = {}


def arity(fn: Any) -> int:
    """How many positional parameters a policy function (or Python callable) accepts.

    Policy functions of the closure backend carry ``params``; the compiled backend makes plain Python functions,
    whose code object is cached here (inspect.signature is slow and predicates run once per element).
    """
    params = getattr(fn, "params", None)
    if isinstance(params, list):
        return len(params)
    code = getattr(fn, "__code__", None)
    if code is not None and not getattr(fn, "__self__", None):
        cached = _ARITY_CACHE.get(code)
        if cached is None:
            cached = 99 if code.co_flags & inspect.CO_VARARGS else code.co_argcount
            if len(_ARITY_CACHE) > 4096:
                _ARITY_CACHE.clear()
            _ARITY_CACHE[code] = cached
        return cached
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return 1
    kinds = [p.kind for p in sig.parameters.values()]
    if inspect.Parameter.VAR_POSITIONAL in kinds:
        return 99
    return sum(1 for k in kinds if k in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD))


def named(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: the function reports errors as ``name`` (e.g. ``"maps.get"``)."""
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        fn.__name__ = fn.__qualname__ = name
        return fn
    return deco


def name_methods(prefix: str) -> Callable[[type], type]:
    """Class decorator: each ``fn_<name>`` method reports errors as ``<prefix>.<name>``."""
    def deco(cls: type) -> type:
        for attr, fn in list(vars(cls).items()):
            if attr.startswith("fn_") and callable(fn):
                fn.__name__ = fn.__qualname__ = f"{prefix}.{attr[3:]}"
        return cls
    return deco


def exports(*fns: Callable[..., Any]) -> dict[str, Callable[..., Any]]:
    """``{name: fn}`` for functions named with :func:`named` (the part after the last dot is the policy name)."""
    return {fn.__name__.rsplit(".", 1)[-1]: fn for fn in fns}


def need_function(fn: Any, what: str) -> Callable[..., Any]:
    if not callable(fn) or isinstance(fn, (type, dict, list, str)):
        raise TypeError(f"{what} must be a function, got {type_name(fn)}")
    return fn


def pairs(items: Any) -> list[tuple[Any, Any]]:
    """(element, index) for a list, (value, key) for a map: the arguments Sentinel hands to a predicate."""
    if type(items) is list:
        return [(v, i) for i, v in enumerate(items)]
    if type(items) is dict:
        return [(v, k) for k, v in items.items()]
    raise TypeError(f"expected a list or map, got {type_name(items)}")


def caller(fn: Any, extra: int = 0) -> Callable[..., Any]:
    """A function ``call(*lead, element, index)`` that passes the index only when ``fn`` declares it.

    ``extra`` counts leading arguments (the accumulator of ``reduce``)."""
    need_function(fn, "the function argument")
    n = arity(fn) - extra
    if n >= 2:
        return lambda *args: fn(*args)
    if n == 1:
        return lambda *args: fn(*args[:-1])
    raise TypeError(f"the function must take at least {extra + 1} parameter(s)")


def truth(result: Any) -> bool:
    """A predicate's result: a bool, or undefined (never true)."""
    if result is True or result is False:
        return result
    if result is UNDEFINED:
        return False
    raise TypeError(f"the predicate must return a bool, got {type_name(result)}")


def value_key(v: Any) -> Hashable:
    """A hashable key equal for values Sentinel's ``==`` calls equal (numbers by value, bools apart)."""
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return ("b", v)
    if t is int or t is float:
        return ("n", v)
    if v is None:
        return ("z",)
    if t is list:
        return ("l", tuple(value_key(x) for x in v))
    if t is dict:
        return ("m", frozenset((value_key(k), value_key(x)) for k, x in v.items()))
    return ("o", id(v))


def primitive_text(v: Any) -> str:
    """Text of a primitive for string building: ints in base 10, floats as the shortest text, bools, null."""
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        return format_float(v)
    if v is None:
        return "null"
    raise TypeError(f"cannot convert a {type_name(v)} to a string")
