"""HCL nesting and token limits: checked on the text, reported at the place, and nothing real is refused."""

from __future__ import annotations

import time

import pytest

from jobguard.jobspec import JobspecError
from jobguard.jobspec.hcl.prescan import prescan_error
from jobguard.jobspec.limits import MAX_JOB_FILE_SIZE, MAX_NESTING_DEPTH

from hclhelpers import job_of, load

# the task's config is inside 4 braces (job, group, task, config) and the attribute starts a fresh chain
TEMPLATE = 'job "x" {{\n  group "g" {{\n    task "t" {{\n      driver = "docker"\n      config {{\n' \
           '        args = {value}\n      }}\n    }}\n  }}\n}}\n'
ROOM = MAX_NESTING_DEPTH - 4

DEEP = {
    "list": lambda n: "[" * n + "1" + "]" * n,
    "paren": lambda n: "(" * n + "1" + ")" * n,
    "object": lambda n: "{a = " * n + "1" + "}" * n,
    "call": lambda n: "abs(" * n + "1" + ")" * n,
    "template": lambda n: '"${' * n + "1" + '}"' * n,
    "plus": lambda n: " + ".join(["1"] * (n + 1)),
    "not": lambda n: "!" * n + "true",
    "conditional": lambda n: "true ? " * n + "1" + " : 2" * n,
    "attribute": lambda n: "{a = 1}" + ".a" * n,
    "directive": lambda n: '"' + "%{ if true }" * n + "x" + "%{ endif }" * n + '"',
    "heredoc": lambda n: "<<EOT\n" + "${" * n + "1" + "}" * n + "\nEOT\n",
}


@pytest.mark.parametrize("depth", [5_000, 100_000])
@pytest.mark.parametrize("kind", sorted(DEEP))
def test_deep_nesting_is_a_located_error_in_well_under_a_second(kind, depth):
    text = TEMPLATE.format(value=DEEP[kind](depth))
    start = time.process_time()
    with pytest.raises(JobspecError) as info:
        load(text)
    assert time.process_time() - start < 1.0
    diag = info.value.diagnostics[0]
    if len(text) > MAX_JOB_FILE_SIZE:  # the size limit comes first
        assert diag.summary == "File too large", diag
        return
    assert diag.summary == "Nesting too deep", diag
    assert diag.line >= 6 and diag.column > 1
    assert "100 levels" in diag.detail


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deep_blocks(depth):
    body = "a {\n" * depth + "}\n" * depth
    text = TEMPLATE.format(value='"x"').replace("config {\n", "config {\n" + body)
    with pytest.raises(JobspecError, match="Nesting too deep") as info:
        load(text)
    assert info.value.diagnostics[0].line == 5 + MAX_NESTING_DEPTH - 4 + 1  # the 101st brace


def test_just_under_the_limit_loads_through_every_stage():
    for kind in ("list", "object", "call", "paren"):
        job = job_of(TEMPLATE.format(value=DEEP[kind](ROOM - 2)))
        assert job["TaskGroups"][0]["Tasks"][0]["Config"]["args"] is not None
    body = "a {\n" * (ROOM - 1) + "}\n" * (ROOM - 1)
    job_of(TEMPLATE.format(value='"x"').replace("config {\n", "config {\n" + body))


def test_the_counted_depth_matches_the_limit_exactly():
    assert prescan_error("x = " + "[" * MAX_NESTING_DEPTH + "]" * MAX_NESTING_DEPTH + "\n") is None
    error = prescan_error("x = " + "[" * (MAX_NESTING_DEPTH + 1) + "]" * (MAX_NESTING_DEPTH + 1) + "\n")
    assert error.rng[:2] == (1, 5 + MAX_NESTING_DEPTH)


def test_separators_end_an_operator_chain():
    chain = " + ".join(["1"] * 60)
    text = "x = [" + ", ".join([chain] * 50) + "]\n" + "\n".join(f"y{i} = {chain}" for i in range(50)) + "\n"
    assert prescan_error(text) is None
    assert prescan_error("x = {\n" + "\n".join(f"  k{i} = {chain}" for i in range(50)) + "\n}\n") is None


def test_strings_comments_and_heredocs_do_not_count_as_code():
    text = ('x = "' + "[" * 300 + '"\n'  # brackets in a string
            + "# " + "(" * 300 + "\n"  # in comments
            + "/* " + "{" * 300 + " */\n"
            + "y = <<EOT\n" + "[" * 300 + " $${not} %%{ if } \nEOT\n"  # in a heredoc's text
            + 'z = "a-b-c ${var.a-b} - - - ${"${1}"}"\n')
    assert prescan_error(text) is None


def test_token_limit():
    text = "x = [" + ",".join(["1"] * 60_000) + "]\n"
    error = prescan_error(text)
    assert error is not None and error.summary == "Too many tokens" and error.rng[0] == 1
    assert prescan_error(text, max_tokens=200_000) is None


def test_heredoc_interpolations_and_directives_nest():
    deep = "<<EOT\n" + "%{ for i in [1] }" * 120 + "x" + "%{ endfor }" * 120 + "\nEOT\n"
    assert prescan_error("x = " + deep) is not None
    flat = "<<EOT\n" + "%{ for i in [1] }x%{ endfor }\n" * 500 + "EOT\n"
    assert prescan_error("x = " + flat) is None
