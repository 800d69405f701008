"""String functions: Go ``strings`` semantics, grapheme clusters, regex replacement."""

import pytest

from jobguard.jobspec.functions import ArgumentError, FunctionError, call_function


def call(name, *args):
    return call_function(name, list(args))


def test_case_functions():
    assert call("upper", "héllo") == "HÉLLO"
    assert call("lower", "HÉLLO") == "héllo"
    assert call("upper", "straße") == "STRAßE"  # Go maps rune by rune: no "SS"
    assert call("upper", 42) == "42"


def test_case_functions_use_gos_simple_case_mapping():
    """Go's unicode.ToUpper/ToLower use the one-rune simple mappings, never SpecialCasing's multi-rune ones."""
    assert call("upper", "\u1f80\u1fb3") == "\u1f88\u1fbc"  # not "\u1f08\u0399\u0391\u0399"
    assert call("upper", "\u0149\ufb00") == "\u0149\ufb00"  # no simple uppercase: unchanged
    assert call("lower", "\u0130") == "i"  # not "i\u0307"
    assert call("lower", "\u1f88") == "\u1f80"


def test_title_uses_go_word_separators():
    assert call("title", "hello world") == "Hello World"
    assert call("title", "hello-wORLD foo_bar") == "Hello-WORLD Foo_bar"


@pytest.mark.parametrize("name", ["strrev", "reverse"])
def test_reverse_is_the_string_reverse(name):
    assert call(name, "hello") == "olleh"
    assert call(name, "e\u0301x") == "x\u00e9"  # cty string values are NFC
    assert call(name, "q\u0301z") == "zq\u0301"  # no precomposed form: the accent stays with its letter


def test_reverse_rejects_lists_like_nomad():
    with pytest.raises(ArgumentError) as exc:
        call("reverse", ["a", "b"])
    assert exc.value.detail == 'Invalid value for "str" parameter: string required, but have tuple.'


def test_strlen_counts_graphemes():
    assert call("strlen", "hello") == 5
    assert call("strlen", "e\u0301") == 1
    assert call("strlen", "\U0001f483\U0001f3ff") == 1
    assert call("strlen", "\U0001f1e9\U0001f1ea\U0001f1eb\U0001f1f7") == 2
    assert call("strlen", "") == 0


@pytest.mark.parametrize(("args", "expected"), [
    (("hello world", 1, 4), "ello"),
    (("hello world", -5, -1), "world"),
    (("hello world", 6, 100), "world"),
    (("hello", 0, 0), ""),
    (("hello", 5, 1), ""),
    (("hello", 10, 1), ""),
    (("hello", -10, 2), "he"),
    (("hello", -2, 0), "lo"),
    (("", 1, 1), ""),
    (("", 0, -1), ""),
    (("😀😁😂", 1, 1), "😁"),
])
def test_substr(args, expected):
    assert call("substr", *args) == expected


def test_substr_requires_whole_numbers():
    with pytest.raises(FunctionError) as exc:
        call("substr", "abc", 1.5, 1)
    assert exc.value.message == "value must be a whole number, between -9223372036854775808 and 9223372036854775807"


def test_join_split():
    assert call("join", ", ", ["a", "b"], ["c"]) == "a, b, c"
    assert call("join", "-", [1, True]) == "1-true"
    assert call("split", ",", "a,b,,c") == ["a", "b", "", "c"]
    assert call("split", "", "abc") == ["a", "b", "c"]
    assert call("split", ",", "") == [""]


def test_join_errors():
    with pytest.raises(FunctionError) as exc:
        call("join", ",")
    assert exc.value.message == "at least one list is required"
    with pytest.raises(ArgumentError) as exc:
        call("join", ",", ["a", None])
    assert exc.value.detail == 'Invalid value for "lists" parameter: element 1 is null; cannot concatenate null values.'
    assert exc.value.arg_index == 1
    with pytest.raises(ArgumentError) as exc:
        call("join", ",", ["a"], [None])
    assert exc.value.detail.endswith("element 0 of list 2 is null; cannot concatenate null values.")


def test_sort_is_lexical_on_strings():
    assert call("sort", ["b", "a", "10", "9"]) == ["10", "9", "a", "b"]
    assert call("sort", [3, 20, 1]) == ["1", "20", "3"]
    with pytest.raises(FunctionError) as exc:
        call("sort", ["a", None])
    assert exc.value.message == "given list element 1 is null; a null string cannot be sorted"


def test_trimming():
    assert call("chomp", "hello\r\n\n") == "hello"
    assert call("chomp", "hello\nworld\n") == "hello\nworld"
    assert call("trimspace", " \t\n hello \u00a0\n") == "hello"
    assert call("trimspace", "\x1chello") == "\x1chello"  # not white space in Go
    assert call("trim", "?!hello?!", "!?") == "hello"
    assert call("trimprefix", "helloworld", "hello") == "world"
    assert call("trimprefix", "helloworld", "x") == "helloworld"
    assert call("trimsuffix", "helloworld", "world") == "hello"


def test_indent():
    assert call("indent", 2, "a\nb\n") == "a\n  b\n  "
    with pytest.raises(FunctionError) as exc:
        call("indent", -1, "a")
    assert "negative Repeat count" in exc.value.message


def test_replace_is_literal():
    assert call("replace", "1 + 2 + 3", "+", "-") == "1 - 2 - 3"
    assert call("replace", "hello /l/", "/l/", "L") == "hello L"
    assert call("replace", "abc", "", "-") == "-a-b-c-"


def test_regex_replace():
    assert call("regex_replace", "hello world", "o", "0") == "hell0 w0rld"
    assert call("regex_replace", "2024-01-02", "(\\d+)-(\\d+)-(\\d+)", "$3/$2/$1") == "02/01/2024"
    assert call("regex_replace", "abc", "(?P<x>b)", "[${x}]") == "a[b]c"
    assert call("regex_replace", "a.b", "\\.", "$$") == "a$b"
    assert call("regex_replace", "line\n", "e$", "E") == "line\n"  # $ is end of text in Go
    assert call("regex_replace", "abc", "x*", "-") == "-a-b-c-"
    assert call("regex_replace", "é1", "\\w", "_") == "é_"  # \w is ASCII-only in Go


def test_regex_replace_errors():
    with pytest.raises(FunctionError) as exc:
        call("regex_replace", "abc", "(", "x")
    assert exc.value.message == "error parsing regexp: missing closing ): `(`"
    with pytest.raises(FunctionError) as exc:
        call("regex_replace", "abc", "a(?=b)", "x")
    assert exc.value.message == "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"


def test_string_results_are_nfc_like_cty_values():
    assert call("lower", "E\u0301") == "\u00e9"
    assert call("jsondecode", '{"e\\u0301": "e\\u0301"}') == {"\u00e9": "\u00e9"}
    assert call("strlen", "e\u0301") == 1
