"""Scale/revert/dispatch decisions, dry-run, fail-closed/fail-open, NACP, decision log and metrics."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from jobguard.engine import Engine
from jobguard.proxy.reload import load_engine

from .conftest import Stack, _stack, make_job, write_config
from .test_admission import ACL


def seed(stack: Stack, job: dict) -> None:
    """Register ``job`` straight into the double (as if it predates the proxy)."""
    assert stack.http("PUT", "/v1/jobs", {"Job": job}, base=stack.direct_url)[0] == 200
    stack.double.requests.clear()


# ---------------------------------------------------------------------------- scale / revert / dispatch
def test_scale_evaluates_the_resulting_job(stack: Stack) -> None:
    seed(stack, make_job())
    status, _, body = stack.http("POST", "/v1/job/web/scale", {"Count": 9, "Target": {"Group": "app"}})
    assert status == 403 and b'hard-mandatory policy "max-count"' in body
    assert not stack.double.writes_to()
    status, _, body = stack.http("POST", "/v1/job/web/scale", {"Count": 3, "Target": {"Group": "app"},
                                                               "Message": "more"})
    assert status == 200, body
    assert stack.double.jobs[("default", "web")][-1]["TaskGroups"][0]["Count"] == 3
    assert json.loads(stack.double.writes_to("/scale")[0].body)["Message"] == "more"  # forwarded untouched


def test_scale_of_unknown_group_or_job_is_nomads_answer(stack: Stack) -> None:
    seed(stack, make_job())
    status, _, body = stack.http("POST", "/v1/job/web/scale", {"Count": 9, "Target": {"Group": "nope"}})
    assert status == 400 and b"does not exist" in body
    assert stack.http("POST", "/v1/job/nope/scale", {"Count": 1, "Target": {"Group": "app"}})[0] == 404
    status, _, body = stack.http("POST", "/v1/job/web/scale", {"Count": 1, "Target": {"Job": "x", "Group": "app"}})
    assert (status, body) == (400, b"job ID in payload did not match URL")


def test_revert_to_a_version_that_breaks_policy_is_denied(stack: Stack) -> None:
    seed(stack, make_job(count=9))  # version 0, registered before the proxy existed
    seed(stack, make_job(count=2))  # version 1
    seed(stack, make_job(count=3))  # version 2, the current one
    status, _, body = stack.http("PUT", "/v1/job/web/revert", {"JobID": "web", "JobVersion": 0})
    assert status == 403 and b"max-count" in body
    assert not stack.double.writes_to()
    assert stack.http("PUT", "/v1/job/web/revert", {"JobID": "web", "JobVersion": 1})[0] == 200
    status, _, body = stack.http("PUT", "/v1/job/web/revert", {"JobID": "web", "JobVersion": 3})  # now current
    assert (status, body.splitlines()[0]) == (400, b"can't revert to current version")
    assert stack.http("PUT", "/v1/job/web/revert", {"JobVersion": 1})[0] == 400


def test_dispatch_evaluates_the_child_job(stack: Stack) -> None:
    params = {"Payload": "optional", "MetaOptional": ["owner"]}
    seed(stack, make_job("batchy", count=9, Type="batch", ParameterizedJob=params))
    status, _, body = stack.http("POST", "/v1/job/batchy/dispatch", {"Meta": {"owner": "x"}})
    assert status == 403 and b'job "batchy/dispatch-' in body
    seed(stack, make_job("small", owner=None, Type="batch", ParameterizedJob=params))
    status, _, body = stack.http("POST", "/v1/job/small/dispatch", {"Meta": {"owner": "x"}})
    assert status == 200 and json.loads(body)["DispatchedJobID"].startswith("small/dispatch-")


# ---------------------------------------------------------------------------- modes
def test_dry_run_never_denies(request: pytest.FixtureRequest, engine) -> None:
    s = _stack(request, engine, dry_run=True)
    status, _, body = s.http("PUT", "/v1/jobs", {"Job": make_job(count=9)})
    assert status == 200
    assert '[dry-run, would deny] hard-mandatory policy "max-count"' in json.loads(body)["Warnings"]
    assert s.double.jobs[("default", "web")]


@pytest.fixture(scope="module")
def broken_engine(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("broken")
    write_config(root, config='policy "boom" {\n  source = "./policies/boom.sentinel"\n}\n',
                 policies={"boom.sentinel": "main = rule { job.task_groups[0].count / 0 > 1 }\n"})
    return load_engine(str(root / "jobguard.hcl"), only=("boom",))


def test_policy_runtime_error_fails_closed(request: pytest.FixtureRequest, broken_engine) -> None:
    s = _stack(request, broken_engine)
    status, _, body = s.http("PUT", "/v1/jobs", {"Job": make_job()})
    assert status == 500
    assert b"policy error (jobguard fails closed)" in body and b"division by zero" in body
    assert not s.double.writes_to()


def test_fail_open_lets_through_and_logs_loudly(request: pytest.FixtureRequest, broken_engine,
                                               caplog: pytest.LogCaptureFixture) -> None:
    s = _stack(request, broken_engine, fail_open=True)
    with caplog.at_level(logging.ERROR, logger="jobguard.proxy"):
        status, _, body = s.http("PUT", "/v1/jobs", {"Job": make_job()})
    assert status == 200
    assert "fail-open" in json.loads(body)["Warnings"]
    assert any("FAIL-OPEN" in r.getMessage() for r in caplog.records)
    assert s.double.jobs[("default", "web")]


def _exploding(root: Path) -> Engine:
    """An engine whose evaluation crashes: the proxy must not turn that into an allow. Loaded without the proxy's
    snapshot, so it is evaluated in this process (a worker would rebuild a sound engine)."""
    engine = Engine.load(config_path=str(write_config(root)), start_dir=str(root))

    def evaluate(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    engine.evaluate = evaluate  # type: ignore[method-assign]
    return engine


def test_engine_crash_fails_closed(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    s = _stack(request, _exploding(tmp_path))
    status, _, body = s.http("PUT", "/v1/jobs", {"Job": make_job()})
    assert status == 500 and b"RuntimeError: kaboom" in body
    assert not s.double.writes_to()


# ---------------------------------------------------------------------------- NACP
def test_nacp_webhook_protocol(stack: Stack) -> None:
    status, _, body = stack.http("POST", "/v1/jobguard/nacp", {"job": make_job(count=9), "context": {}})
    reply = json.loads(body)
    assert status == 200 and len(reply["errors"]) == 1 and "max-count" in reply["errors"][0]
    status, _, body = stack.http("POST", "/v1/jobguard/nacp", make_job(owner=None))  # older NACP: bare job
    reply = json.loads(body)
    assert reply["errors"] == [] and "has-owner" in reply["warnings"][0]
    assert stack.http("POST", "/v1/jobguard/nacp", raw=b"[]")[0] == 400
    assert not stack.double.writes_to()


@pytest.mark.parametrize("stack", [ACL], indirect=True)
def test_nacp_without_a_token_still_decides_under_acls(stack: Stack) -> None:
    status, _, body = stack.http("POST", "/v1/jobguard/nacp", {"job": make_job(count=9), "context": {}})
    assert status == 200 and "max-count" in json.loads(body)["errors"][0]


@pytest.mark.parametrize("stack", [ACL], indirect=True)
def test_caller_without_read_permission_gets_nomads_403(stack: Stack) -> None:
    status, _, body = stack.http("PUT", "/v1/jobs", {"Job": make_job()}, headers={"X-Nomad-Token": "unknown"})
    assert (status, body) == (403, b"Permission denied")
    assert not stack.double.writes_to()


# ---------------------------------------------------------------------------- decision log and metrics
def test_decision_log_and_logs_never_hold_tokens(request: pytest.FixtureRequest, engine, tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    log_path = tmp_path / "decisions.jsonl"
    s = _stack(request, engine, double=ACL, decision_log=str(log_path), override_acl_policies=("ops",))
    with caplog.at_level(logging.DEBUG):
        s.http("PUT", "/v1/jobs", {"Job": make_job(count=9)}, headers={"X-Nomad-Token": "secret-ops"})
        s.http("PUT", "/v1/jobs", {"Job": make_job(image="x:latest"), "PolicyOverride": True,
                                   "SecretID": "secret-dev"})
        s.http("PUT", "/v1/jobs", {"Job": make_job(image="x:latest"), "PolicyOverride": True},
               headers={"Authorization": "Bearer secret-ops"})
    text = log_path.read_text()
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["decision"] for r in records] == ["deny", "deny", "warn"]
    assert records[0]["token_accessor_id"] == "acc-ops"
    assert records[2]["policy_override_honoured"] is True
    assert records[0]["findings"][0]["rule"] == "max-count"
    for secret in ("secret-ops", "secret-dev"):
        assert secret not in text
        assert secret not in caplog.text


def test_metrics_count_decisions_by_rule_and_outcome(stack: Stack) -> None:
    stack.http("PUT", "/v1/jobs", {"Job": make_job(count=9)})
    stack.http("PUT", "/v1/jobs", {"Job": make_job(owner=None)})
    text = stack.http("GET", "/v1/jobguard/metrics")[2].decode()
    assert 'jobguard_decisions_total{kind="register",outcome="deny"} 1' in text
    assert 'jobguard_decisions_total{kind="register",outcome="warn"} 1' in text
    assert 'jobguard_rule_results_total{rule="max-count",level="hard-mandatory",outcome="fail"} 1' in text
    assert 'jobguard_rule_results_total{rule="has-owner",level="advisory",outcome="warn"} 1' in text
    assert 'jobguard_decision_duration_seconds_count{kind="register"} 2' in text
    assert 'jobguard_decision_duration_seconds_bucket{kind="register",le="+Inf"} 2' in text
