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
