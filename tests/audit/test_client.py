"""The Nomad API client against the cluster double: retries, timeouts, garbage, ACL errors, pagination and the
event stream (heartbeats, a drop in the middle of a message, garbage, silence)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from jobguard.audit import client as client_module
from jobguard.audit.client import (BadResponse, NomadClient, PermissionDenied, StreamDropped, Unreachable)
from jobguard.audit.settings import AuditSettings

from .conftest import READER, TOKEN, api_job


async def no_sleep(seconds: float) -> None:
    return None


def run(cluster, coro_fn, token: str = "", idle: float = 2.0, **settings: Any) -> Any:
    async def main() -> Any:
        async with NomadClient(AuditSettings(address=cluster.url, token=token, **settings), sleep=no_sleep,
                               stream_idle_s=idle) as client:
            return await coro_fn(client)
    return asyncio.run(main())


def test_list_follows_pagination_and_keeps_the_index(cluster, monkeypatch):
    monkeypatch.setattr(client_module, "PAGE_SIZE", 2)
    stubs, index = run(cluster, lambda c: c.list_jobs("default"))
    assert [s["ID"] for s in stubs] == ["api", "batch-done", "nightly", "nightly/periodic-1", "nightly/periodic-2",
                                        "web"]
    assert index == cluster.double.index
    tokens = [r.query.get("next_token") for r in cluster.requests_to("/v1/jobs")]
    assert tokens[0] is None and all(tokens[1:]) and len(tokens) == 3


def test_transient_failures_are_retried(cluster):
    cluster.double.fault("/v1/jobs", "500", "503", "429")
    stubs, _ = run(cluster, lambda c: c.list_jobs("team-a"))
    assert [s["ID"] for s in stubs] == ["billing"] and len(cluster.requests_to("/v1/jobs")) == 4


def test_a_reset_connection_is_retried(cluster):
    cluster.double.fault("/v1/job/web", "reset")
    job = run(cluster, lambda c: c.read_job("web", "default"))
    assert job["ID"] == "web"


def test_retries_give_up_with_a_clear_error(cluster):
    cluster.double.fault("/v1/jobs", "502", "502", "502", "502")
    with pytest.raises(Unreachable) as info:
        run(cluster, lambda c: c.list_jobs("*"))
    assert "did not answer GET /v1/jobs (namespace '*') (4 attempt(s)): HTTP 502: injected failure" in str(info.value)


def test_timeouts_are_retried_then_reported(cluster):
    cluster.double.hang_s = 5
    cluster.double.fault("/v1/job/web", "hang", "hang")
    started = time.monotonic()
    with pytest.raises(Unreachable, match=r"no answer within 0.2 s"):
        run(cluster, lambda c: c.read_job("web", "default"), timeout_s=0.2, retries=1)
    assert time.monotonic() - started < 3


def test_garbage_json_is_a_bad_response(cluster):
    cluster.double.fault("/v1/job/web", "garbage")
    with pytest.raises(BadResponse, match=r"GET /v1/job/web \(namespace 'default'\) with something that is not JSON"):
        run(cluster, lambda c: c.read_job("web", "default"))


def test_unreachable_api():
    async def main() -> None:
        async with NomadClient(AuditSettings(address="http://127.0.0.1:9", retries=1), sleep=no_sleep) as client:
            await client.list_jobs("*")
    with pytest.raises(Unreachable, match="Nomad at http://127.0.0.1:9 did not answer GET /v1/jobs"):
        asyncio.run(main())


def test_permission_denied_names_the_capability(acl_cluster):
    with pytest.raises(PermissionDenied) as info:
        run(acl_cluster, lambda c: c.read_job("secret-ops", "ops"), token=READER)
    assert "the token needs namespace:read-job in 'ops'" in str(info.value)
    assert info.value.status == 403 and READER not in str(info.value)
    with pytest.raises(PermissionDenied, match="needs namespace:list-jobs in at least one namespace"):
        run(acl_cluster, lambda c: c.list_jobs("*"))


def test_a_purged_job_reads_as_none(cluster):
    assert run(cluster, lambda c: c.read_job("nope", "default")) is None


def take(n: int, namespace: str = "*", index: int = 1):
    async def collect(client: NomadClient) -> list[dict]:
        out: list[dict] = []
        async for message in client.stream(index, namespace):
            out.append(message)
            if len(out) == n:
                break
        return out
    return collect


def test_stream_messages_and_heartbeats(cluster):
    messages = run(cluster, take(9))
    events = [m for m in messages if m]
    assert [e["Events"][0]["Key"] for e in events] == ["web", "api", "batch-done", "nightly", "nightly/periodic-1",
                                                       "nightly/periodic-2", "billing"]
    assert messages[-2:] == [{}, {}]
    query = cluster.requests_to("/v1/event/stream")[0].query
    assert (query["topic"], query["namespace"], query["index"]) == ("Job", "*", "1")


@pytest.mark.parametrize("fault, message", [
    ("drop-after:2", "the connection dropped in the middle of the stream"),
    ("garbage-after:1", "sent a line that is not JSON"),
    ("stall", "nothing received for 0.5 s"),
    ("503", "HTTP 503"),
])
def test_stream_failures_are_stream_dropped(cluster, fault, message):
    cluster.double.stream_faults.append(fault)
    with pytest.raises(StreamDropped, match=message):
        run(cluster, take(100, index=cluster.double.index + 1 if fault == "stall" else 1), idle=0.5)


def test_stream_403_is_permission_denied(acl_cluster):
    with pytest.raises(PermissionDenied, match='needs a management token or a policy on namespace "\\*"'):
        run(acl_cluster, take(1), token=READER)
    assert run(acl_cluster, take(1), token=TOKEN)[0]["Index"] > 0


def test_region_is_sent_with_every_request(cluster):
    cluster.double.regions.append("eu")
    run(cluster, lambda c: c.read_job("web", "default"), region="eu")
    assert cluster.requests_to("/v1/job/web")[-1].query == {"namespace": "default", "region": "eu"}


def test_job_ids_are_escaped_in_the_path(cluster):
    cluster.double.seed(api_job("a b/c"))
    assert run(cluster, lambda c: c.read_job("a b/c", "default"))["ID"] == "a b/c"
