"""``import "collection"``: helpers over lists and maps that take a predicate function.

``filter``, ``reject``, ``find`` and ``reduce`` call the policy's function with the element (lists) or with the
key and value (maps) — a one-parameter function over a map gets the key, as Sentinel's quantifiers do.
``matches(items, partial)`` keeps the elements that contain ``partial`` (deep comparison of maps, lists by
position). Predicates must return a bool; anything else is an error.
"""

from __future__ import annotations

import inspect
from typing import Any
from collections.abc import Callable

from jobguard.lang.imports.module import ImportModule, type_name
from jobguard.lang.sandbox import size_limit, text_size
from jobguard.lang.values import UNDEFINED

NAME = "collection"


def _arity(fn: Callable[..., Any]) -> int:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return 1
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return 2
    return sum(1 for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def _pairs(items: Any, fn: Callable[..., Any]):
    """(element-to-return, args-for-fn) for each element of a list or map."""
    if isinstance(items, list):
        for value in items:
            yield value, (value,)
    elif isinstance(items, dict):
        two = _arity(fn) >= 2
        for key, value in items.items():
            yield {key: value}, ((key, value) if two else (key,))
    else:
        raise TypeError(f"collection: expected a list or map, got {type_name(items)}")


def _truth(result: Any, where: str) -> bool:
    if not isinstance(result, bool):
        raise TypeError(f"collection.{where}: the predicate must return a bool, got {type_name(result)}")
    return result


def _contains(value: Any, partial: Any) -> bool:
    if isinstance(partial, dict):
        return isinstance(value, dict) and all(k in value and _contains(value[k], v) for k, v in partial.items())
    if isinstance(partial, list):
        return isinstance(value, list) and len(value) >= len(partial) and all(
            _contains(a, b) for a, b in zip(value, partial, strict=False))
    return value == partial and type(value) is type(partial) or (
        isinstance(value, (int, float)) and isinstance(partial, (int, float))
        and not isinstance(value, bool) and not isinstance(partial, bool) and value == partial)


def _collect(items: Any, picked: list) -> Any:
    if isinstance(items, dict):
        merged: dict = {}
        for entry in picked:
            merged.update(entry)
        return merged
    return picked


class CollectionImport(ImportModule):
    def fn_filter(self, items: Any, predicate: Callable[..., Any]) -> Any:
        return _collect(items, [el for el, args in _pairs(items, predicate) if _truth(predicate(*args), "filter")])

    def fn_reject(self, items: Any, predicate: Callable[..., Any]) -> Any:
        return _collect(items, [el for el, args in _pairs(items, predicate)
                                if not _truth(predicate(*args), "reject")])

    def fn_find(self, items: Any, predicate: Callable[..., Any]) -> Any:
        for el, args in _pairs(items, predicate):
            if _truth(predicate(*args), "find"):
                return el
        return UNDEFINED

    def fn_matches(self, items: Any, partial: Any) -> Any:
        text_size(partial, size_limit())  # walked once per item: a partial that shares sub-maps could be 2**40
        if isinstance(items, dict):
            return {k: v for k, v in items.items() if _contains(v, partial)}
        if isinstance(items, list):
            return [v for v in items if _contains(v, partial)]
        raise TypeError(f"collection.matches: expected a list or map, got {type_name(items)}")

    def fn_reduce(self, items: Any, reducer: Callable[..., Any], initial: Any = None) -> Any:
        acc = initial
        if isinstance(items, list):
            for value in items:
                acc = reducer(acc, value)
        elif isinstance(items, dict):
            for key, value in items.items():
                acc = reducer(acc, key, value) if _arity(reducer) >= 3 else reducer(acc, key)
        else:
            raise TypeError(f"collection.reduce: expected a list or map, got {type_name(items)}")
        return acc


def create() -> CollectionImport:
    return CollectionImport()
