"""``import "collection/maps"`` (bound to ``maps``): Sentinel's helpers for reading and rebuilding nested maps.

Every helper takes a *path*: keys separated by ``.``. A part that is a number indexes a list (``"foo.0.bar"``),
and ``*`` (splat) applies the rest of the path to every element of a list (``"foo.*.bar"``). A map with integer
keys is found by the number's text too.

* ``get(object, path[, default])``: the value at the path; ``default`` (else undefined) when the path does not
  exist or holds undefined. A splat gives the list of the values found.
* ``has(object, path)``: whether the path exists (a splat: in every element).
* ``pick(object, paths)``: a map of only the given paths, keeping the original structure (lists keep the picked
  elements, in order).
* ``omit(object, paths)``: a map without the given paths; a map or list left empty by a removal is removed too
  (Sentinel's documented behaviour).
* ``set(object, path, value)``: a new map with ``value`` at the path, creating maps for missing keys; a splat
  sets it in every element of the list.
* ``unset(object, path)``: a new map without the path (a list element is removed, ``foo.*`` empties the list).

Results are new values: the argument is never changed in place. An object that is not a map, a path that is not
a string (or, for pick/omit, not a list of strings), setting inside a value that is neither map nor list, and a
list index past the end in ``set`` are errors. ``undefined`` in gives ``undefined`` out (``get`` gives its default).
"""

from __future__ import annotations

from typing import Any

from jobguard.lang.imports._support import exports, named
from jobguard.lang.imports.module import ImportModule, type_name
from jobguard.lang.values import UNDEFINED

NAME = "collection/maps"

_MISSING: Any = object()
_ALL: Any = object()  # in a path tree: take (or drop) the whole value here


def _segments(path: Any) -> list[str]:
    if type(path) is not str:
        raise TypeError(f"path must be a string, got {type_name(path)}")
    return path.split(".")


def _paths(paths: Any) -> list[list[str]]:
    if type(paths) is not list:
        raise TypeError(f"paths must be a list of strings, got {type_name(paths)}")
    return [_segments(p) for p in paths]


def _object(obj: Any) -> None:
    if type(obj) is not dict:
        raise TypeError(f"object must be a map, got {type_name(obj)}")


def _index(seg: str, size: int) -> int | None:
    if seg.isdigit() and seg.isascii():
        i = int(seg)
        return i if i < size else None
    return None


def _key(container: dict, seg: str) -> Any:
    """The key of ``container`` that path part ``seg`` names, or _MISSING."""
    if seg in container:
        return seg
    if seg.isascii() and (seg.isdigit() or (seg[:1] == "-" and seg[1:].isdigit())):
        k = int(seg)
        if any(type(x) is int and x == k for x in container):
            return k
    return _MISSING


def _child(value: Any, seg: str) -> Any:
    if type(value) is dict:
        k = _key(value, seg)
        return _MISSING if k is _MISSING else value[k]
    if type(value) is list:
        i = _index(seg, len(value))
        return _MISSING if i is None else value[i]
    return _MISSING


def _copy(value: Any) -> Any:
    """A copy of the lists and maps in ``value`` (other values are immutable or shared on purpose)."""
    if type(value) is dict:
        return {k: _copy(v) for k, v in value.items()}
    if type(value) is list:
        return [_copy(v) for v in value]
    return value


def _get(value: Any, segs: list[str]) -> Any:
    for n, seg in enumerate(segs):
        if seg == "*" and type(value) is list:
            found = (_get(el, segs[n + 1:]) for el in value)
            return [v for v in found if v is not _MISSING]
        value = _child(value, seg)
        if value is _MISSING:
            return _MISSING
    return value


def _has(value: Any, segs: list[str]) -> bool:
    for n, seg in enumerate(segs):
        if seg == "*" and type(value) is list:
            return all(_has(el, segs[n + 1:]) for el in value)
        value = _child(value, seg)
        if value is _MISSING:
            return False
    return value is not UNDEFINED


def _tree(paths: list[list[str]]) -> dict:
    """Merge paths into a tree of parts; a leaf is _ALL (the whole value at that path)."""
    root: dict = {}
    for segs in paths:
        node = root
        for n, seg in enumerate(segs):
            if n == len(segs) - 1:
                node[seg] = _ALL
                break
            nxt = node.get(seg)
            if nxt is _ALL:
                break
            if nxt is None:
                nxt = node[seg] = {}
            node = nxt
    return root


def _merge(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    if a is _ALL or b is _ALL:
        return _ALL
    out = dict(a)
    for k, v in b.items():
        out[k] = _merge(out.get(k), v)
    return out


def _branch(tree: dict, key: Any, in_list: bool) -> Any:
    """The subtree for a map key or list index (a list also follows ``*``)."""
    sub = tree.get(key if type(key) is str else str(key)) if type(key) in (str, int) else None
    return _merge(tree.get("*"), sub) if in_list else sub


def _pick(value: Any, tree: Any) -> Any:
    if tree is _ALL:
        return _copy(value)
    if type(value) is dict:
        out = {}
        for k, v in value.items():
            sub = _branch(tree, k, False)
            if sub is not None and (r := _pick(v, sub)) is not _MISSING:
                out[k] = r
        return out if out else _MISSING
    if type(value) is list:
        picked = []
        for i, v in enumerate(value):
            sub = _branch(tree, i, True)
            if sub is not None and (r := _pick(v, sub)) is not _MISSING:
                picked.append(r)
        return picked if picked else _MISSING
    return _MISSING


def _omit(value: Any, tree: Any) -> Any:
    """``value`` without the tree's paths; _MISSING when it is removed (or emptied by removals)."""
    if tree is _ALL:
        return _MISSING
    if type(value) is dict:
        out = {}
        for k, v in value.items():
            sub = _branch(tree, k, False)
            r = _copy(v) if sub is None else _omit(v, sub)
            if r is not _MISSING:
                out[k] = r
        return _MISSING if value and not out else out
    if type(value) is list:
        kept = []
        for i, v in enumerate(value):
            sub = _branch(tree, i, True)
            r = _copy(v) if sub is None else _omit(v, sub)
            if r is not _MISSING:
                kept.append(r)
        return _MISSING if value and not kept else kept
    return _copy(value)


def _assign(current: Any, segs: list[str], value: Any) -> Any:
    if not segs:
        return value
    if current is _MISSING or current is None or current is UNDEFINED:
        current = {}
    seg, rest = segs[0], segs[1:]
    if type(current) is list:
        if seg == "*":
            return [_assign(el, rest, value) for el in current]
        i = _index(seg, len(current))
        if i is None:
            raise ValueError(f"no element {seg!r} in a list of {len(current)}")
        out = list(current)
        out[i] = _assign(current[i], rest, value)
        return out
    if type(current) is dict:
        k = _key(current, seg)
        out = dict(current)
        if k is _MISSING:
            out[seg] = _assign(_MISSING, rest, value)
        else:
            out[k] = _assign(current[k], rest, value)
        return out
    raise TypeError(f"cannot set {seg!r} inside a {type_name(current)}")


def _remove(current: Any, segs: list[str]) -> Any:
    seg, rest = segs[0], segs[1:]
    if type(current) is list:
        if seg == "*":
            return [] if not rest else [_remove(el, rest) for el in current]
        i = _index(seg, len(current))
        if i is None:
            return current
        if not rest:
            return current[:i] + current[i + 1:]
        return current[:i] + [_remove(current[i], rest)] + current[i + 1:]
    if type(current) is dict:
        k = _key(current, seg)
        if k is _MISSING:
            return current
        out = dict(current)
        if rest:
            out[k] = _remove(current[k], rest)
        else:
            del out[k]
        return out
    return current


@named("maps.get")
def get(obj: Any, path: Any, default: Any = UNDEFINED) -> Any:
    """The value at ``path``, or ``default`` (undefined unless given)."""
    segs = _segments(path)
    if obj is UNDEFINED:
        return default
    found = _get(obj, segs)
    return default if found is _MISSING or found is UNDEFINED else found


@named("maps.has")
def has(obj: Any, path: Any) -> Any:
    """Whether ``path`` exists in ``obj``."""
    segs = _segments(path)
    if obj is UNDEFINED:
        return UNDEFINED
    return _has(obj, segs)


def _rebuild(obj: Any, paths: Any, walk: Any) -> Any:
    """``walk(obj, tree)`` over a checked map and path list; an emptied result is an empty map."""
    tree = _tree(_paths(paths))
    if obj is UNDEFINED:
        return UNDEFINED
    _object(obj)
    out = walk(obj, tree)
    return {} if out is _MISSING else out


@named("maps.pick")
def pick(obj: Any, paths: Any) -> Any:
    """A map of only ``paths`` (structure kept)."""
    return _rebuild(obj, paths, _pick)


@named("maps.omit")
def omit(obj: Any, paths: Any) -> Any:
    """A map without ``paths`` (containers emptied by a removal go too)."""
    return _rebuild(obj, paths, _omit)


@named("maps.set")
def set_(obj: Any, path: Any, value: Any) -> Any:
    """A new map with ``value`` at ``path``."""
    segs = _segments(path)
    if obj is UNDEFINED:
        return UNDEFINED
    _object(obj)
    return _assign(_copy(obj), segs, _copy(value))


@named("maps.unset")
def unset(obj: Any, path: Any, *_ignored: Any) -> Any:
    """A new map without ``path`` (extra arguments are ignored, as Sentinel's own example passes one)."""
    segs = _segments(path)
    if obj is UNDEFINED:
        return UNDEFINED
    _object(obj)
    return _remove(_copy(obj), segs)


_SHARED = ImportModule(exports(get, has, pick, omit, set_, unset))


def module() -> ImportModule:
    """The module (stateless, so one shared instance serves every evaluation)."""
    return _SHARED
