"""Filesystem functions: relative paths against the base directory, Go path semantics, doublestar globs."""

import os

import pytest

from jobguard.jobspec.functions import FunctionError, call_function
from jobguard.jobspec.functions.filesystem import go_base, go_clean, go_dir


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "app.hcl").write_text("port = 80\n")
    (tmp_path / "conf" / "nested").mkdir()
    (tmp_path / "conf" / "nested" / "db.hcl").write_text("x")
    (tmp_path / "conf" / "nested" / "notes.txt").write_text("y")
    (tmp_path / "binary.bin").write_bytes(b"\xff\xfe\x00")
    return tmp_path


def test_file_relative_to_base_dir(tree):
    assert call_function("file", ["conf/app.hcl"], base_dir=str(tree)) == "port = 80\n"
    assert call_function("filebase64", ["binary.bin"], base_dir=str(tree)) == "//4A"


def test_file_relative_to_cwd_by_default(tree, monkeypatch):
    monkeypatch.chdir(tree)
    assert call_function("file", ["./conf/../conf/app.hcl"]) == "port = 80\n"
    with pytest.raises(FunctionError) as exc:
        call_function("file", ["missing.txt"])
    assert exc.value.message == "no file exists at missing.txt"


def test_file_errors(tree):
    with pytest.raises(FunctionError) as exc:
        call_function("file", ["binary.bin"], base_dir=str(tree))
    assert exc.value.message.startswith("contents of binary.bin are not valid UTF-8; use the filebase64 function")
    with pytest.raises(FunctionError) as exc:
        call_function("file", [str(tree / "nope")])
    assert exc.value.message == f"no file exists at {tree / 'nope'}"
    with pytest.raises(FunctionError) as exc:
        call_function("file", ["conf"], base_dir=str(tree))
    assert exc.value.message == "failed to read conf"  # reported relative, as Nomad (empty base dir) does
    with pytest.raises(FunctionError) as exc:
        call_function("file", ["./conf/../nope.txt"], base_dir=str(tree))
    assert exc.value.message == "no file exists at nope.txt"
    with pytest.raises(FunctionError) as exc:
        call_function("file", ["~root/x"])
    assert exc.value.message == "failed to expand ~: cannot expand user-specific home dir"


def test_file_expands_home(tree, monkeypatch):
    monkeypatch.setenv("HOME", str(tree))
    assert call_function("file", ["~/conf/app.hcl"]) == "port = 80\n"
    assert call_function("pathexpand", ["~/x/y"]) == f"{tree}/x/y"
    assert call_function("pathexpand", ["/etc/~"]) == "/etc/~"


def test_fileexists(tree):
    assert call_function("fileexists", ["conf/app.hcl"], base_dir=str(tree)) is True
    assert call_function("fileexists", ["conf/none"], base_dir=str(tree)) is False
    with pytest.raises(FunctionError) as exc:
        call_function("fileexists", ["conf"], base_dir=str(tree))
    # Go's FileMode string; the group/other bits depend on the umask
    assert exc.value.message.startswith('conf is not a regular file, but "drwx')


@pytest.mark.parametrize(("pattern", "expected"), [
    ("*.hcl", ["app.hcl"]),
    ("**/*.hcl", ["app.hcl", "nested/db.hcl"]),
    ("**", ["app.hcl", "nested/db.hcl", "nested/notes.txt"]),
    ("nested/*.{txt,hcl}", ["nested/db.hcl", "nested/notes.txt"]),
    ("nested/[d]?.hcl", ["nested/db.hcl"]),
    ("*.nomad", []),
])
def test_fileset(tree, pattern, expected):
    assert call_function("fileset", ["conf", pattern], base_dir=str(tree)) == expected


def test_fileset_bad_pattern(tree):
    with pytest.raises(FunctionError) as exc:
        call_function("fileset", ["conf", "[a"], base_dir=str(tree))
    assert exc.value.message == "failed to glob pattern (conf/[a): syntax error in pattern"


def test_path_helpers_follow_go():
    assert go_clean("a//b/./c/..") == "a/b"
    assert go_clean("/../x") == "/x"
    assert go_clean("") == "."
    assert call_function("basename", ["foo/bar/baz.txt"]) == "baz.txt"
    assert call_function("basename", ["foo/bar/"]) == "bar"
    assert go_base("") == "." and go_base("///") == "/"
    assert call_function("dirname", ["foo/bar/baz.txt"]) == "foo/bar"
    assert call_function("dirname", ["baz.txt"]) == "."
    assert go_dir("/a") == "/"
    assert call_function("abspath", ["/a/../b/"]) == "/b"
    assert call_function("abspath", ["x"]) == os.getcwd() + "/x"
