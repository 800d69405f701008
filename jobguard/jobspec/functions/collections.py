"""Collection functions from cty's stdlib (collection.go, sequence.go, set.go, general.go).

cty distinguishes lists from tuples and maps from objects, and several functions accept only one of each pair
(``length`` and ``index`` reject objects; ``concat`` rejects sets). Plain ``list``/``dict`` values are tuples/objects;
:class:`CtyList`, :class:`CtySet` and :class:`CtyMap` values (produced by conversions and functions) are the
collection kinds.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jobguard.jobspec.functions.numbers import is_number, normalize, to_int
from jobguard.jobspec.functions.setorder import make_set, unique_values, value_key, values_equal
from jobguard.jobspec.functions.spec import Param, arg_fail, fail, register
from jobguard.jobspec.functions.types import ANY, NUMBER, STRING, ConversionError, CtyList, CtyMap, CtySet, ListType
from jobguard.jobspec.functions.types import MapType, ObjectType, SetType, TupleType, convert, type_of, unify
from jobguard.jobspec.limits import MAX_COLLECTION_LENGTH, check_limit

_INT_RANGE = "value must be a whole number, between -9223372036854775808 and 9223372036854775807"


def _whole(value: Any) -> int | None:
    try:
        return to_int(value)
    except ValueError:
        return None


def _sorted_dict(d: dict, as_map: bool, element_type: Any = None) -> dict:
    items = {k: d[k] for k in sorted(d, key=lambda s: s.encode("utf-8", "surrogatepass"))}
    return CtyMap(items, element_type) if as_map else items


@register("length", [Param("collection")])
def length(coll: Any) -> int:
    ty = type_of(coll)
    if not isinstance(ty, (TupleType, ListType, MapType, SetType)):
        raise fail("collection must be a list, a map or a tuple")
    return len(coll)


@register("element", [Param("list"), Param("index", NUMBER)])
def element(lst: Any, index: int | float) -> Any:
    """go-cty's ``ElementFunc`` (v1.16+, as Nomad 2 links it): the index wraps modulo the length in both
    directions, so ``element(l, -1)`` is the last element (older go-cty rejected negative indices)."""
    ty = type_of(lst)
    if not isinstance(ty, (ListType, TupleType)):
        raise fail(f"cannot read elements from {ty.friendly_name()}")
    idx = _whole(index)
    if idx is None:
        raise fail(f"invalid index: {_INT_RANGE}")
    if not lst:
        raise fail("cannot use element function with an empty list")
    return lst[idx % len(lst)]  # Python's modulo is already non-negative, like cty's "index += length"


@register("index", [Param("collection"), Param("key")])
def index(coll: Any, key: Any) -> Any:
    cty = type_of(coll)
    kty = type_of(key)
    if isinstance(cty, TupleType):
        if kty not in (NUMBER, ANY):
            raise fail("key for tuple must be number")
        idx = _whole(key)
        if idx is None:
            raise fail(f"invalid key for tuple: {_INT_RANGE}")
        if idx >= len(coll) or idx < 0:
            raise fail(f"key must be between 0 and {len(coll)} inclusive")
        return coll[idx]
    if isinstance(cty, ListType):
        if kty not in (NUMBER, ANY):
            raise fail("key for list must be number")
        idx = _whole(key) if is_number(key) else None
        if idx is None or idx < 0 or idx >= len(coll):
            raise fail("invalid index")
        return coll[idx]
    if isinstance(cty, MapType):
        if kty not in (STRING, ANY):
            raise fail("key for map must be string")
        if key not in coll:
            raise fail("invalid index")
        return coll[key]
    raise fail("collection must be a list, a map or a tuple")


@register("coalesce", [], var_param=Param("vals", allow_null=True))
def coalesce(*vals: Any) -> Any:
    """go-cty's ``CoalesceFunc``: the first argument that is not null, converted to the arguments' unified type.

    Unlike Terraform's own ``coalesce``, an empty string is a value like any other (``coalesce("", "x")`` is
    ``""``), and a failing conversion of the chosen argument is an error rather than a skipped argument.
    """
    ret = unify([type_of(v) for v in vals]) if vals else None
    if ret is None:
        raise fail("all arguments must have the same type")
    for v in vals:
        if v is None:
            continue
        try:
            return convert(v, ret)
        except ConversionError as exc:
            raise fail(str(exc)) from None
    raise fail("no non-null arguments")


@register("coalescelist", [], var_param=Param("vals", allow_null=True))
def coalescelist(*vals: Any) -> Any:
    if not vals:
        raise fail("at least one argument is required")
    for v in vals:
        if not isinstance(type_of(v), (ListType, TupleType)):
            raise fail("coalescelist arguments must be lists or tuples")
    for v in vals:
        if v:
            return v
    raise fail("no non-null arguments")


@register("compact", [Param("list", ListType(STRING))])
def compact(lst: list) -> list:
    return CtyList([v for v in lst if v is not None and v != ""], STRING)


@register("concat", [], var_param=Param("seqs"))
def concat(*seqs: Any) -> Any:
    if not seqs:
        raise fail("at least one argument is required")
    types = [type_of(s) for s in seqs]
    if all(isinstance(t, ListType) for t in types):
        common = unify(types)
        if isinstance(common, ListType):
            out_list: list[Any] = []
            for i, s in enumerate(seqs):
                try:
                    out_list.extend(convert(s, common))
                except ConversionError as exc:
                    raise arg_fail(i, str(exc)) from None
            return CtyList(out_list, common.element)
    out: list[Any] = []
    for i, s in enumerate(seqs):
        ty = type_of(s)
        if not isinstance(ty, (ListType, TupleType)):
            raise arg_fail(i, f"all arguments must be lists or tuples; got {ty.friendly_name()}")
        out.extend(s)
    return out


@register("contains", [Param("list"), Param("value")])
def contains(lst: Any, value: Any) -> bool:
    if not isinstance(type_of(lst), (ListType, TupleType, SetType)):
        raise fail("argument must be list, tuple, or set")
    return any(values_equal(value, v) for v in lst)


@register("distinct", [Param("list", ListType(ANY))])
def distinct(lst: list) -> list:
    return CtyList(unique_values(lst), getattr(lst, "element_type", None))


@register("chunklist", [Param("list", ListType(ANY)), Param("size", NUMBER)])
def chunklist(lst: list, size: int | float) -> list:
    n = _whole(size)
    if n is None:
        raise fail(f"invalid size: {_INT_RANGE}")
    if n < 0:
        raise fail("the size argument must be positive")
    ety = getattr(lst, "element_type", None)
    if not lst:
        return CtyList([])
    if n == 0:
        return CtyList([lst])
    return CtyList([CtyList(lst[i:i + n], ety) for i in range(0, len(lst), n)])


def _flatten(values: list) -> list:
    out: list[Any] = []
    for v in values:
        if isinstance(v, list):
            out.extend(_flatten(v))
        else:
            out.append(v)
    return out


@register("flatten", [Param("list")])
def flatten(lst: Any) -> list:
    if not isinstance(type_of(lst), (ListType, SetType, TupleType)):
        raise fail("can only flatten lists, sets and tuples")
    return _flatten(lst)


@register("keys", [Param("inputMap")])
def keys(m: Any) -> list:
    ty = type_of(m)
    names = sorted(m, key=lambda s: s.encode("utf-8", "surrogatepass")) if isinstance(m, dict) else []
    if isinstance(ty, MapType):
        return CtyList(names, STRING)
    if isinstance(ty, ObjectType):
        return names
    raise arg_fail(0, "must have map or object type")


@register("values", [Param("values")])
def values(m: Any) -> list:
    ty = type_of(m)
    if isinstance(ty, MapType):
        return CtyList([m[k] for k in keys(m)], ty.element)
    if isinstance(ty, ObjectType):
        return [m[k] for k in keys(m)]
    raise fail("values() requires a map as the first argument")


@register("lookup", [Param("inputMap"), Param("key", STRING), Param("default")])
def lookup(m: Any, key: str, default: Any) -> Any:
    ty = type_of(m)
    if isinstance(ty, ObjectType):
        return m.get(key, default)
    if isinstance(ty, MapType):
        try:
            converted = convert(default, ty.element)
        except ConversionError:
            raise arg_fail(2, "the default value must have the same type as the map elements") from None
        return m.get(key, converted)
    raise arg_fail(0, "lookup() requires a map as the first argument")


@register("merge", [], var_param=Param("maps", allow_null=True))
def merge(*maps: Any) -> dict:
    types = []
    for m in maps:
        ty = type_of(m)
        if m is not None and not isinstance(ty, (MapType, ObjectType)):
            raise fail(f'arguments must be maps or objects, got "{ty.friendly_name()}"')
        types.append(ty)
    out: dict[str, Any] = {}
    for m in maps:
        if m is not None:
            out.update(m)
    all_maps = bool(maps) and all(t == types[0] for t in types) and isinstance(types[0], MapType)
    return _sorted_dict(out, all_maps, types[0].element if all_maps else None)


def _slice_index(lst: Any, value: int | float, arg: int, which: str) -> int:
    """``slice``'s bounds check for argument ``arg`` (the ``which`` = start/end index), in cty's order."""
    index = _whole(value)
    if index is None:
        raise arg_fail(arg, f"invalid {which} index: {_INT_RANGE}")
    if index < 0:
        raise arg_fail(arg, f"{which} index must not be less than zero")
    if index > len(lst):
        raise arg_fail(arg, f"{which} index must not be greater than the length of the list")
    return index


@register("slice", [Param("list"), Param("start_index", NUMBER), Param("end_index", NUMBER)])
def slice_(lst: Any, start: int | float, end: int | float) -> list:
    ty = type_of(lst)
    if isinstance(ty, SetType):
        raise arg_fail(0, "cannot slice a set, because its elements do not have indices; explicitly convert to a "
                          "list if the ordering of the result is not important")
    if not isinstance(ty, (ListType, TupleType)):
        raise arg_fail(0, "must be a list or tuple value")
    s = _slice_index(lst, start, 1, "start")
    e = _slice_index(lst, end, 2, "end")
    if s > e:
        raise arg_fail(1, "start index must not be greater than end index")
    if isinstance(ty, ListType):
        return CtyList(lst[s:e], ty.element)
    return list(lst[s:e])


@register("zipmap", [Param("keys", ListType(STRING)), Param("values")])
def zipmap(key_list: list, vals: Any) -> dict:
    vty = type_of(vals)
    if not isinstance(vty, (ListType, TupleType)):
        raise fail("values argument must be a list or tuple value")
    if len(key_list) != len(vals):  # cty checks the lengths before the keys
        raise fail(f"number of keys ({len(key_list)}) does not match number of values ({len(vals)})")
    if isinstance(vty, TupleType):
        for i, k in enumerate(key_list):
            if k is None:
                raise fail(f"keys list has null value at index {i}")
    out = {}
    for k, v in zip(key_list, vals, strict=False):
        if k is None:  # only reachable with a list of values; cty's AsString panics on the null key
            raise fail("panic in function implementation: value is null")
        out[k] = v
    if isinstance(vty, ListType):
        return _sorted_dict(out, True, vty.element)
    return _sorted_dict(out, False)


@register("range", [], var_param=Param("params", NUMBER))
def range_(*params: int | float) -> list:
    if len(params) == 1:
        start, end, step = 0, params[0], (-1 if params[0] < 0 else 1)
    elif len(params) == 2:
        start, end = params
        step = -1 if end < start else 1
    elif len(params) == 3:
        start, end, step = params
    else:
        raise fail("must have one, two, or three arguments")
    if step == 0:
        raise arg_fail(2, "step must not be zero")
    down = step < 0
    if down and end > start:
        raise arg_fail(1, "end must be less than start when step is negative")
    if not down and end < start:
        raise arg_fail(1, "end must be greater than start when step is positive")
    out: list[Any] = []
    num = start
    # cty adds exactly (big.Float); decimals of the shortest float text model HCL's literal numbers best.
    exact = isinstance(start, float) or isinstance(step, float)
    dnum, dstep = (Decimal(repr(start)), Decimal(repr(step))) if exact else (None, None)
    while (num > end) if down else (num < end):
        if len(out) >= 1024:
            raise fail("more than 1024 values were generated; either decrease the difference between start and end "
                       "or use a smaller step")
        out.append(num)
        if exact:
            dnum += dstep
            num = normalize(dnum)
        else:
            num = num + step
    return CtyList(out, NUMBER)


# ------------------------------------------------------------------------------------------------------------ sets


def _set_operands(args: tuple) -> tuple[Any, list[list]]:
    etys = []
    for a in args:
        ety = type_of(a).element if isinstance(type_of(a), SetType) else ANY
        if not a and ety == ANY:
            continue
        etys.append(ety)
    target = unify(etys) if etys else ANY
    if target is None:
        raise fail("given sets must all have compatible element types")
    converted = []
    for i, a in enumerate(args):
        try:
            converted.append(convert(a, SetType(target)))
        except ConversionError as exc:
            raise arg_fail(i, str(exc)) from None
    return target, converted


@register("setunion", [Param("first_set", SetType(ANY))], var_param=Param("other_sets", SetType(ANY)))
def setunion(*sets: list) -> list:
    target, converted = _set_operands(sets)
    return CtySet(make_set([v for s in converted for v in s], target), target)


@register("setintersection", [Param("first_set", SetType(ANY))], var_param=Param("other_sets", SetType(ANY)))
def setintersection(*sets: list) -> list:
    target, converted = _set_operands(sets)
    result = list(converted[0])
    for other in converted[1:]:
        keys = {value_key(o) for o in other}
        result = [v for v in result if value_key(v) in keys]
    return CtySet(make_set(result, target), target)


@register("setproduct", [], var_param=Param("sets"))
def setproduct(*sets: Any) -> list:
    if len(sets) < 2:
        raise fail("at least two arguments are required")
    list_count = 0
    elem_types = []
    for i, s in enumerate(sets):
        ty = type_of(s)
        if isinstance(ty, SetType):
            elem_types.append(ty.element)
        elif isinstance(ty, ListType):
            elem_types.append(ty.element)
            list_count += 1
        elif isinstance(ty, TupleType):
            if not ty.elements:
                elem_types.append(ANY)
            else:
                ety = unify(list(ty.elements))
                if ety is None:
                    raise arg_fail(i, "all elements must be of the same type")
                elem_types.append(ety)
            list_count += 1
        else:
            raise arg_fail(i, "a set or a list is required")
    size = 1
    for s in sets:
        size *= len(s)
    check_limit(size, MAX_COLLECTION_LENGTH, "the size of setproduct's result", "elements")
    columns = [[convert(v, ety) for v in s] for s, ety in zip(sets, elem_types, strict=False)]
    product: list[list] = [[]]
    for col in columns:
        product = [p + [v] for p in product for v in col]
    if list_count == len(sets):
        return CtyList(product, TupleType(elem_types))
    return CtySet(make_set(product, TupleType(elem_types)), TupleType(elem_types))
