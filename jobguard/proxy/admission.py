"""The admission decision: run the CLI's engine on the job a request would create, with Nomad's context.

Nomad semantics reproduced here (see ``command/agent/job_endpoint.go``):

* namespace, region and the caller's token come from :mod:`.nomadrequest`, which reads them per endpoint exactly
  as Nomad's agent does; Nomad writes the effective namespace and region into the job before its own (Sentinel)
  checks, so policies see them too;
* enforcement like Sentinel: advisory failures warn, soft-mandatory ones deny unless ``PolicyOverride`` is set
  *and* the caller's token holds one of the configured override policies (or is a management token),
  hard-mandatory ones always deny.

Policy runtime errors and internal failures fail closed (deny) unless ``fail_open`` is set, in which case the
request goes through and the failure is logged loudly. ``dry_run`` turns every denial into a warning.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from collections.abc import Awaitable, Callable

from jobguard.engine.findings import Finding
from jobguard.proxy import gojson
from jobguard.proxy.contextuse import needs_existing_job
from jobguard.proxy.responses import describe
from jobguard.proxy.settings import PROXY_FAIL_ON, ProxySettings
from jobguard.proxy.upstream import Upstream, UpstreamError

if TYPE_CHECKING:
    from jobguard.proxy.nomadrequest import NomadRequest

log = logging.getLogger("jobguard.proxy")

# Decision outcomes (also the ``outcome`` label of jobguard_decisions_total and ``decision`` in the log).
ALLOW = "allow"          # no failed check
WARN = "warn"            # advisory or overridden failures only: forwarded with Warnings
DENY = "deny"            # a blocking failure: 403
INVALID = "invalid"      # the job itself cannot be loaded: 400
ERROR = "error"          # evaluation failed, fail closed: 500
FAIL_CLOSED = "fail_closed"  # the job a scale/revert/dispatch would produce cannot be built: denied (4xx)
FAIL_OPEN = "fail_open"  # evaluation failed, let through because of --fail-open
DRY_RUN = "dry_run"      # would have been denied, let through because of --dry-run


FETCH = object()  # "read the existing job from upstream"


@dataclass
class Caller:
    """Who asks and where: the effective token (never logged), namespace and region, and the override flag."""

    token: str = ""
    namespace: str = "default"
    region: str = ""
    policy_override: bool = False
    job_region: str = ""  # the region Nomad writes into the job when it differs from ``region`` (multiregion)

    @classmethod
    def from_request(cls, req: NomadRequest) -> Caller:
        """The caller of a parsed request: Nomad's own reading of token, namespace, region and override."""
        return cls(token=req.token, namespace=req.namespace, region=req.region,
                   policy_override=req.policy_override is True, job_region=req.job_region)


@dataclass
class Decision:
    """The verdict on one request. ``lines`` are the failing checks (denials) and ``warnings`` what gets added
    to the upstream answer's ``Warnings``; ``status`` is the HTTP status of a denial."""

    outcome: str
    job_id: str = ""
    namespace: str = "default"
    status: int = 200
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    override_requested: bool = False
    override_honoured: bool = False
    accessor_id: str = ""
    hint: str = ""
    duration_s: float = 0.0
    forward_job: dict[str, Any] | None = None

    @property
    def denied(self) -> bool:
        return self.outcome in (DENY, INVALID, ERROR, FAIL_CLOSED)


class Admission:
    """Decides on jobs. ``engine`` is a callable returning the current engine (it changes on reload)."""

    def __init__(self, engine: Callable[[], Any], upstream: Upstream, settings: Callable[[], ProxySettings],
                 judge: Callable[..., Awaitable[Any]] | None = None) -> None:
        self._engine = engine
        self.upstream = upstream
        self._settings = settings
        #: ``await judge(engine, api_job, placement, policy_override, context)``: load and evaluate in one
        #: round trip to the proxy's worker pool (workers.py, worker_main.judge)
        self._judge_in_worker = judge or _in_thread

    @property
    def settings(self) -> ProxySettings:
        return self._settings()

    async def decide(self, job: dict[str, Any], caller: Caller, existing: Any = FETCH) -> Decision:
        """Evaluate ``job`` (API JSON) for ``caller``. Failures become ERROR or FAIL_OPEN; only
        :class:`UpstreamError` (Nomad refused or is unreachable while reading context) propagates.

        ``existing`` is the job as Nomad stores it now (None: new job); by default it is read from upstream.
        """
        started = time.perf_counter()
        job_id = str(gojson.field(job, "ID") or "")
        decision = Decision(ALLOW, job_id=job_id, namespace=caller.namespace,
                            override_requested=caller.policy_override)
        try:
            await self._decide(job, caller, decision, existing)
        except UpstreamError:
            raise  # Nomad's own refusal (e.g. 403) or unreachable: relayed by the caller, not a policy verdict
        except Exception as exc:  # fail closed (or loudly open) on anything unexpected
            self._failed(decision, f"{type(exc).__name__}: {exc}")
        decision.duration_s = time.perf_counter() - started
        return decision

    async def _decide(self, job: dict[str, Any], caller: Caller, decision: Decision, existing: Any) -> None:
        """Read the context, then load, canonicalise and evaluate the job in one worker round trip.

        The existing job is read with the caller's token (Nomad's refusal of that read is relayed, as
        always). When no policy reads ``existing_job``/``job_exists`` (:mod:`.contextuse`), the read runs
        *while* the job is evaluated instead of before; the outcome is the same, one upstream round trip
        shorter. A job the loader rejects is INVALID even when a context read failed, either way.
        """
        engine = self._engine()
        job_read = (asyncio.ensure_future(self.upstream.job(decision.job_id, caller.namespace, caller.region,
                                                            caller.token))
                    if existing is FETCH and decision.job_id else None)
        try:
            await self._decide_with(engine, job, caller, decision, existing, job_read)
        finally:
            if job_read is not None and not job_read.done():  # cancelled (the client went away)
                job_read.cancel()

    async def _decide_with(self, engine: Any, job: dict[str, Any], caller: Caller, decision: Decision,
                           existing: Any, job_read: asyncio.Future[Any] | None) -> None:
        overlap = job_read is not None and not needs_existing_job(engine)
        try:
            if job_read is not None and not overlap:
                existing, token = await asyncio.gather(job_read, self._token(caller))
            else:
                token = await self._token(caller)
        except Exception:
            if job_read is not None:
                await asyncio.gather(job_read, return_exceptions=True)
            if not self._invalid(job, decision):
                raise
            return
        if existing is FETCH:
            existing = None  # no ID to look up (the loader reports the missing ID), or read in the meantime
        decision.accessor_id = str((token or {}).get("AccessorID") or "")
        allowed = caller.policy_override and await self._may_override(token, caller.token)
        decision.override_honoured = allowed
        if caller.policy_override and not allowed:
            decision.hint = ("PolicyOverride was ignored: the caller's ACL token holds none of the override "
                             f"policies ({', '.join(self.settings.override_acl_policies) or 'none configured'}).")

        from jobguard.engine import EvalContext

        context = EvalContext(existing_job=existing, job_exists=existing is not None, namespace=caller.namespace,
                              nomad_acl_token=token)
        placement = (caller.namespace, caller.job_region or caller.region)
        # Off the event loop, under a hard deadline (a worker process; see workers.py).
        try:
            verdict, result, loaded_job = await self._judge_in_worker(engine, job, placement, allowed, context)
        except Exception:
            if overlap:  # Nomad's refusal of the context read comes first, as in the sequential order
                await job_read
            self._keep_forward_job(job, decision)
            raise
        if overlap:
            try:
                await job_read
            except Exception:
                if verdict != "invalid":
                    raise
        if verdict == "invalid":
            decision.outcome, decision.status, decision.lines = INVALID, 400, result
            return
        decision.forward_job = loaded_job
        self._judge(result, decision)

    async def _token(self, caller: Caller) -> dict[str, Any] | None:
        return await self.upstream.token_self(caller.token) if caller.token else None

    @staticmethod
    def _invalid(job: dict[str, Any], decision: Decision) -> bool:
        """Is ``job`` one the loader rejects? Then ``decision`` becomes INVALID (400) with its diagnostics.
        Only asked when a context read failed (loading here is the rare path; normally a worker loads)."""
        from jobguard.jobspec import JobspecError, load_api_job

        try:
            load_api_job(job)
        except JobspecError as exc:
            decision.outcome, decision.status = INVALID, 400
            decision.lines = [str(d) for d in exc.diagnostics] or [str(exc)]
            return True
        return False

    def _keep_forward_job(self, job: dict[str, Any], decision: Decision) -> None:
        """The evaluation failed: under fail-open/dry-run the job still goes on, as jobguard loads it (the
        same bytes as when the evaluation succeeds). Denied otherwise, so nothing to load."""
        if not (self.settings.fail_open or self.settings.dry_run):
            return
        from jobguard.jobspec import load_api_job

        try:
            decision.forward_job = load_api_job(job).job
        except Exception:  # noqa: BLE001 - forwarded as received, as before a job could be loaded
            decision.forward_job = None

    async def _may_override(self, token: dict[str, Any] | None, secret: str) -> bool:
        if not token:
            return False
        if token.get("Type") == "management":
            return True
        wanted = set(self.settings.override_acl_policies)
        if not wanted:
            return False
        held = set(token.get("Policies") or [])
        if held & wanted:
            return True
        role_ids = [r.get("ID", "") for r in token.get("Roles") or [] if isinstance(r, dict) and r.get("ID")]
        return bool(role_ids) and bool(await self.upstream.role_policies(role_ids, secret) & wanted)

    def _judge(self, result: Any, decision: Decision) -> None:
        findings = [f for f in result.findings if not f.suppressed]
        decision.findings = list(result.findings)
        blocking = [f for f in findings if f.status(PROXY_FAIL_ON) == "blocking"]
        decision.warnings = [describe(f) for f in findings if f.status(PROXY_FAIL_ON) != "blocking"]
        decision.errors = [str(e) for e in result.errors]
        if decision.errors:
            self._failed(decision, "policy evaluation error: " + "; ".join(decision.errors))
            if decision.outcome == ERROR:
                decision.lines = [describe(f) for f in blocking] + [
                    f"policy error (jobguard fails closed): {e}" for e in decision.errors]
            return
        if blocking:
            decision.lines = [describe(f) for f in blocking]
            if self.settings.dry_run:
                decision.outcome = DRY_RUN
                decision.warnings += [f"[dry-run, would deny] {line}" for line in decision.lines]
            else:
                decision.outcome, decision.status = DENY, 403
            return
        decision.outcome = WARN if decision.warnings else ALLOW

    def _failed(self, decision: Decision, why: str) -> None:
        if self.settings.fail_open or self.settings.dry_run:
            log.error("FAIL-OPEN: letting job %r through although its evaluation failed: %s", decision.job_id, why)
            decision.outcome = FAIL_OPEN
            decision.warnings.append(f"jobguard could not evaluate this job and let it through (fail-open): {why}")
        else:
            log.error("evaluation of job %r failed, denying (fail closed): %s", decision.job_id, why)
            decision.outcome, decision.status = ERROR, 500
            decision.lines = [f"jobguard could not evaluate the job (fail closed): {why}"]


async def _in_thread(engine: Any, job: Any, placement: tuple[str, str], policy_override: bool,
                     context: Any) -> tuple[str, Any, Any]:
    from jobguard.proxy.worker_main import judge

    return await asyncio.get_running_loop().run_in_executor(
        None, lambda: judge(engine, job, placement, policy_override, context))
