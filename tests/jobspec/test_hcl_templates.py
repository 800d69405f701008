"""Template whitespace exactly as hclsyntax handles it: strip markers and the ``<<-`` flush-heredoc rule.

hclsyntax (parser_template.go) works on literal *tokens*: its heredoc scanner cuts the body into one token per line
(a token also ends at ``${``/``%{``), a quoted string's literal run is a single token. Then:

* ``${~``/``%{~`` trims trailing whitespace off the one literal token just before, ``~}`` leading whitespace off the
  one just after -- in a heredoc that is at most up to and including the first newline;
* ``<<-`` (flushHeredocTemplateParts) looks only at tokens that start a line: the first token, and any token after
  a literal ending in a newline. A literal there adds its leading whitespace (grapheme clusters: a tab counts one)
  to the minimum, unless it is a blank line (whitespace ending in a newline, left untouched); an interpolation or
  directive there makes the minimum 0. The minimum is removed from those line-starting literals only.

So text after a directive whose newline a ``~}`` removed keeps all of its indentation (the case in issue 11).
"""

from __future__ import annotations

import pytest
from hclhelpers import errors_of, job_of, task_job

PRELUDE = """locals {
  upstreams = ["a:80", "b:80"]
  l         = ["p", "q"]
  groups    = ["g1", "g2"]
  on        = true
  off       = false
  n         = 3
}
"""


def value_of(attr: str) -> object:
    """The value of ``v`` in a task's ``config``; ``attr`` is the whole ``v = ...`` text, lines as written."""
    task = job_of(task_job("config {\n" + attr + "\n}", prelude=PRELUDE))["TaskGroups"][0]["Tasks"][0]
    return task["Config"]["v"]


def heredoc(body: str, flush: bool = True) -> object:
    """``v = <<-EOT`` (or ``<<EOT``) with ``body`` (lines as written, indentation included) and ``    EOT``."""
    return value_of(f"    v = <<{'-' if flush else ''}EOT\n{body}    EOT")


UPSTREAM = """      upstream backend {{
      %{{{l} for u in local.upstreams {r}}}
        server ${{u}};
      %{{{l} endfor {r}}}
      }}
"""


def upstream(left: str = "", right: str = "") -> str:
    return UPSTREAM.format(l=left, r=right)


def test_flush_heredoc_keeps_the_indentation_of_text_after_a_stripped_directive():
    """Issue 11: only ``upstream backend {`` starts a line; the ``server`` lines and ``}`` follow a ``~}``."""
    assert heredoc(upstream(right="~")) == "upstream backend {\n        server a:80;\n        server b:80;\n      }\n"


def test_flush_heredoc_without_strip_markers_trims_every_line():
    assert heredoc(upstream()) == "upstream backend {\n\n  server a:80;\n\n  server b:80;\n\n}\n"


def test_flush_heredoc_with_a_left_strip_marker_on_an_indented_directive_trims_nothing():
    """``%{~`` empties the indentation token before it; that empty token starts a line with 0 indentation."""
    want = "      upstream backend {\n        server a:80;\n        server b:80;\n      }\n"
    assert heredoc(upstream(left="~", right="~")) == want


def test_left_strip_marker_alone_in_flush_heredoc():
    want = "      upstream backend {\n\n        server a:80;\n\n        server b:80;\n\n      }\n"
    assert heredoc(upstream(left="~")) == want


def test_plain_heredoc_strip_markers_stop_at_the_first_newline():
    want = ("      upstream backend {\n      " + "        server a:80;\n      " + "        server b:80;\n      "
            + "      }\n")
    assert heredoc(upstream(right="~"), flush=False) == want


IF_ELSE = """      start
      %{{ if local.{cond} {r}}}
        yes
      %{{ else {r}}}
        no
      %{{ endif {r}}}
      end
"""


@pytest.mark.parametrize("cond, right, want", [
    ("on", "~", "start\n        yes\n      end\n"),
    ("off", "~", "start\n        no\n      end\n"),
    ("on", "", "start\n\n  yes\n\nend\n"),
    ("off", "", "start\n\n  no\n\nend\n"),
])
def test_if_else_in_flush_heredoc(cond, right, want):
    assert heredoc(IF_ELSE.format(cond=cond, r=right)) == want


@pytest.mark.parametrize("cond, want", [("on", "      start\n        yes\n      end\n"),
                                        ("off", "      start\n        no\n      end\n")])
def test_if_else_in_plain_heredoc_with_strip_markers_on_both_sides(cond, want):
    """``%{~`` removes only the indentation token on its own line, not the newline ending the line above."""
    body = IF_ELSE.format(cond=cond, r="~").replace("%{ ", "%{~ ")
    assert heredoc(body, flush=False) == want


def test_nested_directives_in_flush_heredoc():
    body = """      %{ for g in local.groups ~}
      [${g}]
        %{ for x in local.l ~}
        ${g}-${x}
        %{ endfor ~}
      %{ endfor ~}
      done
"""
    want = ("      [g1]\n          g1-p\n          g1-q\n"
            "              [g2]\n          g2-p\n          g2-q\n"
            "              done\n")
    assert heredoc(body) == want


def test_nested_directives_without_strip_markers_in_flush_heredoc():
    body = """      %{ for x in local.l }
        %{ if x == "p" }
        first ${x}
        %{ else }
        other ${x}
        %{ endif }
      %{ endfor }
"""
    # lines start with 6, 8, 8, 8, 8, 8, 6 spaces: 6 go; every directive line leaves its indentation and newline
    first = "\n" + "  " + "\n  first p\n  " + "\n"
    other = "\n" + "  " + "\n  other q\n  " + "\n"
    assert heredoc(body) == first + other + "\n"


def test_interpolation_at_line_start():
    assert heredoc('      a\n    ${"b"}\n      c\n') == "  a\nb\n  c\n"  # its indentation token counts
    assert heredoc('      a\n${"b"}\n      c\n') == "      a\nb\n      c\n"  # at column 1: nothing is removed
    assert heredoc('      ${"a"} ${"b"}\n      c\n') == "a b\nc\n"


def test_blank_lines_are_ignored_and_kept_as_written():
    assert heredoc("        a\n\n  \n        b\n") == "a\n\n  \nb\n"
    assert heredoc("        a\n            \n        b\n") == "a\n            \nb\n"


def test_tabs_and_spaces_each_count_as_one_character():
    assert heredoc("\t\ta\n\t  b\n    c\n") == "a\n b\n  c\n"
    assert heredoc("\t\ta\n        b\n") == "a\n      b\n"


def test_right_strip_marker_in_a_heredoc_stops_at_the_first_newline_but_not_in_a_quoted_string():
    assert heredoc('%{ if true ~}\n\n  x\n%{ endif }\n', flush=False) == "\n  x\n\n"
    assert value_of('    v = "%{ if true ~}\\n\\n  x%{ endif }"') == "x"


def test_left_strip_marker_in_a_heredoc_reaches_back_only_over_its_own_token():
    assert heredoc('foo  \n   ${~ "x"}\n', flush=False) == "foo  \nx\n"
    assert heredoc('foo  \n${~ "x"}\n', flush=False) == "foox\n"
    assert heredoc('foo  \n\n${~ "x"}\n', flush=False) == "foo  \nx\n"


@pytest.mark.parametrize("expr, want", [
    ('"[%{ for x in local.l ~}  ${x}, %{~ endfor ~}  ]"', "[p,q,]"),
    ('"<%{ if local.on ~} yes %{~ else ~} no %{~ endif ~} >"', "<yes>"),
    ('"<%{ if local.off ~} yes %{~ else ~} no %{~ endif ~} >"', "<no>"),
    ('"<%{ if local.on } yes %{ else } no %{ endif } >"', "< yes  >"),
    ('"a\\t\\n ${~ "x" ~} \\u00a0b"', "axb"),  # Go's unicode.IsSpace: escapes and no-break space are whitespace
    ('"%{ for x in local.l }%{ if x == "q" ~} [${x}] %{~ endif }%{ endfor }"', "[q]"),
])
def test_strip_markers_in_quoted_strings(expr, want):
    assert value_of(f"    v = {expr}") == want


@pytest.mark.parametrize("expr, want", [
    ('"${local.n}"', 3),
    ('"${~ local.n ~}"', 3),
    ('"${local.n ~} "', "3"),  # the emptied literal is still a token: a template, so a string
    ('" ${~ local.n}"', "3"),
])
def test_only_a_lone_interpolation_keeps_its_type(expr, want):
    assert value_of(f"    v = {expr}") == want


def test_expressions_in_a_flush_heredoc_are_located_in_the_file():
    text = task_job("config {\n    v = <<-EOT\n      one\n        ${nope(1)}\n    EOT\n}")
    line = text.splitlines().index("        ${nope(1)}") + 1
    diag = errors_of(text)[0]
    assert diag.summary == "Call to unknown function"
    assert (diag.line, diag.column) == (line, 11)


def test_hcl_json_strings_are_bare_templates_cut_per_line():
    """HCL's JSON syntax parses a string as a bare template, whose scanner also cuts literal tokens per line."""
    import json

    value = "%{ if true ~}\n\n  x%{ endif }"
    doc = {"job": {"j": {"group": {"g": {"task": {"t": {"driver": "docker", "config": {"v": value}}}}}}}}
    task = job_of(json.dumps(doc))["TaskGroups"][0]["Tasks"][0]
    assert task["Config"]["v"] == "\n  x"  # the quoted-string spelling of the same template gives "x"
