"""Property tests: round trips and "only our error types escape" guarantees."""

import math
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from jobguard.jobspec.functions import FUNCTIONS, LAZY_FUNCTIONS, HclFunctionError, call_function
from jobguard.jobspec.functions.errors import ConversionError
from jobguard.jobspec.functions.numbers import format_number, parse_number
from jobguard.jobspec.functions.types import ANY, BOOL, NUMBER, STRING, ListType, MapType, ObjectType, SetType
from jobguard.jobspec.functions.types import TupleType, convert

# cty strings are NFC-normalised on creation, so only NFC text can survive a round trip unchanged.
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30).map(
    lambda s: unicodedata.normalize("NFC", s))
numbers = st.one_of(st.integers(min_value=-(10**30), max_value=10**30),
                    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: not f.is_integer()))
scalars = st.one_of(st.none(), st.booleans(), numbers, text)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(text, inner, max_size=4)), max_leaves=12)
types = st.recursive(
    st.sampled_from([STRING, NUMBER, BOOL, ANY]),
    lambda inner: st.one_of(st.builds(ListType, inner), st.builds(SetType, inner), st.builds(MapType, inner),
                            st.lists(inner, max_size=3).map(TupleType),
                            st.dictionaries(st.sampled_from("abc"), inner, max_size=3).map(ObjectType)),
    max_leaves=6)


@given(text)
def test_base64_round_trip(s):
    assert call_function("base64decode", [call_function("base64encode", [s])]) == s


@given(values)
def test_json_round_trip(v):
    assert call_function("jsondecode", [call_function("jsonencode", [v])]) == v


@given(values)
@settings(max_examples=50, deadline=None)
def test_yaml_round_trip_of_json_compatible_values(v):
    decoded = call_function("yamldecode", [call_function("yamlencode", [v])])
    assert call_function("jsonencode", [decoded]) == call_function("jsonencode", [v])


@given(numbers)
def test_number_text_round_trip(n):
    assert parse_number(format_number(n)) == n


@given(values, types)
def test_convert_raises_only_conversion_errors(v, t):
    try:
        convert(v, t)
    except ConversionError:
        pass


@given(text, st.lists(values, max_size=3))
def test_format_raises_only_function_errors(pattern, args):
    try:
        result = call_function("format", [pattern, *args])
    except HclFunctionError:
        return
    assert isinstance(result, str)


@given(st.sampled_from(sorted(set(FUNCTIONS) - LAZY_FUNCTIONS - {"bcrypt", "file", "filebase64", "fileexists",
                                                                  "fileset"})),
       st.lists(values, max_size=3))
@settings(max_examples=200, deadline=None)
def test_every_function_raises_only_hcl_errors(name, args):
    try:
        result = call_function(name, args)
    except HclFunctionError:
        return
    if isinstance(result, float):
        assert not math.isnan(result)
