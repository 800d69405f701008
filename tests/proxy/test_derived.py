"""Scale, revert and dispatch: the job each would produce, and fail-closed answers when it cannot be built."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from jobguard.proxy import derived, routing
from jobguard.proxy.nomadrequest import NomadRequest, parse

from .conftest import Stack, _stack, make_job
from .test_modes import seed

PARAMS = {"Payload": "optional", "MetaOptional": ["owner"], "MetaRequired": ["run"]}


def req(target: str, body: dict) -> NomadRequest:
    return parse(routing.classify_target("PUT", target), {}, json.dumps(body).encode())


def unbuildable(call, *args) -> derived.Unbuildable:
    with pytest.raises(derived.Unbuildable) as info:
        call(*args)
    return info.value


# ---------------------------------------------------------------------------- the jobs built
def test_scaled_sets_the_groups_count() -> None:
    current = make_job(Version=3, Status="running")
    job = derived.scaled(current, req("/v1/job/web/scale", {"Count": 4, "Target": {"Group": "app"}}))
    assert job["TaskGroups"][0]["Count"] == 4 and "Version" not in job and "Status" not in job
    assert unbuildable(derived.scaled, None, req("/v1/job/web/scale", {"Count": 1, "Target": {"Group": "app"}})) \
        .status == 404
    exc = unbuildable(derived.scaled, current, req("/v1/job/web/scale", {"Count": 1, "Target": {"Group": "x"}}))
    assert (exc.status, exc.message) == (400, "task group 'x' specified for scaling does not exist")


def test_reverted_follows_nomads_checks() -> None:
    versions = [make_job(count=2, Version=2), make_job(count=9, Version=1), make_job(count=1, Version=0)]
    assert derived.reverted(versions, versions[0], req("/v1/job/web/revert", {"JobID": "web", "JobVersion": 1})) \
        ["TaskGroups"][0]["Count"] == 9
    cases = [({"JobVersion": 2}, 400, "can't revert to current version"),
             ({"JobVersion": 5}, 404, "at version 5 not found"),
             ({"JobVersion": 0, "EnforcePriorVersion": 1}, 400, "current job has version 2; enforcing version 1")]
    for extra, status, message in cases:
        exc = unbuildable(derived.reverted, versions, versions[0], req("/v1/job/web/revert", {"JobID": "web",
                                                                                            **extra}))
        assert exc.status == status and message in exc.message
    assert derived.reverted(versions, versions[0], req("/v1/job/web/revert", {
        "JobID": "web", "JobVersion": 0, "EnforcePriorVersion": 2}))["TaskGroups"][0]["Count"] == 1


def test_dispatched_child_like_nomad() -> None:
    parent = make_job("batchy", Type="batch", ParameterizedJob=PARAMS, Meta={"owner": "p", "team": "t"})
    child = derived.dispatched(parent, req("/v1/job/batchy/dispatch", {
        "Meta": {"owner": "c", "run": "1"}, "Payload": "aGk=", "IdPrefixTemplate": "nightly",
        "IdempotencyToken": "once"}), now=1700000000)
    assert child["ID"].startswith("batchy/dispatch-nightly-1700000000-") and len(child["ID"].rsplit("-", 1)[1]) == 8
    assert (child["ParentID"], child["Dispatched"], child["Name"]) == ("batchy", True, child["ID"])
    assert child["Meta"] == {"owner": "c", "team": "t", "run": "1"} and child["Payload"] == "aGk="
    assert child["DispatchIdempotencyToken"] == "once"
    plain = derived.dispatched(parent, req("/v1/job/batchy/dispatch", {"Meta": {"run": "1"}}), now=5)
    assert plain["ID"].startswith("batchy/dispatch-5-") and plain["Payload"] is None


@pytest.mark.parametrize("parent_extra, body, status, message", [
    ({"ParameterizedJob": None}, {}, 400, "is not a parameterized job"),
    ({"Stop": True}, {"Meta": {"run": "1"}}, 400, "is stopped"),
    ({}, {}, 400, "Dispatch did not provide required meta keys: ['run']"),
    ({}, {"Meta": {"run": "1", "root": "x"}}, 400, "unpermitted metadata keys: ['root']"),
    ({"ParameterizedJob": {"Payload": "required"}}, {}, 400, "Payload is not provided but required"),
    ({"ParameterizedJob": {"Payload": "forbidden"}}, {"Payload": "aGk="}, 400, "Payload provided but forbidden"),
    ({"ParameterizedJob": {}}, {"Payload": "A" * 21848}, 400, "Payload exceeds maximum size; 16386 > 16384"),
])
def test_dispatch_refusals(parent_extra: dict, body: dict, status: int, message: str) -> None:
    parent = {**make_job("batchy", Type="batch", ParameterizedJob=PARAMS), **parent_extra}
    exc = unbuildable(derived.dispatched, parent, req("/v1/job/batchy/dispatch", body))
    assert exc.status == status and message in exc.message
    assert unbuildable(derived.dispatched, None, req("/v1/job/batchy/dispatch", {})).status == 404


# ---------------------------------------------------------------------------- fail closed, over HTTP
@pytest.mark.parametrize("target, body, status, message", [
    ("/v1/job/nope/scale", {"Count": 1, "Target": {"Group": "app"}}, 404, "job 'nope' not found"),
    ("/v1/job/web/scale?namespace=ghost", {"Count": 1, "Target": {"Group": "app"}}, 404, "namespace 'ghost'"),
    ("/v1/job/web/scale", {"Count": 1, "Target": {"Group": "nope"}}, 400, "does not exist"),
    ("/v1/job/web/revert", {"JobID": "web", "JobVersion": 7}, 404, "at version 7 not found"),
    ("/v1/job/nope/revert", {"JobID": "nope", "JobVersion": 0}, 404, "not found"),
    ("/v1/job/web/dispatch", {}, 400, "is not a parameterized job"),
    ("/v1/job/nope/dispatch", {}, 404, "parameterized job 'nope' not found"),
])
def test_unbuildable_jobs_fail_closed_counted_and_logged(request: pytest.FixtureRequest, engine, tmp_path: Path,
                                                         target: str, body: dict, status: int, message: str) -> None:
    log_path = tmp_path / "decisions.jsonl"
    s = _stack(request, engine, decision_log=str(log_path))
    seed(s, make_job())
    got, _, text = s.http("PUT", target, body)
    assert got == status and message.encode() in text and b"fails closed" in text
    assert not s.double.writes_to()
    kind = target.rsplit("/", 1)[1].split("?")[0]
    record = json.loads(log_path.read_text().splitlines()[-1])
    assert (record["kind"], record["decision"], record["status"]) == (kind, "fail_closed", status)
    metrics = s.http("GET", "/v1/jobguard/metrics")[2].decode()
    assert f'jobguard_decisions_total{{kind="{kind}",outcome="fail_closed"}} 1' in metrics


def test_fail_open_forwards_and_logs_loudly(request: pytest.FixtureRequest, engine,
                                            caplog: pytest.LogCaptureFixture) -> None:
    s = _stack(request, engine, fail_open=True)
    seed(s, make_job())
    with caplog.at_level(logging.ERROR, logger="jobguard.proxy"):
        status, _, _ = s.http("PUT", "/v1/job/web/scale", {"Count": 1, "Target": {"Group": "nope"}})
    assert status == 400  # Nomad's own refusal, relayed
    assert len(s.double.writes_to("/scale")) == 1
    assert any("FAIL-OPEN" in r.getMessage() for r in caplog.records)
    metrics = s.http("GET", "/v1/jobguard/metrics")[2].decode()
    assert 'jobguard_decisions_total{kind="scale",outcome="fail_open"} 1' in metrics


def test_scale_without_count_records_an_event_only(stack: Stack) -> None:
    seed(stack, make_job())
    status, _, _ = stack.http("PUT", "/v1/job/web/scale", {"Target": {"Group": "app"}, "Message": "autoscaler"})
    assert status == 200
    assert len(stack.double.jobs[("default", "web")]) == 1  # no new version


@pytest.mark.parametrize("target, body, message", [
    ("/v1/job/batchy/dispatch", {"Meta": "owner=x"}, b"JobDispatchRequest.Meta of type map[string]string"),
    ("/v1/job/batchy/dispatch", {"Meta": {"owner": 5}}, b"JobDispatchRequest.Meta.owner of type string"),
    ("/v1/job/batchy/dispatch", {"Payload": ["x"]}, b"JobDispatchRequest.Payload of type []uint8"),
    ("/v1/job/batchy/dispatch", {"IdPrefixTemplate": 1}, b"JobDispatchRequest.IdPrefixTemplate of type string"),
    ("/v1/job/web/scale", {"Count": 1, "Target": {"Group": "app"}, "Meta": "x"}, b"ScalingRequest.Meta of type map"),
    ("/v1/job/web/scale", {"Count": {"n": 1}, "Target": {"Group": "app"}}, b"ScalingRequest.Count of type int64"),
    ("/v1/job/web/revert", {"JobID": "web", "JobVersion": "1"}, b"JobRevertRequest.JobVersion of type uint64"),
    ("/v1/job/web/revert", {"JobID": ["web"]}, b"JobRevertRequest.JobID of type string"),
])
def test_wrongly_typed_fields_are_a_clean_400(stack: Stack, caplog: pytest.LogCaptureFixture, target: str,
                                              body: dict, message: bytes) -> None:
    """#18: a wrongly typed field (Meta as a string...) is Nomad's 400, never a 500 with a traceback."""
    seed(stack, make_job())
    seed(stack, make_job("batchy", Type="batch", ParameterizedJob={"MetaOptional": ["owner"]}))
    with caplog.at_level(logging.DEBUG):
        status, _, text = stack.http("PUT", target, body)
    assert status == 400 and text.startswith(b"json: cannot unmarshal") and message in text
    assert "Traceback" not in caplog.text
    assert not stack.double.writes_to()
