"""HTTP glue for the requests that create or change jobs: read the body, decide, answer or forward.

Every intercepted request is parsed once, as Nomad's agent parses it (:mod:`.nomadrequest`: Go's query, path
and JSON rules), and that one reading drives the decision, the context policies see, the lookups made upstream
and what is forwarded. What reaches Nomad is re-encoded from it: the canonical path and query, the body's fields
under their canonical names and, for register/plan/validate, the job *as jobguard loaded and evaluated it*. A
body crafted to read one way to jobguard and another way to Nomad therefore has nothing left to exploit.

Scale, revert and dispatch carry no job: jobguard builds the job they would produce (:mod:`.derived`) and, when it
cannot, denies (fail closed) unless ``--fail-open``; either way the decision is counted and logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from jobguard.proxy import derived, gojson, nomadrequest, routing, submission
from jobguard.proxy.admission import ALLOW, FAIL_CLOSED, FAIL_OPEN, INVALID, Caller, Decision
from jobguard.proxy.nomadrequest import NomadRequest
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
    except gojson.BodyError as exc:
        return nomad_error(exc.status, str(exc))
    try:
        req = nomadrequest.parse(route, request.headers, raw)
    except (gojson.BodyError, nomadrequest.Refusal) as exc:
        return _refused(proxy, request, route, exc.status, str(exc))
    if req.kind in nomadrequest.JOB_KINDS:
        return await _job_request(proxy, request, req)
    return await _derived_request(proxy, request, req)


def _refused(proxy: Proxy, request: web.Request, route: routing.Route, status: int, text: str) -> web.Response:
    """A request Nomad would refuse itself (undecodable body, mismatched IDs, invalid target...): answered here
    in Nomad's words and recorded, so that probing shows up in the decision log."""
    kind = route.kind if route.kind != routing.INVALID else "request"
    decision = Decision(INVALID, job_id=route.job_id, status=status, lines=[text])
    return proxy.finish(request, routing.Route(kind, route.job_id), decision, nomad_error(status, text))


def _route(req: NomadRequest) -> routing.Route:
    return routing.Route(req.kind, req.job_id, req.target)


# ---------------------------------------------------------------------------- register / plan / validate
async def _job_request(proxy: Proxy, request: web.Request, req: NomadRequest) -> web.StreamResponse:
    try:
        decision = await proxy.admission.decide(req.job, Caller.from_request(req))
    except UpstreamError as exc:
        return _upstream_failed(proxy, exc)
    if req.kind == routing.VALIDATE:
        return await _validate(proxy, request, req, decision)
    if decision.denied:
        return proxy.finish(request, _route(req), decision, nomad_error(decision.status, _denial(decision)))
    problem = await submission.check(proxy.upstream, proxy.state.settings.submission, req, decision)
    if problem:
        decision.outcome, decision.status, decision.lines = INVALID, 400, [problem]
        return proxy.finish(request, _route(req), decision, nomad_error(400, problem))
    return await _forward_json(proxy, request, req, decision, _envelope(proxy, req, decision))


def _envelope(proxy: Proxy, req: NomadRequest, decision: Decision) -> bytes:
    """The request as sent on: its fields as decoded, and the job as jobguard evaluated it."""
    job = decision.forward_job if decision.forward_job is not None else req.job
    drop = ("Submission",) if proxy.state.settings.submission == "strip" else ()
    return req.forward_body(job, drop)


def _denial(decision: Decision) -> str:
    if decision.outcome == INVALID:
        return "Failed to load job: " + "; ".join(decision.lines)
    return denial_text(decision.job_id, decision.lines, decision.hint)


async def _validate(proxy: Proxy, request: web.Request, req: NomadRequest,
                    decision: Decision) -> web.StreamResponse:
    """Validate always answers 200 with ValidationErrors/Error (the CLI falls back to local checks on errors)."""
    route = _route(req)
    problems = list(decision.lines) if decision.denied else []
    upstream_reply: dict[str, Any] | None = None
    if decision.outcome != INVALID:
        try:
            status, headers, payload = await _send(proxy, request, req, _envelope(proxy, req, decision))
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
async def _derived_request(proxy: Proxy, request: web.Request, req: NomadRequest) -> web.StreamResponse:
    try:
        new_job, existing = await derived.build(proxy.upstream, req)
    except derived.NoChange as exc:
        log.debug("%s %s: %s", req.kind, req.job_id, exc)
        decision = Decision(ALLOW, job_id=req.job_id, namespace=req.namespace)
        return await _forward_json(proxy, request, req, decision, req.forward_body())
    except derived.Unbuildable as exc:
        return await _fail_closed(proxy, request, req, exc.status, exc.message)
    except UpstreamError as exc:
        if not exc.status:
            proxy.metrics.upstream_error()
        return await _fail_closed(proxy, request, req, exc.status or 502,
                                  (exc.text or "").strip() or f"Nomad could not be asked: {exc}")
    try:
        decision = await proxy.admission.decide(new_job, Caller.from_request(req), existing=existing)
    except UpstreamError as exc:
        return _upstream_failed(proxy, exc)
    if decision.denied:
        return proxy.finish(request, _route(req), decision, nomad_error(decision.status, _denial(decision)))
    return await _forward_json(proxy, request, req, decision, req.forward_body())


async def _fail_closed(proxy: Proxy, request: web.Request, req: NomadRequest, status: int,
                       message: str) -> web.StreamResponse:
    """The job a scale/revert/dispatch would produce cannot be built: deny with Nomad's status and message
    (``fail_closed`` in metrics and the decision log), or let it through under ``--fail-open``/``--dry-run``."""
    settings = proxy.state.settings
    why = f"jobguard cannot build the job this {req.kind} would produce ({message})"
    decision = Decision(FAIL_CLOSED, job_id=req.job_id, namespace=req.namespace, status=status, lines=[why])
    if settings.fail_open or settings.dry_run:
        log.error("FAIL-OPEN: letting %s of job %r through unjudged: %s", req.kind, req.job_id, message)
        decision.outcome, decision.status, decision.lines = FAIL_OPEN, 200, []
        decision.warnings = [f"{why}; let through unjudged (fail-open)"]
        return await _forward_json(proxy, request, req, decision, req.forward_body())
    log.warning("denied %s of job %r (namespace %r), fail closed: %s", req.kind, req.job_id, req.namespace, message)
    return proxy.finish(request, _route(req), decision,
                        nomad_error(status, f"{message}\n(denied by jobguard: {why}; it fails closed)"))


def _upstream_failed(proxy: Proxy, exc: UpstreamError) -> web.Response:
    """Nomad refused a context read (relay its answer, e.g. 403 Permission denied) or is unreachable (502)."""
    if exc.status:
        return nomad_error(exc.status, exc.text)
    proxy.metrics.upstream_error()
    return bad_gateway(proxy.upstream, exc)


# ---------------------------------------------------------------------------- forwarding
async def _send(proxy: Proxy, request: web.Request, req: NomadRequest, payload: bytes) -> tuple[int, Any, bytes]:
    session = proxy.upstream.session
    assert session is not None
    headers = request_headers(request, drop=_REBUILT)
    try:
        async with session.request(request.method, proxy.upstream.url(req.forward_target()), headers=headers,
                                   data=payload, allow_redirects=False, **proxy.upstream.write_args) as resp:
            return resp.status, resp.headers, await resp.read()
    except Exception as exc:  # connection refused, reset, TLS failure...
        if isinstance(exc, asyncio.CancelledError):
            raise
        raise UpstreamError(f"{type(exc).__name__}: {exc}") from None


async def _forward_json(proxy: Proxy, request: web.Request, req: NomadRequest, decision: Decision,
                        payload: bytes) -> web.StreamResponse:
    route = _route(req)
    try:
        status, headers, body = await _send(proxy, request, req, payload)
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
