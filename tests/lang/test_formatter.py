"""``jobguard fmt`` writes what ``sentinel fmt`` writes: gofmt layout rules, each on a small fixture.

Expected texts are written with ``→`` for a tab. Every fixture is also checked for idempotence and for keeping the
policy's meaning (same AST after formatting).
"""

import pytest

from jobguard.lang import PolicySyntaxError
from jobguard.lang.astcompare import ast_equal
from jobguard.lang.formatter import format_source
from jobguard.lang.parser import parse


def tabs(text: str) -> str:
    return text.replace("→", "\t")


def check(source: str, expected: str) -> None:
    out = format_source(source)
    assert out == tabs(expected)
    assert format_source(out) == out
    assert ast_equal(parse(source), parse(out))


UGLY = """# doc
import "strings"
main=rule{all job.task_groups as tg{
all tg.tasks as t{
t.driver is"docker"and
   strings.has_prefix(t.config.image ,"nginx")
}
}
}



f = func( a,b ) { return -a+b*( 2 ) } // trailing
x = [ 1,2 ,3 ][ 1 : 2 ]
y = {"a" :1}
case x {
when 1:
y = 2
else:
y = 3
}
"""

EXPECTED = """# doc
import "strings"
main = rule {
→all job.task_groups as tg {
→→all tg.tasks as t {
→→→t.driver is "docker" and
→→→→strings.has_prefix(t.config.image, "nginx")
→→}
→}
}

f = func(a, b) { return -a + b * (2) } // trailing
x = [1, 2, 3][1:2]
y = {"a": 1}
case x {
→when 1:
→→y = 2
→else:
→→y = 3
}
"""


def test_format_layout():
    check(UGLY, EXPECTED)


def test_comments_and_multiline_comments_are_kept():
    # a comment spanning lines separates statements like a newline; gofmt glues the next token to its end and
    # puts a blank line before a top-level comment that follows code
    check('"7" /*\nHello */ "8"\n# end\n', '"7" /*\nHello */"8"\n\n# end\n')


def test_syntax_error_formats_nothing():
    with pytest.raises(PolicySyntaxError) as info:
        format_source("main = rule {\n", "bad.sentinel")
    assert str(info.value).startswith("bad.sentinel:2:1")


def test_blank_lines_collapse_and_final_newline():
    assert format_source("\n\na = 1\n\n\n\nb = 2") == "a = 1\n\nb = 2\n"
    assert format_source("") == ""
    assert format_source("\n \n") == ""


# -- alignment sections ---------------------------------------------------------------------------------------------
def test_map_values_align_within_a_section():
    # blank lines, multi-line entries, comment lines and several entries on one line end a section
    check('m = {\n  "a": 1,\n  "bb": 2,\n\n  "ccc": 3,\n  "dddd": {\n    "x": 1,\n  },\n  "e": 5,\n  "f": 6,\n'
          '  # note\n  "gg": 7,\n  "hhh": 8, "i": 9,\n  "j": 10,\n}\n',
          'm = {\n→"a":  1,\n→"bb": 2,\n\n→"ccc": 3,\n→"dddd": {\n→→"x": 1,\n→},\n→"e": 5,\n→"f": 6,\n'
          '→# note\n→"gg":  7,\n→"hhh": 8, "i": 9,\n→"j": 10,\n}\n')


def test_key_size_rule_of_sentinels_printer():
    # keys of up to 20 characters always align; past that, a key 4x longer or shorter than the one before starts
    # a new section (the rule of the Go printer Sentinel forked, not gofmt's later geometric mean)
    check('k = {\n  "a": 1,\n  "abcdefghijklmnopqrstuvw": 2,\n  "policy_name": 1,\n'
          '  "resource_security_group_rule_x": 2,\n  "b": 3,\n}\n',
          'k = {\n→"a": 1,\n→"abcdefghijklmnopqrstuvw":        2,\n→"policy_name":                    1,\n'
          '→"resource_security_group_rule_x": 2,\n→"b": 3,\n}\n')


def test_entry_on_the_opening_line_is_not_aligned_and_the_list_keeps_its_breaks():
    check('first = {"a": 1,\n  "bbb": 2,\n  "c": 3}\n', 'first = {"a": 1,\n→"bbb": 2,\n→"c":   3}\n')


def test_value_before_a_multiline_value_gets_one_space():
    check('s = {\n "policy_name": x,\n "violations": map v as _, i {\n  i\n },\n}\n',
          's = {\n→"policy_name": x,\n→"violations": map v as _, i {\n→→i\n→},\n}\n')


def test_trailing_comments_align_and_a_blank_line_ends_the_section():
    check("x = 1 // one\nlonger = 2 // two\n\ny = 3 // three\n",
          "x = 1      // one\nlonger = 2 // two\n\ny = 3 // three\n")
    check('m = {\n  "a": 1, # one\n  "bbbbbb": 2,   # two\n}\n', 'm = {\n→"a":      1, # one\n→"bbbbbb": 2, # two\n}\n')


def test_consecutive_one_line_funcs_align_their_bodies():
    check("func a() { return 1 }\nfunc bbb(x) { return 2 }\n", "func a()    { return 1 }\nfunc bbb(x) { return 2 }\n")


def test_assignments_are_not_aligned():
    check("a = 1\nlonger = 2\n", "a = 1\nlonger = 2\n")


# -- comments ---------------------------------------------------------------------------------------------------------
def test_comments_keep_their_place():
    check('// file doc\n\n\n\nimport "strings"\na = 1\n# about b\nb = [\n  1, # one\n  # alone\n  2,\n'
          '  # before close\n]\nf = func() {\n\n  x = 1 /* inline */ + 2\n  # last in body\n\n}\n'
          'r = rule {\n  # why\n  a and /* mid */ b\n}\n/*\n   multi\n     indented\n*/\nc = 1\n# eof comment\n\n\n',
          '// file doc\n\nimport "strings"\na = 1\n\n# about b\nb = [\n→1, # one\n→# alone\n→2,\n→# before close\n]\n'
          'f = func() {\n\n→x = 1 /* inline */ + 2\n→# last in body\n\n}\nr = rule {\n→# why\n→a and /* mid */ b\n}\n\n'
          '/*\n   multi\n     indented\n*/\nc = 1\n\n# eof comment\n')


def test_comments_in_calls_and_maps():
    check('x = {\n    /* lead */ "a": 1,\n}\ny = f(a, // why a\n  b)\n',
          'x = {\n→/* lead */ "a": 1,\n}\ny = f(a, // why a\n→b)\n')


def test_comment_before_an_else_clause_is_indented_like_the_clause():
    check("case x {\nwhen 1:\n  y = 1\n# other values\nelse:\n  y = 2\n}\n",
          "case x {\n→when 1:\n→→y = 1\n→# other values\n→else:\n→→y = 2\n}\n")


def test_block_comment_lines_are_reindented():
    check("f = func() {\n        /* one\n           two */\n  return 1\n}\n",
          "f = func() {\n→/* one\n→   two */\n→return 1\n}\n")


# -- statements and blocks --------------------------------------------------------------------------------------------
def test_if_else_and_for():
    check("if (a){\nx=1\n}else if b{\nx=2\n}else{x=3}\nfor xs as i,v {\n  continue\n}\n",
          "if (a) {\n→x = 1\n} else if b {\n→x = 2\n} else {\n→x = 3\n}\nfor xs as i, v {\n→continue\n}\n")


def test_case_clauses_are_indented_and_a_missing_subject_keeps_both_blanks():
    check("case {\nwhen a:\nx = 1\n}\ncase x {\n when 1, 2: y = 1\n else: y = 2\n}\n",
          "case  {\n→when a:\n→→x = 1\n}\ncase x {\n→when 1, 2:\n→→y = 1\n→else:\n→→y = 2\n}\n")


def test_blank_lines_at_block_edges_are_kept_once():
    check("for a as x {\n\n\n  y = x\n\n\n}\n", "for a as x {\n\n→y = x\n\n}\n")


def test_explicit_semicolons_become_line_breaks():
    check("a = 1; b = 2\n", "a = 1\nb = 2\n")


def test_func_bodies_stay_on_one_line_only_when_short_and_written_so():
    check("f = func(x) { return x }\ng = func(x) {\n  return x }\n",
          "f = func(x) { return x }\ng = func(x) {\n→return x\n}\n")
    long_body = "f = func(x) { return " + " + ".join(["x"] * 40) + " }\n"
    assert format_source(long_body) == "f = func(x) {\n\treturn " + " + ".join(["x"] * 40) + "\n}\n"


def test_params_imports_and_func_declarations():
    check('import  "strings"\nimport "types"  as t\nparam  p  default  {\n  "a": 1,\n}\n'
          'func f(a,\n  b) {\n  return a\n}\n',
          'import "strings"\nimport "types" as t\nparam p default {\n→"a": 1,\n}\nfunc f(a,\n→b) {\n→return a\n}\n')


# -- rules and quantifiers --------------------------------------------------------------------------------------------
def test_rule_condition_operands_line_up_but_quantifier_bodies_indent_continuations():
    check("main = rule {\n  a and\n  b or\n  c\n}\nq = filter xs as x {\n  x.a is 1 and\n  (x.b is 2 or\n"
          "   x.c is 3)\n}\n",
          "main = rule {\n→a and\n→b or\n→c\n}\nq = filter xs as x {\n→x.a is 1 and\n→→(x.b is 2 or\n→→→x.c is 3)\n}\n")


def test_one_line_rules_and_quantifiers_stay_on_one_line():
    check("r = rule { a and b }\nwhen_r = rule when a is defined{b}\nv = map m as _, val { val }\n",
          "r = rule { a and b }\nwhen_r = rule when a is defined { b }\nv = map m as _, val { val }\n")


def test_quantifier_over_a_filter_expression():
    check("n = all filter xs as _, x {\n x.ok\n} as y {\n y.v > 1\n}\n",
          "n = all filter xs as _, x {\n→x.ok\n} as y {\n→y.v > 1\n}\n")


# -- expressions ------------------------------------------------------------------------------------------------------
def test_operator_spacing_and_keyword_operators():
    check("x = a+b*c-(d%e)\ny = - a\nz = not  b\nw = ! c\nv = a is  not  empty\nu = a  not  in b\nt = a else b\n"
          "r = x [ 2 ]\n",
          "x = a + b * c - (d % e)\ny = -a\nz = not b\nw = !c\nv = a is not empty\nu = a not in b\nt = a else b\n"
          "r = x[2]\n")


def test_slices_get_blanks_around_the_colon_only_with_an_operator_index():
    check("s = x[1:n+1]\nt = x[1:2]\nu = x[:n]\n", "s = x[1 : n + 1]\nt = x[1:2]\nu = x[:n]\n")


def test_literals_are_written_as_the_author_wrote_them():
    literals = 'p = `raw\\n` + "esc\\u0041\\n"\no = 0x1F + 1.5e3 + 010\n'
    check(literals, literals)


def test_parentheses_are_kept_but_not_doubled():
    check("q = ((a))\nif (b) { x = 1 }\n", "q = (a)\nif (b) {\n→x = 1\n}\n")


def test_continuation_lines_are_indented_per_operator_nesting():
    check("x = a and\nb\nreturn_it = func() {\n  return a and\n  (b or\n  c)\n}\n",
          "x = a and\n→b\nreturn_it = func() {\n→return a and\n→→(b or\n→→→c)\n}\n")


def test_lists_keep_the_authors_line_breaks_and_get_trailing_commas():
    check('l = [\n  "a", "b",\n  "c"\n]\nc = f(\n  a,\n  b\n)\nd = f(\n  a, b)\ne = [\n]\n',
          'l = [\n→"a", "b",\n→"c",\n]\nc = f(\n→a,\n→b,\n)\nd = f(\n→a, b)\ne = []\n')


def test_operator_at_line_start_moves_to_the_end_of_the_previous_line():
    check("x = (a\n  and b)\n", "x = (a and\n→b)\n")


def test_crlf_line_endings_become_newlines():
    check("a = 1\r\nb = {\r\n  \"k\": 2,\r\n}\r\n", 'a = 1\nb = {\n→"k": 2,\n}\n')


def test_trailing_comma_on_one_line_is_dropped():
    check("x = [1, 2,]\ny = f(a, b,)\n", "x = [1, 2]\ny = f(a, b)\n")


def test_map_literal_as_a_quantifier_body():
    check('m = map vs as _, v {\n  {\n    "a": v.a,\n    "bbb": v.b,\n  }\n}\n',
          'm = map vs as _, v {\n→{\n→→"a":   v.a,\n→→"bbb": v.b,\n→}\n}\n')


def test_comments_after_an_opening_brace_and_a_closing_brace():
    check("r = rule { // why\n  a\n}\nif a { // c\n  b = 1\n} // end\n",
          "r = rule { // why\n→a\n}\nif a { // c\n→b = 1\n} // end\n")


def test_block_comment_between_parameters_moves_before_the_comma():
    check("f = func(a, /* c */ b) { return a }\n", "f = func(a /* c */, b) { return a }\n")
