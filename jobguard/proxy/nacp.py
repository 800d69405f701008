"""NACP interop: ``POST /v1/jobguard/nacp`` answers NACP's webhook validator protocol.

NACP (github.com/mxab/nacp, an admission controller for Nomad) can call external validators over HTTP. The
request carries the job (API JSON), either wrapped as ``{"job": {...}, "context": {...}}`` or, from older NACP
releases, as the bare job; the answer is ``{"errors": [...], "warnings": [...]}``: any error makes NACP reject
the job, warnings are passed on to the Nomad client. NACP has no override concept, so ``PolicyOverride`` is never
honoured here; a policy runtime error is reported as an error (fail closed) unless the proxy runs fail-open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from jobguard.proxy import gojson
from jobguard.proxy.admission import Caller
from jobguard.proxy.upstream import UpstreamError

if TYPE_CHECKING:
    from jobguard.proxy.app import Proxy


def split(body: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(job, context) from either request shape."""
    if not isinstance(body, dict):
        return None, {}
    if "job" in body or "Job" in body:
        job = body.get("job", body.get("Job"))
        context = body.get("context") or {}
        return (job if isinstance(job, dict) else None), (context if isinstance(context, dict) else {})
    return body, {}


async def handle(proxy: Proxy, request: web.Request, raw: bytes) -> web.Response:
    try:
        body = gojson.decode(raw)
    except gojson.BodyError as exc:
        return web.json_response({"errors": [str(exc)], "warnings": []}, status=400)
    job, context = split(body)
    if job is None:
        return web.json_response({"errors": ["request must carry a job object"], "warnings": []}, status=400)
    namespace = context.get("namespace") or gojson.field(job, "Namespace") or "default"
    caller = Caller(token="", namespace=str(namespace), region=str(gojson.field(job, "Region") or ""))
    try:
        decision = await proxy.admission.decide(job, caller)
    except UpstreamError as exc:
        if not exc.status:  # Nomad unreachable: fail closed, NACP rejects the job
            return web.json_response({"errors": [f"jobguard could not read the job's context from Nomad: {exc}"],
                                      "warnings": []})
        # NACP does not pass the caller's token on, so with ACLs the existing job may be unreadable: decide
        # without it rather than reject every job.
        decision = await proxy.admission.decide(job, caller, existing=None)
    errors = decision.lines if decision.denied else []
    proxy.record("nacp", request, decision, 200)
    return web.json_response({"errors": errors, "warnings": decision.warnings})
