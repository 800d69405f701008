"""One audit of a cluster: list the jobs, read and evaluate each one, return a report every format can render.

Reads run ``settings.concurrency`` at a time; evaluation runs in a worker thread so that reading goes on meanwhile
(and so that the event loop of ``jobguard serve`` keeps answering requests during an audit).

Access control (decided for issue #13): a token that may not *list* jobs (403 on ``GET /v1/jobs``) ends the audit
with exit 2. With ``--namespace '*'`` Nomad lists only the namespaces the token may list; if the token may list but
not *read* the jobs of one of them (403 on ``GET /v1/job/:id``), that namespace is skipped and named in
:attr:`AuditRun.skipped` (the CLI prints it on stderr), and the audit goes on with the others: all of them
skipped is exit 2. With an explicit namespace, a 403 ends the audit with exit 2. A job that answers garbage or an
error status is an input error of that job (exit 2, the others are still reported); Nomad becoming unreachable
ends the audit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from jobguard.audit.client import ApiError, AuditError, BadResponse, NomadClient, NotFound, PermissionDenied
from jobguard.audit.evaluate import Evaluator
from jobguard.audit.selection import JobRef, Selection, key_of, select
from jobguard.audit.settings import AuditSettings
from jobguard.report.base import FileResult, RunResult


@dataclass
class Audited:
    """One job that was read and evaluated."""

    ref: JobRef
    result: FileResult
    modify_index: int = 0  # JobModifyIndex of the version judged
    version: int | None = None


@dataclass
class AuditRun:
    """The outcome of one audit."""

    result: RunResult
    selection: Selection
    index: int = 0  # X-Nomad-Index of the job listing: the watcher streams events from here
    listed: dict[tuple[str, str], str] = field(default_factory=dict)  # every listed job -> its ParentID
    audited: list[Audited] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # namespace -> why its jobs were not read
    vanished: int = 0  # listed, then gone before they were read (purged meanwhile)


async def check_scope(client: NomadClient, settings: AuditSettings) -> None:
    """Fail early, with the known names, on a region or namespace that does not exist (Nomad would answer an
    empty list for an unknown namespace, which would read as "all clear")."""
    if settings.region:
        regions = await client.regions()
        if regions and settings.region not in regions:
            raise AuditError(f"unknown region {settings.region!r}; Nomad at {settings.address} knows: "
                             f"{', '.join(regions)}")
    if settings.namespace != "*":
        try:
            namespaces = await client.namespaces()
        except (PermissionDenied, NotFound):  # a token without namespace access, or no namespaces: let Nomad judge
            return
        if namespaces and settings.namespace not in namespaces:
            raise AuditError(f"namespace {settings.namespace!r} does not exist or the token has no capability in "
                             f"it; visible namespaces: {', '.join(namespaces)}")


async def list_jobs(client: NomadClient, settings: AuditSettings) -> tuple[list[dict[str, Any]], int]:
    try:
        return await client.list_jobs(settings.namespace)
    except PermissionDenied as exc:
        raise AuditError(f"cannot list jobs: {exc}") from None


async def audit(client: NomadClient, evaluator: Evaluator, settings: AuditSettings, fail_on: str = "soft-mandatory",
                progress: Callable[[int, int], None] | None = None,
                wanted: Callable[[JobRef], bool] | None = None) -> AuditRun:
    """Audit every selected job once. Raises :class:`AuditError` for what ends the audit (exit 2).

    ``wanted(ref)`` False leaves a selected job unread (the watcher re-reads only jobs that changed).
    """
    started = time.perf_counter()
    await check_scope(client, settings)
    stubs, index = await list_jobs(client, settings)
    selection = select(stubs, settings.include_stopped)
    run = AuditRun(result=evaluator.report([], fail_on), selection=selection, index=index,
                   listed={key_of(s): str(s.get("ParentID") or "") for s in stubs})
    todo = [ref for ref in selection.jobs if wanted is None or wanted(ref)]
    results: list[Audited | None] = [None] * len(todo)
    gate = asyncio.Semaphore(max(1, settings.concurrency))
    done = 0
    if progress:
        progress(0, len(todo))

    async def one(position: int, ref: JobRef) -> None:
        nonlocal done
        async with gate:
            results[position] = await _audit_job(client, evaluator, settings, ref, run)
        done += 1
        if progress:
            progress(done, len(todo))

    await asyncio.gather(*(one(i, ref) for i, ref in enumerate(todo)))
    run.audited = [r for r in results if r is not None]
    if settings.namespace == "*" and run.skipped and not run.audited and todo:
        raise AuditError("no job could be read: " + "; ".join(f"namespace {ns!r}: {why}"
                                                             for ns, why in sorted(run.skipped.items())))
    run.result = evaluator.report([a.result for a in run.audited], fail_on, started=started)
    return run


async def _audit_job(client: NomadClient, evaluator: Evaluator, settings: AuditSettings, ref: JobRef,
                     run: AuditRun) -> Audited | None:
    if ref.namespace in run.skipped:
        return None
    try:
        job = await read_job(client, ref, explicit=settings.namespace != "*")
    except PermissionDenied as exc:
        run.skipped.setdefault(ref.namespace, str(exc))
        return None
    except (BadResponse, ApiError) as exc:
        return Audited(ref, evaluator.unreadable(ref.namespace, ref.id, str(exc)))
    if job is None:
        run.vanished += 1
        return None
    result = await evaluate_in_thread(evaluator, job, ref.namespace)
    version = job.get("Version")
    return Audited(ref, result, int(job.get("JobModifyIndex") or 0), version if isinstance(version, int) else None)


async def read_job(client: NomadClient, ref: JobRef, explicit: bool) -> dict[str, Any] | None:
    """``GET /v1/job/:id``; a 403 ends the audit when the namespace was named explicitly (exit 2)."""
    try:
        return await client.read_job(ref.id, ref.namespace)
    except PermissionDenied as exc:
        if explicit:
            raise AuditError(f"cannot read job {ref.name!r}: {exc}") from None
        raise


async def evaluate_in_thread(evaluator: Evaluator, job: dict[str, Any], namespace: str) -> FileResult:
    """Evaluate off the event loop: policies are CPU work and the loop must keep serving (reads, the proxy)."""
    return await asyncio.get_running_loop().run_in_executor(None, evaluator.evaluate, job, namespace)
