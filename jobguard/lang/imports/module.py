"""Base class and helpers for import modules.

An :class:`ImportModule` exposes, as policy-visible attributes (first match wins):

1. ``attributes()`` -> dict of plain values (default: the ``attrs`` given to the constructor);
2. lazily computed attributes (``lazy`` constructor argument: name -> zero-argument function, called once);
3. methods named ``fn_<name>``, exposed as functions ``<name>`` (plain Python callables over plain values).

Subclasses may override ``__init__`` without calling ours (``Version`` in version.py does); everything here copes.
Import functions raise ``ValueError``/``TypeError`` for bad arguments; the policy then gets a runtime error at the
call's position.
"""

from __future__ import annotations

from typing import Any, ClassVar
from collections.abc import Callable

from jobguard.lang.runtime import type_name as _type_name
from jobguard.lang.values import UNDEFINED, SentinelObject


class ImportModule(SentinelObject):
    type_name = "module"
    #: other names for ``fn_`` methods, e.g. ``{"gt": "greater_than"}`` (Sentinel's short forms)
    aliases: ClassVar[dict[str, str]] = {}

    def __init__(self, attrs: dict[str, Any] | None = None, lazy: dict[str, Callable[[], Any]] | None = None):
        self._attrs = dict(attrs or {})
        self._lazy = dict(lazy or {})

    def attributes(self) -> dict[str, Any]:
        return getattr(self, "_attrs", {})

    def get_attr(self, name: str) -> Any:
        plain = self.__dict__.get("_attrs")
        if plain is not None and type(self).attributes is ImportModule.attributes and name in plain:
            return plain[name]  # fast path: constructor attributes, no override of attributes()
        attrs = self.attributes()
        if name in attrs:
            return attrs[name]
        lazy = getattr(self, "_lazy", None)
        if lazy and name in lazy:
            value = lazy.pop(name)()
            self._attrs[name] = value
            return value
        if isinstance(name, str) and not name.startswith("_"):
            method = getattr(self, "fn_" + self.aliases.get(name, name), None)
            if callable(method):
                return method
        return UNDEFINED

    def attr_names(self) -> list[str]:
        names = set(self.attributes()) | set(getattr(self, "_lazy", {}))
        names |= {a[3:] for a in dir(self) if a.startswith("fn_")} | set(self.aliases)
        return sorted(names)


def type_name(value: Any) -> str:
    """The Sentinel type name of a value (bool, int, float, string, list, map, null, undefined, func, ...)."""
    return _type_name(value)


def need(name: str, value: Any, *types: type) -> Any:
    """Check an argument's type, with bool never passing as int."""
    if isinstance(value, bool) and bool not in types:
        raise TypeError(f"{name} must be {' or '.join(t.__name__ for t in types)}, got bool")
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {' or '.join(t.__name__ for t in types)}, got {type_name(value)}")
    return value


def require_string(value: Any, what: str = "argument") -> str:
    """``value`` if it is a string, else TypeError naming ``what``."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {type_name(value)}")
    return value
