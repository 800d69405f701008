"""API paths as text: ``format_path`` (what reports print) and ``parse_path`` (reading such text back, e.g. a
hand-made finding or an old report), and the source map's nearest-ancestor lookup."""

import pytest

from jobguard.jobspec.sourcemap import SourceMap, format_path, parse_path

PATHS = [
    ("TaskGroups", 0, "Tasks", 1, "Env", "DB_PASSWORD"),
    ("Meta", "jobguard.ignore"),
    ("Env", 'we"ird'), ("Env", "back\\slash"), ("Env", "a]b"), ("Env", "[x"), ("Env", ""),
    ("Env", "0"), ("Env", "1abc"), ("Env", "a²"), ("Env", "Äpfel_1"), ("Meta", "multi\nline"),
    ("ID",), (),
]


@pytest.mark.parametrize("path", PATHS, ids=repr)
def test_parse_path_inverts_format_path(path):
    assert parse_path(format_path(path)) == path


def test_format_path_forms():
    assert format_path(("TaskGroups", 0, "Tasks", 1, "Env", "A.B")) == 'TaskGroups[0].Tasks[1].Env["A.B"]'
    assert format_path(("Env", "0")) == 'Env["0"]'
    assert format_path(()) == ""


@pytest.mark.parametrize("text", [".TaskGroups", "TaskGroups..Tasks", "TaskGroups.", "A[x]", 'A["open', "A[0]B"])
def test_parse_path_refuses_text_format_path_cannot_write(text):
    with pytest.raises(ValueError, match="not an API path"):
        parse_path(text)


def test_lookup_falls_back_to_the_nearest_ancestor():
    smap = SourceMap("job.nomad.hcl")
    smap.add(("TaskGroups", 0), 3, 3)
    assert str(smap.lookup(("TaskGroups", 0, "Tasks", 2, "Env"))) == "job.nomad.hcl:3:3"
    assert smap.lookup(("Meta",)) is None
