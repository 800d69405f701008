"""cty's type system over plain Python values: types, type inference, unification and conversion.

Why: HCL converts every function argument to its parameter type, and Nomad converts every ``variable`` value to its
``type`` constraint, with cty's rules and cty's error messages. Values here are plain Python (see the package
docstring), so a value's cty type is *inferred*: ``list`` -> tuple type, ``dict`` -> object type, ``None`` ->
dynamic null (which converts to a null of any type).

Constructor API (for the expression evaluator building a type from a type expression)::

    STRING, NUMBER, BOOL, ANY          # the keywords string, number, bool, any
    ListType(t), SetType(t), MapType(t), TupleType([t, ...]), ObjectType({"a": t, ...}, optional={"a"},
                                                                       defaults={"a": value})
    type_from_name("list", [STRING])   # list(string); raises TypeSpecError with typeexpr's wording
    type_from_name("object", [{"a": optional(NUMBER, 1)}])
    optional(t[, default])             # only valid as an object attribute type

``convert(value, type)`` returns the converted value or raises :class:`ConversionError` with cty's message.
"""

from __future__ import annotations

import math
from typing import Any

from jobguard.jobspec.functions.errors import ConversionError, TypeSpecError
from jobguard.jobspec.functions.numbers import format_number, is_number, parse_number


class CtyType:
    """Base of all cty types. Instances are immutable and compare by structure (:meth:`_key`)."""

    __slots__ = ()

    def friendly_name(self, constraint: bool = False) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def _key(self) -> tuple:
        return ()

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._key() == self._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def __str__(self) -> str:
        return self.friendly_name()


class PrimitiveType(CtyType):
    """string, number or bool."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def _key(self) -> tuple:
        return (self.name,)

    def friendly_name(self, constraint: bool = False) -> str:
        return self.name

    def __repr__(self) -> str:
        return self.name.upper()


class DynamicType(CtyType):
    """cty.DynamicPseudoType: ``any`` in a type constraint."""

    __slots__ = ()

    def friendly_name(self, constraint: bool = False) -> str:
        return "any type" if constraint else "dynamic"

    def __repr__(self) -> str:
        return "ANY"


class _CollectionType(CtyType):
    __slots__ = ("element",)
    kind = ""

    def __init__(self, element: CtyType) -> None:
        self.element = element

    def _key(self) -> tuple:
        return (self.element,)

    def friendly_name(self, constraint: bool = False) -> str:
        if constraint and isinstance(self.element, DynamicType):
            return f"{self.kind} of any single type"
        return f"{self.kind} of {self.element.friendly_name(constraint)}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.element!r})"


class ListType(_CollectionType):
    __slots__ = ()
    kind = "list"


class SetType(_CollectionType):
    __slots__ = ()
    kind = "set"


class MapType(_CollectionType):
    __slots__ = ()
    kind = "map"


class TupleType(CtyType):
    __slots__ = ("elements",)

    def __init__(self, elements) -> None:
        self.elements: tuple[CtyType, ...] = tuple(elements)

    def _key(self) -> tuple:
        return self.elements

    def friendly_name(self, constraint: bool = False) -> str:
        return "tuple"

    def __repr__(self) -> str:
        return f"TupleType({list(self.elements)!r})"


class ObjectType(CtyType):
    """An object type; ``optional`` names attributes that may be absent, ``defaults`` their default values."""

    __slots__ = ("attributes", "optional", "defaults")

    def __init__(self, attributes: dict[str, CtyType], optional=(), defaults=None) -> None:
        self.attributes: dict[str, CtyType] = dict(attributes)
        self.optional: frozenset[str] = frozenset(optional)
        self.defaults: dict[str, Any] = dict(defaults or {})

    def friendly_name(self, constraint: bool = False) -> str:
        return "object"

    def _key(self) -> tuple:
        return (tuple(sorted(self.attributes.items(), key=lambda kv: kv[0])), self.optional)

    def __repr__(self) -> str:
        return f"ObjectType({self.attributes!r}, optional={set(self.optional)!r})"


STRING = PrimitiveType("string")
NUMBER = PrimitiveType("number")
BOOL = PrimitiveType("bool")
ANY = DynamicType()


class OptionalAttr:
    """``optional(T[, default])`` -- only meaningful as an attribute type inside ``object({...})``."""

    __slots__ = ("type", "default", "has_default")

    def __init__(self, type_: CtyType, default: Any = None, has_default: bool = False) -> None:
        self.type = type_
        self.default = default
        self.has_default = has_default


def optional(type_: CtyType, *default: Any) -> OptionalAttr:
    """Build an optional attribute marker (``optional(string)`` or ``optional(string, "x")``)."""
    if len(default) > 1:
        raise TypeSpecError(
            "Optional attribute modifier expects at most two arguments: the attribute type, and a default value.")
    if default:
        return OptionalAttr(type_, default[0], True)
    return OptionalAttr(type_)


_OBJECT_ARGS = ("The object type constructor requires one argument specifying the attribute types and values as a "
                "map.")
_KEYWORDS = {"string": STRING, "number": NUMBER, "bool": BOOL, "any": ANY}


def type_from_name(name: str, args: list | None = None) -> CtyType:
    """Build a type from a type-expression keyword (``args is None``) or constructor call (``args`` given).

    Call forms: ``list``/``set``/``map`` take ``[element_type]``; ``tuple`` takes ``[[t1, t2, ...]]``; ``object``
    takes ``[{name: type_or_OptionalAttr}]``. Errors are :class:`TypeSpecError` with HCL typeexpr's detail text.
    """
    if args is None:
        if name in _KEYWORDS:
            return _KEYWORDS[name]
        if name in ("list", "set", "map"):
            raise TypeSpecError(f"The {name} type constructor requires one argument specifying the element type.")
        if name == "tuple":
            raise TypeSpecError("The tuple type constructor requires one argument specifying the element types as "
                                "a list.")
        if name == "object":
            raise TypeSpecError(_OBJECT_ARGS)
        if name == "optional":
            raise TypeSpecError('Keyword "optional" is valid only as a modifier for object type attributes.')
        raise TypeSpecError(f"The keyword {name!r} is not a valid type specification.".replace("'", '"'))
    if name == "any":
        raise TypeSpecError('Type constraint keyword "any" does not expect arguments.')
    if name in _KEYWORDS:
        raise TypeSpecError(f"Primitive type keyword \"{name}\" does not expect arguments.")
    if name in ("list", "set", "map"):
        if len(args) != 1:
            raise TypeSpecError(f"The {name} type constructor requires one argument specifying the element type.")
        elem = _plain(args[0])
        return {"list": ListType, "set": SetType, "map": MapType}[name](elem)
    if name == "tuple":
        if len(args) != 1:
            raise TypeSpecError("The tuple type constructor requires one argument specifying the element types as "
                                "a list.")
        if not isinstance(args[0], (list, tuple)):
            raise TypeSpecError("Tuple type constructor requires a list of element types.")
        return TupleType([_plain(t) for t in args[0]])
    if name == "object":
        if len(args) != 1:
            raise TypeSpecError(_OBJECT_ARGS)
        if not isinstance(args[0], dict):
            raise TypeSpecError("Object type constructor requires a map whose keys are attribute names and whose "
                                "values are the corresponding attribute types.")
        attrs: dict[str, CtyType] = {}
        opts: set[str] = set()
        defaults: dict[str, Any] = {}
        for key, spec in args[0].items():
            if isinstance(spec, OptionalAttr):
                attrs[key] = spec.type
                opts.add(key)
                if spec.has_default:
                    try:
                        defaults[key] = convert(spec.default, spec.type)
                    except ConversionError as exc:
                        raise TypeSpecError("This default value is not compatible with the attribute's type "
                                            f"constraint: {exc}.", "Invalid default value for optional attribute") \
                            from None
            else:
                attrs[key] = _plain(spec)
        return ObjectType(attrs, opts, defaults)
    if name == "optional":
        raise TypeSpecError('Keyword "optional" is valid only as a modifier for object type attributes.')
    raise TypeSpecError(f"Keyword \"{name}\" is not a valid type constructor.")


def _plain(spec: Any) -> CtyType:
    if isinstance(spec, OptionalAttr):
        raise TypeSpecError('Keyword "optional" is valid only as a modifier for object type attributes.')
    if not isinstance(spec, CtyType):
        raise TypeSpecError("A type specification is either a primitive type keyword (bool, number, string) or a "
                            "complex type constructor call, like list(string).")
    return spec


# ---------------------------------------------------------------------------------------------------- inference


class CtyList(list):
    """A ``list`` that remembers it is a cty *list* (not a tuple) and its element type.

    It is a plain ``list`` for every other purpose; callers may ignore the distinction. Keeping it lets functions
    that treat lists and tuples differently (``concat``, ``coalescelist``, type unification) behave like cty.
    """

    def __init__(self, values=(), element_type: CtyType | None = None) -> None:
        super().__init__(values)
        self.element_type = element_type


class CtySet(CtyList):
    """A ``list`` that is a cty *set*: unique elements in cty's set order."""


class CtyMap(dict):
    """A ``dict`` that is a cty *map* (not an object): ``length``, ``index`` and friends accept maps only."""

    def __init__(self, values=(), element_type: CtyType | None = None) -> None:
        super().__init__(values)
        self.element_type = element_type


def _element_type_of(values, declared: CtyType | None) -> CtyType:
    if declared is not None and not isinstance(declared, DynamicType):
        return declared
    return unify([type_of(v) for v in values]) or ANY



def type_of(value: Any) -> CtyType:
    """The cty type HCL would give a plain Python value (lists are tuples, dicts objects, None dynamic)."""
    if value is None:
        return ANY
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, str):
        return STRING
    if is_number(value):
        return NUMBER
    if isinstance(value, CtySet):
        return SetType(_element_type_of(value, value.element_type))
    if isinstance(value, CtyList):
        return ListType(_element_type_of(value, value.element_type))
    if isinstance(value, CtyMap):
        return MapType(_element_type_of(value.values(), value.element_type))
    if isinstance(value, (list, tuple)):
        return TupleType([type_of(v) for v in value])
    if isinstance(value, dict):
        return ObjectType({k: type_of(v) for k, v in value.items()})
    raise TypeError(f"not an HCL value: {type(value).__name__}")


# --------------------------------------------------------------------------------------------------- unification


def unify(types: list[CtyType]) -> CtyType | None:
    """cty ``convert.UnifyUnsafe``: the type every given type converts to, or ``None`` when there is none.

    A dynamic type (e.g. a literal ``null``) converts to anything: beside primitives it is ignored (string, number
    and bool are preferred), beside collections and structural types the result is dynamic, as in cty.
    """
    if not types:
        return ANY
    first = types[0]
    if all(t == first for t in types[1:]):
        return first
    concrete = [t for t in types if not isinstance(t, DynamicType)]
    if not concrete:
        return ANY
    if all(isinstance(t, PrimitiveType) for t in concrete):
        kinds = set(concrete)
        if len(kinds) == 1:
            return concrete[0]
        if STRING in kinds:
            return STRING
        return None
    if len(concrete) != len(types):
        return ANY
    if all(isinstance(t, (TupleType, ListType, SetType)) for t in types):
        return _unify_sequences(types)
    if all(isinstance(t, (ObjectType, MapType)) for t in types):
        return _unify_mappings(types)
    return None


def _unify_sequences(types: list[CtyType]) -> CtyType | None:
    if all(isinstance(t, TupleType) for t in types):
        lengths = {len(t.elements) for t in types}
        if len(lengths) == 1:
            n = lengths.pop()
            elems = []
            for i in range(n):
                u = unify([t.elements[i] for t in types])
                if u is None:
                    break
                elems.append(u)
            else:
                return TupleType(elems)
        ety = unify([e for t in types for e in t.elements])
        return None if ety is None else ListType(ety)
    if any(isinstance(t, SetType) for t in types) and not all(isinstance(t, SetType) for t in types):
        cls = SetType if all(isinstance(t, (SetType, TupleType)) for t in types) else ListType
    else:
        cls = SetType if all(isinstance(t, SetType) for t in types) else ListType
    elems: list[CtyType] = []
    for t in types:
        elems.extend(t.elements if isinstance(t, TupleType) else [t.element])
    ety = unify(elems) if elems else ANY
    return None if ety is None else cls(ety)


def _unify_mappings(types: list[CtyType]) -> CtyType | None:
    if all(isinstance(t, ObjectType) for t in types):
        names = {frozenset(t.attributes) for t in types}
        if len(names) == 1:
            attrs = {}
            for name in types[0].attributes:
                u = unify([t.attributes[name] for t in types])
                if u is None:
                    break
                attrs[name] = u
            else:
                return ObjectType(attrs)
    elems: list[CtyType] = []
    for t in types:
        elems.extend(t.attributes.values() if isinstance(t, ObjectType) else [t.element])
    ety = unify(elems) if elems else ANY
    return None if ety is None else MapType(ety)


# ---------------------------------------------------------------------------------------------------- conversion


def convert(value: Any, want: CtyType) -> Any:
    """cty ``convert.Convert``: ``value`` conforming to ``want``, or :class:`ConversionError` with cty's message."""
    if isinstance(want, DynamicType) or value is None:
        return value
    got = type_of(value)
    if got != want and not _convertible(got, want):
        raise ConversionError(mismatch_message(got, want))
    return _convert(value, got, want)


def _convert(value: Any, got: CtyType, want: CtyType) -> Any:
    if isinstance(want, DynamicType) or value is None:
        return value
    if isinstance(got, DynamicType):  # an element of a collection whose element type was not concrete
        got = type_of(value)
    if isinstance(want, PrimitiveType):
        return _convert_primitive(value, got, want)
    if isinstance(want, (ListType, SetType)):
        if not isinstance(got, (TupleType, ListType, SetType)):
            raise ConversionError(mismatch_message(got, want))
        elems = list(value)
        etys = got.elements if isinstance(got, TupleType) else [got.element] * len(elems)
        target = want.element
        if isinstance(target, DynamicType):
            if isinstance(got, TupleType):
                target = unify(list(etys)) if etys else ANY
            else:
                target = got.element
            if target is None:
                raise ConversionError(mismatch_message(got, want))
        out = [_convert(v, t, target) for v, t in zip(elems, etys, strict=False)]
        if isinstance(want, SetType):
            from jobguard.jobspec.functions.setorder import make_set

            return CtySet(make_set(out, target), target)
        return CtyList(out, target)
    if isinstance(want, MapType):
        if not isinstance(got, (ObjectType, MapType)):
            raise ConversionError(mismatch_message(got, want))
        atys = got.attributes if isinstance(got, ObjectType) else {k: got.element for k in value}
        target = want.element
        if isinstance(target, DynamicType):
            if isinstance(got, MapType):
                target = got.element
            else:
                target = unify(list(atys.values())) if atys else ANY
            if target is None:
                raise ConversionError(mismatch_message(got, want))
        return CtyMap({k: _convert(value[k], atys[k], target) for k in sorted(value)}, target)
    if isinstance(want, TupleType):
        if not isinstance(got, TupleType) or len(got.elements) != len(want.elements):
            raise ConversionError(mismatch_message(got, want))
        return [_convert(v, g, w) for v, g, w in zip(value, got.elements, want.elements, strict=False)]
    if isinstance(want, ObjectType):
        return _convert_object(value, got, want)
    raise ConversionError(mismatch_message(got, want))  # pragma: no cover


def _convert_primitive(value: Any, got: CtyType, want: PrimitiveType) -> Any:
    if got == want:
        return value
    if want is STRING:
        if got is NUMBER:
            return format_number(value)
        if got is BOOL:
            return "true" if value else "false"
    elif want is NUMBER and got is STRING:
        num = parse_number(value)
        if num is None or (isinstance(num, float) and math.isnan(num)):
            raise ConversionError("a number is required")
        return num
    elif want is BOOL and got is STRING:
        if value in ("true", "1"):
            return True
        if value in ("false", "0"):
            return False
        lowered = value.lower()
        if lowered in ("true", "false"):
            raise ConversionError(f'a bool is required; to convert from string, use lowercase "{lowered}"')
        raise ConversionError("a bool is required")
    raise ConversionError(mismatch_message(got, want))


def _convert_object(value: Any, got: CtyType, want: ObjectType) -> Any:
    if isinstance(got, MapType):
        atys = {k: got.element for k in value}
    elif isinstance(got, ObjectType):
        atys = got.attributes
    else:
        raise ConversionError(mismatch_message(got, want))
    missing = [n for n in want.attributes if n not in value and n not in want.optional]
    if missing:
        if isinstance(got, MapType):
            raise ConversionError(f'map has no element for required attribute "{sorted(missing)[0]}"')
        raise ConversionError(mismatch_message(got, want))
    out = {}
    for name in sorted(want.attributes):
        aty = want.attributes[name]
        if name not in value or value[name] is None:
            # typeexpr's Defaults.Apply: an absent or null optional attribute takes its default.
            out[name] = want.defaults.get(name)
            continue
        out[name] = _convert(value[name], atys[name], aty)
    return out


def mismatch_message(got: CtyType, want: CtyType) -> str:
    """cty ``convert.MismatchMessage``: why ``got`` does not conform to ``want``."""
    if isinstance(got, ObjectType) and isinstance(want, ObjectType):
        return _mismatch_objects(got, want)
    if isinstance(got, TupleType) and isinstance(want, ListType) and isinstance(want.element, DynamicType):
        return "all list elements must have the same type"
    if isinstance(got, TupleType) and isinstance(want, SetType) and isinstance(want.element, DynamicType):
        return "all set elements must have the same type"
    if isinstance(got, ObjectType) and isinstance(want, MapType) and isinstance(want.element, DynamicType):
        return "all map elements must have the same type"
    if isinstance(got, (TupleType, ObjectType)) and isinstance(want, (ListType, SetType, MapType)):
        return _mismatch_structural_to_collection(got, want)
    if isinstance(got, (ListType, SetType, MapType)) and isinstance(want, (ListType, SetType, MapType)):
        return _mismatch_collections(got, want)
    return _required(got, want)


def _required(got: CtyType, want: CtyType) -> str:
    return f"{want.friendly_name(True)} required, but have {got.friendly_name()}"


def _convertible(got: CtyType, want: CtyType) -> bool:
    """Whether cty has a conversion from ``got`` to ``want`` at all (ignoring runtime failures)."""
    if isinstance(want, DynamicType) or isinstance(got, DynamicType) or got == want:
        return True
    if isinstance(want, PrimitiveType):
        return isinstance(got, PrimitiveType) and (want is STRING or got is STRING)
    if isinstance(want, (ListType, SetType)):
        if isinstance(got, TupleType):
            target = want.element
            if isinstance(target, DynamicType):
                return unify(list(got.elements)) is not None or not got.elements
            return all(_convertible(e, target) for e in got.elements)
        if isinstance(got, (ListType, SetType)):
            return _convertible(got.element, want.element)
        return False
    if isinstance(want, MapType):
        if isinstance(got, ObjectType):
            target = want.element
            if isinstance(target, DynamicType):
                return unify(list(got.attributes.values())) is not None or not got.attributes
            return all(_convertible(e, target) for e in got.attributes.values())
        return isinstance(got, MapType) and _convertible(got.element, want.element)
    if isinstance(want, TupleType):
        return isinstance(got, TupleType) and len(got.elements) == len(want.elements) and all(
            _convertible(g, w) for g, w in zip(got.elements, want.elements, strict=False))
    if isinstance(want, ObjectType):
        if isinstance(got, MapType):
            return all(_convertible(got.element, a) for a in want.attributes.values())
        if not isinstance(got, ObjectType):
            return False
        for name, aty in want.attributes.items():
            if name not in got.attributes:
                if name not in want.optional:
                    return False
            elif not _convertible(got.attributes[name], aty):
                return False
        return True
    return False


def _mismatch_objects(got: ObjectType, want: ObjectType) -> str:
    missing = sorted(n for n in want.attributes if n not in got.attributes and n not in want.optional)
    if missing:
        if len(missing) == 1:
            return f'attribute "{missing[0]}" is required'
        if len(missing) == 2:
            return f'attributes "{missing[0]}" and "{missing[1]}" are required'
        listed = ", ".join(f'"{n}"' for n in missing[:-1])
        return f'attributes {listed}, and "{missing[-1]}" are required'
    for name in sorted(want.attributes):
        if name in got.attributes and not _convertible(got.attributes[name], want.attributes[name]):
            return f'attribute "{name}": {mismatch_message(got.attributes[name], want.attributes[name])}'
    return "incorrect object attributes"


def _mismatch_structural_to_collection(got: CtyType, want: CtyType) -> str:
    if isinstance(want, (ListType, SetType)) and not isinstance(got, TupleType):
        return _required(got, want)
    if isinstance(want, MapType) and not isinstance(got, ObjectType):
        return _required(got, want)
    wety = want.element
    if isinstance(got, TupleType):
        for i, gety in enumerate(got.elements):
            if gety == wety or _convertible(gety, wety):
                continue
            return f"element {i}: {mismatch_message(gety, wety)}"
        return f"all elements must be {wety.friendly_name(True)}"
    for name, gaty in sorted(got.attributes.items()):
        if gaty == wety or _convertible(gaty, wety):
            continue
        return f'element "{name}": {mismatch_message(gaty, wety)}'
    return f"all elements must be {wety.friendly_name(True)}"


def _mismatch_collections(got: CtyType, want: CtyType) -> str:
    if isinstance(want, (ListType, SetType)) and not isinstance(got, (ListType, SetType)):
        return _required(got, want)
    if isinstance(want, MapType) and not isinstance(got, MapType):
        return _required(got, want)
    noun = {ListType: "list element type", SetType: "set element type", MapType: "map element type"}[type(want)]
    return f"incorrect {noun}: {mismatch_message(got.element, want.element)}"
