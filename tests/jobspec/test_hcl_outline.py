"""The outline of an HCL file: block/attribute extents (heredocs included) and comments, from the job parse."""

from __future__ import annotations

from jobguard.jobspec.hcl.outline import read_outline

TEXT = """\
# top comment
job "x" {
  group "g" { # trailing
    task "t" {
      template {
        data = <<EOT
# not a comment: heredoc text
EOT
      }
      // slash comment
      env { A = "1" }
    }
  }
}
"""


def test_spans_cover_blocks_and_attributes():
    spans = [(s.kind, s.name, s.line, s.end_line) for s in read_outline(TEXT).spans]
    assert spans[:4] == [("block", "job", 2, 14), ("block", "group", 3, 13), ("block", "task", 4, 12),
                         ("block", "template", 5, 9)]
    assert ("attribute", "data", 6, 8) in spans and ("attribute", "A", 11, 11) in spans


def test_comments_with_positions_and_placement():
    comments = [(c.text, c.line, c.column, c.own_line)
                for c in read_outline(TEXT).comments]
    assert comments == [("# top comment", 1, 1, True), ("# trailing", 3, 15, False),
                        ("// slash comment", 10, 7, True)]


def test_strip_markers_and_padded_heredoc_markers_have_an_outline():
    # both used to defeat the second parser suppressions had, although the job loaded
    text = 'job "x" {\n  # c\n  meta = { a = "a ${~ "x" ~} b" }\n  t = <<EOT  \nhi\nEOT  \n}\n'
    outline = read_outline(text)
    assert [(c.text, c.line) for c in outline.comments] == [("# c", 2)]
    assert [(s.name, s.line, s.end_line) for s in outline.spans] == [("job", 1, 7), ("meta", 3, 3), ("t", 4, 6)]
