"""A Nomad cluster double for ``jobguard audit``: the proxy's API double plus what an audit reads.

Written from Nomad's HTTP API documentation (developer.hashicorp.com/nomad/api-docs: jobs, namespaces, regions,
events, ACL) on top of :class:`tests.proxy.nomad_double.NomadDouble`:

* ``GET /v1/jobs``: job list stubs (``ID``, ``ParentID``, ``Namespace``, ``Type``, ``Status``, ``Stop``,
  ``Periodic``, ``ParameterizedJob``, ``JobModifyIndex``...) of one namespace (default ``default``) or, with
  ``namespace=*``, of every namespace the token may ``list-jobs`` in (403 when there is none); ``prefix``,
  pagination (``per_page`` / ``next_token`` / ``X-Nomad-NextToken``) and blocking queries;
* ``GET /v1/job/:id`` needs ``read-job`` in the job's namespace (403 ``Permission denied`` otherwise);
  ``DELETE /v1/job/:id`` stops the job (``Stop: true``, a new version) or, with ``purge=true``, removes it;
* ``GET /v1/namespaces`` lists the namespaces the token has any capability in; ``GET /v1/regions``; a ``region``
  that is not one of :attr:`regions` is answered 500 ``No path to region``;
* ``GET /v1/event/stream``: NDJSON, ``{}`` heartbeats, ``topic`` / ``namespace`` filters (``namespace=*`` needs a
  management token or a policy on namespace ``*``), and a bounded buffer of past events replayed from ``index``
  the way Nomad's event broker does it (``eventBuffer.StartAtClosest``): from the first buffered item whose index
  is >= the requested one, from the oldest one when the requested index has left the buffer, and the newest one
  when the requested index is beyond everything buffered. Every write emits ``JobRegistered``; stop and purge emit
  ``JobDeregistered``, with the job as payload.

Faults for bad-input tests are queued per request path prefix (:meth:`ClusterDouble.fault`): an error status,
garbage instead of JSON, a hang (the client times out), a reset connection; stream connections take their own
faults (:attr:`stream_faults`): drop after N messages in the middle of the next one, garbage after N, stall
(no heartbeats), or an error status.

ACLs: :attr:`acl` maps a token SecretID to ``{namespace glob: set of capabilities}``; tokens whose ``Type`` is
``management`` may do everything; with no tokens at all ACLs are off.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import fnmatch
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.proxy.nomad_double import NomadDouble

STUB_KEYS = ("ID", "ParentID", "Name", "Namespace", "Datacenters", "Type", "Priority", "NodePool", "Status",
             "StatusDescription", "CreateIndex", "ModifyIndex", "JobModifyIndex", "SubmitTime")


@dataclass
class ClusterDouble(NomadDouble):
    namespaces: dict[str, str] = field(default_factory=lambda: {"default": "Default shared namespace"})
    regions: list[str] = field(default_factory=lambda: ["global"])
    acl: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    event_buffer_size: int = 100
    hang_s: float = 30.0
    stream_faults: list[str] = field(default_factory=list)
    #: after this many stream connections, refuse new ones (503) until :meth:`release_streams`
    hold_streams_after: int | None = None
    stream_connections: int = 0
    buffer: list[dict[str, Any]] = field(default_factory=list)
    _faults: list[tuple[str, str]] = field(default_factory=list)
    _subscribers: list[asyncio.Queue] = field(default_factory=list)

    # ------------------------------------------------------------------ test helpers
    def fault(self, prefix: str, *kinds: str) -> None:
        """Queue faults for the next requests whose path starts with ``prefix``: ``"500"`` (or any status),
        ``"garbage"``, ``"json:TEXT"`` (TEXT as the body), ``"hang"``, ``"reset"``. Each request consumes one."""
        self._faults += [(prefix, kind) for kind in kinds]

    def seed(self, job: dict[str, Any], namespace: str = "default", status: str = "running", stop: bool = False,
             version: int = 0) -> dict[str, Any]:
        """Store a job directly, as if registered long ago; returns the stored job. Its JobRegistered event goes
        into the buffer (a stream from an older index replays it) but not to streams already open: seed before
        watching, :meth:`change` while watching."""
        self.index += 1
        stored = copy.deepcopy(job)
        stored.update(Namespace=namespace, Status=status, Stop=stop, Version=version, Stable=True,
                      CreateIndex=self.index, ModifyIndex=self.index, JobModifyIndex=self.index,
                      SubmitTime=time.time_ns())
        stored.setdefault("Name", job["ID"])
        self.namespaces.setdefault(namespace, "")
        self.jobs.setdefault((namespace, stored["ID"]), []).append(stored)
        self._buffer(self._item("JobRegistered", stored))
        return stored

    async def change(self, namespace: str, job_id: str, **fields: Any) -> dict[str, Any]:
        """A new version of a stored job with ``fields`` changed (like ``nomad job run`` of an edited file)."""
        current = copy.deepcopy(self._current(namespace, job_id))
        current.update(fields)
        await self._store(namespace, current, self._current(namespace, job_id))
        return current

    async def restore(self, index: int, jobs: list[tuple[str, dict[str, Any]]]) -> None:
        """Replace the whole state, as restoring an older snapshot (or rebuilding the cluster) does: the index goes
        back to ``index``, the event buffer is empty, ``jobs`` (namespace, job) are all there is; the last one is
        registered with an event, which open streams receive."""
        self.jobs.clear()
        self.buffer.clear()
        self.index = index
        for namespace, job in jobs[:-1]:
            self.seed(job, namespace)
        namespace, job = jobs[-1]
        await self._store(namespace, dict(job, Status="running"), None)

    def release_streams(self) -> None:
        self.hold_streams_after = None

    # ------------------------------------------------------------------ plumbing
    def app(self) -> web.Application:
        app = super().app()
        app.middlewares.insert(1, self._regions_and_faults)  # after the recorder: faulted requests are recorded
        return app

    @web.middleware
    async def _regions_and_faults(self, request: web.Request, handler):
        region = request.query.get("region")
        if region and region not in self.regions:
            return self.error(500, "No path to region")
        for i, (prefix, kind) in enumerate(self._faults):
            if request.path.startswith(prefix):
                del self._faults[i]
                return await self._inject(request, kind)
        return await handler(request)

    async def _inject(self, request: web.Request, kind: str) -> web.StreamResponse:
        if kind.startswith("json:"):  # valid JSON of the wrong shape
            return web.Response(text=kind[5:], content_type="application/json", headers=self._meta_headers())
        if kind == "garbage":
            return web.Response(text='{"ID": "web", "TaskGroups": [tru', content_type="application/json",
                                headers=self._meta_headers())
        if kind == "hang":
            await asyncio.sleep(self.hang_s)
            return self.error(504, "too late")
        if kind == "reset":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError
        return self.error(int(kind), "injected failure" if kind != "403" else "Permission denied")

    # ------------------------------------------------------------------ ACL
    def _secret(self, request: web.Request) -> str:
        secret = request.headers.get("X-Nomad-Token", "")
        auth = request.headers.get("Authorization", "")
        return secret or (auth.split(" ", 1)[1].strip() if auth.startswith("Bearer ") else "")

    def allowed(self, request: web.Request, namespace: str, capability: str) -> bool:
        if not self.tokens:
            return True
        secret = self._secret(request)
        token = self.tokens.get(secret)
        if token is None:
            return False
        if token.get("Type") == "management":
            return True
        rules = self.acl.get(secret, {})
        if namespace == "*":  # only a policy written for namespace "*" covers all of them
            return capability in rules.get("*", set())
        return any(capability in caps for pattern, caps in rules.items() if fnmatch.fnmatchcase(namespace, pattern))

    def _visible(self, request: web.Request, capability: str) -> list[str]:
        return sorted(ns for ns in self.namespaces if self.allowed(request, ns, capability))

    # ------------------------------------------------------------------ routing
    async def _route(self, request: web.Request) -> web.StreamResponse:
        path, method = request.path, request.method
        if path == "/v1/jobs" and method == "GET":
            return await self._list(request)
        if path == "/v1/namespaces" and method == "GET":
            names = [ns for ns in sorted(self.namespaces) if self._visible_any(request, ns)]
            return self._json([{"Name": ns, "Description": self.namespaces[ns], "Quota": "", "Meta": None,
                                "CreateIndex": 1, "ModifyIndex": 1} for ns in names])
        if path == "/v1/regions" and method == "GET":
            return self._json(sorted(self.regions))
        if path == "/v1/event/stream":
            return await self._event_stream(request)
        if path.startswith("/v1/job/") and "/" not in path[len("/v1/job/"):]:
            job_id = path[len("/v1/job/"):]
            ns = request.query.get("namespace") or "default"
            if method == "GET":
                if not self.allowed(request, ns, "read-job"):
                    return self.error(403, "Permission denied")
                await self._blocking(request)
                job = self._current(ns, job_id)
                return self._json(job) if job else self.error(404, "job not found")
            if method == "DELETE":
                return await self._stop(request, ns, job_id)
        return await super()._route(request)

    def _visible_any(self, request: web.Request, namespace: str) -> bool:
        return any(self.allowed(request, namespace, cap) for cap in ("list-jobs", "read-job", "submit-job"))

    async def _list(self, request: web.Request) -> web.Response:
        ns = request.query.get("namespace") or "default"
        if ns == "*":
            allowed = set(self._visible(request, "list-jobs"))
            if self.tokens and not allowed:
                return self.error(403, "Permission denied")
        else:
            if not self.allowed(request, ns, "list-jobs"):
                return self.error(403, "Permission denied")
            allowed = {ns}
        await self._blocking(request)
        prefix = request.query.get("prefix", "")
        keys = sorted(k for k in self.jobs if k[0] in allowed and k[1].startswith(prefix) and self.jobs[k])
        start = _decode_token(request.query.get("next_token", ""))
        if start:
            keys = [k for k in keys if k >= start]
        headers = self._meta_headers()
        per_page = int(request.query.get("per_page") or 0)
        if per_page and len(keys) > per_page:
            headers["X-Nomad-NextToken"] = _encode_token(keys[per_page])
            keys = keys[:per_page]
        return web.json_response([list_stub(self.jobs[k][-1]) for k in keys], headers=headers)

    # ------------------------------------------------------------------ writes that emit events
    async def _store(self, ns: str, job: dict[str, Any], prev: dict[str, Any] | None) -> int:
        self.index += 1
        job.update(Namespace=ns, Version=(prev["Version"] + 1) if prev else 0, Stable=False,
                   SubmitTime=time.time_ns(), CreateIndex=prev["CreateIndex"] if prev else self.index,
                   ModifyIndex=self.index, JobModifyIndex=self.index)
        job.setdefault("Status", "pending")
        job.setdefault("Stop", False)
        self.jobs.setdefault((ns, job["ID"]), []).append(job)
        await self.publish("JobRegistered", job)
        return self.index

    async def _stop(self, request: web.Request, ns: str, job_id: str) -> web.Response:
        if not self.allowed(request, ns, "submit-job"):
            return self.error(403, "Permission denied")
        current = self._current(ns, job_id)
        if current is None:
            return self.error(404, "job not found")
        if request.query.get("purge") == "true":
            del self.jobs[(ns, job_id)]
            self.index += 1
            await self.publish("JobDeregistered", current)
        else:
            stopped = copy.deepcopy(current)
            stopped.update(Stop=True, Status="dead", Version=current["Version"] + 1)
            self.index += 1
            stopped.update(ModifyIndex=self.index, JobModifyIndex=self.index)
            self.jobs[(ns, job_id)].append(stopped)
            await self.publish("JobDeregistered", stopped)
        return web.json_response({"EvalID": "", "EvalCreateIndex": self.index, "JobModifyIndex": self.index,
                                  "Index": self.index}, headers={"X-Nomad-Index": str(self.index)})

    def _item(self, kind: str, job: dict[str, Any]) -> dict[str, Any]:
        return {"Index": self.index, "Events": [{
            "Topic": "Job", "Type": kind, "Key": job["ID"], "Namespace": job.get("Namespace", "default"),
            "FilterKeys": None, "Index": self.index, "Payload": {"Job": copy.deepcopy(job)}}]}

    def _buffer(self, item: dict[str, Any]) -> None:
        self.buffer.append(item)
        del self.buffer[:-self.event_buffer_size]

    async def publish(self, kind: str, job: dict[str, Any]) -> None:
        """Buffer one Job event at the current index and hand it to every open stream."""
        item = self._item(kind, job)
        self._buffer(item)
        for queue in list(self._subscribers):
            queue.put_nowait(item)
        async with self._cond():
            self._cond().notify_all()

    # ------------------------------------------------------------------ the event stream
    async def _event_stream(self, request: web.Request) -> web.StreamResponse:
        ns = request.query.get("namespace") or "default"
        topics = [t.partition(":") for t in request.query.getall("topic", [])] or [("*", ":", "*")]
        if not self.allowed(request, ns, "read-job"):
            return self.error(403, "Permission denied")
        self.stream_connections += 1
        if self.hold_streams_after is not None and self.stream_connections > self.hold_streams_after:
            return self.error(503, "streams held by the test")
        fault = self.stream_faults.pop(0) if self.stream_faults else ""
        if fault.isdigit():
            return self.error(int(fault), "injected failure")
        index = int(request.query.get("index") or 0)
        backlog = start_at_closest(self.buffer, index)
        queue: asyncio.Queue = asyncio.Queue()
        self._subscribers.append(queue)  # no await since the backlog was taken: nothing is missed or doubled
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(request)
        sent = 0
        try:
            for item in backlog:
                sent = await self._send(resp, self._filter(item, ns, topics, request), sent, fault)
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), self.heartbeat_s)
                except asyncio.TimeoutError:
                    if fault != "stall":
                        await resp.write(b"{}\n")
                    continue
                sent = await self._send(resp, self._filter(item, ns, topics, request), sent, fault)
        except _Dropped:
            if request.transport is not None:
                request.transport.abort()
            return resp
        finally:
            self._subscribers.remove(queue)

    def _filter(self, item: dict[str, Any], ns: str, topics: list[tuple[str, str, str]],
                request: web.Request) -> dict[str, Any] | None:
        events = [e for e in item["Events"]
                  if (ns == "*" or e["Namespace"] == ns) and self.allowed(request, e["Namespace"], "read-job")
                  and any(t in ("*", e["Topic"]) and (not sep or key in ("*", e["Key"])) for t, sep, key in topics)]
        return {"Index": item["Index"], "Events": events} if events else None

    async def _send(self, resp: web.StreamResponse, item: dict[str, Any] | None, sent: int, fault: str) -> int:
        if item is None:
            return sent
        line = json.dumps(item).encode() + b"\n"
        kind, _, after = fault.partition("-after:")
        if after and sent >= int(after):
            if kind == "drop":  # half of the next message, then the connection goes away
                await resp.write(line[: len(line) // 2])
            elif kind == "garbage":
                await resp.write(b'{"Index": oops}\n')
            raise _Dropped
        await resp.write(line)
        return sent + 1


class _Dropped(Exception):
    pass


def start_at_closest(buffer: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
    """The buffered items a subscription from ``index`` starts with (Nomad's ``StartAtClosest``; index 0 replays
    the whole buffer)."""
    if not buffer:
        return []
    if index <= buffer[0]["Index"]:
        return list(buffer)
    for position, item in enumerate(buffer):
        if item["Index"] >= index:
            return buffer[position:]
    return buffer[-1:]


def list_stub(job: dict[str, Any]) -> dict[str, Any]:
    """A job as ``GET /v1/jobs`` lists it (structs.JobListStub)."""
    stub = {k: job.get(k) for k in STUB_KEYS}
    stub.update(ParentID=job.get("ParentID") or "", Stop=bool(job.get("Stop")),
                Periodic=bool(job.get("Periodic")),
                ParameterizedJob=bool(job.get("ParameterizedJob")), JobSummary=None)
    return stub


def _encode_token(key: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def _decode_token(token: str) -> tuple[str, str] | None:
    if not token:
        return None
    return tuple(json.loads(base64.urlsafe_b64decode(token.encode())))  # type: ignore[return-value]


async def start_cluster(double: ClusterDouble, ssl_context: Any = None) -> tuple[web.AppRunner, int]:
    """Serve ``double`` on 127.0.0.1; handlers are cancelled when their client goes away (hung requests)."""
    runner = web.AppRunner(double.app(), access_log=None, handler_cancellation=True, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


def synthetic_jobs(count: int) -> list[tuple[str, dict[str, Any]]]:
    """``count`` varied (namespace, job) pairs: clean ones, privileged ones, inline secrets, missing resources,
    periodic parents with launches, stopped ones, over four namespaces."""
    out: list[tuple[str, dict[str, Any]]] = []
    for n in range(count):
        namespace = ("default", "team-a", "team-b", "ops")[n % 4]
        task: dict[str, Any] = {"Name": "server", "Driver": "docker",
                                "Config": {"image": f"registry.example.com/app-{n % 50}:1.{n % 9}.0"},
                                "Resources": {"CPU": 100 + n % 7, "MemoryMB": 128}}
        if n % 10 == 3:
            task["Config"]["privileged"] = True
        if n % 10 == 5:
            task["Env"] = {"DB_PASSWORD": f"s3cr3t-value-{n:06d}"}
        if n % 10 == 7:
            del task["Resources"]
        job = {"ID": f"svc-{n:04d}", "Name": f"svc-{n:04d}", "Type": "service", "Datacenters": ["dc1"],
               "Priority": 50, "Meta": {"owner": f"team-{n % 4}"},
               "TaskGroups": [{"Name": "app", "Count": 1 + n % 3, "Tasks": [task]}]}
        if n % 25 == 0:
            job.update(Type="batch", Periodic={"Enabled": True, "Spec": "@hourly", "ProhibitOverlap": True})
        out.append((namespace, job))
    return out


def main() -> None:  # pragma: no cover - used by benchmarks/bench_audit.py in a subprocess
    import argparse

    parser = argparse.ArgumentParser(description="Serve a cluster double seeded with jobs (prints its port).")
    parser.add_argument("--synthetic", type=int, default=0, help="seed this many synthetic jobs")
    parser.add_argument("--json", nargs="*", default=[], help="API JSON job files ({\"Job\": ...}) to seed")
    parser.add_argument("--count", type=int, default=0, help="seed --json files cycled up to this many jobs")
    args = parser.parse_args()

    async def run() -> None:
        double = ClusterDouble(record=False, heartbeat_s=5.0)
        seeds = synthetic_jobs(args.synthetic)
        files = [json.loads(Path(path).read_text(encoding="utf-8"))["Job"] for path in args.json]
        for n in range(args.count if files else 0):
            job = dict(files[n % len(files)], ID=f"job-{n:04d}", Name=f"job-{n:04d}")
            seeds.append((("default", "team-a", "team-b", "ops")[n % 4], job))
        for namespace, job in seeds:
            double.seed(job, namespace)
        _, port = await start_cluster(double)
        print(port, flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


if __name__ == "__main__":  # pragma: no cover
    main()
