"""The per-file time budget of ``jobguard check``: a slow file is reported as an input error (exit 2), the
other files are still checked, with ``--jobs 1`` and with worker processes, and a timeout is never cached."""

from __future__ import annotations

import threading
import time

import pytest

from jobguard.check import CheckOptions, Runner
from jobguard.check.budget import run_within
from jobguard.check.runner import timed_out
from jobguard.jobspec import limits
from jobguard.jobspec.limits import FileTimeout

# About two CPU seconds of policy per job (within the policy sandbox's own step limit).
SLOW_POLICY = '''import "strings"
big = strings.repeat("ab", 200000)
main = rule { all range(1000) as i { all range(1900) as j { strings.has_suffix(big, "x") or j >= 0 } } }
'''


def _spin(seconds: float) -> str:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
    return "done"


def test_run_within_returns_the_result_or_the_timeout():
    assert run_within(1.0, lambda: "ok", lambda exc: "late") == "ok"
    assert run_within(None, lambda: _spin(0.05), lambda exc: "late") == "done"
    assert run_within(0.05, lambda: _spin(2.0), lambda exc: f"late: {exc.summary}") == \
        "late: Time budget exceeded"


def test_the_signal_timer_stops_code_that_never_checks_the_deadline():
    start = time.process_time()
    assert run_within(0.1, lambda: _spin(5.0), lambda exc: "stopped") == "stopped"  # _spin knows no deadline
    assert time.process_time() - start < 1.0


def test_the_deadline_alone_stops_the_loader_in_another_thread():
    out = []

    def work() -> None:
        def loop() -> str:
            while True:
                limits.check_deadline()
        out.append(run_within(0.1, loop, lambda exc: "stopped"))

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(10)
    assert out == ["stopped"]


def test_a_limit_is_located_when_the_loader_notices_the_deadline():
    def work():
        with limits.time_budget(0.01):
            _spin(0.05)
            try:
                limits.charge_steps()
            except FileTimeout as exc:
                exc.locate((7, 3, 7, 9))
                raise
    error = run_within(5.0, work, lambda exc: exc)
    assert isinstance(error, FileTimeout) and error.rng == (7, 3, 7, 9)


@pytest.fixture
def slow_project(project):
    (project / "policies" / "slow.sentinel").write_text(SLOW_POLICY)
    (project / "jobguard.hcl").write_text('policy "slow" {\n  source = "./policies/slow.sentinel"\n'
                                          '  enforcement_level = "advisory"\n}\n')
    return project


@pytest.mark.parametrize("jobs", [1, 2])
def test_slow_files_are_reported_and_the_run_goes_on(slow_project, jobs):
    result = Runner(CheckOptions(paths=["jobs"], jobs=jobs, file_timeout=0.3, use_cache=False)).run()
    assert [fr.file for fr in result.files] == ["jobs/big.nomad.hcl", "jobs/ok.nomad.hcl", "jobs/secret.nomad.hcl"]
    for fr in result.files:
        assert fr.input_error and timed_out(fr), fr
        assert "0.3 s of CPU time" in fr.errors[0].detail
    assert result.exit_code() == 2


def test_timeouts_are_not_cached_and_a_larger_budget_passes(slow_project, tmp_path):
    cache = str(tmp_path / "cache")
    first = Runner(CheckOptions(paths=["jobs/ok.nomad.hcl"], jobs=1, file_timeout=0.3, cache_dir=cache)).run()
    assert timed_out(first.files[0])
    second = Runner(CheckOptions(paths=["jobs/ok.nomad.hcl"], jobs=1, file_timeout=60, cache_dir=cache)).run()
    assert not second.files[0].errors and not second.files[0].cached
    third = Runner(CheckOptions(paths=["jobs/ok.nomad.hcl"], jobs=1, file_timeout=60, cache_dir=cache)).run()
    assert third.files[0].cached
