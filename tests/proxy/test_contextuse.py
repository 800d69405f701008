"""The existing-job read: overlapped with evaluation when no policy reads it, before it when one does; the
decisions are the same either way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jobguard.proxy import contextuse
from jobguard.proxy.reload import load_engine

from .conftest import CONFIG, ONLY, POLICIES, Stack, _stack, make_job, write_config
from .test_admission import ACL

# Passes on every job, but reads the existing job: the engine must fetch it before evaluating.
READS_EXISTING = {"reads-existing.sentinel": "main = rule { job_exists or existing_job is null }\n"}
# Denies changing a registered job's owner: the verdict depends on the existing job.
KEEP_OWNER = {"keep-owner.sentinel": """
owner = func(j) {
    if j.meta is null { return "" }
    return j.meta["owner"] else ""
}
main = rule { not job_exists or owner(existing_job) is owner(job) }
"""}


def _engine(root: Path, extra: dict[str, str]) -> Any:
    names = [name.removesuffix(".sentinel") for name in extra]
    blocks = "".join(f'policy "{n}" {{\n  source = "./policies/{n}.sentinel"\n  enforcement_level = '
                     f'"hard-mandatory"\n}}\n' for n in names)
    write_config(root, CONFIG + blocks, {**POLICIES, **extra})
    return load_engine(str(root / "jobguard.hcl"), only=ONLY + tuple(names))


@pytest.fixture(scope="module")
def base_engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _engine(tmp_path_factory.mktemp("base"), {})


@pytest.fixture(scope="module")
def reading_engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _engine(tmp_path_factory.mktemp("reading"), READS_EXISTING)


@pytest.fixture(scope="module")
def owner_engine(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return _engine(tmp_path_factory.mktemp("owner"), KEEP_OWNER)


# ---------------------------------------------------------------------------- what reads the existing job
def test_policies_that_never_name_the_existing_job_do_not_need_it(base_engine: Any) -> None:
    assert contextuse.needs_existing_job(base_engine) is False


def test_a_policy_naming_existing_job_or_job_exists_needs_it(reading_engine: Any, owner_engine: Any) -> None:
    assert contextuse.needs_existing_job(reading_engine) is True
    assert contextuse.needs_existing_job(owner_engine) is True  # read inside a function's arguments


@pytest.mark.parametrize(("source", "reads"), [
    ("main = rule { job_exists }", True),
    ("f = func() { return existing_job }\nmain = rule { f() is null }", True),
    ('main = rule { job.id != "existing_job" }', False),  # a string, not the global
    ("main = rule { job.meta.job_exists is undefined }", False),  # a field of the job, not the global
])
def test_names_are_found_anywhere_in_the_tree(source: str, reads: bool) -> None:
    from jobguard.lang.policy import compile_policy

    class Spec:
        compiled = compile_policy(source, "p")

    assert contextuse.policy_reads(Spec(), contextuse.EXISTING_JOB_NAMES) is reads


def test_anything_it_cannot_inspect_counts_as_reading() -> None:
    class Opaque:
        compiled = object()

    class Engine:
        policies = [Opaque()]

    assert contextuse.needs_existing_job(object()) is True
    assert contextuse.needs_existing_job(Engine()) is True


# ---------------------------------------------------------------------------- same decisions on both paths
def _script(s: Stack) -> list[tuple[int, Any]]:
    """Requests covering every outcome; (status, body) each, bodies without per-run IDs."""
    out = []
    calls = [
        ("PUT", "/v1/jobs", {"Job": make_job()}, {}),                         # allow, new job
        ("PUT", "/v1/jobs", {"Job": make_job(count=2)}, {}),                  # allow, existing job
        ("PUT", "/v1/jobs", {"Job": make_job(count=9)}, {}),                  # deny
        ("PUT", "/v1/jobs", {"Job": make_job(owner=None)}, {}),               # warn
        ("PUT", "/v1/jobs", {"Job": make_job(count="x")}, {}),                # invalid job
        ("PUT", "/v1/job/web/plan", {"Job": make_job(image="nginx:latest")}, {}),  # soft-mandatory deny
        ("PUT", "/v1/validate/job", {"Job": make_job(count=9)}, {}),          # validate: 200 with errors
        ("PUT", "/v1/jobs", {"Job": make_job()}, {"X-Nomad-Token": "nobody"}),   # read refused: Nomad's 403
        ("PUT", "/v1/jobs", {"Job": make_job(count="x")}, {"X-Nomad-Token": "nobody"}),  # invalid wins
    ]
    for method, path, body, headers in calls:
        status, _, raw = s.http(method, path, body, headers={"X-Nomad-Token": "secret-dev", **headers})
        try:
            data = json.loads(raw)
        except ValueError:
            data = raw.decode()
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in ("EvalID", "JobModifyIndex", "Index", "Diff")}
        out.append((status, data))
    return out


def test_overlapped_and_sequential_reads_decide_alike(request: pytest.FixtureRequest, base_engine: Any,
                                                      reading_engine: Any) -> None:
    overlapped = _stack(request, base_engine, double=ACL)
    sequential = _stack(request, reading_engine, double=ACL)
    first, second = _script(overlapped), _script(sequential)
    assert first == second
    assert [status for status, _ in first] == [200, 200, 403, 200, 400, 403, 200, 403, 400]
    assert first[7][1].strip() == "Permission denied"  # Nomad's own refusal, relayed on both paths
    for s in (overlapped, sequential):  # the existing job was read with the caller's token on both paths
        reads = [r for r in s.double.requests if r.method == "GET" and r.path == "/v1/job/web"]
        assert len(reads) >= 8 and all(r.headers.get("X-Nomad-Token") for r in reads)
        assert [r.path for r in s.double.writes_to()] == ["/v1/jobs"] * 3 + ["/v1/validate/job"]


def test_a_policy_reading_the_existing_job_sees_it(request: pytest.FixtureRequest, owner_engine: Any) -> None:
    s = _stack(request, owner_engine)
    assert s.http("PUT", "/v1/jobs", {"Job": make_job(owner="team-a")})[0] == 200
    assert s.http("PUT", "/v1/jobs", {"Job": make_job(owner="team-a", count=2)})[0] == 200
    status, _, body = s.http("PUT", "/v1/jobs", {"Job": make_job(owner="team-b")})
    assert status == 403 and b'hard-mandatory policy "keep-owner"' in body
    assert s.http("PUT", "/v1/jobs", {"Job": make_job("api", owner="team-b")})[0] == 200  # a new job
