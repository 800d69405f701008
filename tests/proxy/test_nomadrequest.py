"""Intercepted requests read as Nomad's agent reads them: namespace, region, token and override per endpoint."""

from __future__ import annotations

import json

import pytest

from jobguard.proxy import gojson, routing
from jobguard.proxy.nomadrequest import NomadRequest, Refusal, header_token, parse


def read(method: str, target: str, body: object, headers: dict[str, str] | None = None) -> NomadRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse(routing.classify_target(method, target), headers or {}, raw)


def refused(method: str, target: str, body: object, headers: dict[str, str] | None = None) -> Refusal:
    with pytest.raises(Refusal) as info:
        read(method, target, body, headers)
    return info.value


JOB = {"ID": "web", "Namespace": "jobns", "Region": "jobregion"}


# ---------------------------------------------------------------------------- namespace
@pytest.mark.parametrize("target, body, namespace", [
    ("/v1/jobs?namespace=q", {"Job": JOB, "Namespace": "b"}, "q"),
    ("/v1/jobs", {"Job": JOB, "Namespace": "b"}, "b"),
    ("/v1/jobs", {"Job": JOB}, "jobns"),
    ("/v1/jobs", {"Job": {"ID": "web"}}, "default"),
    ("/v1/jobs?namespace=", {"Job": JOB}, "jobns"),                  # an empty query value counts as absent
    ("/v1/jobs?namespace=q;", {"Job": JOB}, "jobns"),                # Go drops the pair
    ("/v1/jobs?ns=q", {"Job": JOB}, "jobns"),                        # Nomad reads no "ns"
    ("/v1/job/web/plan?namespace=q", {"Job": JOB}, "q"),
])
def test_register_and_plan_namespace(target: str, body: dict, namespace: str) -> None:
    assert read("PUT", target, body).namespace == namespace


def test_register_namespace_keys_fold_and_last_wins() -> None:
    raw = '{"Job": {"ID": "web"}, "namespace": "dev", "Namespace": "prod", "Nameſpace": "dev"}'.encode()
    assert read("PUT", "/v1/jobs", raw).namespace == "dev"
    raw = '{"Job": {"ID": "web", "NAMEſPACE": "jobdev"}}'.encode()
    assert read("PUT", "/v1/jobs", raw).namespace == "jobdev"


def test_validate_uses_the_jobs_namespace_only() -> None:
    req = read("PUT", "/v1/validate/job?namespace=q", {"Job": JOB, "Namespace": "b"})
    assert req.namespace == "jobns"


@pytest.mark.parametrize("target, body, namespace", [
    ("/v1/job/web/scale", {"Count": 1, "Target": {"Group": "g"}, "Namespace": "b"}, "default"),  # body ignored
    ("/v1/job/web/scale?namespace=q", {"Count": 1, "Target": {"Group": "g"}}, "q"),
    ("/v1/job/web/revert", {"JobID": "web", "Namespace": "b"}, "b"),
    ("/v1/job/web/revert?namespace=q", {"JobID": "web", "Namespace": "b"}, "q"),
    ("/v1/job/web/dispatch", {"namespace": "b"}, "b"),
    ("/v1/job/web/dispatch?namespace=q&namespace=r", {}, "q"),
])
def test_derived_namespace(target: str, body: dict, namespace: str) -> None:
    assert read("PUT", target, body).namespace == namespace


def test_region_precedence() -> None:
    assert read("PUT", "/v1/jobs?region=q", {"Job": JOB, "Region": "b"}).region == "b"  # regionForJob: body last
    assert read("PUT", "/v1/jobs?region=q", {"Job": JOB}).region == "q"
    assert read("PUT", "/v1/jobs", {"Job": JOB}).region == "jobregion"
    assert read("PUT", "/v1/jobs", {"Job": {"ID": "web", "Region": "global"}}).region == ""  # the agent's own
    multi = {"ID": "web", "Multiregion": {"Regions": [{"Name": "east"}, {"Name": "west"}]}}
    req = read("PUT", "/v1/jobs?region=west", {"Job": multi})
    assert (req.region, req.job_region) == ("west", "global")
    assert read("PUT", "/v1/jobs?region=north", {"Job": multi}).region == "east"
    assert read("PUT", "/v1/job/web/revert?region=q", {"JobID": "web", "Region": "b"}).region == "q"  # parseRegion


# ---------------------------------------------------------------------------- token
@pytest.mark.parametrize("headers, token", [
    ({"X-Nomad-Token": "  hdr  "}, "hdr"),
    ({"X-Nomad-Token": "hdr", "Authorization": "Bearer other"}, "hdr"),
    ({"Authorization": "Bearer br"}, "br"),
    ({"Authorization": "bearer br"}, "br"), ({"Authorization": "BEARER  br  extra"}, "br"),
    ({"Authorization": "Basic xyz"}, None), ({"Authorization": "Bearer"}, None), ({}, None),
])
def test_header_token_like_parse_token(headers: dict, token: str | None) -> None:
    assert header_token(headers) == token


def test_token_per_endpoint() -> None:
    assert read("PUT", "/v1/jobs", {"Job": JOB, "secretid": "body"}).token == "body"
    assert read("PUT", "/v1/jobs", {"Job": JOB, "SecretID": "body"}, {"X-Nomad-Token": "hdr"}).token == "hdr"
    assert read("PUT", "/v1/job/web/revert", {"JobID": "web", "AuthToken": "body"}).token == "body"
    assert read("PUT", "/v1/job/web/revert", {"JobID": "web", "SecretID": "body"}).token == ""  # not a field
    scale = {"Count": 1, "Target": {"Group": "g"}, "SecretID": "body"}
    assert read("PUT", "/v1/job/web/scale", scale).token == ""  # Nomad ignores the body's WriteRequest here
    assert read("PUT", "/v1/validate/job", {"Job": JOB, "SecretID": "body"}).token == ""


# ---------------------------------------------------------------------------- PolicyOverride
@pytest.mark.parametrize("target, body, override", [
    ("/v1/jobs", {"Job": JOB, "policyoverride": True}, True),
    ("/v1/jobs", {"Job": JOB, "PolicyOverride": True, "POLICYOVERRIDE": False}, False),
    ("/v1/job/web/plan", {"Job": JOB, "POLICYoverride": True}, True),
    ("/v1/job/web/scale", {"Count": 1, "Target": {"Group": "g"}, "policyOverride": True}, True),
    ("/v1/job/web/revert", {"JobID": "web", "PolicyOverride": True}, False),  # no such field for a revert
    ("/v1/job/web/dispatch", {"PolicyOverride": True}, False),
    ("/v1/validate/job", {"Job": JOB, "PolicyOverride": True}, False),
])
def test_policy_override_only_where_nomad_has_it(target: str, body: dict, override: bool) -> None:
    assert read("PUT", target, body).policy_override is override


def test_policy_override_as_a_string_is_a_400() -> None:
    with pytest.raises(gojson.BodyError):
        read("PUT", "/v1/jobs", {"Job": JOB, "PolicyOverride": "true"})


# ---------------------------------------------------------------------------- Nomad's refusals
@pytest.mark.parametrize("target, body, status, message", [
    ("/v1/jobs", {}, 400, "Job must be specified"),
    ("/v1/jobs", {"Job": {"Name": "x"}}, 400, "Job ID hasn't been provided"),
    ("/v1/jobs", {"Job": {"ID": "x", "id": None}}, 400, "Job ID hasn't been provided"),
    ("/v1/job/other", {"Job": JOB}, 400, "Job ID does not match name"),
    ("/v1/job/other/plan", {"Job": JOB}, 400, "Job ID does not match"),
    ("/v1/job/web/scale", {"Count": 1}, 400, "missing task group name for scaling action"),
    ("/v1/job/web/scale", {"Count": 1, "Target": {"group": "g"}}, 400, "missing task group name"),
    ("/v1/job/web/scale", {"Count": -1, "Target": {"Group": "g"}}, 400, "scaling action count can't be negative"),
    ("/v1/job/web/scale", {"Count": 1, "Error": True, "Target": {"Group": "g"}}, 400, "should not contain count"),
    ("/v1/job/web/scale", {"Target": {"Group": "g", "Job": "x"}}, 400, "job ID in payload did not match URL"),
    ("/v1/job/web/scale", {"Target": {"Group": "g", "Namespace": "x"}}, 400, "namespace in payload did not match"),
    ("/v1/job/web/revert", {}, 400, "JobID must be specified"),
    ("/v1/job/web/revert", {"JobID": "other"}, 400, "Job ID does not match"),
    ("/v1/job/web/dispatch", {"JobID": "other"}, 400, "Job ID does not match"),
    ("/v1/job/web/scale?namespace=*", {"Target": {"Group": "g"}}, 400, 'namespace "*"'),
    ("/v1/jobs?namespace=%2A", {"Job": JOB}, 400, 'namespace "*"'),
    ("/v1/job/web/dispatch?namespace=%ff", {}, 400, "not valid UTF-8"),
    ("/v1/job/web%zz/scale", {}, 400, "not a valid URL"),
    ("/v1/job/a/../b/scale", {}, 400, "non-canonical path"),
])
def test_refusals_carry_nomads_status_and_message(target: str, body: dict, status: int, message: str) -> None:
    exc = refused("PUT", target, body)
    assert exc.status == status and message in exc.message


def test_invalid_utf8_token_is_refused() -> None:
    exc = refused("PUT", "/v1/jobs", {"Job": JOB}, {"X-Nomad-Token": "\udcff"})
    assert exc.status == 403


def test_scale_without_count_is_a_scaling_event() -> None:
    assert read("PUT", "/v1/job/web/scale", {"Target": {"Group": "g"}}).fields["Count"] is None


# ---------------------------------------------------------------------------- what is forwarded
def test_forwarded_body_is_canonical() -> None:
    raw = '{"count": 3, "Target": {"Group": "a"}, "target": {"Job": "web"}, "Meſsage": "m", "junk": 1}'.encode()
    req = read("PUT", "/v1/job/web/scale?namespace=a;&namespace=b", raw)
    body = json.loads(req.forward_body())
    assert body["Count"] == 3 and body["Target"] == {"Group": "a", "Job": "web"} and body["Message"] == "m"
    assert "junk" not in body and "count" not in body
    assert req.forward_target() == "/v1/job/web/scale?namespace=b"


def test_forwarded_job_envelope() -> None:
    req = read("PUT", "/v1/jobs", {"Job": JOB, "job": {"Name": "w"}, "EvalPriority": 60, "Submission": {
        "Source": "job {}", "variableflags": {"a": "1"}}})
    assert [k for k, _ in req.job.pairs] == ["ID", "Namespace", "Region", "Name"]  # repeated Job keys merge
    body = json.loads(req.forward_body({"ID": "web"}))
    assert body["Job"] == {"ID": "web"} and body["EvalPriority"] == 60
    assert body["Submission"] == {"Source": "job {}", "Format": "", "VariableFlags": {"a": "1"}, "Variables": ""}
    assert "Submission" not in json.loads(req.forward_body({"ID": "web"}, drop=("Submission",)))


def test_dispatch_forwards_the_paths_job_id() -> None:
    req = read("PUT", "/v1/job/web/dispatch", {"Meta": {"a": "b"}})
    assert json.loads(req.forward_body())["JobID"] == "web"
