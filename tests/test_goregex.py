"""Go/RE2 regular expressions: Go's syntax and semantics where Python's ``re`` differs, Go's error texts, and
matching in linear time (the pattern from issue #18 froze the proxy with Python's backtracking engine)."""

import time

import pytest

from jobguard.goregex import GoRegexError, compile_go

REDOS = r"^([a-z0-9]+[-.]?)+(:[a-z0-9.]+)?$"


@pytest.mark.parametrize("pattern,text,expected", [
    ("e", "test", True),                      # unanchored search
    ("^e", "test", False),
    ("a$", "a\n", False),                     # $ is the end of text in Go (Python's $ also matches before \n)
    ("(?m)a$", "a\nb", True),
    (r"a\z", "xa", True),
    (r"\w", "é", False),                      # \w, \d, \s and \b are ASCII-only
    (r"\d", "٣", False),
    (r"\pL", "é", True),                      # Unicode classes (Python's re has none)
    (r"\p{Greek}+", "λόγος", True),
    (r"\PL", "é", False),
    ("[[:digit:]]+", "x12", True),            # POSIX classes
    ("[[:^alpha:]]", "abc", False),
    ("a{,3}", "a{,3}", True),                 # not a repetition in Go: a literal
    ("a{,3}", "aa", False),
    ("(?i)TEST", "test", True),
    ("(?s)a.b", "a\nb", True),
    ("a.b", "a\nb", False),
    (r"\Qa.b\E", "axb", False),
    (r"\x{41}", "A", True),
    (r"(?P<n>x)(?<m>y)", "xy", True),
    ("\\12", "\n", True),                     # octal escape
])
def test_go_semantics(pattern, text, expected):
    assert compile_go(pattern).test(text) is expected
    assert (compile_go(pattern).search(text) is not None) is expected


@pytest.mark.parametrize("pattern,message", [
    ("(", "missing closing ): `(`"),
    ("a)", "unexpected ): `a)`"),
    ("[a", "missing closing ]: `[a`"),
    ("a**", "invalid nested repetition operator: `**`"),
    ("*", "missing argument to repetition operator: `*`"),
    ("x{1001}", "invalid repeat count: `{1001}`"),
    ("[z-a]", "invalid character class range: `z-a`"),
    ("a\\", "trailing backslash at end of expression: ``"),
    (r"\Z", "invalid escape sequence: `\\Z`"),
    (r"\8", "invalid escape sequence: `\\8`"),
    (r"\C", "invalid escape sequence: `\\C`"),          # RE2 accepts \C (any byte); Go does not
    (r"[\C]", "invalid escape sequence: `\\C`"),
    ("(?=x)", "invalid or unsupported Perl syntax: `(?=`"),
    ("(?x)a", "invalid or unsupported Perl syntax: `(?x`"),
    ("(?P<é>a)", "invalid named capture: `(?P<é>`"),     # RE2 accepts Unicode names; Go only [A-Za-z0-9_]
    ("(?P<>a)", "invalid named capture: `(?P<>`"),
    (r"\p{Nope}", "invalid character class range: `\\p{Nope}`"),
])
def test_errors_are_gos(pattern, message):
    with pytest.raises(GoRegexError) as info:
        compile_go(pattern)
    assert str(info.value) == "error parsing regexp: " + message
    assert isinstance(info.value, ValueError)


def test_literal_text_may_contain_what_go_rejects_elsewhere():
    assert compile_go(r"\Q\C\E").test("\\C")


def test_linear_time_on_a_backtracking_pattern():
    rx = compile_go(REDOS)
    start = time.perf_counter()
    assert rx.test("a" * 34 + "!") is False
    assert rx.test("a" * 200_000 + "!") is False
    assert rx.search("b" * 100_000 + "!") is None
    assert time.perf_counter() - start < 0.5
    assert rx.test("nginx-1.25:1.2") is True


def test_match_objects_and_groups():
    m = compile_go(r"(?P<name>[a-z]+)-(\d+)").search("x web-12 y")
    assert m.group(0) == "web-12" and m.group("name") == "web" and m.group(2) == "12"
    assert (m.start(), m.end()) == (2, 8)
    assert compile_go("a+").fullmatch("aaa") and not compile_go("a+").fullmatch("aab")
    assert [m.span() for m in compile_go("é|").finditer("aéb")] == [(0, 0), (1, 2), (2, 2), (3, 3)]


def test_text_with_a_lone_surrogate_is_matched_like_invalid_utf8_in_go():
    assert compile_go("e").test("x\ud800e")
    assert compile_go("^.e$").test("\ud800e")
    assert compile_go("e").search("\udfffe").start() == 1


def test_pattern_with_a_lone_surrogate_is_invalid_utf8():
    with pytest.raises(GoRegexError) as info:
        compile_go("a\ud800")
    assert info.value.code == "invalid UTF-8"


def test_compiled_patterns_are_cached():
    assert compile_go("abc+") is compile_go("abc+")
