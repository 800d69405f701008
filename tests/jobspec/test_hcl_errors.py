"""Diagnostics shaped like Nomad's (summary, detail, line:col), and no traceback for any input."""

from __future__ import annotations

import string

from hclhelpers import errors_of, load, task_job
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobguard.jobspec import JobspecError


def test_unsupported_argument_with_hint_at_its_name():
    diags = errors_of('job "j" {\n  group "g" {\n    coun = 1\n  }\n}')
    assert str(diags[0]) == ('job.hcl:3:5: Unsupported argument; An argument named "coun" is not expected here. '
                             'Did you mean "count"?')


def test_argument_written_as_block_and_block_as_argument():
    diags = errors_of('job "j" {\n  group "g" {\n    count {\n    }\n  }\n}')
    assert diags[0].summary == "Unsupported block type"
    assert 'Did you mean to define argument "count"?' in diags[0].detail
    diags = errors_of('job "j" {\n  group "g" {\n    restart = {}\n  }\n}')
    assert 'Did you mean to define a block of type "restart"?' in diags[0].detail


def test_all_diagnostics_are_reported():
    diags = errors_of('job "j" {\n  foo = 1\n  group "g" {\n    bar = 2\n  }\n}')
    assert [(d.line, d.summary) for d in diags] == [(2, "Unsupported argument"), (4, "Unsupported argument")]


def test_labels_and_duplicates():
    assert errors_of('job "j" {\n  group {\n  }\n}')[0].summary == "Missing name for group"
    assert errors_of('job "j" {\n  group "a" "b" {\n  }\n}')[0].summary == "Extraneous label for group"
    diags = errors_of(task_job("", group_body="ephemeral_disk {\n}\nephemeral_disk {\n}"))
    assert diags[0].summary == "Duplicate ephemeral_disk block"
    assert errors_of('job "a" {}\njob "b" {}')[0].summary == "Duplicate job block"
    assert errors_of('variable "x" {\n default = 1\n}')[0].summary == "Missing job block"
    assert errors_of('jobb "a" {}')[0].summary == "Unsupported block type"


def test_type_errors_point_at_the_value():
    diags = errors_of('job "j" {\n  priority = "high"\n}')
    assert str(diags[0]) == "job.hcl:2:15: Unsuitable value type; Unsuitable value: a number is required"
    diags = errors_of('job "j" {\n  datacenters = "dc1"\n}')
    assert diags[0].detail == "Unsuitable value: list of string required"


def test_syntax_errors_like_hcl():
    assert errors_of('job "j" {\n  a = 1,\n}')[0].summary == "Unexpected comma after argument"
    diags = errors_of('job "j" {\n  "a" = 1\n}')
    assert (diags[0].summary, diags[0].line, diags[0].column) == ("Invalid argument name", 2, 3)
    diags = errors_of('job "j" {\n  group "g" {\n')
    assert (diags[0].summary, diags[0].line) == ("Unclosed configuration block", 2)
    diags = errors_of('job "j" {\n  a.b = 1\n}')
    assert (diags[0].summary, diags[0].column) == ("Argument or block definition required", 3)
    diags = errors_of('job "j" {\n  update { stagger = "1s" max_parallel = 1 }\n}')
    assert diags[0].summary == "Invalid single-argument block definition"
    diags = errors_of('job "j" {\n  meta {\n    a = "${x:-1}"\n  }\n}')
    assert diags[0].summary == "Extra characters after interpolation expression"
    diags = errors_of('job "j${x}" {}')
    assert diags[0].summary == "Invalid string literal"
    diags = errors_of('job "j" {\n  a = "x" | "y"\n}')
    assert any(d.summary == "Unsupported operator" for d in diags)
    diags = errors_of("job 'j' {\n  /* it's fine here */\n}")
    assert [(d.summary, d.line, d.column) for d in diags][0] == ("Invalid character", 1, 5)


def test_file_function_missing_file(tmp_path):
    diags = errors_of(task_job('template {\n  data = file("nope.tpl")\n  destination = "x"\n}'), cwd=str(tmp_path))
    assert diags[0].summary == "Error in function call"
    assert 'Call to function "file" failed' in diags[0].detail


VALID = task_job('config {\n  image = "x"\n  args = ["-v", "${NOMAD_TASK_DIR}"]\n}\nenv {\n  A = 1\n}',
                 group_body="count = 2\nrestart {\n  delay = \"5s\"\n}")


def _clean_load(text: str) -> None:
    try:
        load(text)
    except JobspecError as exc:
        for diag in exc.diagnostics:
            assert diag.summary and isinstance(diag.line, int)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=string.printable + "é${}%~", max_size=200))
def test_random_text_gives_a_clean_error(text):
    _clean_load(text)


VALID_JSON = '{"job": {"j": {"group": {"g": {"count": 2, "task": {"t": {"driver": "docker", "config": ' \
    '{"image": "${upper(\\"x\\")}"}, "env": {"A": 1}}}}}}}}'


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_garbled_job_gives_a_clean_error(data):
    text = data.draw(st.sampled_from([VALID, VALID_JSON]))
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:pos] + text[pos + data.draw(st.integers(1, 6)):]
        else:
            junk = data.draw(st.sampled_from(['"', "{", "}", "${", "=", "\n", "[", ",", "<<EOT\n", "%{"]))
            text = text[:pos] + junk + text[pos:]
    _clean_load(text)


def test_block_brace_must_open_on_the_header_line():
    diags = errors_of('job "x"\n{\n}\n')
    assert (diags[0].summary, diags[0].line, diags[0].column) == ("Invalid block definition", 1, 8)


def test_hint_ties_go_to_the_name_declared_first():
    """HCL suggests the first close name in declaration order; among equally close names jobguard does the same."""
    for first, second in (("ac", "ab"), ("ab", "ac")):
        text = f'locals {{\n  {first} = 1\n  {second} = 2\n}}\njob "j" {{\n  meta {{\n    x = local.aa\n  }}\n}}'
        assert errors_of(text)[0].detail.endswith(f'Did you mean "{first}"?')


def test_second_single_block_names_the_first_one():
    for block in ("ephemeral_disk", "meta"):
        diags = errors_of(task_job("", group_body=f"{block} {{\n}}\n{block} {{\n}}"))
        assert str(diags[0]) == (f"job.hcl:7:1: Duplicate {block} block; Only one {block} block is allowed. Another "
                                 f"was defined at job.hcl:5,5-{len(block) + 6}.")
