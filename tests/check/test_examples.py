"""The shipped examples behave as their comments say (they are documentation, so they must not rot)."""

from __future__ import annotations

import os

import pytest

from jobguard.check import CheckOptions, Runner
from jobguard.report.text import TextReporter

EXAMPLES = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "examples"))


@pytest.fixture
def in_examples(monkeypatch, tmp_path):
    monkeypatch.chdir(EXAMPLES)
    monkeypatch.setenv("JOBGUARD_CACHE_DIR", str(tmp_path / "cache"))


def run(*paths):
    return Runner(CheckOptions(paths=list(paths), jobs=1, use_cache=False)).run()


def test_good_jobs_pass(in_examples):
    result = run("jobs/good")
    assert len(result.files) == 4 and result.exit_code() == 0
    assert not result.all_errors


def test_bad_jobs_fail_for_the_documented_reasons(in_examples):
    result = run("jobs/bad/inline-secret.nomad.hcl", "jobs/bad/connect-host-network.nomad.hcl",
                 "jobs/bad/untrusted-artifact.nomad")
    assert result.exit_code() == 1
    blocking = {(fr.file.rsplit("/", 1)[-1], f.rule) for fr in result.files for f in fr.findings
                if result.status(f) == "blocking"}
    assert {("inline-secret.nomad.hcl", "no-inline-secrets"),
            ("connect-host-network.nomad.hcl", "connect-requires-bridge"),
            ("untrusted-artifact.nomad", "approved-artifact-sources")} <= blocking
    suppressed = [f for f in result.findings if f.suppressed]
    assert [(f.rule, f.job) for f in suppressed] == [("vault-templates-required", "legacy-sync")]


def test_inline_secrets_never_reach_the_report(in_examples):
    out = TextReporter().render(run("jobs/bad/inline-secret.nomad.hcl"))
    for secret in ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AKIAIOSFODNN7EXAMPLE", "Tr0ub4dor&3-correct-horse"):
        assert secret not in out
    assert 'DB_PASSWORD           = "****"' in out


def test_whole_tree_skips_agent_and_terraform_files(in_examples):
    result = run(".")
    names = [fr.file for fr in result.files]
    assert not any(name.startswith("infra/") for name in names)
    assert len(names) == 7 and result.exit_code() == 1 and not result.all_errors


def test_from_the_repository_root_without_the_examples_config(monkeypatch, tmp_path):
    """README's quick start: `jobguard check examples/` from the root (built-in rules only) finds the bad jobs."""
    monkeypatch.chdir(tmp_path)  # no jobguard.hcl above a temporary directory
    monkeypatch.setenv("JOBGUARD_CACHE_DIR", str(tmp_path / "cache"))
    result = run(EXAMPLES)
    assert result.exit_code() == 1 and not result.all_errors
    assert {"no-inline-secrets", "connect-requires-bridge"} <= {f.rule for f in result.findings}
