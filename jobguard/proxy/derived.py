"""The job a scale, revert or dispatch request would produce, built from what Nomad currently stores.

These endpoints carry no job in their body, yet each creates a new job version (or a new child job) that must
meet the same guardrails as a registration: scaling a group past a count limit, reverting to a version written
before a policy existed, dispatching with meta that a policy forbids.

**Fail closed.** When the job cannot be built (the job or version is not found under the namespace Nomad would
use, the group does not exist, Nomad refuses the lookup) the request is not forwarded on trust:
:class:`Unbuildable` carries a Nomad-style status and message, and the caller denies unless ``--fail-open``. The
checks Nomad's server makes before it writes (``JobScaleRequest.Validate``, ``Job.Revert``,
``validateDispatchRequest``) are reproduced, so the answer is the one Nomad would have given.
"""

from __future__ import annotations

import base64
import copy
import secrets
import time
from typing import TYPE_CHECKING, Any

from jobguard.proxy import routing

if TYPE_CHECKING:
    from jobguard.proxy.nomadrequest import NomadRequest
    from jobguard.proxy.upstream import Upstream

# Server-side bookkeeping that Nomad sets itself; dropped so the loader sees an API job.
_SERVER_FIELDS = ("Status", "StatusDescription", "Stable", "Version", "SubmitTime", "CreateIndex", "ModifyIndex",
                  "JobModifyIndex")
DISPATCH_PAYLOAD_LIMIT = 16 * 1024  # Nomad's DispatchPayloadSizeLimit


class NoChange(Exception):
    """The request changes no job (a scaling request without ``Count`` only records a scaling event)."""


class Unbuildable(Exception):
    """The job the request would produce cannot be built; ``status``/``message`` as Nomad would answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def as_api_job(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored job (``GET /v1/job/:id``) as a job a client could submit."""
    job = copy.deepcopy(stored)
    for name in _SERVER_FIELDS:
        job.pop(name, None)
    return job


async def build(upstream: Upstream, req: NomadRequest) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the job ``req`` would produce, the job it replaces or None). Raises :class:`NoChange`,
    :class:`Unbuildable`, or :class:`~jobguard.proxy.upstream.UpstreamError` when Nomad cannot be asked."""
    if not _readable_id(req.job_id):
        raise Unbuildable(404, f"job {req.job_id!r} not found (a job ID that is not UTF-8 cannot exist)")
    if req.kind == routing.SCALE:
        if req.fields["Count"] is None:
            raise NoChange("no Count: the request only records a scaling event")
        current = await upstream.job(req.job_id, req.namespace, req.region, req.token)
        return scaled(current, req), current
    if req.kind == routing.REVERT:
        versions = await upstream.job_versions(req.job_id, req.namespace, req.region, req.token)
        current = max(versions, key=lambda v: v.get("Version") or 0) if versions else None
        return reverted(versions, current, req), current
    parent = await upstream.job(req.job_id, req.namespace, req.region, req.token)
    return dispatched(parent, req), None


def _readable_id(job_id: str) -> bool:
    try:
        job_id.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def scaled(current: dict[str, Any] | None, req: NomadRequest) -> dict[str, Any]:
    """``PUT /v1/job/:id/scale``: the current job with ``Target["Group"]``'s count set to ``Count``."""
    if current is None:
        raise Unbuildable(404, f"job {req.job_id!r} not found in namespace {req.namespace!r}")
    group = req.fields["Target"]["Group"]
    job = as_api_job(current)
    for tg in job.get("TaskGroups") or []:
        if tg.get("Name") == group:
            tg["Count"] = req.fields["Count"]
            return job
    raise Unbuildable(400, f"task group {group!r} specified for scaling does not exist")


def reverted(versions: list[dict[str, Any]], current: dict[str, Any] | None, req: NomadRequest) -> dict[str, Any]:
    """``PUT /v1/job/:id/revert``: the stored version ``JobVersion``, with Nomad's ``Job.Revert`` checks."""
    if current is None:
        raise Unbuildable(404, f"job {req.job_id!r} not found in namespace {req.namespace!r}")
    wanted, prior = req.fields["JobVersion"], req.fields["EnforcePriorVersion"]
    if prior is not None and current.get("Version") != prior:
        raise Unbuildable(400, f"current job has version {current.get('Version')}; enforcing version {prior}")
    if current.get("Version") == wanted:
        raise Unbuildable(400, "can't revert to current version")
    for version in versions:
        if version.get("Version") == wanted:
            return as_api_job(version)
    raise Unbuildable(404, f"job {req.job_id!r} in namespace {req.namespace!r} at version {wanted} not found")


def dispatched(parent: dict[str, Any] | None, req: NomadRequest, now: float | None = None) -> dict[str, Any]:
    """``PUT /v1/job/:id/dispatch``: the child job Nomad creates from a parameterized parent (ID
    ``<parent>/dispatch-[<IdPrefixTemplate>-]<unix>-<8 hex>``, ``ParentID``, ``Dispatched``, request meta merged
    over the parent's, the payload), after Nomad's ``validateDispatchRequest`` checks."""
    if parent is None:
        raise Unbuildable(404, f"parameterized job {req.job_id!r} not found in namespace {req.namespace!r}")
    config = parent.get("ParameterizedJob")
    if not isinstance(config, dict):
        raise Unbuildable(400, f"Specified job {req.job_id!r} is not a parameterized job")
    if parent.get("Stop"):
        raise Unbuildable(400, f"Specified job {req.job_id!r} is stopped")
    payload: bytes = req.fields["Payload"] or b""
    meta: dict[str, str] = req.fields["Meta"] or {}
    _check_dispatch(config, payload, meta)
    template = req.fields["IdPrefixTemplate"]
    child_id = (f"{parent.get('ID')}/dispatch-{template + '-' if template else ''}"
                f"{int(time.time() if now is None else now)}-{secrets.token_hex(4)}")
    job = as_api_job(parent)
    job.update(ID=child_id, Name=child_id, ParentID=parent.get("ID"), Dispatched=True,
               Meta={**(parent.get("Meta") or {}), **meta},
               Payload=base64.b64encode(payload).decode() if payload else None)
    if req.fields["IdempotencyToken"]:
        job["DispatchIdempotencyToken"] = req.fields["IdempotencyToken"]
    return job


def _check_dispatch(config: dict[str, Any], payload: bytes, meta: dict[str, str]) -> None:
    mode = config.get("Payload") or "optional"
    if mode == "required" and not payload:
        raise Unbuildable(400, "Payload is not provided but required by parameterized job")
    if mode == "forbidden" and payload:
        raise Unbuildable(400, "Payload provided but forbidden by parameterized job")
    if len(payload) > DISPATCH_PAYLOAD_LIMIT:
        raise Unbuildable(400, f"Payload exceeds maximum size; {len(payload)} > {DISPATCH_PAYLOAD_LIMIT}")
    required = set(config.get("MetaRequired") or [])
    allowed = required | set(config.get("MetaOptional") or [])
    unpermitted = sorted(k for k in meta if k not in allowed)
    if unpermitted:
        raise Unbuildable(400, f"Dispatch request included unpermitted metadata keys: {unpermitted}")
    missing = sorted(k for k in required if k not in meta)
    if missing:
        raise Unbuildable(400, f"Dispatch did not provide required meta keys: {missing}")
