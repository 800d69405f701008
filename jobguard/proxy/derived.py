"""The job a scale, revert or dispatch request would produce, built from what Nomad currently stores.

These endpoints carry no job in their body, yet each creates a new job version (or a new child job) that must
meet the same guardrails as a registration: scaling a group past a count limit, reverting to a version written
before a policy existed, dispatching with meta that a policy forbids.
"""

from __future__ import annotations

import copy
import secrets
import time
from typing import Any

from jobguard.proxy import gojson

# Server-side bookkeeping that Nomad sets itself; dropped so the loader sees an API job.
_SERVER_FIELDS = ("Status", "StatusDescription", "Stable", "Version", "SubmitTime", "CreateIndex", "ModifyIndex",
                  "JobModifyIndex")


class NotApplicable(Exception):
    """The request cannot produce a job (Nomad will answer it with its own error); nothing to evaluate."""


def as_api_job(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored job (``GET /v1/job/:id``) as a job a client could submit."""
    job = copy.deepcopy(stored)
    for name in _SERVER_FIELDS:
        job.pop(name, None)
    return job


def scaled(current: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/job/:id/scale``: the current job with ``Target.Group``'s count set to ``Count``."""
    count = gojson.field(body, "Count")
    if count is None:
        raise NotApplicable("no Count: the request only records a scaling event")
    group = gojson.field(gojson.field(body, "Target") or {}, "Group")
    job = as_api_job(current)
    for tg in job.get("TaskGroups") or []:
        if tg.get("Name") == group:
            tg["Count"] = count
            return job
    raise NotApplicable(f"task group {group!r} does not exist")


def reverted(versions: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/job/:id/revert``: the stored version ``JobVersion``."""
    wanted = gojson.field(body, "JobVersion") or 0
    for version in versions:
        if version.get("Version") == wanted:
            return as_api_job(version)
    raise NotApplicable(f"version {wanted} not found")


def dispatched(parent: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """``POST /v1/job/:id/dispatch``: the child job Nomad creates from a parameterized parent (new ID
    ``<parent>/dispatch-<unix>-<8 hex>``, ``ParentID``, ``Dispatched``, request meta merged over the parent's)."""
    if not parent.get("ParameterizedJob"):
        raise NotApplicable("not a parameterized job")
    job = as_api_job(parent)
    child_id = f"{parent.get('ID')}/dispatch-{int(time.time())}-{secrets.token_hex(4)}"
    meta = dict(parent.get("Meta") or {})
    meta.update(gojson.field(body, "Meta") or {})
    job.update(ID=child_id, Name=child_id, ParentID=parent.get("ID"), Dispatched=True, Meta=meta)
    return job
