"""Every HCL2 expression kind, evaluated as Nomad's jobspec2 does (values observed through a task's config)."""

from __future__ import annotations

import pytest
from hclhelpers import attr_value, errors_of, task_job, task_of


@pytest.mark.parametrize("expr, want", [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("7 / 2", 3.5),
    ("8 / 2", 4),
    ("-7 % 3", -1),
    ("10 - 2 - 3", 5),
    ("\"5\" + 1", 6),
    ("-(3)", -3),
    ("1.5 * 2", 3),
])
def test_arithmetic(expr, want):
    assert attr_value(expr) == want


@pytest.mark.parametrize("expr, want", [
    ("1 == 1", True), ("1 == \"1\"", False), ("[1, 2] == [1, 2]", True), ("{a = 1} != {a = 2}", True),
    ("2 < 3", True), ("3 <= 2", False), ("\"10\" > 9", True),
    ("true && false", False), ("true || false", True), ("!true", False), ("\"true\" && true", True),
])
def test_comparison_and_logic(expr, want):
    assert attr_value(expr) is want


def test_conditional_unifies_number_with_string():
    assert attr_value('true ? 1 : "x"') == "1"
    assert attr_value("false ? 1 : 2") == 2
    assert attr_value("1 > 2 ? [1] : [2, 3]") == [2, 3]


def test_conditional_errors_only_from_the_chosen_branch():
    assert attr_value("true ? 1 : var.missing", prelude="") == 1


def test_collections_index_attribute_and_splat():
    prelude = 'locals {\n  xs = [{ a = 1, b = [10, 20] }, { a = 2, b = [30] }]\n  m = { k = "v", "x.y" = 2 }\n}'
    assert attr_value("local.xs[1].a", prelude) == 2
    assert attr_value("local.xs.0.b[1]", prelude) == 20
    assert attr_value("local.xs[*].a", prelude) == [1, 2]
    assert attr_value("local.xs.*.a", prelude) == [1, 2]
    assert attr_value('local.m["x.y"]', prelude) == 2
    assert attr_value("local.m.k", prelude) == "v"
    assert attr_value('local.xs[0]["a"]', prelude) == 1
    assert attr_value("[1, 2, 3][1]", prelude) == 2


def test_for_expressions():
    prelude = 'locals {\n  m = { b = 2, a = 1, c = 3 }\n  l = ["x", "y"]\n}'
    assert attr_value("[for k, v in local.m : k]", prelude) == ["a", "b", "c"]  # maps iterate in key order
    assert attr_value("[for v in local.m : v * 10 if v > 1]", prelude) == [20, 30]
    assert attr_value("[for i, v in local.l : \"${i}-${v}\"]", prelude) == ["0-x", "1-y"]
    # a for-expression is not an object constructor, so config does not wrap it in a list
    assert attr_value("{for k, v in local.m : v => k}", prelude) == {"1": "a", "2": "b", "3": "c"}
    assert attr_value('{for v in ["a", "b", "a"] : v => v...}', prelude) == {"a": ["a", "a"], "b": ["b"]}


def test_duplicate_key_in_for_object_is_an_error():
    diags = errors_of(task_job('config {\n v = {for v in ["a", "a"] : v => v}\n}'))
    assert diags[0].summary == "Duplicate object key"


def test_string_templates_and_directives():
    prelude = 'locals {\n  n = 3\n  names = ["a", "b"]\n}'
    assert attr_value('"n=${local.n}"', prelude) == "n=3"
    assert attr_value('"%{ if local.n > 2 }big%{ else }small%{ endif }"', prelude) == "big"
    assert attr_value('"%{ for x in local.names }${x};%{ endfor }"', prelude) == "a;b;"
    assert attr_value('"a \\"q\\" \\n \\t \\u00e9"', prelude) == 'a "q" \n \t é'
    assert attr_value('"$${literal} %%{ x }"', prelude) == "${literal} %{ x }"


def test_single_interpolation_keeps_the_value_type():
    prelude = 'locals {\n  n = 3\n  l = [1]\n}'
    assert attr_value('"${local.n}"', prelude) == 3
    assert attr_value('"${local.l}"', prelude) == [1]


def test_heredocs_with_indentation_trim_and_strip_markers():
    task = task_of('''config {
  a = <<EOT
  keep ${1 + 1}
EOT
  b = <<-EOT
    one
      two
    EOT
  c = <<-EOT
    %{~ for x in ["p", "q"] ~}
    ${x}
    %{~ endfor ~}
    EOT
}''')
    assert task["Config"]["a"] == "  keep 2\n"
    assert task["Config"]["b"] == "one\n  two\n"
    # hclsyntax: %{~ empties the indentation token before it, and an empty line-starting literal counts as no
    # indentation, so <<- removes nothing here (tests/jobspec/test_hcl_templates.py has the full rule)
    assert task["Config"]["c"] == "    p\n    q\n"


def test_runtime_references_stay_verbatim():
    task = task_of('''config {
  a = "${NOMAD_ALLOC_DIR}/data"
  b = "${attr.unique.hostname}"
  c = "${node.unique.name}-${meta.rack}"
  d = "${env["weird.name"]}"
  e = "${device.model}"
}''')
    assert task["Config"] == {"a": "${NOMAD_ALLOC_DIR}/data", "b": "${attr.unique.hostname}",
                              "c": "${node.unique.name}-${meta.rack}", "d": '${env["weird.name"]}',
                              "e": "${device.model}"}


def test_undeclared_variable_attribute_is_an_error_with_a_hint():
    text = task_job('config {\n v = var.imagee\n}', prelude='variable "image" {\n default = "x"\n}')
    diags = errors_of(text)
    assert diags[0].summary == "Unsupported attribute"
    assert 'Did you mean "image"?' in diags[0].detail
    line = text.splitlines().index(" v = var.imagee") + 1
    assert (diags[0].line, diags[0].column) == (line, 9)  # HCL points at the ".imagee" step


def test_functions_are_called_and_unknown_ones_rejected():
    assert attr_value('upper("abc")') == "ABC"
    assert attr_value('join("-", ["a", "b"])') == "a-b"
    assert attr_value('max([1, 5, 2]...)') == 5
    diags = errors_of(task_job('config {\n v = uper("x")\n}'))
    assert diags[0].summary == "Call to unknown function"
    assert 'Did you mean "upper"?' in diags[0].detail


def test_functions_are_go_ctys_not_terraforms():
    """Issue 11: Nomad links go-cty's stdlib, whose coalesce skips only nulls (Terraform's skips "" too)."""
    prelude = 'variable "name" {\n  default = ""\n}'
    assert attr_value('coalesce(var.name, "fallback")', prelude) == ""
    assert attr_value('coalesce(null, "fallback")') == "fallback"
    assert attr_value('element(["a", "b", "c"], -1)') == "c"


def test_try_and_can_see_errors():
    prelude = 'locals {\n  m = { a = 1 }\n}'
    assert attr_value("try(local.m.b, local.m.a)", prelude) == 1
    assert attr_value("can(local.m.b)", prelude) is False
    assert attr_value("can(local.m.a)", prelude) is True


def test_operator_type_errors():
    diags = errors_of(task_job('config {\n v = 1 + "x"\n}'))
    assert diags[0].summary == "Invalid operand"
    diags = errors_of(task_job('config {\n v = [1][3]\n}'))
    assert diags[0].summary == "Invalid index"
    diags = errors_of(task_job('config {\n v = "x${[1]}"\n}'))
    assert diags[0].summary == "Invalid template interpolation value"


def test_grammar_gaps_of_python_hcl2_are_covered():
    from hclhelpers import job_of

    # a comment on the last line without a newline, CRLF line ends, spaces after a heredoc's markers
    assert job_of('job "j" {\r\n  region = "r"\r\n}\r\n# end')["Region"] == "r"
    task = task_of('config {\n  a = <<EOT  \nx\nEOT  \n  b = 1\n}')
    assert task["Config"] == {"a": "x\n", "b": 1}
    # a single-line block holding one argument is fine
    assert task_of("resources { cpu = 100 }")["Resources"]["CPU"] == 100


def test_sets_iterate_with_the_value_as_key():
    assert attr_value('[for k, v in setunion(["b"], ["a"]) : "${k}=${v}"]') == ["a=a", "b=b"]
    assert attr_value('[for k, v in distinct(["b", "a", "b"]) : k]') == [0, 1]  # a list keeps indices


def test_strip_markers_in_quoted_string_interpolations():
    assert attr_value('"a   ${~ "x" ~}   b ${"y"}"') == "axb y"
