"""The Sentinel-layout test runner (jobguard.lang.testing) on the fixtures in tests/lang/fixtures/suite."""

from pathlib import Path

import pytest

import jobguard.jobspec as jobspec
from jobguard.lang.testing import CaseError, find_policies, load_case, run_policy_tests

SUITE = Path(__file__).parent / "fixtures" / "suite"


class _Loaded:
    def __init__(self, canonical):
        self.canonical = canonical


@pytest.fixture
def fake_loader(monkeypatch):
    """Stand-in for the jobspec loader so these tests do not depend on it (the CLI tests use the real one)."""
    seen = []

    def load_file(path, **kw):
        seen.append(Path(path).name)
        return _Loaded({"TaskGroups": [{"Tasks": [{"Config": {"image": "quay.io/app:1"}}]}]})

    def snake_view(job):
        return {"task_groups": [{"tasks": [{"config": {"image": "quay.io/app:1"}}]}]}

    monkeypatch.setattr(jobspec, "load_file", load_file)
    monkeypatch.setattr(jobspec, "snake_view", snake_view)
    return seen


def test_find_policies():
    assert [p.name for p in find_policies([SUITE])] == ["clock.sentinel", "images.sentinel"]
    assert find_policies([SUITE / "clock.sentinel"]) == [SUITE / "clock.sentinel"]


def test_hcl_json_params_and_job_files(fake_loader):
    res = run_policy_tests(SUITE / "images.sentinel")
    assert [(c.path.name, c.passed) for c in res.cases] == [
        ("fail-param.json", True), ("from-job-file.hcl", True), ("pass.hcl", True)]
    assert fake_loader == ["web.nomad.hcl"]
    assert res.passed


def test_mocks_and_failing_expectation():
    res = run_policy_tests(SUITE / "clock.sentinel")
    by_name = {c.path.name: c for c in res.cases}
    assert by_name["weekday.hcl"].passed  # no test block: main must be true
    wrong = by_name["expects-wrong.hcl"]
    assert not wrong.passed and wrong.messages == ['expected "main" to be true, got: false']
    assert 'Rule "main"' in wrong.trace


def test_run_filter():
    res = run_policy_tests(SUITE / "images.sentinel", run="^pass")
    assert [c.path.name for c in res.cases] == ["pass.hcl"]


def test_case_errors(tmp_path):
    bad = tmp_path / "bad.hcl"
    bad.write_text('global "job" {\n  value = \n}\n')
    with pytest.raises(CaseError) as info:
        load_case(bad)
    assert str(info.value.diagnostic).startswith(f"{bad}:2:11: Argument or block definition required")
    module_mock = tmp_path / "m.hcl"
    module_mock.write_text('mock "tfplan" {\n  module {\n    source = "x.sentinel"\n  }\n}\n')
    with pytest.raises(CaseError) as info:
        load_case(module_mock)
    assert str(info.value) == f'{module_mock}:1:1: mock "tfplan": module file not found; {tmp_path / "x.sentinel"}'
    js = tmp_path / "b.json"
    js.write_text("{nope")
    with pytest.raises(CaseError) as info:
        load_case(js)
    assert "invalid JSON" in str(info.value) and ":1:2" in str(info.value)


def test_hcl_template_escapes_are_literal(tmp_path):
    case = tmp_path / "c.hcl"
    case.write_text('global "x" {\n  value = "$${meta.namespace}"\n}\n')
    assert load_case(case).globals == {"x": "${meta.namespace}"}


def test_policy_syntax_error_is_reported(tmp_path):
    (tmp_path / "p.sentinel").write_text("main = rule {\n")
    res = run_policy_tests(tmp_path / "p.sentinel")
    assert not res.passed and res.error.startswith(str(tmp_path / "p.sentinel") + ":2:1")
