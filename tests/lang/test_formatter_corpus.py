"""``jobguard fmt`` against real policy libraries kept clean with ``sentinel fmt -check`` (read from ../shared).

The foundational library's files are exactly what ``sentinel fmt`` writes: each must come out byte-identical, and
damaged copies of them (re-indented, alignment collapsed, blank lines added, trailing commas dropped) must come
back to the original bytes. Every other corpus file must keep its meaning and be stable under a second run.
The rules themselves are pinned by test_formatter.py, which needs no outside files.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jobguard.cli import cli
from jobguard.lang.astcompare import ast_equal
from jobguard.lang.formatter import format_source
from jobguard.lang.parser import parse
from jobguard.lang.testing import find_policies, run_policy_tests

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "sentinel"
FOUNDATIONAL = SHARED / "terraform" / "foundational"

pytestmark = pytest.mark.skipif(not FOUNDATIONAL.is_dir(),
                                reason=f"policy corpus not found at {SHARED} (the shared measuring material)")


def _files(root: Path, mocks: bool = True) -> list[Path]:
    files = sorted(root.rglob("*.sentinel"))
    if not mocks:
        files = [p for p in files if not re.search(r"mock|testdata", str(p.relative_to(root)))]
    return files


def _foundational_policies() -> list[Path]:
    return _files(FOUNDATIONAL, mocks=False) if FOUNDATIONAL.is_dir() else []


def test_foundational_library_is_left_byte_identical():
    files = _files(FOUNDATIONAL)
    assert len(files) > 100
    changed = [str(p.relative_to(FOUNDATIONAL)) for p in files if format_source(p.read_text(), str(p)) != p.read_text()]
    assert changed == []


def test_fmt_check_accepts_library_files():
    sample = [p for p in _files(FOUNDATIONAL) if p.stat().st_size < 20_000][:25]
    res = CliRunner().invoke(cli, ["fmt", "--check", *map(str, sample)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert res.output == ""


# -- damaged copies come back to the original bytes -----------------------------------------------------------------
def _reindent_spaces(text: str) -> str:
    return re.sub(r"(?m)^\t+", lambda m: "  " * len(m.group(0)), text)


def _dedent(text: str) -> str:
    return re.sub(r"(?m)^\t+", "", text)


def _collapse_alignment(text: str) -> str:
    return re.sub(r'(?m)^(\s*"[^"\n]*":) {2,}', r"\1 ", text)


def _more_blank_lines(text: str) -> str:
    return text.replace("\n\n", "\n\n\n\n")


def _trailing_blanks(text: str) -> str:
    return text.replace("\n", "  \t\n")


def _drop_trailing_commas(text: str) -> str:
    return re.sub(r",\n(\s*[\]}])", r"\n\1", text)


MUTATIONS = [_reindent_spaces, _dedent, _collapse_alignment, _more_blank_lines, _trailing_blanks,
             _drop_trailing_commas]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=[m.__name__.strip("_") for m in MUTATIONS])
def test_damaged_policies_are_restored(mutate):
    files = _foundational_policies()
    assert files
    wrong = []
    for path in files:
        original = path.read_text()
        damaged = mutate(original)
        if format_source(damaged, str(path)) != original:
            wrong.append(str(path.relative_to(FOUNDATIONAL)))
    assert wrong == []


@pytest.mark.parametrize("mutate", [_collapse_alignment, _reindent_spaces, _drop_trailing_commas],
                         ids=["collapse_alignment", "reindent_spaces", "drop_trailing_commas"])
def test_damaged_mocks_are_restored(mutate):
    mocks = sorted((p for p in _files(FOUNDATIONAL) if "testdata" in str(p)), key=lambda p: p.stat().st_size)[:6]
    assert mocks
    for path in mocks:
        original = path.read_text()
        assert format_source(mutate(original), str(path)) == original, path.name


# -- everything else keeps its meaning --------------------------------------------------------------------------------
def _corpus() -> list[Path]:
    if not SHARED.is_dir():
        return []
    files = _files(SHARED / "terraform" / "terraform-sentinel-policies", mocks=False)
    for name in ("nomad", "grammar", "other"):
        files += _files(SHARED / name)
    return files


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name[-60:])
def test_corpus_file_keeps_its_meaning_and_is_stable(path):
    source = path.read_text()
    try:
        before = parse(source, str(path))
    except Exception:  # the grammar fixtures that are meant not to parse
        pytest.skip("does not parse (a syntax-error fixture)")
    out = format_source(source, str(path))
    assert ast_equal(before, parse(out, str(path)))
    assert format_source(out, str(path)) == out


def test_formatted_nomad_policies_pass_their_tests(tmp_path):
    copy = tmp_path / "nomad"
    shutil.copytree(SHARED / "nomad", copy)
    for path in copy.rglob("*.sentinel"):
        path.write_text(format_source(path.read_text(), str(path)))
    total = passed = 0
    for policy in find_policies([copy]):
        res = run_policy_tests(policy)
        assert not res.error, res.error
        total += len(res.cases)
        passed += sum(c.passed for c in res.cases)
    assert total >= 45 and passed == total
