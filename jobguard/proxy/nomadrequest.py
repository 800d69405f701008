"""One request-parsing layer: every intercepted request read the way Nomad's HTTP agent reads it.

For each job-changing endpoint Nomad decodes the body into one Go struct (``api.JobRegisterRequest``,
``api.ScalingRequest``, ``structs.JobRevertRequest``, ...) and then takes the namespace, region and ACL token from
query, headers and body in an order of its own per endpoint (``command/agent/job_endpoint.go``,
``parseWriteRequest``, ``apiJobAndRequestToStructs``). :func:`parse` reproduces all of it, once, and the result
serves the decision, the context policies see, the upstream lookups and the request forwarded to Nomad
(:meth:`NomadRequest.forward_target`, :meth:`NomadRequest.forward_body`): re-encoded from what was judged, with
canonical keys and no field Nomad could read differently.

Where Nomad itself refuses a request (a body it cannot decode, a JobID that does not match the path, a
scaling request without a group...), :class:`Refusal` carries Nomad's status and message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jobguard.proxy import gojson, routing
from jobguard.proxy.gojson import Field, GoObject, Struct
from jobguard.proxy.query import Target

# ---------------------------------------------------------------------------- Nomad's request structs
_API_WRITE = (Field("Region", "string"), Field("Namespace", "string"), Field("SecretID", "string"),
              Field("IdempotencyToken", "string"))  # api.WriteRequest, embedded
_STRUCTS_WRITE = (Field("Region", "string"), Field("Namespace", "string"), Field("AuthToken", "string"),
                  Field("IdempotencyToken", "string"), Field("Forwarded", "bool"))  # structs.WriteRequest
_JOB = Field("Job", "object", go_type="api.Job")

SUBMISSION = Struct("JobSubmission", "api.JobSubmission", (
    Field("Source", "string"), Field("Format", "string"), Field("VariableFlags", "map_string"),
    Field("Variables", "string")))
REGISTER_REQUEST = Struct("JobRegisterRequest", "api.JobRegisterRequest", (
    Field("Submission", "struct", go_type="api.JobSubmission", struct=SUBMISSION), _JOB,
    Field("EnforceIndex", "bool"), Field("JobModifyIndex", "uint"), Field("PolicyOverride", "bool"),
    Field("PreserveCounts", "bool"), Field("EvalPriority", "int", go_type="int")) + _API_WRITE)
PLAN_REQUEST = Struct("JobPlanRequest", "api.JobPlanRequest", (
    _JOB, Field("Diff", "bool"), Field("PolicyOverride", "bool")) + _API_WRITE)
VALIDATE_REQUEST = Struct("JobValidateRequest", "api.JobValidateRequest", (_JOB,) + _API_WRITE)
SCALING_REQUEST = Struct("ScalingRequest", "api.ScalingRequest", (
    Field("Count", "int", pointer=True), Field("Target", "map_string"), Field("Message", "string"),
    Field("Error", "bool"), Field("Meta", "map_any"), Field("PolicyOverride", "bool"),
    Field("JobModifyIndex", "uint")) + _API_WRITE)
REVERT_REQUEST = Struct("JobRevertRequest", "structs.JobRevertRequest", (
    Field("JobID", "string"), Field("JobVersion", "uint"), Field("EnforcePriorVersion", "uint", pointer=True),
    Field("ConsulToken", "string"), Field("VaultToken", "string")) + _STRUCTS_WRITE)
DISPATCH_REQUEST = Struct("JobDispatchRequest", "structs.JobDispatchRequest", (
    Field("JobID", "string"), Field("Payload", "bytes"), Field("Meta", "map_string"),
    Field("IdPrefixTemplate", "string")) + _STRUCTS_WRITE)

STRUCTS: dict[str, Struct] = {routing.REGISTER: REGISTER_REQUEST, routing.PLAN: PLAN_REQUEST,
                              routing.VALIDATE: VALIDATE_REQUEST, routing.SCALE: SCALING_REQUEST,
                              routing.REVERT: REVERT_REQUEST, routing.DISPATCH: DISPATCH_REQUEST}
JOB_KINDS = (routing.REGISTER, routing.PLAN, routing.VALIDATE)
DEFAULT_NAMESPACE = "default"
GLOBAL_REGION = "global"
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
            "\u2028\u2029\u202f\u205f\u3000"  # Go's unicode.IsSpace, what strings.TrimSpace removes


class Refusal(Exception):
    """A request Nomad refuses (or that jobguard refuses for the same reason): ``status`` and Nomad's message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class NomadRequest:
    """An intercepted request as Nomad reads it.

    ``namespace``/``region``: where Nomad performs the write (``region`` "" means the agent's own);
    ``job_region``: the region written into a registered job ("" when Nomad leaves the job's own);
    ``token``: the ACL token Nomad authenticates (never logged); ``fields``: the decoded body struct;
    ``job``: the ``Job`` object of register/plan/validate, repeated keys merged as Go merges them.
    """

    kind: str
    job_id: str
    target: Target
    struct: Struct
    fields: dict[str, Any]
    namespace: str = DEFAULT_NAMESPACE
    region: str = ""
    job_region: str = ""
    token: str = ""
    policy_override: bool = False
    job: GoObject | None = None
    notes: list[str] = field(default_factory=list)

    def forward_target(self) -> str:
        """Path and query for Nomad: canonical, so Go reads back exactly what was judged."""
        return self.target.encode()

    def forward_body(self, job: Any = None, drop: tuple[str, ...] = ()) -> bytes:
        """The body for Nomad: every field of the request struct under its canonical name, with ``job`` (the job
        as jobguard loaded and evaluated it) for the requests that carry one. Unknown keys are not forwarded:
        Nomad ignores them, and a key jobguard does not know is a key it has not judged."""
        values = gojson.encode_struct(self.fields, self.struct, skip=drop + ("Job",))
        if self.kind in JOB_KINDS and isinstance(job, GoObject):  # not loaded (fail-open): keep Go's key order
            return (json.dumps(values)[:-1] + ', "Job": ' + gojson.encode(job) + "}").encode()
        if self.kind in JOB_KINDS:
            values["Job"] = job
        return json.dumps(values).encode()


# ---------------------------------------------------------------------------- parsing
def go_trim_space(text: str) -> str:
    """Go's ``strings.TrimSpace`` (its notion of whitespace, not Python's, which also strips \x1c-\x1f)."""
    return text.strip(_GO_SPACE)


def header_token(headers: Mapping[str, str]) -> str | None:
    """Nomad's ``parseToken``: ``X-Nomad-Token`` (trimmed), else an ``Authorization`` header whose scheme is
    ``bearer`` in any case (the first word after it). None when neither applies, so the body's token stands."""
    token = headers.get("X-Nomad-Token", "")
    if token != "":
        return go_trim_space(token)
    auth = headers.get("Authorization", "")
    parts = auth.split(" ")
    if len(parts) > 1 and parts[0].lower() == "bearer":
        value = go_trim_space(" ".join(parts[1:]))
        return go_trim_space(value.split(" ")[0])
    return None


def parse(route: routing.Route, headers: Mapping[str, str], body: bytes) -> NomadRequest:
    """The request ``route`` (from :func:`routing.classify_target`) with ``headers`` and the (decompressed) body,
    as Nomad reads it. Raises :class:`Refusal` (or :class:`gojson.BodyError`) where Nomad answers an error."""
    if route.kind == routing.INVALID or route.target is None:
        raise Refusal(400, "Bad Request: the request target is not a valid URL (Go's server refuses it)")
    target = route.target
    if routing.clean_path(target.path) != target.path:  # Go's mux would redirect, never route it
        raise Refusal(400, f"Bad Request: non-canonical path {target.path!r}")
    spec = STRUCTS[route.kind]
    fields = gojson.decode_struct(gojson.decode(body), spec)
    req = NomadRequest(route.kind, route.job_id, target, spec, fields)
    _IDENTITY[route.kind](req, header_token(headers))
    _require_utf8(req)
    if req.kind != routing.VALIDATE and is_wildcard(req.namespace):
        raise Refusal(400, f'namespace "*" names every namespace and cannot be the target of a {req.kind}')
    return req


def _query_namespace(req: NomadRequest, fallback: str) -> str:
    """``parseNamespace``: the query's (first) value unless it is empty, else ``fallback``, else ``default``."""
    return req.target.get("namespace") or fallback or DEFAULT_NAMESPACE


def _write_region(req: NomadRequest, body_region: str) -> str:
    """``parseRegion``: the query's region, else the body's, else "" (the agent's own region)."""
    return req.target.get("region") or body_region


def _job_string(job: GoObject | None, name: str) -> str:
    value = gojson.field(job, name)
    return value if isinstance(value, str) else ""


def _job_fields(req: NomadRequest, job: GoObject) -> None:
    """The job fields this layer reads are strings (or null) to Go; anything else fails Nomad's decoding."""
    for name in ("ID", "Namespace", "Region"):
        value = gojson.field(job, name)
        if value is not None and not isinstance(value, str):
            raise gojson.BodyError(f"json: cannot unmarshal {gojson.json_kind(value)} into Go struct field "
                                   f"{req.struct.name}.Job.{name} of type string")


def _job_request(req: NomadRequest, header: str | None) -> None:
    """register and plan (``jobUpdate``/``jobPlan`` + ``apiJobAndRequestToStructs``)."""
    plan = req.kind == routing.PLAN
    job = req.fields["Job"]
    if job is None:
        raise Refusal(400, "Job must be specified")
    _job_fields(req, job)
    job_id = gojson.field(job, "ID")
    if job_id is None:
        raise Refusal(400, "Job must have a valid ID" if plan else "Job ID hasn't been provided")
    if req.job_id and job_id != req.job_id:
        raise Refusal(400, "Job ID does not match" if plan else "Job ID does not match name")
    req.job = job
    req.token = req.fields["SecretID"] if header is None else header
    req.namespace = (req.target.get("namespace") or req.fields["Namespace"] or _job_string(job, "Namespace")
                     or DEFAULT_NAMESPACE)
    req.region, req.job_region = _region_for_job(job, req.target.get("region"), req.fields["Region"])
    req.policy_override = req.fields["PolicyOverride"]


def _region_for_job(job: GoObject, query_region: str, body_region: str) -> tuple[str, str]:
    """Nomad's ``regionForJob`` without the agent's region (unknown here): (request region, job region)."""
    region = body_region or query_region or _job_string(job, "Region")
    if region == GLOBAL_REGION:
        region = ""  # Nomad substitutes its own region; the job keeps the one it names
    job_region = region
    multiregion = gojson.field(job, "Multiregion")
    if isinstance(multiregion, dict):
        job_region = GLOBAL_REGION
        names = [gojson.field(r, "Name") for r in gojson.field(multiregion, "Regions") or [] if isinstance(r, dict)]
        if names and region not in names and isinstance(names[0], str):
            region = names[0]
    return region, job_region


def _validate_request(req: NomadRequest, header: str | None) -> None:
    """``ValidateJobRequest``: the namespace is the job's own; the token comes from headers only."""
    job = req.fields["Job"]
    if job is None:
        raise Refusal(400, "Job must be specified")
    _job_fields(req, job)
    req.job = job
    req.token = header or ""
    req.namespace = _job_string(job, "Namespace") or DEFAULT_NAMESPACE
    req.region = _write_region(req, req.fields["Region"])


def _scale_request(req: NomadRequest, header: str | None) -> None:
    """``jobScaleAction`` + ``JobScaleRequest.Validate``: the body's WriteRequest is ignored (namespace from the
    query only, token from headers only); ``Target`` is a map, its keys are exact."""
    target = req.fields["Target"] or {}
    if target.get("Job", "") not in ("", req.job_id):
        raise Refusal(400, "job ID in payload did not match URL")
    req.token = header or ""
    req.namespace = _query_namespace(req, "")
    req.region = req.target.get("region")
    req.policy_override = req.fields["PolicyOverride"]
    if target.get("Namespace", "") not in ("", req.namespace):
        raise Refusal(400, "namespace in payload did not match header")
    if not target.get("Group"):
        raise Refusal(400, "missing task group name for scaling action")
    count = req.fields["Count"]
    if count is not None:
        if count < 0:
            raise Refusal(400, "scaling action count can't be negative")
        if req.fields["Error"]:
            raise Refusal(400, "scaling action should not contain count if error is true")


def _revert_request(req: NomadRequest, header: str | None) -> None:
    """``jobRevert``: structs.JobRevertRequest, then ``parseWriteRequest`` (no PolicyOverride exists here)."""
    if not req.fields["JobID"]:
        raise Refusal(400, "JobID must be specified")
    if req.fields["JobID"] != req.job_id:
        raise Refusal(400, "Job ID does not match")
    _struct_write_identity(req, header)


def _dispatch_request(req: NomadRequest, header: str | None) -> None:
    """``jobDispatchRequest``: an empty JobID is the path's (no PolicyOverride exists here)."""
    if req.fields["JobID"] not in ("", req.job_id):
        raise Refusal(400, "Job ID does not match")
    req.fields["JobID"] = req.job_id
    _struct_write_identity(req, header)


def _struct_write_identity(req: NomadRequest, header: str | None) -> None:
    req.token = req.fields["AuthToken"] if header is None else header
    req.namespace = _query_namespace(req, req.fields["Namespace"])
    req.region = _write_region(req, req.fields["Region"])


_IDENTITY = {routing.REGISTER: _job_request, routing.PLAN: _job_request, routing.VALIDATE: _validate_request,
             routing.SCALE: _scale_request, routing.REVERT: _revert_request, routing.DISPATCH: _dispatch_request}


def _require_utf8(req: NomadRequest) -> None:
    """A namespace, region or token Go holds as bytes that are not UTF-8 (``?namespace=%ff``) names nothing Nomad
    can have created (JSON cannot carry such bytes): refuse it before it reaches a lookup."""
    for what, value, status in (("namespace", req.namespace, 400), ("region", req.region, 400),
                                ("ACL token", req.token, 403)):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise Refusal(status, f"{what} is not valid UTF-8, so it cannot exist in Nomad") from None


def is_wildcard(namespace: str) -> bool:
    """``*`` names every namespace in Nomad's list endpoints; no write can target it."""
    return namespace == "*"


__all__ = ["NomadRequest", "Refusal", "STRUCTS", "header_token", "parse", "is_wildcard"]
