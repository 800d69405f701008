"""Positions read from python-hcl2's tree: block/attribute extents (heredocs included) and comments."""

from __future__ import annotations

import pytest

from jobguard.engine import hcl_tree

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
    spans = [(s.kind, s.name, s.line, s.end_line) for s in hcl_tree.spans(hcl_tree.parse(TEXT, "j.hcl"))]
    assert spans[:4] == [("block", "job", 2, 14), ("block", "group", 3, 13), ("block", "task", 4, 12),
                         ("block", "template", 5, 9)]
    assert ("attribute", "data", 6, 8) in spans and ("attribute", "A", 11, 11) in spans


def test_comments_with_positions_and_placement():
    comments = [(c.text, c.line, c.column, c.own_line)
                for c in hcl_tree.comments(hcl_tree.parse(TEXT, "j.hcl"), TEXT)]
    assert comments == [("# top comment", 1, 1, True), ("# trailing", 3, 15, False),
                        ("// slash comment", 10, 7, True)]


def test_literal_rejects_references():
    tree = hcl_tree.parse("a = b.c\n", "x.hcl")
    attribute = tree.children[0].children[0]
    with pytest.raises(hcl_tree.HclSyntaxError) as info:
        hcl_tree.literal(attribute.children[-1], "x.hcl")
    assert str(info.value.diagnostic) == ("x.hcl:1:5: Unsupported expression; only literal values (strings, numbers, "
                                          "booleans, lists, objects) are allowed")
