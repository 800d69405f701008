"""A Nomad HTTP API double for testing ``jobguard serve``.

Why a double: no Nomad binary can be installed in this environment, so the proxy is tested against an aiohttp
server written from Nomad's HTTP API documentation (developer.hashicorp.com/nomad/api-docs: jobs, job, validate,
acl tokens/roles, events, client fs logs, alloc exec) and from the routing and error conventions of Nomad's agent:

* ``/v1/job/<rest>`` is routed by *suffix* on the decoded path (``/plan``, ``/scale``, ``/versions``, ...); what
  is left is the job ID, so IDs may contain ``/``;
* errors are plain text with the status code (``Job ID does not match name``, ``job not found``, ...);
* reads are blocking queries: ``?index=N&wait=D`` waits until the index moves past N, answers carry
  ``X-Nomad-Index``, ``X-Nomad-KnownLeader`` and ``X-Nomad-LastContact``;
* write answers carry ``X-Nomad-Index``; register/plan answers have ``Warnings`` in Nomad's
  ``N warnings:\\n\\n* ...`` format;
* ``/v1/event/stream`` is NDJSON with ``{}`` heartbeats; ``/v1/client/fs/logs`` streams chunked bytes (``plain=true``)
  or JSON frames; ``/v1/client/allocation/<id>/exec`` is a websocket speaking Nomad's exec frames.

Write requests are read the way Nomad's agent reads them, by :mod:`.goref` (Go's ``net/url`` and
``encoding/json`` rules, Nomad's namespace/token precedence and its checks), and jobs are stored as the API-JSON
decoder (Go's field matching) makes them, so an attack that would work against Nomad works against the double.

Every request is recorded in :attr:`NomadDouble.requests` so tests can prove what did (not) reach "Nomad".
It is a test fixture, not a Nomad emulator: scheduling, evaluations and allocations are reduced to IDs.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

try:
    from . import goref
except ImportError:  # run as a script by the benchmark
    import goref  # type: ignore[no-redef]

MAX_WAIT_S = 600.0
_NAMESPACE = re.compile(r"[a-zA-Z0-9-]{1,128}")
_FS_FUNCTION = re.compile(r"\b(?:file|filebase64|fileexists|fileset|templatefile)\s*\(")


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    target: str = ""  # the raw request target, as sent


class _Pairs(dict):
    """A JSON object with every pair in order (what the API-JSON decoder reads Go-style)."""

    pairs: list[tuple[str, Any]]


def _go_value(v: goref.J) -> Any:
    """A goref value as the API-JSON decoder takes it (objects keep repeated keys)."""
    if v.kind == "object":
        obj = _Pairs()
        obj.pairs = [(k, _go_value(c)) for k, c in v.pairs]
        obj.update(obj.pairs)
        return obj
    if v.kind == "array":
        return [_go_value(c) for c in v.value]
    if v.kind == "number":
        return int(v.value) if not any(c in v.value for c in ".eE") else float(v.value)
    return v.value


@dataclass
class NomadDouble:
    """State and handlers of the fake agent. ``tokens`` maps SecretID -> ACL token dict (ACLs on when non-empty)."""

    region: str = "global"
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    register_warnings: list[str] = field(default_factory=list)
    log_data: bytes = b""
    log_chunk: int = 4096
    heartbeat_s: float = 10.0
    record: bool = True
    requests: list[Recorded] = field(default_factory=list)
    jobs: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    variables: dict[str, bytes] = field(default_factory=dict)
    index: int = 10
    _changed: asyncio.Condition | None = None
    _events: list[asyncio.Queue] = field(default_factory=list)

    # ------------------------------------------------------------------ plumbing
    def app(self) -> web.Application:
        app = web.Application(client_max_size=1 << 30, middlewares=[self._recorder, _gzip])
        app.router.add_route("*", "/{tail:.*}", self._route)
        return app

    @web.middleware
    async def _recorder(self, request: web.Request, handler):
        if self.record and not request.path.startswith("/v1/client/allocation/"):
            body = await request.read() if request.can_read_body else b""
            self.requests.append(Recorded(request.method, request.path, dict(request.query),
                                          dict(request.headers), body, request.raw_path))
        return await handler(request)

    def writes_to(self, suffix: str = "") -> list[Recorded]:
        """Recorded PUT/POST requests whose path ends with ``suffix``."""
        return [r for r in self.requests if r.method in ("PUT", "POST") and r.path.endswith(suffix)]

    def _cond(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def _bump(self, topic: str, payload: dict[str, Any]) -> int:
        self.index += 1
        event = {"Index": self.index, "Events": [{"Topic": topic, "Type": "JobRegistered", "Key": payload.get("ID"),
                                                  "Namespace": payload.get("Namespace"), "Index": self.index,
                                                  "Payload": {"Job": payload}}]}
        for q in list(self._events):
            q.put_nowait(event)
        async with self._cond():
            self._cond().notify_all()
        return self.index

    @staticmethod
    def error(status: int, text: str) -> web.Response:
        """Nomad's agent answers errors as plain text with the status code."""
        return web.Response(status=status, text=text)

    def _meta_headers(self) -> dict[str, str]:
        return {"X-Nomad-Index": str(self.index), "X-Nomad-KnownLeader": "true", "X-Nomad-LastContact": "0"}

    def _json(self, data: Any, status: int = 200) -> web.Response:
        return web.json_response(data, status=status, headers=self._meta_headers())

    async def _blocking(self, request: web.Request) -> None:
        """Nomad's blocking query: wait while the state index is <= ?index, up to ?wait (+1/16 jitter)."""
        try:
            min_index = int(request.query.get("index", "0"))
        except ValueError:
            min_index = 0
        if not min_index:
            return
        wait = _parse_duration(request.query.get("wait", "5m"))
        deadline = time.monotonic() + min(wait + wait / 16, MAX_WAIT_S)
        async with self._cond():
            while self.index <= min_index:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                try:
                    await asyncio.wait_for(self._cond().wait(), left)
                except asyncio.TimeoutError:
                    return

    def _token(self, request: web.Request, body_secret: str = "") -> dict[str, Any] | None:
        secret = goref.header_token(request.headers)
        return self.tokens.get(body_secret if secret is None else secret)

    def _denied(self, request: web.Request, body_secret: str = "") -> web.Response | None:
        if self.tokens and self._token(request, body_secret) is None:
            return self.error(403, "Permission denied")
        return None

    # ------------------------------------------------------------------ routing (by suffix, like the agent)
    async def _route(self, request: web.Request) -> web.StreamResponse:
        try:  # Go's URL.Path: '#' kept, a bad escape refused (Go's server answers 400)
            raw_path, _ = goref.parse_request_uri(_raw_target(request))
        except goref.GoError:
            return web.Response(status=400, text="400 Bad Request")
        path, method = raw_path.decode("utf-8", "surrogateescape"), request.method
        if path == "/v1/jobs":
            if method == "GET":
                await self._blocking(request)
                stubs = [_stub(v[-1]) for v in self.jobs.values()]
                return self._json(stubs)
            if method in ("PUT", "POST"):
                return await self._register(request, "")
            return self.error(405, "Invalid method")
        if path == "/v1/validate/job":
            return await self._validate(request)
        if path == "/v1/jobs/parse" and method in ("PUT", "POST"):
            return await self._parse(request)
        if path.startswith("/v1/job/"):
            rest = path[len("/v1/job/"):]
            for suffix, handler in (("/plan", self._plan), ("/versions", self._versions), ("/revert", self._revert),
                                    ("/scale", self._scale), ("/dispatch", self._dispatch),
                                    ("/allocations", self._empty_list), ("/evaluations", self._empty_list)):
                if rest.endswith(suffix):
                    return await handler(request, rest[: -len(suffix)])
            if method == "GET":
                return await self._read(request, rest)
            if method in ("PUT", "POST"):
                return await self._register(request, rest)
            if method == "DELETE":
                return await self._deregister(request, rest)
            return self.error(405, "Invalid method")
        if path == "/v1/acl/token/self":
            return self._token_self(request)
        if path.startswith("/v1/acl/role/"):
            role = self.roles.get(path[len("/v1/acl/role/"):])
            return self._json(role) if role else self.error(404, "ACL role not found")
        if path == "/v1/event/stream":
            return await self._event_stream(request)
        if path.startswith("/v1/client/fs/logs/"):
            return await self._logs(request)
        if path.startswith("/v1/client/allocation/") and path.endswith("/exec"):
            return await self._exec(request)
        if path.startswith("/v1/var/"):
            return await self._variable(request, path[len("/v1/var/"):])
        if path == "/v1/status/leader":
            return self._json("127.0.0.1:4647")
        if path == "/v1/agent/self":
            return self._json({"config": {"Region": self.region}, "member": {"Name": "double"}})
        return self.error(404, "Not Found")

    # ------------------------------------------------------------------ jobs
    def _ns(self, request: web.Request) -> str:
        """A read's namespace: Go's ``Query().Get("namespace")``, else ``default``."""
        _, rawq = goref.parse_request_uri(_raw_target(request))
        return goref.query_get(goref.parse_query(rawq), "namespace") or "default"

    def _current(self, ns: str, job_id: str) -> dict[str, Any] | None:
        versions = self.jobs.get((ns, job_id))
        return versions[-1] if versions else None

    async def _view(self, request: web.Request) -> tuple[Any, web.Response | None]:
        """A write as Nomad's agent reads it (goref), or Nomad's error answer; ACLs checked with its token."""
        try:
            view = goref.nomad_view(request.method, _raw_target(request), request.headers, await request.read())
        except goref.GoError as exc:
            return None, self.error(exc.status, str(exc))
        if self.tokens and view.token not in self.tokens:
            return None, self.error(403, "Permission denied")
        if not _NAMESPACE.fullmatch(view.namespace):  # Nomad's namespace names; no write to "*" or "a;b"
            return None, self.error(400, f"namespace {view.namespace!r} not found")
        return view, None

    def _stored_job(self, view: Any) -> tuple[dict[str, Any] | None, web.Response | None]:
        """The job of a register/plan as Nomad stores it: decoded by Go's rules, in the request's namespace."""
        from jobguard.jobspec import JobspecError
        from jobguard.jobspec.apijson import decode_api_json

        envelope = _Pairs()
        envelope.pairs = [("Job", _go_value(view.job))]
        envelope.update(envelope.pairs)
        try:
            job, _ = decode_api_json(envelope)
        except JobspecError as exc:
            return None, self.error(400, str(exc))
        job["Namespace"] = view.namespace
        return job, None

    async def _register(self, request: web.Request, url_id: str) -> web.Response:
        view, err = await self._view(request)
        if err:
            return err
        job, err = self._stored_job(view)
        if err:
            return err
        prev = self._current(view.namespace, job["ID"])
        if view.body["EnforceIndex"] and (prev["JobModifyIndex"] if prev else 0) != view.body["JobModifyIndex"]:
            return self.error(500, f"Enforcing job modify index {view.body['JobModifyIndex']}: job exists with "
                                   f"conflicting job modify index: {prev['JobModifyIndex'] if prev else 0}")
        index = await self._store(view.namespace, job, prev)
        warnings = _warnings(self.register_warnings)
        return web.json_response({"EvalID": str(uuid.uuid4()), "EvalCreateIndex": index, "JobModifyIndex": index,
                                  "Warnings": warnings, "Index": index, "LastContact": 0, "KnownLeader": False},
                                 headers={"X-Nomad-Index": str(index)})

    async def _store(self, ns: str, job: dict[str, Any], prev: dict[str, Any] | None) -> int:
        job["Version"] = (prev["Version"] + 1) if prev else 0
        job["Status"] = "pending"
        job["Stable"] = False
        job["SubmitTime"] = time.time_ns()
        index = await self._bump("Job", job)
        job["CreateIndex"] = prev["CreateIndex"] if prev else index
        job["ModifyIndex"] = job["JobModifyIndex"] = index
        self.jobs.setdefault((ns, job["ID"]), []).append(job)
        return index

    def _reply(self, index: int, **extra: Any) -> web.Response:
        return web.json_response({"EvalID": str(uuid.uuid4()), "EvalCreateIndex": index, "JobModifyIndex": index,
                                  "Warnings": "", "Index": index, **extra}, headers={"X-Nomad-Index": str(index)})

    async def _read(self, request: web.Request, job_id: str) -> web.Response:
        denied = self._denied(request)
        if denied:
            return denied
        await self._blocking(request)
        job = self._current(self._ns(request), job_id)
        return self._json(job) if job else self.error(404, "job not found")

    async def _deregister(self, request: web.Request, job_id: str) -> web.Response:
        denied = self._denied(request)
        if denied:
            return denied
        if self.jobs.pop((self._ns(request), job_id), None) is None:
            return self.error(404, "job not found")
        index = await self._bump("Job", {"ID": job_id})
        return web.json_response({"EvalID": str(uuid.uuid4()), "EvalCreateIndex": index, "JobModifyIndex": index,
                                  "Index": index}, headers={"X-Nomad-Index": str(index)})

    async def _empty_list(self, request: web.Request, job_id: str) -> web.Response:
        await self._blocking(request)
        return self._json([])

    async def _plan(self, request: web.Request, url_id: str) -> web.Response:
        if request.method not in ("PUT", "POST"):
            return self.error(405, "Invalid method")
        view, err = await self._view(request)
        if err:
            return err
        job, err = self._stored_job(view)
        if err:
            return err
        prev = self._current(view.namespace, job["ID"])
        diff = {"Type": "Edited" if prev else "Added", "ID": job["ID"], "Fields": None, "Objects": None,
                "TaskGroups": []} if view.body["Diff"] else None
        return web.json_response({"Annotations": {"DesiredTGUpdates": {}, "PreemptedAllocs": None},
                                  "FailedTGAllocs": None, "JobModifyIndex": prev["JobModifyIndex"] if prev else 0,
                                  "CreatedEvals": None, "Diff": diff, "NextPeriodicLaunch": "0001-01-01T00:00:00Z",
                                  "Warnings": _warnings(self.register_warnings), "Index": self.index},
                                 headers={"X-Nomad-Index": str(self.index)})

    async def _validate(self, request: web.Request) -> web.Response:
        if request.method not in ("PUT", "POST"):
            return self.error(405, "Invalid method")
        try:
            body = json.loads(await request.read() or b"null")
        except ValueError as exc:
            return self.error(400, f"invalid character in request body: {exc}")
        job = body.get("Job") if isinstance(body, dict) else None
        if not isinstance(job, dict):
            return self.error(400, "Job must be specified")
        problems = []
        if not job.get("ID"):
            problems.append("Missing job ID")
        if not job.get("TaskGroups"):
            problems.append("Missing job task groups")
        return web.json_response({"DriverConfigValidated": True, "ValidationErrors": problems or None,
                                  "Error": _multierror(problems), "Warnings": ""})

    async def _parse(self, request: web.Request) -> web.Response:
        """``PUT /v1/jobs/parse``: HCL to an API job without file access (the double uses jobguard's loader)."""
        import tempfile

        from jobguard.jobspec import JobspecError, load_text

        body = json.loads(await request.read() or b"{}")
        if not body.get("JobHCL"):
            return self.error(400, "Job spec is empty")
        if _FS_FUNCTION.search(body["JobHCL"]):  # Nomad parses with AllowFS: false
            return self.error(400, "Failed to parse job: input.hcl: filesystem function calls are disabled")
        with tempfile.TemporaryDirectory() as tmp:
            var_files = []
            if body.get("Variables"):
                with open(f"{tmp}/vars.hcl", "w", encoding="utf-8") as fh:
                    fh.write(body["Variables"])
                var_files.append(f"{tmp}/vars.hcl")
            try:
                loaded = load_text(body["JobHCL"], "input.hcl", var_files=var_files, env={}, cwd=tmp)
            except JobspecError as exc:
                return self.error(400, f"Failed to parse job: {exc}")
        return self._json(loaded.canonical if body.get("Canonicalize") else loaded.job)

    async def _versions(self, request: web.Request, job_id: str) -> web.Response:
        denied = self._denied(request)
        if denied:
            return denied
        await self._blocking(request)
        versions = self.jobs.get((self._ns(request), job_id))
        if not versions:
            return self.error(404, "job versions not found")
        return self._json({"Versions": list(reversed(versions)), "Diffs": None, "Index": self.index,
                           "LastContact": 0, "KnownLeader": True})

    async def _revert(self, request: web.Request, job_id: str) -> web.Response:
        if request.method not in ("PUT", "POST"):
            return self.error(405, "Invalid method")
        view, err = await self._view(request)
        if err:
            return err
        ns, wanted, prior = view.namespace, view.body["JobVersion"], view.body["EnforcePriorVersion"]
        versions = self.jobs.get((ns, job_id)) or []
        if not versions:
            return self.error(404, f"job {job_id!r} not found")
        current = versions[-1]
        if prior is not None and current["Version"] != prior:
            return self.error(500, f"current job has version {current['Version']}; enforcing version {prior}")
        if current["Version"] == wanted:
            return self.error(500, "can't revert to current version")
        target = next((v for v in versions if v["Version"] == wanted), None)
        if target is None:
            return self.error(500, f"job {job_id!r} in namespace {ns!r} at version {wanted} not found")
        return self._reply(await self._store(ns, copy.deepcopy(target), current))

    async def _scale(self, request: web.Request, job_id: str) -> web.Response:
        if request.method == "GET":
            ns = self._ns(request)
            job = self._current(ns, job_id)
            if not job:
                return self.error(404, "job not found")
            groups = {tg["Name"]: {"Desired": tg.get("Count", 1), "Events": None} for tg in job.get("TaskGroups") or []}
            return self._json({"JobID": job_id, "Namespace": ns, "JobStopped": False, "TaskGroups": groups})
        view, err = await self._view(request)
        if err:
            return err
        job = self._current(view.namespace, job_id)
        if job is None:
            return self.error(404, f"job {job_id!r} not found")
        new = copy.deepcopy(job)
        groups = [tg for tg in new.get("TaskGroups") or [] if tg.get("Name") == view.group]
        if not groups:
            return self.error(400, f"task group {view.group!r} specified for scaling does not exist")
        if view.body["Count"] is None:  # a scaling event only: no new job version
            return self._reply(self.index)
        groups[0]["Count"] = view.body["Count"]
        return self._reply(await self._store(view.namespace, new, job))

    async def _dispatch(self, request: web.Request, job_id: str) -> web.Response:
        if request.method not in ("PUT", "POST"):
            return self.error(405, "Invalid method")
        view, err = await self._view(request)
        if err:
            return err
        parent = self._current(view.namespace, job_id)
        if parent is None:
            return self.error(500, "parameterized job not found")
        params = parent.get("ParameterizedJob")
        if not params:
            return self.error(500, f"Specified job {job_id!r} is not a parameterized job")
        meta, payload = view.body["Meta"] or {}, view.body["Payload"] or b""
        allowed = set(params.get("MetaRequired") or []) | set(params.get("MetaOptional") or [])
        if set(meta) - allowed:
            return self.error(500, f"Dispatch request included unpermitted metadata keys: {sorted(meta)}")
        if set(params.get("MetaRequired") or []) - set(meta):
            return self.error(500, "Dispatch did not provide required meta keys")
        mode = params.get("Payload") or "optional"
        if (mode == "required" and not payload) or (mode == "forbidden" and payload):
            return self.error(500, "Payload constraint of the parameterized job not met")
        template = view.body["IdPrefixTemplate"]
        child = copy.deepcopy(parent)
        child["ID"] = child["Name"] = (f"{job_id}/dispatch-{template + '-' if template else ''}{int(time.time())}-"
                                       f"{uuid.uuid4().hex[:8]}")
        child["ParentID"], child["Dispatched"] = job_id, True
        child["Meta"] = {**(parent.get("Meta") or {}), **meta}
        child["Payload"] = base64.b64encode(payload).decode() if payload else None
        index = await self._store(view.namespace, child, None)
        return web.json_response({"DispatchedJobID": child["ID"], "EvalID": str(uuid.uuid4()),
                                  "EvalCreateIndex": index, "JobCreateIndex": index, "Index": index},
                                 headers={"X-Nomad-Index": str(index)})

    # ------------------------------------------------------------------ ACL
    def _token_self(self, request: web.Request) -> web.Response:
        if not self.tokens:
            return self.error(400, "ACL support disabled")
        token = self._token(request)
        if token is None:
            return self.error(403, "ACL token not found")
        return self._json(token)

    # ------------------------------------------------------------------ streams
    async def _event_stream(self, request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        await resp.prepare(request)
        queue: asyncio.Queue = asyncio.Queue()
        self._events.append(queue)
        try:
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), self.heartbeat_s)
                    await resp.write(json.dumps(event).encode() + b"\n")
                except asyncio.TimeoutError:
                    await resp.write(b"{}\n")
        except (ConnectionError, asyncio.CancelledError):
            raise
        finally:
            self._events.remove(queue)

    async def _logs(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("type") not in ("stdout", "stderr"):
            return self.error(400, 'must provide "type" of logs')
        plain = request.query.get("plain") == "true"
        resp = web.StreamResponse(headers={"Content-Type": "text/plain" if plain else "application/json"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        offset = 0
        for start in range(0, len(self.log_data), self.log_chunk):
            chunk = self.log_data[start:start + self.log_chunk]
            if plain:
                await resp.write(chunk)
            else:
                frame = {"Offset": offset, "Data": base64.b64encode(chunk).decode(), "File": "alloc/logs/x.stdout.0"}
                await resp.write(json.dumps(frame).encode())
            offset += len(chunk)
            await asyncio.sleep(0)
        await resp.write_eof()
        return resp

    async def _exec(self, request: web.Request) -> web.StreamResponse:
        """Exec websocket: echo stdin to stdout (like ``cat``); binary frames are echoed as-is."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
                continue
            if msg.type != WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            stdin = frame.get("stdin") or {}
            if stdin.get("data"):
                await ws.send_str(json.dumps({"stdout": {"data": stdin["data"]}}))
            if stdin.get("close"):
                await ws.send_str(json.dumps({"exited": True, "result": {"exit_code": 0}}))
                await ws.close()
                break
        return ws

    async def _variable(self, request: web.Request, path: str) -> web.Response:
        if request.method in ("PUT", "POST"):
            self.variables[path] = await request.read()
            return web.Response(body=self.variables[path], content_type="application/json")
        if path not in self.variables:
            return self.error(404, "variable not found")
        return web.Response(body=self.variables[path], content_type="application/json")


GZIP_MIN_SIZE = 1400  # gziphandler.DefaultMinSize, which Nomad's agent uses


@web.middleware
async def _gzip(request: web.Request, handler):
    """Nomad's agent gzips answers of at least 1400 bytes for clients sending ``Accept-Encoding: gzip``."""
    resp = await handler(request)
    if (isinstance(resp, web.Response) and resp.body is not None and len(resp.body) >= GZIP_MIN_SIZE
            and "gzip" in request.headers.get("Accept-Encoding", "")):
        resp.enable_compression(web.ContentCoding.gzip)
    return resp


def _raw_target(request: web.Request) -> bytes:
    return request.raw_path.encode("utf-8", "surrogateescape")


def _stub(job: dict[str, Any]) -> dict[str, Any]:
    keys = ("ID", "ParentID", "Name", "Namespace", "Type", "Priority", "Status", "Version", "CreateIndex",
            "ModifyIndex", "JobModifyIndex", "SubmitTime")
    return {k: job.get(k) for k in keys}


def _warnings(items: list[str]) -> str:
    """Nomad's warnings string (structs.MergeMultierrorWarnings)."""
    if not items:
        return ""
    head = "1 warning:\n" if len(items) == 1 else f"{len(items)} warnings:\n"
    return head + "".join(f"\n* {w.strip()}" for w in items)


def _multierror(items: list[str]) -> str:
    """go-multierror's default list format."""
    if not items:
        return ""
    if len(items) == 1:
        return f"1 error occurred:\n\t* {items[0]}\n\n"
    return f"{len(items)} errors occurred:\n\t" + "\n\t".join(f"* {i}" for i in items) + "\n\n"


def _parse_duration(text: str) -> float:
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    for unit in ("ms", "s", "m", "h"):
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return float(text[: -len(unit)]) * units[unit]
    return 300.0


async def start_double(double: NomadDouble, host: str = "127.0.0.1", port: int = 0,
                       ssl_context=None) -> tuple[web.AppRunner, int]:
    """Serve ``double`` on loopback; returns the runner (``await runner.cleanup()``) and the bound port."""
    runner = web.AppRunner(double.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]


def main() -> None:  # pragma: no cover - used by the benchmark in a subprocess
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    async def run() -> None:
        double = NomadDouble(record=not args.no_record)
        _, port = await start_double(double, port=args.port)
        print(port, flush=True)
        await asyncio.Event().wait()

    asyncio.run(run())


if __name__ == "__main__":  # pragma: no cover
    main()
