"""The literal-only HCL reader (jobguard.jobspec.hcl.literal) used for Sentinel config files and test cases."""

import pytest

from jobguard.jobspec.hcl.literal import LiteralError, read_literal_document

DOC = """\
module "helpers" {
  source = "../helpers.sentinel"
}
mock "tfplan/v2" {
  module {
    source = "mock.sentinel"
  }
}
mock "time" { data = { day = "friday", hour = 10, escaped = "$${x}", list = [1, 2.5, -3], none = null } }
test {
  rules = {
    main  = true
    "odd" = false
  }
}
"""


def test_blocks_attributes_values_and_positions():
    body = read_literal_document(DOC, "case.hcl")
    assert [(b.title, b.line, b.column) for b in body.blocks] == [
        ('module "helpers"', 1, 1), ('mock "tfplan/v2"', 4, 1), ('mock "time"', 9, 1), ("test", 10, 1)]
    source = body.blocks[0].body.attributes["source"]
    assert (source.value, source.line, source.column) == ("../helpers.sentinel", 2, 3)
    inner = body.blocks[1].body.blocks_of("module")[0]
    assert (inner.body.attributes["source"].value, inner.line) == ("mock.sentinel", 5)
    assert body.blocks[2].body.attributes["data"].value == {
        "day": "friday", "hour": 10, "escaped": "${x}", "list": [1, 2.5, -3], "none": None}
    assert body.blocks[3].body.attributes["rules"].value == {"main": True, "odd": False}


@pytest.mark.parametrize("text, expected", [
    ('a = foo\n', "f.hcl:1:5: Variables not allowed"),
    ('a = upper("x")\n', "f.hcl:1:5: Function calls not allowed"),
    ('a = "${x}"\n', "f.hcl:1:8: Variables not allowed"),
    ('a = {\n', "f.hcl:1:5: Unclosed configuration block"),
    ('a = 1\na = 2\n', "f.hcl:2:1: Attribute redefined; The argument \"a\" was already set at f.hcl:1,1-2."),
])
def test_errors_name_file_line_column(text, expected):
    with pytest.raises(LiteralError) as info:
        read_literal_document(text, "f.hcl")
    assert str(info.value.diagnostics[0]).startswith(expected)


def test_every_error_is_reported():
    with pytest.raises(LiteralError) as info:
        read_literal_document('a = x\nblock {\n  b = y\n}\n', "f.hcl")
    assert [(d.line, d.column) for d in info.value.diagnostics] == [(1, 5), (3, 7)]


def test_literals_only_rejects_references():
    with pytest.raises(LiteralError) as info:
        read_literal_document("a = b.c\n", "x.hcl", literals_only=True)
    assert str(info.value.diagnostics[0]) == ("x.hcl:1:5: Unsupported expression; only literal values (strings, "
                                              "numbers, booleans, lists, objects) are allowed")


def test_a_number_over_the_digit_limit_is_a_located_error():
    with pytest.raises(LiteralError) as info:
        read_literal_document("a = 1\nb = " + "9" * 5000 + "\n", "x.hcl", literals_only=True)
    (diag,) = info.value.diagnostics
    assert (diag.file, diag.line, diag.column, diag.summary) == ("x.hcl", 2, 5, "Limit exceeded")


def test_literal_values_record_each_element_position():
    doc = read_literal_document('a = {\n  k = [1, "x"]\n  "q r" = { n = -2 }\n}\n', "x.hcl", literals_only=True)
    attr = doc.attributes["a"]
    assert attr.value == {"k": [1, "x"], "q r": {"n": -2}}
    assert attr.positions == {(): (1, 5), ("k",): (2, 3), ("k", 0): (2, 8), ("k", 1): (2, 11), ("q r",): (3, 3),
                              ("q r", "n"): (3, 13)}


@pytest.mark.parametrize("text, expected", [
    ('a = "${x}"\n', "x.hcl:1:5: Unsupported expression; interpolation and template directives are not allowed"),
    ('a = 1 + 2\n', "x.hcl:1:5: Unsupported expression; only literal values"),
    ('a = { (k) = 1 }\n', "x.hcl:1:7: Unsupported object key"),
])
def test_literals_only_refuses_what_default_mode_evaluates(text, expected):
    with pytest.raises(LiteralError) as info:
        read_literal_document(text, "x.hcl", literals_only=True)
    assert str(info.value.diagnostics[0]).startswith(expected)
