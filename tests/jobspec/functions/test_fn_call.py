"""The calling convention: function table, argument counts, conversions, nulls, expansion, unknown names."""

import pytest

from jobguard.jobspec.functions import (
    FUNCTIONS,
    LAZY_FUNCTIONS,
    TYPE_ARGUMENTS,
    ArgumentError,
    FunctionError,
    UnknownFunctionError,
    call_function,
)

NOMAD_FUNCTIONS = ["abs", "base64decode", "base64encode", "bcrypt", "can", "ceil", "chomp", "chunklist", "cidrhost",
    "cidrnetmask", "cidrsubnet", "cidrsubnets", "coalesce", "coalescelist", "compact", "concat", "contains",
    "convert", "csvdecode", "distinct", "element", "flatten", "floor", "format", "formatdate", "formatlist",
    "indent", "index", "join", "jsondecode", "jsonencode", "keys", "length", "log", "lookup", "lower", "max", "md5",
    "merge", "min", "parseint", "pow", "range", "reverse", "replace", "regex_replace", "rsadecrypt",
    "setintersection", "setproduct", "setunion", "sha1", "sha256", "sha512", "signum", "slice", "sort", "split",
    "strlen", "strrev", "substr", "timeadd", "title", "trim", "trimprefix", "trimspace", "trimsuffix", "try",
    "upper", "urlencode", "uuidv4", "uuidv5", "values", "yamldecode", "yamlencode", "zipmap", "abspath", "basename",
    "dirname", "file", "filebase64", "fileexists", "fileset", "pathexpand"]


def test_function_table_is_exactly_nomads():
    assert sorted(FUNCTIONS) == sorted(NOMAD_FUNCTIONS)
    assert set(LAZY_FUNCTIONS) == {"can", "try"}
    assert ("convert", 1) in TYPE_ARGUMENTS


def test_functions_are_callable_directly():
    assert FUNCTIONS["upper"]("abc") == "ABC"


def test_unknown_function_with_suggestion():
    with pytest.raises(UnknownFunctionError) as exc:
        call_function("uper", ["x"])
    assert exc.value.summary == "Call to unknown function"
    assert exc.value.detail == 'There is no function named "uper". Did you mean "upper"?'


def test_unknown_function_without_suggestion():
    with pytest.raises(UnknownFunctionError) as exc:
        call_function("timestamp_of_the_world", [])
    assert exc.value.detail == 'There is no function named "timestamp_of_the_world".'


def test_not_enough_arguments():
    with pytest.raises(ArgumentError) as exc:
        call_function("split", [","])
    assert exc.value.summary == "Not enough function arguments"
    assert exc.value.detail == 'Function "split" expects 2 argument(s). Missing value for "str".'
    assert exc.value.arg_index is None


def test_not_enough_arguments_variadic():
    with pytest.raises(ArgumentError) as exc:
        call_function("join", [])
    assert exc.value.detail == 'Function "join" expects at least 1 argument(s). Missing value for "separator".'


def test_lookup_requires_default_in_cty():
    with pytest.raises(ArgumentError) as exc:
        call_function("lookup", [{"a": 1}, "a"])
    assert exc.value.detail == 'Function "lookup" expects 3 argument(s). Missing value for "default".'


def test_too_many_arguments():
    with pytest.raises(ArgumentError) as exc:
        call_function("upper", ["a", "b"])
    assert exc.value.summary == "Too many function arguments"
    assert exc.value.detail == 'Function "upper" expects only 1 argument(s).'
    assert exc.value.arg_index == 1


def test_argument_conversion_error_names_parameter():
    with pytest.raises(ArgumentError) as exc:
        call_function("upper", [["a"]])
    assert exc.value.summary == "Invalid function argument"
    assert exc.value.detail == 'Invalid value for "str" parameter: string required, but have tuple.'
    assert exc.value.arg_index == 0


def test_argument_conversion_number_from_string():
    with pytest.raises(ArgumentError) as exc:
        call_function("abs", ["abc"])
    assert exc.value.detail == 'Invalid value for "num" parameter: a number is required.'
    assert call_function("abs", ["-3"]) == 3


def test_null_argument_rejected():
    with pytest.raises(ArgumentError) as exc:
        call_function("upper", [None])
    assert exc.value.detail == 'Invalid value for "str" parameter: argument must not be null.'


def test_variadic_argument_error_index():
    with pytest.raises(ArgumentError) as exc:
        call_function("max", [1, 2, "x"])
    assert exc.value.arg_index == 2
    assert exc.value.detail == 'Invalid value for "numbers" parameter: a number is required.'


def test_function_error_message_and_detail():
    with pytest.raises(FunctionError) as exc:
        call_function("element", [[], 0])
    assert exc.value.message == "cannot use element function with an empty list"
    assert exc.value.function_name == "element"
    assert exc.value.detail == 'Call to function "element" failed: cannot use element function with an empty list.'


def test_expand_last_argument():
    assert call_function("concat", [["a"], [["b"], ["c"]]], expand_last=True) == ["a", "b", "c"]
    assert call_function("max", [[3, 9, 2]], expand_last=True) == 9


def test_expand_last_requires_sequence():
    with pytest.raises(ArgumentError) as exc:
        call_function("max", ["x"], expand_last=True)
    assert exc.value.summary == "Invalid expanding argument value"
    assert exc.value.detail == "The expanding argument (indicated by ...) must be of a tuple, list, or set type."
    with pytest.raises(ArgumentError) as exc:
        call_function("max", [None], expand_last=True)
    assert exc.value.detail == "The expanding argument (indicated by ...) must not be null."
