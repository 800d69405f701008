"""Fixtures: a Nomad cluster double on 127.0.0.1 in a background event loop, and jobs to put in it.

The double runs in its own thread so tests can drive it with blocking clients (python-nomad, urllib, the
``jobguard audit`` command through click's runner or a subprocess) while it serves.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.proxy.conftest import certs  # noqa: F401 - a throwaway CA and certificates, shared with the proxy tests

from .cluster_double import ClusterDouble, start_cluster

TOKEN = "0b8c2b0e-6d4e-4f55-9a35-3c1de0e1d0aa"  # a management token
READER = "7d5a4b36-2d7e-4b9c-8f20-91a0c3b6e111"  # reads "default" and "team-*"; may list "ops" but not read it
NOBODY = "c3f0e6a2-5b1d-4e8f-b7a9-2d4c6e8f0a1b"  # a valid token without any namespace capability


class Cluster:
    """A :class:`ClusterDouble` served from a background thread."""

    def __init__(self, double: ClusterDouble) -> None:
        self.double = double
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.port = 0

    def start(self, ssl_context: Any = None) -> Cluster:
        self.thread.start()
        self.runner, self.port = self.call(start_cluster(self.double, ssl_context))
        self.scheme = "https" if ssl_context else "http"
        return self

    def call(self, coro: Any, timeout: float = 30) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def acall(self, coro: Any) -> Any:
        """Run ``coro`` on the double's loop from another event loop, without blocking that loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def stop(self) -> None:
        try:
            self.call(self.runner.cleanup())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def requests_to(self, path: str) -> list[Any]:
        return [r for r in self.double.requests if r.path == path]


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0) -> None:
    """Poll ``predicate`` (blocking tests: the servers run in other threads or processes)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def api_job(job_id: str = "web", image: str = "nginx:1.27.3", privileged: bool = False,
            env: dict[str, str] | None = None, resources: bool = True, **extra: Any) -> dict[str, Any]:
    """A job as Nomad stores it (reduced to what the rules look at): pinned image and named datacenter."""
    task: dict[str, Any] = {"Name": "server", "Driver": "docker", "Config": {"image": image}}
    if privileged:
        task["Config"]["privileged"] = True
    if env:
        task["Env"] = env
    if resources:
        task["Resources"] = {"CPU": 100, "MemoryMB": 128}
    job = {"ID": job_id, "Name": job_id, "Type": "service", "Datacenters": ["dc1"], "Priority": 50,
           "TaskGroups": [{"Name": "app", "Count": 1, "Tasks": [task]}]}
    job.update(extra)
    return job


def make_cluster(request: pytest.FixtureRequest, **fields: Any) -> Cluster:
    cluster = Cluster(ClusterDouble(**fields)).start()
    request.addfinalizer(cluster.stop)
    return cluster


@pytest.fixture
def cluster(request: pytest.FixtureRequest) -> Cluster:
    """An open cluster (ACLs off) with a few jobs in two namespaces."""
    cluster = make_cluster(request, heartbeat_s=0.2)
    seed_small(cluster.double)
    return cluster


@pytest.fixture
def acl_cluster(request: pytest.FixtureRequest) -> Cluster:
    """ACLs on: TOKEN is a management token; READER may list and read jobs in "default" and "team-*" and list (not
    read) those of "ops"; NOBODY has no capability at all."""
    cluster = make_cluster(request, heartbeat_s=0.2,
                           tokens={TOKEN: {"AccessorID": "a-1", "SecretID": TOKEN, "Type": "management"},
                                   READER: {"AccessorID": "a-2", "SecretID": READER, "Type": "client"},
                                   NOBODY: {"AccessorID": "a-3", "SecretID": NOBODY, "Type": "client"}},
                           acl={READER: {"default": {"list-jobs", "read-job"}, "team-*": {"list-jobs", "read-job"},
                                         "ops": {"list-jobs"}}})
    seed_small(cluster.double)
    cluster.double.seed(api_job("secret-ops", privileged=True), namespace="ops")
    return cluster


def seed_small(double: ClusterDouble) -> None:
    """web (clean), api (privileged: blocking), batch-done (dead), a periodic parent with two launches, and a
    team namespace job with an inline secret."""
    double.seed(api_job("web"))
    double.seed(api_job("api", privileged=True), version=3)
    double.seed(api_job("batch-done", Type="batch"), status="dead")
    double.seed(api_job("nightly", Type="batch", Periodic={"Enabled": True, "Spec": "@daily"}))
    for n in (1, 2):
        double.seed(api_job(f"nightly/periodic-{n}", Type="batch", ParentID="nightly"), status="dead" if n == 1
                    else "running")
    double.seed(api_job("billing", env={"DB_PASSWORD": "hunter2-hunter2-hunter2"}), namespace="team-a")
