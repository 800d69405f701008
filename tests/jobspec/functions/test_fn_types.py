"""cty types: inference, unification, conversion rules and messages, type constructors."""

import pytest

from jobguard.jobspec.functions.errors import ConversionError, TypeSpecError
from jobguard.jobspec.functions.types import ANY, BOOL, NUMBER, STRING, CtyList, CtyMap, CtySet, ListType, MapType
from jobguard.jobspec.functions.types import ObjectType, SetType, TupleType, convert, optional, type_from_name
from jobguard.jobspec.functions.types import type_of, unify


def test_type_of_plain_values():
    assert type_of(None) == ANY
    assert type_of(True) == BOOL
    assert type_of(1) == NUMBER and type_of(1.5) == NUMBER
    assert type_of("x") == STRING
    assert type_of([1, "a"]) == TupleType([NUMBER, STRING])
    assert type_of({"a": 1}) == ObjectType({"a": NUMBER})
    assert type_of(CtyList(["a"], STRING)) == ListType(STRING)
    assert type_of(CtySet([1])) == SetType(NUMBER)
    assert type_of(CtyMap({"a": True})) == MapType(BOOL)


def test_friendly_names():
    assert ListType(STRING).friendly_name() == "list of string"
    assert ListType(ANY).friendly_name(True) == "list of any single type"
    assert MapType(ListType(NUMBER)).friendly_name() == "map of list of number"
    assert ANY.friendly_name(True) == "any type"
    assert TupleType([]).friendly_name() == "tuple"


@pytest.mark.parametrize(("value", "want", "expected"), [
    (1.5, STRING, "1.5"),
    (10, STRING, "10"),
    (2**70, STRING, "1180591620717411303424"),
    (1e21, STRING, "1000000000000000000000"),
    (1e-7, STRING, "0.0000001"),
    (1 / 3, STRING, "0.3333333333333333"),
    (True, STRING, "true"),
    ("12", NUMBER, 12),
    ("1.25", NUMBER, 1.25),
    ("1e3", NUMBER, 1000),
    ("true", BOOL, True),
    ("0", BOOL, False),
    ("1", BOOL, True),
    (None, NUMBER, None),
])
def test_primitive_conversions(value, want, expected):
    got = convert(value, want)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(("value", "want", "message"), [
    ("abc", NUMBER, "a number is required"),
    ("", NUMBER, "a number is required"),
    ("yes", BOOL, "a bool is required"),
    ("True", BOOL, 'a bool is required; to convert from string, use lowercase "true"'),
    (1, BOOL, "bool required, but have number"),
    (True, NUMBER, "number required, but have bool"),
    ([1], STRING, "string required, but have tuple"),
    ({"a": 1}, ListType(STRING), "list of string required, but have object"),
    ("x", ListType(ANY), "list of any single type required, but have string"),
    ([1, [2]], ListType(ANY), "all list elements must have the same type"),
    ({"a": 1, "b": [2]}, MapType(ANY), "all map elements must have the same type"),
    ([[1]], ListType(STRING), "element 0: string required, but have tuple"),
    ({"a": 1}, ObjectType({"a": NUMBER, "b": STRING}), 'attribute "b" is required'),
    ({}, ObjectType({"a": NUMBER, "b": STRING}), 'attributes "a" and "b" are required'),
    ({}, ObjectType({"a": NUMBER, "b": STRING, "c": BOOL}), 'attributes "a", "b", and "c" are required'),
    ({"a": [1]}, ObjectType({"a": NUMBER}), 'attribute "a": number required, but have tuple'),
    (["a", "b"], TupleType([STRING]), "tuple required, but have tuple"),
])
def test_conversion_errors(value, want, message):
    with pytest.raises(ConversionError) as exc:
        convert(value, want)
    assert str(exc.value) == message


def test_runtime_conversion_error_inside_collection():
    with pytest.raises(ConversionError) as exc:
        convert({"a": "x"}, ObjectType({"a": NUMBER}))
    # cty's PathError prints only the message; the path is not part of it.
    assert str(exc.value) == "a number is required"


def test_list_set_tuple_conversions():
    assert convert([1, "a"], ListType(ANY)) == ["1", "a"]
    assert isinstance(convert([1, "a"], ListType(ANY)), CtyList)
    got = convert(["b", "a", "b"], SetType(STRING))
    assert got == ["a", "b"] and isinstance(got, CtySet)
    assert convert([3, 1, 2, 1], SetType(NUMBER)) == [1, 2, 3]
    assert convert(CtySet(["a"], STRING), ListType(STRING)) == ["a"]
    assert convert(["1", 2], TupleType([NUMBER, STRING])) == [1, "2"]
    assert convert([], ListType(STRING)) == []


def test_object_to_map_unifies():
    got = convert({"b": 1, "a": "x"}, MapType(ANY))
    assert got == {"a": "x", "b": "1"} and isinstance(got, CtyMap)
    assert list(got) == ["a", "b"]


def test_object_conversion_drops_extra_attributes_and_applies_defaults():
    ty = type_from_name("object", [{"name": STRING, "port": optional(NUMBER, 80), "tags": optional(ListType(STRING))}])
    assert convert({"name": "web", "extra": True}, ty) == {"name": "web", "port": 80, "tags": None}
    assert convert({"name": "web", "port": "8080", "tags": ["a", 1]}, ty) == {"name": "web", "port": 8080,
                                                                             "tags": ["a", "1"]}
    assert convert({"name": "web", "port": None}, ty)["port"] == 80


def test_nested_collection_conversion():
    assert convert({"a": [1, 2]}, MapType(ListType(STRING))) == {"a": ["1", "2"]}
    assert convert([{"a": 1}, {"a": 2}], ListType(MapType(NUMBER))) == [{"a": 1}, {"a": 2}]


def test_unify():
    assert unify([NUMBER, STRING]) == STRING
    assert unify([NUMBER, BOOL]) is None
    assert unify([ANY, NUMBER]) == NUMBER
    assert unify([TupleType([STRING]), TupleType([NUMBER])]) == TupleType([STRING])
    assert unify([TupleType([STRING]), TupleType([STRING, STRING])]) == ListType(STRING)
    assert unify([ObjectType({"a": STRING}), ObjectType({"b": NUMBER})]) == MapType(STRING)
    assert unify([STRING, TupleType([])]) is None


def test_type_from_name_keywords_and_calls():
    assert type_from_name("string") is STRING
    assert type_from_name("any") is ANY
    assert type_from_name("list", [STRING]) == ListType(STRING)
    assert type_from_name("map", [type_from_name("set", [BOOL])]) == MapType(SetType(BOOL))
    assert type_from_name("tuple", [[STRING, NUMBER]]) == TupleType([STRING, NUMBER])
    obj = type_from_name("object", [{"a": STRING, "b": optional(NUMBER)}])
    assert obj == ObjectType({"a": STRING, "b": NUMBER}, optional={"b"})


@pytest.mark.parametrize(("name", "args", "detail"), [
    ("list", None, "The list type constructor requires one argument specifying the element type."),
    ("map", [STRING, STRING], "The map type constructor requires one argument specifying the element type."),
    ("tuple", None, "The tuple type constructor requires one argument specifying the element types as a list."),
    ("object", [STRING], "Object type constructor requires a map whose keys are attribute names and whose values are "
                         "the corresponding attribute types."),
    ("object", None, "The object type constructor requires one argument specifying the attribute types and values as "
                     "a map."),
    ("any", [STRING], 'Type constraint keyword "any" does not expect arguments.'),
    ("string", [STRING], 'Primitive type keyword "string" does not expect arguments.'),
    ("lizt", [STRING], 'Keyword "lizt" is not a valid type constructor.'),
    ("optional", [STRING], 'Keyword "optional" is valid only as a modifier for object type attributes.'),
    ("strin", None, 'The keyword "strin" is not a valid type specification.'),
])
def test_type_from_name_errors(name, args, detail):
    with pytest.raises(TypeSpecError) as exc:
        type_from_name(name, args)
    assert exc.value.detail == detail
    assert exc.value.summary == "Invalid type specification"


def test_invalid_optional_default():
    with pytest.raises(TypeSpecError) as exc:
        type_from_name("object", [{"a": optional(NUMBER, "x")}])
    assert exc.value.summary == "Invalid default value for optional attribute"
    assert exc.value.detail == ("This default value is not compatible with the attribute's type constraint: a number "
                                "is required.")


def test_optional_outside_object_is_rejected():
    with pytest.raises(TypeSpecError):
        type_from_name("list", [optional(STRING)])
    with pytest.raises(TypeSpecError):
        optional(STRING, 1, 2)


def test_set_order_of_structured_elements_follows_cty_hash_text():
    from jobguard.jobspec.functions.setorder import set_hash_bytes

    objects = convert([{"name": "b", "port": 2}, {"name": "a", "port": 10}, {"name": "b", "port": 2}], SetType(ANY))
    assert objects == [{"name": "a", "port": 10}, {"name": "b", "port": 2}]
    assert set_hash_bytes(objects[0]) == b'<"a";10;>'
    lists = convert([["b"], ["a", "c"]], SetType(ListType(STRING)))
    assert lists == [["a", "c"], ["b"]]
    assert set_hash_bytes(lists[0]) == b'["a";"c";]'
    assert set_hash_bytes(CtyMap({"k": 1.5})) == b'{"k":1.5;}'
    assert convert([True, False, True], SetType(BOOL)) == [False, True]
    assert convert(["b", "B", "a"], SetType(STRING)) == ["B", "a", "b"]
