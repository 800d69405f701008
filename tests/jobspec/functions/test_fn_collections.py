"""Collection, set and sequence functions, including cty's list/tuple and map/object distinctions."""

import pytest

from jobguard.jobspec.functions import ArgumentError, FunctionError, call_function
from jobguard.jobspec.functions.types import STRING, CtyList, CtyMap, CtySet, MapType, convert


def call(name, *args):
    return call_function(name, list(args))


def test_length():
    assert call("length", [1, 2]) == 2
    assert call("length", CtyMap({"a": 1})) == 1
    assert call("length", CtySet(["a"])) == 1
    assert call("length", convert({"www": "80"}, MapType(STRING))) == 1


@pytest.mark.parametrize("value", ["hello", {"a": 1}])
def test_length_rejects_strings_and_objects_like_cty(value):
    with pytest.raises(FunctionError) as exc:
        call("length", value)
    assert exc.value.message == "collection must be a list, a map or a tuple"


def test_element():
    assert call("element", ["a", "b", "c"], 1) == "b"
    assert call("element", ["a", "b", "c"], 5) == "c"
    for args, message in [
        (([], 0), "cannot use element function with an empty list"),
        ((CtySet(["a"], STRING), 0), "cannot read elements from set of string"),
        ((["a"], 0.5), "invalid index: value must be a whole number, between -9223372036854775808 and "
                       "9223372036854775807"),
    ]:
        with pytest.raises(FunctionError) as exc:
            call("element", *args)
        assert exc.value.message == message


@pytest.mark.parametrize("seq", [["a", "b", "c"], CtyList(["a", "b", "c"], STRING)])
def test_element_wraps_negative_indices_like_go_cty_1_16(seq):
    """go-cty 1.15 made ElementFunc wrap negative indices for lists, 1.16 for tuples (``index += length``);
    Nomad 2 links go-cty 1.16+, so ``element(l, -1)`` is the last element instead of an error."""
    assert call("element", seq, -1) == "c"
    assert call("element", seq, -3) == "a"
    assert call("element", seq, -4) == "c"
    assert call("element", seq, -7) == "c"
    with pytest.raises(FunctionError) as exc:
        call("element", [], -1)
    assert exc.value.message == "cannot use element function with an empty list"


def test_index_is_ctys_element_lookup():
    assert call("index", ["a", "b"], 1) == "b"
    assert call("index", CtyMap({"k": "v"}), "k") == "v"
    for args, message in [
        ((["a", "b"], "b"), "key for tuple must be number"),
        ((["a", "b"], 2), "key must be between 0 and 2 inclusive"),
        (({"k": "v"}, "k"), "collection must be a list, a map or a tuple"),
        ((CtyMap({"k": "v"}), "x"), "invalid index"),
        ((CtyList(["a"]), 3), "invalid index"),
    ]:
        with pytest.raises(FunctionError) as exc:
            call("index", *args)
        assert exc.value.message == message


def test_coalesce():
    assert call("coalesce", None, "b") == "b"
    assert call("coalesce", 1, "2") == "1"  # the result has the arguments' unified type
    assert call("coalesce", None, 2) == 2
    assert call("coalesce", [1], ["a"]) == ["1"]
    assert call("coalesce", None, [1], ["a"]) == [1]  # beside null, structural types unify to dynamic
    with pytest.raises(FunctionError) as exc:
        call("coalesce", None, None)
    assert exc.value.message == "no non-null arguments"
    with pytest.raises(FunctionError) as exc:
        call("coalesce", 1, True)
    assert exc.value.message == "all arguments must have the same type"
    with pytest.raises(FunctionError) as exc:
        call("coalesce")
    assert exc.value.message == "all arguments must have the same type"


@pytest.mark.parametrize("args, want", [
    (("", "fallback"), ""),
    ((None, "", "fallback"), ""),
    ((0, 1), 0),
    (([], ["a"]), []),
    ((False, True), False),
])
def test_coalesce_skips_only_nulls_like_go_cty(args, want):
    """go-cty's stdlib CoalesceFunc (the one Nomad links) returns the first non-null argument; only
    Terraform's own coalesce also skips empty strings."""
    assert call("coalesce", *args) == want


def test_coalescelist():
    assert call("coalescelist", [], ["a"]) == ["a"]
    with pytest.raises(FunctionError) as exc:
        call("coalescelist", "a")
    assert exc.value.message == "coalescelist arguments must be lists or tuples"
    with pytest.raises(FunctionError) as exc:
        call("coalescelist", [], [])
    assert exc.value.message == "no non-null arguments"


def test_compact_concat_contains_distinct():
    assert call("compact", ["a", "", None, 1]) == ["a", "1"]
    assert call("concat", ["a"], [1, True]) == ["a", 1, True]
    assert call("concat", CtyList(["a"], STRING), CtyList(["b"], STRING)) == ["a", "b"]
    with pytest.raises(ArgumentError) as exc:
        call("concat", ["a"], CtySet(["b"], STRING))
    assert exc.value.detail == ('Invalid value for "seqs" parameter: all arguments must be lists or tuples; got set '
                                "of string.")
    assert call("contains", ["a", "b"], "b") is True
    assert call("contains", ["1"], 1) is False
    assert call("contains", [[1, 2]], [1, 2]) is True
    # cty's Equals compares types first: a list(string) element never equals a tuple literal
    assert call("contains", [CtyList(["a"], STRING)], ["a"]) is False
    assert call("contains", [CtyList(["a"], STRING)], CtyList(["a"], STRING)) is True
    with pytest.raises(ArgumentError) as exc:
        call("contains", ["a", None], None)
    assert exc.value.detail == 'Invalid value for "value" parameter: argument must not be null.'
    with pytest.raises(FunctionError) as exc:
        call("contains", "abc", "a")
    assert exc.value.message == "argument must be list, tuple, or set"
    assert call("distinct", ["a", "b", "a", "c"]) == ["a", "b", "c"]
    assert call("distinct", [1, "1"]) == ["1"]


def test_chunklist_and_flatten():
    assert call("chunklist", ["a", "b", "c", "d", "e"], 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert call("chunklist", ["a"], 0) == [["a"]]
    assert call("chunklist", [], 3) == []
    with pytest.raises(FunctionError) as exc:
        call("chunklist", ["a"], -1)
    assert exc.value.message == "the size argument must be positive"
    assert call("flatten", [["a", "b"], [], ["c", ["d"]], "e"]) == ["a", "b", "c", "d", "e"]
    with pytest.raises(FunctionError):
        call("flatten", "a")


def test_keys_values_lookup_merge():
    assert call("keys", {"b": 1, "a": 2}) == ["a", "b"]
    assert call("values", {"b": 1, "a": 2}) == [2, 1]
    with pytest.raises(ArgumentError) as exc:
        call("keys", ["a"])
    assert exc.value.detail == 'Invalid value for "inputMap" parameter: must have map or object type.'
    with pytest.raises(FunctionError) as exc:
        call("values", "x")
    assert exc.value.message == "values() requires a map as the first argument"
    assert call("lookup", {"a": "x"}, "a", "d") == "x"
    assert call("lookup", {"a": "x"}, "b", "d") == "d"
    assert call("lookup", CtyMap({"a": 1}), "b", "7") == 7
    with pytest.raises(ArgumentError) as exc:
        call("lookup", CtyMap({"a": 1}), "b", [1])
    assert exc.value.arg_index == 2
    with pytest.raises(ArgumentError) as exc:
        call("lookup", ["a"], "b", 1)
    assert exc.value.detail == 'Invalid value for "inputMap" parameter: lookup() requires a map as the first argument.'
    merged = call("merge", {"b": 1, "a": 1}, None, {"b": 2, "c": 3})
    assert merged == {"a": 1, "b": 2, "c": 3} and list(merged) == ["a", "b", "c"]
    assert isinstance(call("merge", CtyMap({"a": 1}), CtyMap({"b": 2})), CtyMap)
    with pytest.raises(FunctionError) as exc:
        call("merge", {"a": 1}, "x")
    assert exc.value.message == 'arguments must be maps or objects, got "string"'


def test_slice():
    assert call("slice", ["a", "b", "c", "d"], 1, 3) == ["b", "c"]
    assert call("slice", ["a"], 1, 1) == []
    for args, index, detail in [
        ((["a"], 2, 1), 1, "start index must not be greater than the length of the list"),
        ((["a", "b"], 1, 0), 1, "start index must not be greater than end index"),
        ((["a"], 0, 3), 2, "end index must not be greater than the length of the list"),
        ((["a"], -1, 0), 1, "start index must not be less than zero"),
        (("a", 0, 0), 0, "must be a list or tuple value"),
    ]:
        with pytest.raises(ArgumentError) as exc:
            call("slice", *args)
        assert exc.value.arg_index == index
        assert exc.value.detail.endswith(detail + ".")


def test_zipmap_checks_the_lengths_before_null_keys_like_go_cty():
    with pytest.raises(FunctionError) as exc:
        call("zipmap", ["a", None], [1])
    assert exc.value.message == "number of keys (2) does not match number of values (1)"
    with pytest.raises(FunctionError) as exc:
        call("zipmap", ["a", None], [1, 2])
    assert exc.value.message == "keys list has null value at index 1"
    with pytest.raises(FunctionError) as exc:  # with a list of values cty reaches AsString on the null key
        call("zipmap", ["a", None], CtyList([1, 2]))
    assert exc.value.message == "panic in function implementation: value is null"


def test_zipmap():
    assert call("zipmap", ["a", "b"], [1, 2]) == {"a": 1, "b": 2}
    assert call("zipmap", ["a", "b"], CtyList([1, 2])) == {"a": 1, "b": 2}
    with pytest.raises(FunctionError) as exc:
        call("zipmap", ["a"], [1, 2])
    assert exc.value.message == "number of keys (1) does not match number of values (2)"


def test_range():
    assert call("range", 3) == [0, 1, 2]
    assert call("range", 1, 4) == [1, 2, 3]
    assert call("range", 4, 1) == [4, 3, 2]
    assert call("range", 0, 1, 0.25) == [0, 0.25, 0.5, 0.75]
    assert call("range", 0, 1, 0.1)[3] == 0.3
    assert call("range", -3) == [0, -1, -2]
    assert call("range", 0) == []
    with pytest.raises(ArgumentError) as exc:
        call("range", 1, 5, -1)
    assert exc.value.detail == 'Invalid value for "params" parameter: end must be less than start when step is ' \
                               'negative.'
    with pytest.raises(ArgumentError):
        call("range", 0, 5, 0)
    with pytest.raises(FunctionError) as exc:
        call("range", 2000)
    assert exc.value.message.startswith("more than 1024 values were generated")
    with pytest.raises(FunctionError) as exc:
        call("range")
    assert exc.value.message == "must have one, two, or three arguments"


def test_set_functions():
    assert call("setunion", ["b", "a"], ["c", "a"]) == ["a", "b", "c"]
    assert call("setintersection", ["a", "b", "c"], ["c", "b", "x"]) == ["b", "c"]
    assert call("setintersection", ["x"], ["y"]) == []
    assert call("setunion", [3, 1], [2]) == [1, 2, 3]
    with pytest.raises(ArgumentError) as exc:
        call("setunion", ["a", ["b"]])
    assert exc.value.detail == 'Invalid value for "first_set" parameter: all set elements must have the same type.'
    assert call("setproduct", ["a", "b"], ["x"]) == [["a", "x"], ["b", "x"]]
    product = call("setproduct", CtySet(["b", "a"], STRING), ["x"])
    assert isinstance(product, CtySet) and sorted(product) == [["a", "x"], ["b", "x"]]
    with pytest.raises(FunctionError) as exc:
        call("setproduct", ["a"])
    assert exc.value.message == "at least two arguments are required"
