"""Runtime values of the policy language.

Sentinel values map onto plain Python values so that policies, imports and plugins exchange data without
wrapping: null -> None, bool, int, float, string -> str, list -> list, map -> dict. ``undefined`` is the singleton
:data:`UNDEFINED`. Import modules and objects with attributes (``time.now.year``) implement :class:`SentinelObject`.
"""

from __future__ import annotations

from typing import Any


class _Undefined:
    """Sentinel's ``undefined``: the result of reading something that is not there."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:  # never silently truthy/falsy in Python code
        raise TypeError("undefined has no Python truth value")

    def __reduce__(self):
        return (_Undefined, ())


UNDEFINED: Any = _Undefined()


class SentinelObject:
    """A value with attributes (and methods), e.g. an import module or a ``time`` value.

    ``get_attr`` returns a plain value, another SentinelObject, a Python callable (a function: called with plain
    values, returns a plain value) or :data:`UNDEFINED` for a missing attribute.
    """

    type_name = "object"

    def get_attr(self, name: str) -> Any:
        return UNDEFINED

    def attr_names(self) -> list[str]:
        return []
