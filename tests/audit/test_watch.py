"""``--watch``: a changed job is re-checked within a second, the table, metrics and change log follow, and the
watcher survives what a long-lived stream meets (drops mid-event, garbage, silence, events that left Nomad's
buffer, an index that goes backwards, a token that may not stream every namespace, a configuration reload)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from jobguard.audit import watch as watch_module
from jobguard.audit.changelog import ChangeLog
from jobguard.audit.client import NomadClient
from jobguard.audit.evaluate import Evaluator
from jobguard.audit.metrics import AuditMetrics
from jobguard.audit.settings import AuditSettings
from jobguard.audit.watch import Watcher

from .conftest import READER, Cluster, api_job

PRIVILEGED = api_job("x", privileged=True)["TaskGroups"]
CLEAN = api_job("x")["TaskGroups"]


@pytest.fixture
def no_config(tmp_path: Path) -> Path:
    return tmp_path


@contextlib.asynccontextmanager
async def watching(cluster: Cluster, tmp_path: Path, evaluator: Callable[[], Evaluator] | None = None,
                   idle: float = 2.0, wait_connected: bool = True, **settings: Any) -> AsyncIterator[Watcher]:
    settings = AuditSettings(address=cluster.url, **settings)
    fixed = Evaluator.load(start_dir=str(tmp_path)).locate(settings.host)
    async with NomadClient(settings, stream_idle_s=idle) as client:
        watcher = Watcher(client, evaluator or (lambda: fixed), settings, metrics=AuditMetrics(),
                          changelog=ChangeLog(str(tmp_path / "changes.jsonl")), reload_check_s=0.1)
        task = asyncio.ensure_future(watcher.run())
        await asyncio.wait_for(watcher.ready.wait(), 20)
        if wait_connected:
            await until(lambda: watcher.metrics.connected == 1)  # changes made from now on arrive as events
        try:
            yield watcher
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            watcher.changelog.close()


async def until(predicate: Callable[[], bool], timeout: float = 10.0) -> float:
    """Seconds until ``predicate()`` holds (fails after ``timeout``)."""
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)
    return time.monotonic() - started


def blocking(watcher: Watcher, namespace: str, job: str) -> int:
    entry = watcher.table.entries.get((namespace, job))
    return watcher.table.counts(entry.result)[0] if entry else -1


def changes(tmp_path: Path) -> list[dict]:
    return [json.loads(line) for line in (tmp_path / "changes.jsonl").read_text().splitlines()]


def stream_indexes(cluster: Cluster) -> list[int]:
    return [int(r.query["index"]) for r in cluster.requests_to("/v1/event/stream")]


def test_a_changed_job_is_reflected_within_one_second(cluster, tmp_path):
    async def main() -> None:
        async with watching(cluster, tmp_path) as watcher:
            assert sorted(watcher.table.entries) == [("default", "api"), ("default", "nightly"), ("default", "web"),
                                                     ("team-a", "billing")]
            assert blocking(watcher, "default", "web") == 0
            started = time.monotonic()
            await cluster.acall(cluster.double.change("default", "web", TaskGroups=PRIVILEGED))
            await until(lambda: blocking(watcher, "default", "web") == 1)
            assert time.monotonic() - started < 1.0
            metrics = watcher.metrics.render()
            assert ('jobguard_audit_violations{namespace="default",job="web",check="no-privileged-containers",'
                    'level="hard-mandatory"} 1') in metrics
            assert 'jobguard_audit_events_total{type="JobRegistered"} 1' in metrics
            assert watcher.table.entries[("default", "web")].version == 1
    asyncio.run(main())
    last = changes(tmp_path)[-1]
    assert (last["namespace"], last["job"], last["version"], last["status"], last["cause"], last["event"]) == (
        "default", "web", 1, "violating", "event", "JobRegistered")
    assert [a["check"] for a in last["added"]] == ["no-privileged-containers"] and last["resolved"] == []
    assert last["index"] == cluster.double.index
    first = changes(tmp_path)[0]
    assert first["cause"] == "start" and first["index"] > 0


def test_a_fix_resolves_and_a_stop_or_purge_removes(cluster, tmp_path):
    async def main() -> None:
        async with watching(cluster, tmp_path) as watcher:
            await cluster.acall(cluster.double.change("default", "api", TaskGroups=CLEAN))
            await until(lambda: blocking(watcher, "default", "api") == 0)
            assert "no-privileged-containers" not in watcher.metrics.render()
            await cluster.acall(cluster.double._stop(_Delete(), "default", "web"))
            await until(lambda: ("default", "web") not in watcher.table.entries)
            await cluster.acall(cluster.double._stop(_Delete(purge=True), "team-a", "billing"))
            await until(lambda: ("team-a", "billing") not in watcher.table.entries)
            assert 'job="billing"' not in watcher.metrics.render()
    asyncio.run(main())
    records = {(r["job"], r["status"]) for r in changes(tmp_path) if r["cause"] == "event"}
    assert {("api", "violating"), ("web", "removed"), ("billing", "removed")} <= records
    resolved = next(r for r in changes(tmp_path) if r["job"] == "api" and r["cause"] == "event")
    assert [x["check"] for x in resolved["resolved"]] == ["no-privileged-containers"]


class _Delete:
    """The bits of a request the double's stop handler reads."""

    def __init__(self, purge: bool = False) -> None:
        self.query = {"purge": "true"} if purge else {}
        self.headers: dict[str, str] = {}


def test_periodic_launches_and_dispatches_are_covered_by_their_parent(cluster, tmp_path):
    async def main() -> None:
        async with watching(cluster, tmp_path) as watcher:
            launch = api_job("nightly/periodic-3", Type="batch", ParentID="nightly", privileged=True)
            await cluster.acall(cluster.double._store("default", launch, None))
            await cluster.acall(cluster.double.change("default", "web", Priority=60))
            await until(lambda: watcher.table.entries[("default", "web")].version == 1)
            assert ("default", "nightly/periodic-3") not in watcher.table.entries
    asyncio.run(main())


def test_a_dropped_stream_reconnects_from_the_last_index(cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(watch_module, "backoff", lambda attempt: 0.05)
    # sent first: Nomad's newest buffered event (already in the listing), then the first change; the second change
    # is cut in half and the connection goes away
    cluster.double.stream_faults.append("drop-after:2")
    async def main() -> None:
        async with watching(cluster, tmp_path) as watcher:
            await cluster.acall(cluster.double.change("default", "web", Priority=60))
            first = cluster.double.index
            await cluster.acall(cluster.double.change("default", "web", TaskGroups=PRIVILEGED))
            await until(lambda: blocking(watcher, "default", "web") == 1)
            assert stream_indexes(cluster)[1] == first + 1
            await until(lambda: watcher.metrics.relists["reconnect"] == 1)
            assert watcher.metrics.reconnects == 1
    asyncio.run(main())


@pytest.mark.parametrize("fault", ["garbage-after:0", "stall", "500"])
def test_garbage_silence_or_errors_reconnect(cluster, tmp_path, monkeypatch, fault):
    monkeypatch.setattr(watch_module, "backoff", lambda attempt: 0.05)
    cluster.double.stream_faults.append(fault)
    async def main() -> None:
        async with watching(cluster, tmp_path, idle=0.5) as watcher:
            await cluster.acall(cluster.double.change("default", "web", TaskGroups=PRIVILEGED))
            await until(lambda: blocking(watcher, "default", "web") == 1)
            await until(lambda: watcher.metrics.reconnects >= 1)
            assert 'jobguard_audit_api_errors_total{kind="stream"} 1' in watcher.metrics.render()
    asyncio.run(main())


def test_events_that_left_the_buffer_while_disconnected_are_caught_by_the_listing(cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(watch_module, "backoff", lambda attempt: 0.05)
    cluster.double.event_buffer_size = 2
    names = [f"svc-{n}" for n in range(5)]
    for name in names:
        cluster.double.seed(api_job(name))
    cluster.double.stream_faults.append("drop-after:0")  # the first connection drops at once...
    cluster.double.hold_streams_after = 1  # ...and no new one is accepted until released
    async def main() -> None:
        async with watching(cluster, tmp_path, wait_connected=False) as watcher:
            await until(lambda: watcher.metrics.reconnects >= 2)
            await cluster.acall(cluster.double.change("default", "web", Priority=70))
            for name in names:  # five more changes while disconnected; the buffer keeps the last two
                await cluster.acall(cluster.double.change("default", name, TaskGroups=PRIVILEGED))
            oldest_buffered = cluster.double.buffer[0]["Index"]
            cluster.double.release_streams()
            await until(lambda: all(blocking(watcher, "default", n) == 1 for n in names))
            await until(lambda: watcher.table.entries[("default", "web")].version == 1)
            await until(lambda: watcher.metrics.relists["reconnect"] >= 1)
            resumed = stream_indexes(cluster)[-1]
            assert resumed < oldest_buffered  # the events in between had left Nomad's buffer
    asyncio.run(main())


def test_an_index_that_goes_backwards_relists_everything(cluster, tmp_path):
    async def main() -> None:
        async with watching(cluster, tmp_path) as watcher:
            await cluster.acall(cluster.double.restore(3, [("default", api_job("fresh")),
                                                           ("default", api_job("rebuilt", privileged=True))]))
            await until(lambda: sorted(watcher.table.entries) == [("default", "fresh"), ("default", "rebuilt")])
            assert blocking(watcher, "default", "rebuilt") == 1
            assert watcher.metrics.relists["index-reset"] == 1
            await cluster.acall(cluster.double.change("default", "fresh", TaskGroups=PRIVILEGED))
            await until(lambda: blocking(watcher, "default", "fresh") == 1)  # and it follows the new cluster
    asyncio.run(main())
    removed = {r["job"] for r in changes(tmp_path) if r["status"] == "removed"}
    assert {"api", "billing"} <= removed


def test_a_token_that_may_not_stream_every_namespace_follows_each_one(acl_cluster, tmp_path, monkeypatch):
    monkeypatch.setattr(watch_module, "backoff", lambda attempt: 0.2)
    async def main() -> None:
        async with watching(acl_cluster, tmp_path, token=READER) as watcher:
            assert ("ops", "secret-ops") not in watcher.table.entries  # listed, not readable: skipped
            await until(lambda: {r.query["namespace"] for r in acl_cluster.requests_to("/v1/event/stream")}
                        >= {"*", "default", "team-a"})
            await asyncio.sleep(0.2)
            await acl_cluster.acall(acl_cluster.double.change("team-a", "billing", TaskGroups=PRIVILEGED))
            await until(lambda: "no-privileged-containers" in {
                f.rule for f in watcher.table.entries[("team-a", "billing")].result.findings})
    asyncio.run(main())


def test_a_new_configuration_reevaluates_every_job(cluster, tmp_path):
    strict = tmp_path / "strict"
    strict.mkdir()
    (strict / "jobguard.hcl").write_text('rules = "none"\nrule "no-raw-exec" {}\n')
    settings_host = f"127.0.0.1:{cluster.port}"
    first = Evaluator.load(start_dir=str(tmp_path)).locate(settings_host)
    second = Evaluator.load(start_dir=str(strict)).locate(settings_host)
    current = [first]
    async def main() -> None:
        async with watching(cluster, tmp_path, evaluator=lambda: current[0]) as watcher:
            assert blocking(watcher, "default", "api") == 1
            current[0] = second
            await until(lambda: blocking(watcher, "default", "api") == 0)
            assert watcher.metrics.relists["config-reload"] == 1
            assert all(not e.result.findings for e in watcher.table.entries.values())
    asyncio.run(main())


def test_a_first_audit_that_fails_ends_the_watch(tmp_path):
    async def main() -> None:
        settings = AuditSettings(address="http://127.0.0.1:9", retries=0)
        async with NomadClient(settings) as client:
            evaluator = Evaluator.load(start_dir=str(tmp_path)).locate(settings.host)
            await Watcher(client, lambda: evaluator, settings).run()
    with pytest.raises(watch_module.AuditError, match="did not answer GET /v1/jobs"):
        asyncio.run(main())


def test_one_namespace_is_followed_on_its_own_stream(cluster, tmp_path):
    async def main() -> None:
        async with watching(cluster, tmp_path, namespace="team-a") as watcher:
            assert sorted(watcher.table.entries) == [("team-a", "billing")]
            await cluster.acall(cluster.double.change("default", "web", TaskGroups=PRIVILEGED))
            await cluster.acall(cluster.double.change("team-a", "billing", Priority=70))
            await until(lambda: watcher.table.entries[("team-a", "billing")].version == 1)
            assert sorted(watcher.table.entries) == [("team-a", "billing")]
    asyncio.run(main())
    assert {r.query["namespace"] for r in cluster.requests_to("/v1/event/stream")} == {"team-a"}
