"""``import "collection"``: Sentinel's helpers over lists and maps that take a predicate function.

Predicates follow Sentinel's rules: over a list the function gets the element and, if it declares a second
parameter, the index; over a map it gets the value and, optionally, the key. ``filter``, ``reject`` and
``matches`` return a list of the elements kept (for a map: its values), ``find`` the first element found or
``undefined``. ``reduce(items, accumulator[, initial])`` passes the accumulated value first; without ``initial``
the first element starts the accumulation. A predicate must return a bool (``undefined`` counts as false);
anything else is an error, and so is a collection that is neither a list nor a map. ``undefined`` in gives
``undefined`` out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobguard.lang.imports._support import caller, exports, named, pairs, truth
from jobguard.lang.imports.module import ImportModule, type_name
from jobguard.lang.runtime import equal
from jobguard.lang.sandbox import size_limit, text_size
from jobguard.lang.values import UNDEFINED

NAME = "collection"


def _select(items: Any, predicate: Callable[..., Any], keep: bool) -> Any:
    if items is UNDEFINED:
        return UNDEFINED
    elements = pairs(items)
    call = caller(predicate)
    return [el for el, ix in elements if truth(call(el, ix)) is keep]


def matches_partial(value: Any, partial: Any) -> bool:
    """Deep partial comparison: every key of a partial map is present and matches; every element of a partial
    list matches some element of the value's list; anything else compares with Sentinel's ``==``."""
    if type(partial) is dict:
        return type(value) is dict and all(
            k in value and matches_partial(value[k], v) for k, v in partial.items())
    if type(partial) is list:
        return type(value) is list and all(any(matches_partial(x, p) for x in value) for p in partial)
    return equal(value, partial)


@named("collection.filter")
def filter_(items: Any, predicate: Any) -> Any:
    """The elements for which ``predicate`` returns true."""
    return _select(items, predicate, True)


@named("collection.reject")
def reject(items: Any, predicate: Any) -> Any:
    """The elements for which ``predicate`` does not return true."""
    return _select(items, predicate, False)


@named("collection.find")
def find(items: Any, predicate: Any) -> Any:
    """The first element for which ``predicate`` returns true, else undefined."""
    if items is UNDEFINED:
        return UNDEFINED
    elements = pairs(items)
    call = caller(predicate)
    for el, ix in elements:
        if truth(call(el, ix)):
            return el
    return UNDEFINED


@named("collection.matches")
def matches(items: Any, partial: Any) -> Any:
    """The elements that contain ``partial`` (deep, partial comparison); an empty list when none do."""
    if items is UNDEFINED or partial is UNDEFINED:
        return UNDEFINED
    if type(partial) is not dict:
        raise TypeError(f"partial must be a map, got {type_name(partial)}")
    text_size(partial, size_limit())  # walked once per item: a partial that shares sub-maps could be 2**40
    return [el for el, _ in pairs(items) if matches_partial(el, partial)]


_NO_INITIAL = object()


@named("collection.reduce")
def reduce(items: Any, accumulator: Any, initial: Any = _NO_INITIAL) -> Any:
    """Fold the collection: ``accumulator(acc, element[, index])`` for each element, in order."""
    if items is UNDEFINED:
        return UNDEFINED
    elements = pairs(items)
    call = caller(accumulator, extra=1)
    if initial is _NO_INITIAL:
        if not elements:
            return UNDEFINED
        acc, elements = elements[0][0], elements[1:]
    else:
        acc = initial
    for el, ix in elements:
        acc = call(acc, el, ix)
    return acc


_SHARED = ImportModule(exports(filter_, reject, find, matches, reduce))


def create() -> ImportModule:
    """The module (stateless, so one shared instance serves every evaluation)."""
    return _SHARED
