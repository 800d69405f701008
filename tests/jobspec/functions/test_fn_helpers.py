"""Helpers: Go integer formatting, grapheme clusters, Go regexp translation, set hashing."""

import time

import pytest

from jobguard.jobspec.functions import FunctionError, call_function
from jobguard.jobspec.functions.goregexp import GoRegexpError, compile_go, replace_all
from jobguard.jobspec.functions.graphemes import grapheme_len, graphemes
from jobguard.jobspec.functions.numbers import go_format_int, parse_number, to_int


def test_go_format_int_flags():
    assert go_format_int(0, "d", width=None, prec=0) == ""
    assert go_format_int(-5, "x", width=6, prec=None, zero=True, sharp=True) == "-0x005"
    assert go_format_int(5, "b", width=None, prec=None, sharp=True) == "0b101"
    assert go_format_int(255, "X", width=5, prec=None, minus=True) == "FF   "


def test_parse_number_is_go_big_float_base_10():
    assert parse_number("0x10") is None
    assert parse_number("1_000") is None
    assert parse_number(" 1") is None
    assert parse_number(".5") == 0.5
    assert parse_number("5.") == 5
    assert parse_number("-Inf") == float("-inf")
    with pytest.raises(ValueError):
        to_int(2**63)


def test_graphemes():
    assert graphemes("ab") == ["a", "b"]
    assert graphemes("e\u0301\r\n") == ["e\u0301", "\r\n"]
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert grapheme_len(family) == 1
    assert grapheme_len("\u1100\u1161\u11a8") == 1  # Hangul L V T


def test_go_regexp_translation():
    assert compile_go(r"a\z").search("xa")
    assert compile_go(r"(?<n>x)").match("x").group("n") == "x"
    assert compile_go("[[:digit:]]+").fullmatch("123")
    # Go ignores empty matches abutting a preceding match (Python's re.sub does not)
    assert replace_all(compile_go("a|"), "baaac", "-") == "-b---c-"
    assert replace_all(compile_go("a*"), "baaac", "-") == "-b-c-"
    for bad in (r"\Z", "(?=x)", "a**", "[a", "x\\"):
        with pytest.raises(GoRegexpError):
            compile_go(bad)


def test_regex_replace_is_linear_time_go_regexp():
    """A job file's pattern cannot stall the loader (Python's re backtracks for minutes on these)."""
    start = time.perf_counter()
    subject = "a" * 50_000 + "!"
    assert call_function("regex_replace", [subject, "^(a+)+$", "x"]) == subject
    assert call_function("regex_replace", ["a" * 34 + "!", r"^([a-z0-9]+[-.]?)+(:[a-z0-9.]+)?$", "x"]) == "a" * 34 + "!"
    assert time.perf_counter() - start < 1.0
    # Go syntax Python lacks, and Go's rejections of what C++ RE2 would accept
    assert call_function("regex_replace", ["λx", r"\pL", "L"]) == "LL"
    assert call_function("regex_replace", ["a{,2}", "a{,2}", "b"]) == "b"
    with pytest.raises(FunctionError) as exc:
        call_function("regex_replace", ["abc", r"\C", "x"])
    assert exc.value.message == "error parsing regexp: invalid escape sequence: `\\C`"
