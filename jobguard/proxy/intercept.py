"""HTTP glue for the requests that create or change jobs: read the body, decide, answer or forward.

Register/plan/validate forward the job *as jobguard loaded and evaluated it* (with every other field of the
request untouched), not the client's original bytes: Go decodes JSON keys case-insensitively and a body can be
crafted so that a Python reader and Nomad see different jobs (``{"Job": good, "job": bad}``). Forwarding what was
evaluated closes that gap. Scale/revert/dispatch carry no job; their original body is forwarded unchanged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from jobguard.proxy import derived, gojson, routing
from jobguard.proxy.admission import INVALID, Caller, Decision
from jobguard.proxy.passthrough import bad_gateway, request_headers, response_headers
from jobguard.proxy.responses import denial_text, merge_warnings, multierror, nomad_error
from jobguard.proxy.upstream import UpstreamError

if TYPE_CHECKING:
    from jobguard.proxy.app import Proxy

log = logging.getLogger("jobguard.proxy")

# Request headers not copied when the proxy sends a body of its own making.
_REBUILT = frozenset(("content-length", "content-encoding", "accept-encoding"))


async def read_body(request: web.Request, limit: int, read_timeout: float) -> bytes:
    """The whole body, bounded in size (413) and time between chunks (408), decompressed if gzip/deflate."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise gojson.BodyError(f"Request body too large: {declared} bytes exceeds the limit of {limit}", 413)
    chunks, size = [], 0
    while True:
        try:
            chunk = await asyncio.wait_for(request.content.readany(), read_timeout)
        except asyncio.TimeoutError:
            raise gojson.BodyError("timed out reading the request body", 408) from None
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise gojson.BodyError(f"Request body too large: more than {limit} bytes", 413)
        chunks.append(chunk)
    return gojson.decompress(b"".join(chunks), request.headers.get("Content-Encoding", ""), limit)


async def handle(proxy: Proxy, request: web.Request, route: routing.Route) -> web.StreamResponse:
    settings = proxy.state.settings
    try:
        raw = await read_body(request, settings.max_body_bytes, settings.read_timeout)
        body = gojson.decode(raw)
    except gojson.BodyError as exc:
        return nomad_error(exc.status, str(exc))
    if not isinstance(body, dict):
        return nomad_error(400, f"json: cannot unmarshal {_json_type(body)} into Go value of type request")
    if route.kind in (routing.REGISTER, routing.PLAN, routing.VALIDATE):
        return await _job_request(proxy, request, route, body)
    return await _derived_request(proxy, request, route, body, raw)


def _json_type(value: Any) -> str:
    return {list: "array", str: "string", bool: "bool", type(None): "null"}.get(type(value), "number")


# ---------------------------------------------------------------------------- register / plan / validate
async def _job_request(proxy: Proxy, request: web.Request, route: routing.Route,
                       body: dict[str, Any]) -> web.StreamResponse:
    job = gojson.field(body, "Job")
    if not isinstance(job, dict):
        return nomad_error(400, "Job must be specified")
    if route.kind != routing.VALIDATE:
        if gojson.field(job, "ID") is None:
            return nomad_error(400, "Job ID hasn't been provided" if route.kind == routing.REGISTER
                               else "Job must have a valid ID")
        if route.job_id and gojson.field(job, "ID") != route.job_id:
            return nomad_error(400, "Job ID does not match name" if route.kind == routing.REGISTER
                               else "Job ID does not match")
    caller = Caller.from_request(request.query, request.headers, body, job)
    try:
        decision = await proxy.admission.decide(job, caller)
    except UpstreamError as exc:
        return _upstream_failed(proxy, exc)
    if route.kind == routing.VALIDATE:
        return await _validate(proxy, request, body, decision)
    if decision.denied:
        return proxy.finish(request, route, decision, nomad_error(decision.status, _denial(decision)))
    return await _forward_json(proxy, request, route, decision, _envelope(body, decision))


def _envelope(body: dict[str, Any], decision: Decision) -> bytes:
    """The request as sent on: every field untouched except the job, which is the one jobguard evaluated
    (all case variants of the "Job" key are dropped first, so Nomad cannot pick another one)."""
    out = {k: v for k, v in (getattr(body, "pairs", None) or body.items()) if k.lower() != "job"}
    out["Job"] = decision.forward_job if decision.forward_job is not None else gojson.field(body, "Job")
    return json.dumps(out).encode()


def _denial(decision: Decision) -> str:
    if decision.outcome == INVALID:
        return "Failed to load job: " + "; ".join(decision.lines)
    return denial_text(decision.job_id, decision.lines, decision.hint)


async def _validate(proxy: Proxy, request: web.Request, body: dict[str, Any],
                    decision: Decision) -> web.StreamResponse:
    """Validate always answers 200 with ValidationErrors/Error (the CLI falls back to local checks on errors)."""
    route = routing.Route(routing.VALIDATE)
    problems = list(decision.lines) if decision.denied else []
    upstream_reply: dict[str, Any] | None = None
    if decision.outcome != INVALID:
        try:
            status, headers, payload = await _send(proxy, request, _envelope(body, decision))
        except UpstreamError as exc:
            proxy.metrics.upstream_error()
            return proxy.finish(request, route, decision, bad_gateway(proxy.upstream, exc))
        if status == 200:
            try:
                upstream_reply = json.loads(payload)
            except ValueError:
                upstream_reply = None
        if upstream_reply is None and not problems:
            return proxy.finish(request, route, decision, _raw_response(request, status, headers, payload), status)
        if upstream_reply is None:
            problems.append(payload.decode("utf-8", "replace").strip())
    reply = upstream_reply or {"DriverConfigValidated": False, "ValidationErrors": None, "Error": "",
                               "Warnings": ""}
    errors = list(reply.get("ValidationErrors") or []) + problems
    reply["ValidationErrors"] = errors or None
    reply["Error"] = multierror(errors)
    reply["Warnings"] = merge_warnings(reply.get("Warnings"), decision.warnings)
    return proxy.finish(request, route, decision, _json_response(request, 200, {}, reply), 200)


# ---------------------------------------------------------------------------- scale / revert / dispatch
async def _derived_request(proxy: Proxy, request: web.Request, route: routing.Route, body: dict[str, Any],
                           raw: bytes) -> web.StreamResponse:
    job_id = route.job_id
    if route.kind == routing.SCALE:
        target = gojson.field(gojson.field(body, "Target") or {}, "Job")
        if target and target != job_id:
            return nomad_error(400, "job ID in payload did not match URL")
    elif route.kind == routing.REVERT:
        if not gojson.field(body, "JobID"):
            return nomad_error(400, "JobID must be specified")
        if gojson.field(body, "JobID") != job_id:
            return nomad_error(400, "Job ID does not match")
    elif gojson.field(body, "JobID") and gojson.field(body, "JobID") != job_id:
        return nomad_error(400, "Job ID does not match")
    caller = Caller.from_request(request.query, request.headers, body, None)
    up = proxy.upstream
    try:
        if route.kind == routing.REVERT:
            versions = await up.job_versions(job_id, caller.namespace, caller.region, caller.token)
            current = versions[0] if versions else None
            new_job = derived.reverted(versions, body) if versions else None
        else:
            current = await up.job(job_id, caller.namespace, caller.region, caller.token)
            new_job = None
            if current is not None:
                new_job = derived.scaled(current, body) if route.kind == routing.SCALE \
                    else derived.dispatched(current, body)
    except derived.NotApplicable as exc:
        log.debug("%s %s: nothing to evaluate (%s); Nomad answers", route.kind, job_id, exc)
        new_job = None
    except UpstreamError as exc:
        return _upstream_failed(proxy, exc)
    if new_job is None:  # Nomad will refuse the request itself (unknown job/version/group) or nothing changes
        return await _forward_json(proxy, request, route, Decision("allow", job_id=job_id,
                                                                   namespace=caller.namespace), raw)
    existing = current if route.kind != routing.DISPATCH else None
    try:
        decision = await proxy.admission.decide(new_job, caller, existing=existing)
    except UpstreamError as exc:
        return _upstream_failed(proxy, exc)
    if decision.denied:
        return proxy.finish(request, route, decision, nomad_error(decision.status, _denial(decision)))
    return await _forward_json(proxy, request, route, decision, raw)


def _upstream_failed(proxy: Proxy, exc: UpstreamError) -> web.Response:
    """Nomad refused a context read (relay its answer, e.g. 403 Permission denied) or is unreachable (502)."""
    if exc.status:
        return nomad_error(exc.status, exc.text)
    proxy.metrics.upstream_error()
    return bad_gateway(proxy.upstream, exc)


# ---------------------------------------------------------------------------- forwarding
async def _send(proxy: Proxy, request: web.Request, payload: bytes) -> tuple[int, Any, bytes]:
    session = proxy.upstream.session
    assert session is not None
    headers = request_headers(request, drop=_REBUILT)
    try:
        async with session.request(request.method, proxy.upstream.url(request.rel_url.raw_path_qs), headers=headers,
                                   data=payload, allow_redirects=False, **proxy.upstream.write_args) as resp:
            return resp.status, resp.headers, await resp.read()
    except Exception as exc:  # connection refused, reset, TLS failure...
        if isinstance(exc, asyncio.CancelledError):
            raise
        raise UpstreamError(f"{type(exc).__name__}: {exc}") from None


async def _forward_json(proxy: Proxy, request: web.Request, route: routing.Route, decision: Decision,
                        payload: bytes) -> web.StreamResponse:
    try:
        status, headers, body = await _send(proxy, request, payload)
    except UpstreamError as exc:
        proxy.metrics.upstream_error()
        return proxy.finish(request, route, decision, bad_gateway(proxy.upstream, exc), 502)
    if status != 200 or not decision.warnings:
        return proxy.finish(request, route, decision, _raw_response(request, status, headers, body), status)
    try:
        data = json.loads(body)
    except ValueError:
        return proxy.finish(request, route, decision, _raw_response(request, status, headers, body), status)
    if isinstance(data, dict) and ("Warnings" in data or route.kind in (routing.REGISTER, routing.PLAN)):
        data["Warnings"] = merge_warnings(data.get("Warnings"), decision.warnings)
    return proxy.finish(request, route, decision, _json_response(request, status, headers, data), status)


GZIP_MIN_SIZE = 1400  # Nomad's agent gzips answers from this size on (gziphandler.DefaultMinSize)


def _raw_response(request: web.Request, status: int, headers: Any, body: bytes) -> web.Response:
    """Nomad's answer as it came (it was asked without Accept-Encoding), gzipped here if the client wants."""
    out = response_headers(headers)
    out.popall("Content-Length", None)
    resp = web.Response(status=status, body=body, headers=out)
    _maybe_gzip(request, resp, len(body))
    return resp


def _maybe_gzip(request: web.Request, resp: web.Response, size: int) -> None:
    if size >= GZIP_MIN_SIZE and "gzip" in request.headers.get("Accept-Encoding", "").lower() \
            and "Content-Encoding" not in resp.headers:
        resp.enable_compression(web.ContentCoding.gzip)


def _json_response(request: web.Request, status: int, headers: Any, data: Any) -> web.Response:
    out = response_headers(headers)
    for name in ("Content-Length", "Content-Encoding"):
        out.popall(name, None)
    out["Content-Type"] = "application/json"
    body = json.dumps(data).encode()
    resp = web.Response(status=status, body=body, headers=out)
    _maybe_gzip(request, resp, len(body))
    return resp
