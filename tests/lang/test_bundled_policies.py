"""The example policies shipped in policies/ pass their own Sentinel-layout tests and are fmt-clean."""

from pathlib import Path

import pytest

from jobguard.lang.formatter import format_source
from jobguard.lang.testing import find_policies, run_policy_tests

POLICIES = find_policies([Path(__file__).parents[2] / "policies"])


def test_policies_are_bundled():
    assert len(POLICIES) >= 8


@pytest.mark.parametrize("path", POLICIES, ids=[p.stem for p in POLICIES])
def test_bundled_policy(path):
    res = run_policy_tests(path)
    assert not res.error, res.error
    assert len(res.cases) >= 2
    failures = [(c.path.name, c.messages) for c in res.cases if not c.passed]
    assert not failures
    source = path.read_text()
    assert format_source(source) == source


LIBRARY = Path(__file__).parents[2] / "policies" / "library"


@pytest.mark.parametrize("path", find_policies([LIBRARY]), ids=lambda p: p.stem)
def test_example_library_policy(path):
    """The example Nomad policy library: a module of shared functions, tests with module blocks and module mocks."""
    res = run_policy_tests(path)
    assert not res.error and len(res.cases) >= 2
    assert not [(c.path.name, c.messages) for c in res.cases if not c.passed]
    assert format_source(path.read_text()) == path.read_text()


def test_example_library_uses_module_mocks_and_runs_as_a_policy_set():
    from jobguard.engine.engine import Engine
    from jobguard.jobspec import load_file

    cases = "\n".join(p.read_text() for p in (LIBRARY / "test").rglob("*.hcl"))
    assert 'module "nomad-functions"' in cases and "mock " in cases and "module {" in cases
    engine = Engine.load(config_path=LIBRARY / "sentinel.hcl")
    assert sorted(p.name for p in engine.policies) == [
        "require-owner-and-freeze-window", "require-resource-limits", "restrict-task-drivers"]
    assert engine.rules == []  # a policy set without rule blocks runs only its policies
    result = engine.evaluate(load_file(str(LIBRARY.parent / "jobs" / "shop.nomad.hcl")))
    assert {f.rule for f in result.findings} <= {"require-owner-and-freeze-window"}  # that one depends on the day
