"""Job submissions through the proxy: decided with the real engine, answered the way Nomad clients expect."""

from __future__ import annotations

import gzip
import json
import socket

import nomad
import pytest
from nomad.api import exceptions

from .conftest import Stack, make_job

TOKENS = {
    "secret-ops": {"AccessorID": "acc-ops", "SecretID": "secret-ops", "Name": "ops", "Type": "client",
                   "Policies": ["ops", "submit"], "Roles": None, "Global": False},
    "secret-dev": {"AccessorID": "acc-dev", "SecretID": "secret-dev", "Name": "dev", "Type": "client",
                   "Policies": ["submit"], "Roles": None, "Global": False},
    "secret-role": {"AccessorID": "acc-role", "SecretID": "secret-role", "Name": "via role", "Type": "client",
                    "Policies": None, "Roles": [{"ID": "role-1", "Name": "operators"}], "Global": False},
    "secret-mgmt": {"AccessorID": "acc-mgmt", "SecretID": "secret-mgmt", "Name": "root", "Type": "management",
                    "Policies": None, "Roles": None, "Global": True},
}
ROLES = {"role-1": {"ID": "role-1", "Name": "operators", "Policies": [{"Name": "ops"}]}}
ACL = {"tokens": TOKENS, "roles": ROLES}


def client(stack: Stack, token: str | None = None) -> nomad.Nomad:
    return nomad.Nomad(host="127.0.0.1", port=stack.port, token=token, timeout=10)


def test_good_job_registered_via_python_nomad(stack: Stack) -> None:
    reply = client(stack).job.register_job("web", {"Job": make_job()})
    assert reply["EvalID"] and reply["Warnings"] == ""
    assert len(stack.double.writes_to("/v1/job/web")) == 1
    assert stack.double.jobs[("default", "web")][-1]["TaskGroups"][0]["Count"] == 1


def test_bad_job_denied_with_rule_text_and_never_reaches_nomad(stack: Stack) -> None:
    with pytest.raises(exceptions.URLNotAuthorizedNomadException) as info:
        client(stack).jobs.register_job({"Job": make_job(count=9)})
    text = info.value.nomad_resp.text
    assert text.startswith('jobguard denied job "web": 1 failed check:\n\t* hard-mandatory policy "max-count" failed')
    assert info.value.nomad_resp.headers["Content-Type"].startswith("text/plain")
    assert not stack.double.writes_to()


def test_plan_denied_and_allowed(stack: Stack) -> None:
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        client(stack).job.plan_job("web", {"Job": make_job(count=9)}, diff=True)
    plan = client(stack).job.plan_job("web", {"Job": make_job()}, diff=True)
    assert plan["Diff"]["Type"] == "Added"
    assert [r.path for r in stack.double.writes_to()] == ["/v1/job/web/plan"]


def test_validate_always_200_with_validation_errors(stack: Stack) -> None:
    reply = client(stack).validate.validate_job({"Job": make_job(count=9)}).json()
    assert len(reply["ValidationErrors"]) == 1
    assert 'hard-mandatory policy "max-count" failed' in reply["ValidationErrors"][0]
    assert reply["Error"].startswith("1 error occurred:\n\t* hard-mandatory policy")
    ok = client(stack).validate.validate_job({"Job": make_job()}).json()
    assert ok["ValidationErrors"] is None and ok["Error"] == ""
    # Nomad's own validation errors are kept next to jobguard's
    both = client(stack).validate.validate_job({"Job": make_job(count=9, TaskGroups=[])}).json()
    assert both["ValidationErrors"][0] == "Missing job task groups"


@pytest.mark.parametrize("stack", [{"register_warnings": ['Group "app" has warnings: x']}], indirect=True)
def test_advisory_warnings_merged_in_nomad_format(stack: Stack) -> None:
    reply = client(stack).job.register_job("web", {"Job": make_job(owner=None)})
    assert reply["Warnings"].startswith('2 warnings:\n\n* Group "app" has warnings: x\n* advisory policy "has-owner"')
    assert stack.double.jobs[("default", "web")]


def test_warnings_alone_use_singular_form(stack: Stack) -> None:
    reply = client(stack).job.register_job("web", {"Job": make_job(owner=None)})
    assert reply["Warnings"].startswith('1 warning:\n\n* advisory policy "has-owner" failed')


@pytest.mark.parametrize("stack", [ACL], indirect=True)
@pytest.mark.parametrize("token, allowed", [("secret-ops", True), ("secret-role", True), ("secret-mgmt", True),
                                            ("secret-dev", False)])
def test_policy_override_needs_an_override_policy(stack: Stack, token: str, allowed: bool) -> None:
    job = make_job(image="nginx:latest")
    status, _, body = stack.http("PUT", "/v1/job/web", {"Job": job, "PolicyOverride": True},
                                 headers={"X-Nomad-Token": token})
    if allowed:
        assert status == 200, body
        warnings = json.loads(body)["Warnings"]
        assert 'soft-mandatory policy "no-latest" failed' in warnings and "[overridden by PolicyOverride]" in warnings
        assert stack.double.jobs[("default", "web")]
    else:
        assert status == 403
        assert b"PolicyOverride was ignored" in body
        assert not stack.double.writes_to()


@pytest.mark.parametrize("stack", [ACL], indirect=True)
def test_soft_mandatory_without_override_and_hard_with_override_denied(stack: Stack) -> None:
    status, _, body = stack.http("PUT", "/v1/jobs", {"Job": make_job(image="nginx:latest")},
                                 headers={"X-Nomad-Token": "secret-ops"})
    assert status == 403 and b'soft-mandatory policy "no-latest"' in body
    status, _, body = stack.http("PUT", "/v1/jobs", {"Job": make_job(count=9), "PolicyOverride": True},
                                 headers={"X-Nomad-Token": "secret-ops"})
    assert status == 403 and b'hard-mandatory policy "max-count"' in body
    assert not stack.double.writes_to()


@pytest.mark.parametrize("stack", [ACL], indirect=True)
def test_token_in_body_or_bearer_header_is_the_callers(stack: Stack) -> None:
    job = make_job(image="nginx:latest")
    assert stack.http("PUT", "/v1/jobs", {"Job": job, "PolicyOverride": True, "SecretID": "secret-ops"})[0] == 200
    assert stack.http("PUT", "/v1/jobs", {"Job": job, "PolicyOverride": True},
                      headers={"Authorization": "Bearer secret-ops"})[0] == 200


@pytest.mark.parametrize("path, job_id", [
    ("/v1/job/a%2Fb", "a/b"), ("/v1/job/App.v2_X", "App.v2_X"), ("/v1/job/web%2Fplan", "web"),
    ("/v1/job/dispatch%2Fweb", "dispatch/web"), ("/v1/job/%77eb", "web"), ("/v1/job/a/b", "a/b"),
])
def test_odd_job_ids_cannot_bypass(stack: Stack, path: str, job_id: str) -> None:
    status, _, body = stack.http("POST", path, {"Job": make_job(job_id, count=9)})
    assert status == 403, body
    assert not stack.double.writes_to()


def test_job_id_mismatch_is_nomads_400(stack: Stack) -> None:
    status, _, body = stack.http("PUT", "/v1/job/other", {"Job": make_job("web")})
    assert (status, body) == (400, b"Job ID does not match name")


@pytest.mark.parametrize("body", [
    {"job": make_job(count=9)},                                   # Go matches keys case-insensitively
    {"Job": make_job(), "job": make_job(count=9)},                # ... and the last one wins
    {"JOB": make_job(count=9), "PolicyOverride": False},
])
def test_key_case_tricks_cannot_bypass(stack: Stack, body: dict) -> None:
    raw = json.dumps(body).encode()
    status, _, text = stack.http("PUT", "/v1/jobs", raw=raw)
    assert status == 403, text
    assert not stack.double.writes_to()


def test_forwarded_job_is_the_evaluated_one(stack: Stack) -> None:
    raw = json.dumps({"Job": make_job(count=9), "job": make_job(count=2), "EnforceIndex": False,
                      "EvalPriority": 60}).encode()
    assert stack.http("PUT", "/v1/jobs", raw=raw)[0] == 200
    sent = json.loads(stack.double.writes_to("/v1/jobs")[0].body)
    assert [k for k in sent if k.lower() == "job"] == ["Job"]
    assert sent["Job"]["TaskGroups"][0]["Count"] == 2
    assert sent["EvalPriority"] == 60 and sent["EnforceIndex"] is False


def test_lowercase_method_is_still_intercepted(stack: Stack) -> None:
    body = json.dumps({"Job": make_job(count=9)}).encode()
    conn = socket.create_connection(("127.0.0.1", stack.port))
    conn.sendall(b"PUT /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    assert conn.recv(4096).startswith(b"HTTP/1.1 403")
    conn.close()


def test_namespace_query_beats_body_and_job(stack: Stack) -> None:
    job = make_job(Namespace="dev")
    status, _, _ = stack.http("PUT", "/v1/job/web?namespace=prod", {"Job": job, "Namespace": "stage"})
    assert status == 200
    lookup = [r for r in stack.double.requests if r.method == "GET" and r.path == "/v1/job/web"]
    assert lookup[0].query["namespace"] == "prod"
    assert ("prod", "web") in stack.double.jobs
    status, _, _ = stack.http("PUT", "/v1/job/web", {"Job": job, "Namespace": "stage"})
    assert ("stage", "web") in stack.double.jobs


@pytest.mark.parametrize("raw, status, text", [
    (b"{not json", 400, b"Failed to decode request body"),
    (b"[1, 2]", 400, b"json: cannot unmarshal array"),
    (b'{"Job": null}', 400, b"Job must be specified"),
    (b'{"Job": {"Name": "x"}}', 400, b"Job ID hasn't been provided"),
    (b"", 400, b"Request body is empty"),  # Nomad's decodeBody wording
])
def test_malformed_bodies_are_400(stack: Stack, raw: bytes, status: int, text: bytes) -> None:
    got_status, _, body = stack.http("PUT", "/v1/jobs", raw=raw)
    assert got_status == status and body.startswith(text)
    assert not stack.double.writes_to()


def test_oversized_body_is_413(request: pytest.FixtureRequest, engine) -> None:
    from .conftest import _stack

    s = _stack(request, engine, max_body_bytes=2000)
    job = make_job(Meta={"owner": "x", "blob": "y" * 5000})
    status, _, body = s.http("PUT", "/v1/jobs", {"Job": job})
    assert status == 413 and b"Request body too large" in body
    bomb = gzip.compress(json.dumps({"Job": job}).encode())
    status, _, _ = s.http("PUT", "/v1/jobs", raw=bomb, headers={"Content-Encoding": "gzip"})
    assert status == 413
    assert not s.double.writes_to()


def test_gzip_request_bodies_are_evaluated(stack: Stack) -> None:
    bad = gzip.compress(json.dumps({"Job": make_job(count=9)}).encode())
    assert stack.http("PUT", "/v1/jobs", raw=bad, headers={"Content-Encoding": "gzip"})[0] == 403
    good = gzip.compress(json.dumps({"Job": make_job()}).encode())
    status, headers, body = stack.http("PUT", "/v1/jobs", raw=good,
                                       headers={"Content-Encoding": "gzip", "Accept-Encoding": "gzip"})
    assert status == 200
    forwarded = stack.double.writes_to("/v1/jobs")[0]
    assert "Content-Encoding" not in forwarded.headers
    assert json.loads(forwarded.body)["Job"]["ID"] == "web"
    data = gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body
    assert json.loads(data)["EvalID"]


def test_unknown_job_fields_are_a_400_from_the_loader_or_pass(stack: Stack) -> None:
    """A job the loader rejects is never forwarded; the answer names the problem."""
    status, _, body = stack.http("PUT", "/v1/jobs", {"Job": {"ID": "x", "TaskGroups": "not-a-list"}})
    assert status == 400
    assert body.startswith(b"Failed to load job")
    assert not stack.double.writes_to()
