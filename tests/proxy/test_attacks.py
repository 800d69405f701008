"""The attack table: requests that make Nomad write a job the policies forbid, each sent through the proxy.

Every entry is a raw HTTP request (target and body bytes exactly as written, so ``;``, ``%zz``, ``#`` and repeated
or folded JSON keys reach the proxy untouched). For each one the tests assert that the proxy answers 4xx and that
**the upstream never received a write**. Entries marked ``effective`` are also sent straight to the Nomad double
(which reads requests by Go's rules, :mod:`.goref`) to prove the attack is real: there, it writes a forbidden job.

The world the attacks run in (:func:`seed`): job ``web`` (groups ``app`` and ``other``) and parameterized job
``batchy`` exist in namespaces ``default`` and ``prod``; the policies forbid any count above 5, a count above 2
for group ``app``, a count above 1 anywhere in ``prod``, and (soft-mandatory) ``:latest`` images. So the same
request is fine in ``default`` and forbidden in ``prod``: a proxy that reads the namespace, the group or the
version differently from Nomad lets it through. To add an attack, append an :class:`Attack` to ``ATTACKS``.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from jobguard.proxy.reload import load_engine

from .conftest import Stack, _stack, make_job, write_config
from .test_admission import TOKENS

POLICIES = {
    "max-count.sentinel": "main = rule { all job.task_groups as tg { tg.count <= 5 } }\n",
    "app-small.sentinel": 'main = rule { all job.task_groups as tg { tg.name is not "app" or tg.count <= 2 } }\n',
    "prod-small.sentinel": 'main = rule { job.namespace is not "prod" or all job.task_groups as tg '
                           '{ tg.count <= 1 } }\n',
    "no-latest.sentinel": 'main = rule { all job.task_groups as tg { all tg.tasks as t '
                          '{ t.config.image not matches ":latest$" } } }\n',
}
CONFIG = "".join(f'policy "{name}" {{\n  source = "./policies/{name}.sentinel"\n  enforcement_level = "{level}"\n}}\n'
                 for name, level in (("max-count", "hard-mandatory"), ("app-small", "hard-mandatory"),
                                     ("prod-small", "hard-mandatory"), ("no-latest", "soft-mandatory")))
DEV = {"X-Nomad-Token": "secret-dev"}  # may submit jobs, holds no override policy


def job(job_id: str = "web", app: int = 1, other: int = 1, image: str = "nginx:1.27", **extra: Any) -> dict:
    """A job with groups ``app`` and ``other``."""
    base = make_job(job_id, count=app, image=image, **extra)
    base["TaskGroups"].append({**base["TaskGroups"][0], "Name": "other", "Count": other})
    return base


def violates(namespace: str, stored: dict) -> bool:
    """The attack table's policies, in Python: does this stored job break one?"""
    counts = {tg.get("Name"): tg.get("Count") or 0 for tg in stored.get("TaskGroups") or []}
    images = [t.get("Config", {}).get("image", "") for tg in stored.get("TaskGroups") or []
              for t in tg.get("Tasks") or []]
    return (any(c > 5 for c in counts.values()) or counts.get("app", 0) > 2
            or (namespace == "prod" and any(c > 1 for c in counts.values()))
            or any(i.endswith(":latest") for i in images))


@dataclass(frozen=True)
class Attack:
    """One raw request; ``effective``: Nomad, reading it by Go's rules, would write a forbidden job."""

    name: str
    method: str
    target: str
    body: bytes
    headers: dict[str, str] = field(default_factory=lambda: dict(DEV))
    effective: bool = True


def body(value: Any) -> bytes:
    return value if isinstance(value, bytes) else json.dumps(value).encode()


def raw(text: str) -> bytes:
    """JSON written by hand (repeated keys, folded spellings, odd bytes)."""
    return text.encode("utf-8", "surrogateescape")


def envelope(submitted: dict, rest: str) -> bytes:
    """``{"Job": <submitted><rest>}``: a register body with hand-written keys after the job."""
    return raw('{"Job": ' + json.dumps(submitted) + rest + "}")


# ---------------------------------------------------------------------------- the table
# Query strings that Go reads as namespace "prod" and a careless parser reads as something else.
PROD_QUERIES = {
    "semicolon pair dropped": "?namespace=ghost;&namespace=prod",
    "bad escape pair dropped": "?namespace=default%zz&namespace=prod",
    "fragment is part of the query": "?x=#&namespace=prod",
    "escaped key": "?name%73pace=prod",
    "first value wins": "?namespace=prod&namespace=default",
    "semicolon-led pair dropped": "?;namespace=default&namespace=prod",
    "escaped value": "?namespace=pr%6Fd",
}
ROUTES = {  # (target prefix, body) of one request per route that is forbidden in prod and fine in default
    "scale": ("/v1/job/web/scale", body({"Count": 2, "Target": {"Group": "other"}})),
    "revert": ("/v1/job/web/revert", body({"JobID": "web", "JobVersion": 0})),
    "dispatch": ("/v1/job/batchy/dispatch", body({"Meta": {"owner": "x"}})),
    "register /v1/jobs": ("/v1/jobs", body({"Job": job(other=2)})),
    "register /v1/job/web": ("/v1/job/web", body({"Job": job(other=2)})),
}

ATTACKS: list[Attack] = [
    Attack(f"{route}: {trick}", "PUT", prefix + query, payload)
    for route, (prefix, payload) in ROUTES.items() for trick, query in PROD_QUERIES.items()
]
ATTACKS += [
    # ---- JSON keys Go folds or takes last, map keys it does not fold
    Attack("register: body Nameſpace (U+017F)", "PUT", "/v1/jobs", envelope(job(other=2), ', "Nameſpace": "prod"')),
    Attack("register: last of several namespace keys", "PUT", "/v1/jobs",
           envelope(job(other=2), ', "namespace": "default", "Namespace": "default", "NAMESPACE": "prod"')),
    Attack("register: Job.Nameſpace", "PUT", "/v1/jobs", body({"Job": {**job(other=2), "Nameſpace": "prod"}})),
    Attack("register: lowercase job key", "PUT", "/v1/jobs", body({"job": job(app=9)})),
    Attack("register: second Job key wins", "PUT", "/v1/jobs", body({"Job": job(), "JOB": job(app=9)})
           .replace(b'"JOB"', b'"Job"')),
    Attack("register: repeated Job objects merge", "PUT", "/v1/jobs",
           envelope(job(), ', "job": {"TaskGroups": ' + json.dumps(job(app=9)["TaskGroups"]) + "}")),
    Attack("register: TaſkGroups inside the job", "PUT", "/v1/jobs",
           raw('{"Job": {"ID": "web", "Datacenters": ["dc1"], "TaſkGroups": ' + json.dumps(job(app=9)["TaskGroups"])
               + "}}")),
    Attack("revert: body Nameſpace", "PUT", "/v1/job/web/revert",
           raw('{"JobID": "web", "JobVersion": 0, "Nameſpace": "prod"}')),
    Attack("revert: last namespace key", "PUT", "/v1/job/web/revert",
           raw('{"JobID": "web", "JobVersion": 0, "Namespace": "default", "namespace": "prod"}')),
    Attack("revert: last version key", "PUT", "/v1/job/web/revert?namespace=prod",
           raw('{"JobID": "web", "JobVersion": 1, "jobversion": 0}')),
    Attack("dispatch: body NAMESPACE", "PUT", "/v1/job/batchy/dispatch", raw('{"NAMESPACE": "prod"}')),
    Attack("dispatch: body Nameſpace", "POST", "/v1/job/batchy/dispatch", raw('{"Nameſpace": "prod", "Meta": {}}')),
    Attack("scale: Target map keys are exact", "PUT", "/v1/job/web/scale",
           raw('{"Count": 3, "Target": {"Group": "app", "group": "other"}}')),
    Attack("scale: repeated Target maps merge", "PUT", "/v1/job/web/scale",
           raw('{"Count": 3, "target": {"Group": "app"}, "Target": {"Job": "web"}}')),
    Attack("scale: later Group in a merged Target", "PUT", "/v1/job/web/scale",
           raw('{"Count": 3, "Target": {"Group": "other"}, "TARGET": {"Group": "app"}}')),
    Attack("scale: count spelled in lower case after null", "PUT", "/v1/job/web/scale",
           raw('{"Count": null, "count": 9, "Target": {"Group": "other"}}')),
    Attack("scale: body namespace is ignored by Nomad", "PUT", "/v1/job/web/scale?namespace=prod",
           raw('{"Count": 2, "Namespace": "default", "Target": {"Group": "other"}}')),
    Attack("scale: trailing bytes after the JSON value", "PUT", "/v1/job/web/scale",
           raw('{"Count": 9, "Target": {"Group": "other"}} {"Count": 1}')),
    Attack("scale: invalid UTF-8 after the value", "PUT", "/v1/job/web/scale",
           b'{"Count": 9, "Target": {"Group": "other"}}\xff\xfe'),
    # ---- paths
    Attack("scale: encoded slash before the suffix", "PUT", "/v1/job/web%2Fscale?namespace=prod",
           body({"Count": 2, "Target": {"Group": "other"}})),
    Attack("scale: encoded job prefix", "POST", "/v1/%6Aob/web/scale?namespace=prod",
           body({"Count": 2, "Target": {"Group": "other"}})),
    Attack("scale: absolute-form target", "PUT", "http://nomad/v1/job/web/scale?namespace=prod",
           body({"Count": 2, "Target": {"Group": "other"}})),
    Attack("dispatch: encoded suffix", "PUT", "/v1/job/batchy%2Fdispatch?namespace=prod", body({})),
    # ---- tokens: Nomad authenticates with the header token, whatever the body says
    Attack("override: BEARER in capitals beats body SecretID", "PUT", "/v1/jobs",
           body({"Job": job(image="nginx:latest"), "PolicyOverride": True, "SecretID": "secret-ops"}),
           headers={"Authorization": "BEARER secret-dev"}),
    Attack("override: X-Nomad-Token beats folded secretid", "PUT", "/v1/jobs",
           body({"Job": job(image="nginx:latest"), "policyoverride": True, "secretid": "secret-ops"})),
    Attack("override: last PolicyOverride key is true, token cannot override", "PUT", "/v1/jobs",
           envelope(job(image="nginx:latest"), ', "PolicyOverride": false, "POLICYOVERRIDE": true')),
    Attack("override: hard-mandatory even with an override token", "PUT", "/v1/job/web/scale",
           body({"Count": 3, "Target": {"Group": "app"}, "PolicyOverride": True}),
           headers={"X-Nomad-Token": "secret-ops"}),
]
# Requests Nomad refuses itself: the proxy must refuse them too, not forward its own reading.
MALFORMED = {
    "scale: Count as a string": ("/v1/job/web/scale", '{"Count": "9", "Target": {"Group": "app"}}'),
    "scale: Count as a float": ("/v1/job/web/scale", '{"Count": 9.0, "Target": {"Group": "app"}}'),
    "scale: Count with an exponent": ("/v1/job/web/scale", '{"Count": 1e1, "Target": {"Group": "app"}}'),
    "scale: Count beyond int64": ("/v1/job/web/scale", '{"Count": 9223372036854775808, "Target": {"Group": "app"}}'),
    "scale: negative Count": ("/v1/job/web/scale", '{"Count": -1, "Target": {"Group": "app"}}'),
    "scale: Count with Error": ("/v1/job/web/scale", '{"Count": 9, "Error": true, "Target": {"Group": "app"}}'),
    "scale: Target as a string": ("/v1/job/web/scale", '{"Count": 9, "Target": "app"}'),
    "scale: Target group as a number": ("/v1/job/web/scale", '{"Count": 9, "Target": {"Group": 1}}'),
    "scale: Meta as a string": ("/v1/job/web/scale", '{"Count": 9, "Target": {"Group": "app"}, "Meta": "x"}'),
    "scale: PolicyOverride as a string": ("/v1/job/web/scale",
                                          '{"Count": 9, "Target": {"Group": "app"}, "PolicyOverride": "true"}'),
    "scale: Target namespace differs": ("/v1/job/web/scale",
                                        '{"Count": 9, "Target": {"Group": "app", "Namespace": "prod"}}'),
    "scale: wildcard namespace": ("/v1/job/web/scale?namespace=*", '{"Count": 9, "Target": {"Group": "app"}}'),
    "scale: bad escape in the path": ("/v1/job/web%zz/scale", '{"Count": 9, "Target": {"Group": "app"}}'),
    "scale: trailing slash makes it a register": ("/v1/job/web/scale/", '{"Count": 9, "Target": {"Group": "app"}}'),
    "scale: fragment makes it a register": ("/v1/job/web/scale#x", '{"Count": 9, "Target": {"Group": "app"}}'),
    "revert: JobVersion as a string": ("/v1/job/web/revert?namespace=prod", '{"JobID": "web", "JobVersion": "0"}'),
    "revert: JobVersion as a float": ("/v1/job/web/revert?namespace=prod", '{"JobID": "web", "JobVersion": 0.0}'),
    "revert: negative JobVersion": ("/v1/job/web/revert?namespace=prod", '{"JobID": "web", "JobVersion": -1}'),
    "revert: EnforcePriorVersion not current": ("/v1/job/web/revert?namespace=prod",
                                                '{"JobID": "web", "JobVersion": 0, "EnforcePriorVersion": 7}'),
    "revert: EnforcePriorVersion as a string": ("/v1/job/web/revert?namespace=prod",
                                                '{"JobID": "web", "JobVersion": 0, "EnforcePriorVersion": "1"}'),
    "revert: JobID mismatch": ("/v1/job/web/revert?namespace=prod", '{"JobID": "other", "JobVersion": 0}'),
    "revert: wildcard namespace": ("/v1/job/web/revert?namespace=*", '{"JobID": "web", "JobVersion": 0}'),
    "dispatch: Meta as a string": ("/v1/job/batchy/dispatch?namespace=prod", '{"Meta": "owner=x"}'),
    "dispatch: Meta value as a number": ("/v1/job/batchy/dispatch?namespace=prod", '{"Meta": {"owner": 1}}'),
    "dispatch: unpermitted meta key": ("/v1/job/batchy/dispatch", '{"Meta": {"root": "yes"}}'),
    "dispatch: IdPrefixTemplate as an object": ("/v1/job/batchy/dispatch?namespace=prod",
                                                '{"IdPrefixTemplate": {"a": 1}}'),
    "dispatch: Payload that is not base64": ("/v1/job/batchy/dispatch?namespace=prod", '{"Payload": "%%%"}'),
    "dispatch: JobID mismatch": ("/v1/job/batchy/dispatch?namespace=prod", '{"JobID": "web"}'),
    "dispatch: wildcard namespace": ("/v1/job/batchy/dispatch?namespace=*", "{}"),
    "register: wildcard namespace": ("/v1/jobs?namespace=*", json.dumps({"Job": job(other=2)})),
    "register: job ID in path differs": ("/v1/job/other", json.dumps({"Job": job(app=9)})),
    "register: namespace that is not UTF-8": ("/v1/jobs?namespace=%ff", json.dumps({"Job": job(app=9)})),
}
ATTACKS += [Attack(name, "PUT", target, raw(text), effective=False) for name, (target, text) in MALFORMED.items()]


# ---------------------------------------------------------------------------- running them
def seed(stack: Stack) -> dict[tuple[str, str], int]:
    """The world before each attack, written straight into the double; returns the versions per job."""
    double = stack.double
    double.jobs.clear()
    params = {"Payload": "optional", "MetaOptional": ["owner"]}
    for namespace, versions in (("default", [job(other=2), job()]), ("prod", [job(other=2), job()])):
        for version in versions:
            _store(stack, namespace, version)
        _store(stack, namespace, job("batchy", app=1 if namespace == "default" else 2, other=1, Type="batch",
                                     ParameterizedJob=params))
    double.requests.clear()
    return {key: len(versions) for key, versions in double.jobs.items()}


def _store(stack: Stack, namespace: str, stored: dict) -> None:
    status, text = send(stack.double_port, "PUT", f"/v1/jobs?namespace={namespace}", body({"Job": stored}),
                        dict(DEV))
    assert status == 200, text


def send(port: int, method: str, target: str, payload: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """One raw HTTP/1.1 request; the target and body go out exactly as given."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(payload)}",
             "Connection: close"] + [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + payload)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), rest


def new_violations(stack: Stack, before: dict[tuple[str, str], int]) -> list[tuple[str, str]]:
    """Job versions written since seeding that break a policy."""
    found = []
    for (namespace, job_id), versions in stack.double.jobs.items():
        for stored in versions[before.get((namespace, job_id), 0):]:
            if violates(namespace, stored):
                found.append((namespace, job_id))
    return found


@pytest.fixture(scope="module")
def attack_engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root: Path = tmp_path_factory.mktemp("attacks")
    write_config(root, CONFIG, POLICIES)
    return load_engine(str(root / "jobguard.hcl"), only=tuple(name.split(".")[0] for name in POLICIES))


@pytest.fixture
def world(request: pytest.FixtureRequest, attack_engine: Any) -> Stack:
    return _stack(request, attack_engine, double={"tokens": TOKENS}, override_acl_policies=("ops",))


def run(stack: Stack, attack: Attack) -> tuple[int, bytes, list, list]:
    """(status, answer, writes that reached the double, forbidden job versions written) through the proxy."""
    before = seed(stack)
    status, text = send(stack.port, attack.method, attack.target, attack.body, attack.headers)
    return status, text, stack.double.writes_to(), new_violations(stack, before)


def test_attack_table_no_bypass(world: Stack) -> None:
    """Every attack through the proxy: 4xx, nothing written upstream. Reports attempts and bypasses."""
    bypasses = []
    for attack in ATTACKS:
        status, text, writes, violations = run(world, attack)
        if status < 400 or writes or violations:
            bypasses.append((attack.name, status, text[:200], [w.target for w in writes], violations))
    print(f"\nattack table: {len(ATTACKS)} attempts, {len(bypasses)} bypasses")
    assert not bypasses, "\n".join(map(str, bypasses))


def test_effective_attacks_work_against_nomad_directly(world: Stack) -> None:
    """Sent straight to the double (Go's reading), each effective attack writes a forbidden job: they are real."""
    harmless = []
    for attack in ATTACKS:
        if not attack.effective:
            continue
        before = seed(world)
        status, text = send(world.double_port, attack.method, attack.target, attack.body, attack.headers)
        if not new_violations(world, before):
            harmless.append((attack.name, status, text[:200]))
    assert not harmless, "\n".join(map(str, harmless))


def test_malformed_attacks_are_refused_by_nomad_too(world: Stack) -> None:
    for attack in ATTACKS:
        if attack.effective:
            continue
        before = seed(world)
        status, text = send(world.double_port, attack.method, attack.target, attack.body, attack.headers)
        assert not new_violations(world, before), (attack.name, status, text)


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_the_same_requests_in_default_pass(world: Stack, route: str) -> None:
    """The benign twin of each route's attack (namespace default) goes through: the proxy judges, not refuses."""
    prefix, payload = ROUTES[route]
    seed(world)
    status, text = send(world.port, "PUT", prefix, payload, dict(DEV))
    assert status == 200, text
    assert world.double.writes_to()
