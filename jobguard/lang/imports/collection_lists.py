"""``import "collection/lists"`` (bound to ``lists``): Sentinel's list helpers.

``concat(a, b, ...)`` (at least two lists), ``difference(a, ...)`` (alias ``diff``: elements of ``a`` found in
none of the others, order and repeats of ``a`` kept), ``intersection(a, ...)`` and ``union(a, ...)`` (unique
values, in order of first appearance), ``sort(items, compare_fn)`` (a new list, stable; the function returns
-1, 0 or +1 like the ``compare`` builtin) and ``sum(items)`` (ints and floats; always a float). Values are
compared with Sentinel's ``==`` (1 equals 1.0). Every argument must be a list; ``undefined`` in gives
``undefined`` out. Results are never larger than the inputs together.
"""

from __future__ import annotations

import functools
import math
from typing import Any, ClassVar

from jobguard.lang.imports._support import name_methods, need_function, value_key
from jobguard.lang.imports.module import ImportModule, type_name
from jobguard.lang.values import UNDEFINED

NAME = "collection/lists"


def _lists(args: tuple) -> bool:
    """Check every argument is a list; True when one is undefined (the result is then undefined)."""
    if any(a is UNDEFINED for a in args):
        return True
    for i, a in enumerate(args, 1):
        if type(a) is not list:
            raise TypeError(f"argument {i} must be a list, got {type_name(a)}")
    return False


def _unique(values: list, seen: set) -> list:
    out = []
    for v in values:
        key = value_key(v)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _order(result: Any) -> int:
    """A sort function's answer as -1/0/1 (any negative, zero or positive number is accepted)."""
    if type(result) is int or type(result) is float:
        if type(result) is float and math.isnan(result):
            raise ValueError("the sort function returned NaN")
        return (result > 0) - (result < 0)
    raise TypeError(f"the sort function must return -1, 0 or 1, got {type_name(result)}")


@name_methods("lists")
class ListsImport(ImportModule):
    aliases: ClassVar[dict[str, str]] = {"diff": "difference"}

    def fn_concat(self, items: Any, others: Any, *additional: Any) -> Any:
        args = (items, others, *additional)
        if _lists(args):
            return UNDEFINED
        return [v for a in args for v in a]

    def fn_difference(self, items: Any, *additional: Any) -> Any:
        if _lists((items, *additional)):
            return UNDEFINED
        drop = {value_key(v) for a in additional for v in a}
        return [v for v in items if value_key(v) not in drop]

    def fn_intersection(self, items: Any, *additional: Any) -> Any:
        if _lists((items, *additional)):
            return UNDEFINED
        keep = _unique(items, set())
        for other in additional:
            present = {value_key(v) for v in other}
            keep = [v for v in keep if value_key(v) in present]
        return keep

    def fn_union(self, items: Any, *additional: Any) -> Any:
        if _lists((items, *additional)):
            return UNDEFINED
        seen: set = set()
        out: list = []
        for a in (items, *additional):
            out.extend(_unique(a, seen))
        return out

    def fn_sort(self, items: Any, sort_function: Any) -> Any:
        if _lists((items,)) or sort_function is UNDEFINED:
            return UNDEFINED
        fn = need_function(sort_function, "sort_function")
        return sorted(items, key=functools.cmp_to_key(lambda a, b: _order(fn(a, b))))

    def fn_sum(self, items: Any) -> Any:
        if _lists((items,)):
            return UNDEFINED
        total = 0.0
        for v in items:
            if type(v) is not int and type(v) is not float:
                raise TypeError(f"the list must hold only ints and floats, found {type_name(v)}")
            total += v
        return float(total)


_SHARED = ListsImport()


def module() -> ListsImport:
    """The module (stateless, so one shared instance serves every evaluation)."""
    return _SHARED
