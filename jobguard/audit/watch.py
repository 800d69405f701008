"""``--watch``: keep the audit current by following Nomad's event stream (``/v1/event/stream?topic=Job``).

The watcher audits everything once (as ``jobguard audit`` does), then re-checks a job whenever a Job event names
it: ``JobRegistered`` carries the new job (evaluated as is), ``JobDeregistered``/``JobBatchDeregistered`` make it
read the job again (stopped: it leaves the table, purged: gone). Periodic launches and dispatched instances of a
listed parent are covered by the parent and ignored. Every result goes to the :class:`ViolationTable`; what
changed goes to the metrics, the JSON-lines change log and ``on_change`` (the live table, report files).

Staying correct over a long life:

* a dropped stream (connection reset, Nomad restart, garbage or a half message, no heartbeat for
  ``STREAM_IDLE_S``) is reconnected with back-off from the last index seen (``index=last+1``), and then one job
  listing is compared with the table: jobs whose ``JobModifyIndex`` moved, new ones and vanished ones are re-read.
  That catches events that left Nomad's event buffer while the stream was down (Nomad then silently starts at the
  oldest event it still has);
* an index that goes backwards (a cluster restored from a snapshot or rebuilt: an event older than the index a
  connection resumed after, or a listing older than the last one) re-lists and re-evaluates everything;
* a newer configuration (``jobguard serve`` reloaded jobguard.hcl or a policy) re-evaluates everything;
* ``namespace=*`` streams need a management token or a policy on namespace ``*``; on a 403 the watcher follows
  one stream per namespace it can see instead.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from jobguard.audit.changelog import ChangeLog
from jobguard.audit.client import AuditError, NomadClient, PermissionDenied, backoff
from jobguard.audit.evaluate import Evaluator
from jobguard.audit.metrics import AuditMetrics
from jobguard.audit.run import Audited, AuditRun, audit, evaluate_in_thread
from jobguard.audit.selection import JobRef, is_live
from jobguard.audit.settings import AuditSettings
from jobguard.audit.table import Change, Entry, Key, ViolationTable
from jobguard.report.base import FileResult

log = logging.getLogger("jobguard.audit")

JOB_EVENTS_REREAD = ("JobDeregistered", "JobBatchDeregistered")


class IndexReset(Exception):
    """The event stream went back in time: the cluster's state was replaced."""


class Watcher:
    """Follows one cluster. ``evaluator()`` gives the evaluator to use now (the proxy's changes on reload)."""

    def __init__(self, client: NomadClient, evaluator: Callable[[], Evaluator], settings: AuditSettings,
                 fail_on: str = "soft-mandatory", metrics: AuditMetrics | None = None,
                 changelog: ChangeLog | None = None, on_change: Callable[[Change | None], None] | None = None,
                 reload_check_s: float = 1.0) -> None:
        self.client = client
        self.evaluator = evaluator
        self.settings = settings
        self.fail_on = fail_on
        self.metrics = metrics or AuditMetrics()
        self.changelog = changelog
        self.on_change = on_change
        self.reload_check_s = reload_check_s
        self.table = ViolationTable(fail_on)
        self.listed: dict[Key, str] = {}  # every listed job -> ParentID
        self.last: dict[str, int] = {}  # stream namespace -> highest event index handled
        self.index = 0  # index of the last listing
        self.ready = asyncio.Event()
        self._engine: Any = None
        self._relisting = asyncio.Lock()

    # ------------------------------------------------------------------ the whole life
    async def run(self) -> None:
        """Audit once (an :class:`AuditError` here ends the watch: nothing to watch), then follow the stream."""
        await self.relist("start")
        self.ready.set()
        follower = asyncio.ensure_future(self._follow_all())
        reloads = asyncio.ensure_future(self._watch_engine())
        try:
            await asyncio.gather(follower, reloads)
        finally:
            follower.cancel()
            reloads.cancel()

    async def _follow_all(self) -> None:
        if self.settings.namespace != "*":
            await self._follow(self.settings.namespace)
            return
        if await self._follow("*", fallback=True):
            return
        namespaces = sorted({key[0] for key in self.listed} | set(await self._visible_namespaces()))
        log.warning("the token may not stream every namespace; following %d namespace stream(s): %s",
                    len(namespaces), ", ".join(namespaces))
        await asyncio.gather(*(self._follow(ns) for ns in namespaces))

    async def _visible_namespaces(self) -> list[str]:
        try:
            return await self.client.namespaces()
        except AuditError as exc:
            log.warning("cannot list namespaces: %s", exc)
            return []

    async def _watch_engine(self) -> None:
        """Re-evaluate everything when the evaluator's engine changes (``jobguard serve`` reloaded its config)."""
        while True:
            await asyncio.sleep(self.reload_check_s)
            if self.evaluator().engine is not self._engine:
                await self._relist_logged("config-reload")

    # ------------------------------------------------------------------ listings
    async def relist(self, reason: str, stale_only: bool = False) -> AuditRun:
        """List the jobs and (re-)evaluate them all, or with ``stale_only`` only those that changed since the table
        last saw them; jobs no longer listed leave the table."""
        async with self._relisting:
            return await self._relist(reason, stale_only)

    async def _relist(self, reason: str, stale_only: bool) -> AuditRun:
        evaluator = self.evaluator()
        self._engine = evaluator.engine
        run = await audit(self.client, evaluator, self.settings, self.fail_on,
                          wanted=self._stale if stale_only else None)
        self.metrics.count("relists", reason)
        high_water = max([self.index, *self.last.values()])
        if run.index and run.index < high_water:
            log.warning("Nomad's index went back from %d to %d (cluster state replaced): re-evaluating everything",
                        high_water, run.index)
            self._forget_indexes()
            if stale_only:
                return await self._relist("index-reset", False)
        self.listed = dict(run.listed)
        selected = {ref.key for ref in run.selection.jobs}
        for key in [k for k in self.table.entries if k not in selected]:
            self._apply(key, None, run.index, None, reason)
        for audited in run.audited:
            self._record(audited, reason, index=run.index)
        for namespace, why in run.skipped.items():
            log.warning("namespace %r not audited: %s", namespace, why)
        self.index = run.index
        self.metrics.index(run.index)
        return run

    def _forget_indexes(self) -> None:
        """The cluster's state was replaced: indexes seen so far mean nothing now."""
        self.last.clear()
        self.index = 0
        for entry in self.table.entries.values():
            entry.modify_index = 0

    def _stale(self, ref: JobRef) -> bool:
        entry = self.table.entries.get(ref.key)
        return entry is None or entry.modify_index != ref.modify_index or entry.engine is not self._engine

    async def _relist_logged(self, reason: str, stale_only: bool = False) -> bool:
        try:
            await self.relist(reason, stale_only)
            return True
        except AuditError as exc:
            self.metrics.count("api_errors", "relist")
            log.error("re-listing jobs (%s) failed: %s", reason, exc)
            return False

    # ------------------------------------------------------------------ the stream
    async def _follow(self, namespace: str, fallback: bool = False) -> bool:
        """Follow one stream until cancelled. With ``fallback``, return False at once on a 403 (the caller then
        follows per-namespace streams)."""
        attempt = 0
        lost = False

        def connected() -> None:
            nonlocal attempt, lost
            self.metrics.stream(True)
            attempt = 0
            if lost:  # anything missed while disconnected: compare one listing with the table
                lost = False
                asyncio.ensure_future(self._relist_logged("reconnect", stale_only=True))

        while True:
            start = max(self.last.get(namespace, 0), self.index) + 1
            try:
                async for message in self.client.stream(start, namespace, connected=connected):
                    await self._message(namespace, message, start - 1)
            except IndexReset:
                log.warning("the event index went backwards (cluster state replaced): re-listing everything")
                self._forget_indexes()
                await self._relist_logged("index-reset")
                continue
            except PermissionDenied as exc:
                if fallback:
                    return False
                problem = str(exc)
            except AuditError as exc:
                problem = str(exc)
            self.metrics.stream(False, reconnect=True)
            self.metrics.count("api_errors", "stream")
            wait = backoff(min(attempt, 6))
            log.warning("event stream (namespace %r) lost: %s; reconnecting from index %d in %.1f s", namespace,
                        problem, max(self.last.get(namespace, 0), self.index) + 1, wait)
            attempt += 1
            lost = True
            await asyncio.sleep(wait)

    async def _message(self, namespace: str, message: dict[str, Any], resumed_after: int) -> None:
        """Handle one stream message. ``resumed_after``: the index this connection asked to resume after; Nomad
        never sends anything older (its newest event, when nothing is newer, has that index at least) unless its
        state was replaced."""
        if not message:
            self.metrics.count("events", "heartbeat")
            return
        index = _int(message.get("Index"))
        if index and index < max(self.last.get(namespace, 0), resumed_after):
            raise IndexReset
        if index <= max(self.last.get(namespace, 0), self.index):
            return  # already reflected (by the listing, or Nomad replaying its newest event)
        for event in message.get("Events") or []:
            if not isinstance(event, dict):
                continue
            self.metrics.count("events", str(event.get("Type") or "?"))
            if event.get("Topic") == "Job":
                await self._job_event(event, index)
        self.last[namespace] = index
        self.metrics.index(index)

    async def _job_event(self, event: dict[str, Any], index: int) -> None:
        payload = (event.get("Payload") or {}).get("Job")
        payload = payload if isinstance(payload, dict) else None
        namespace = str(event.get("Namespace") or (payload or {}).get("Namespace") or "default")
        job_id = str(event.get("Key") or (payload or {}).get("ID") or "")
        if not job_id:
            return
        key = (namespace, job_id)
        parent = str((payload or {}).get("ParentID") or "")
        if parent and (namespace, parent) in self.listed:
            self.listed[key] = parent
            return  # a periodic launch or dispatched instance: its parent's result covers it
        kind = str(event.get("Type") or "")
        job = payload if kind not in JOB_EVENTS_REREAD and payload and "TaskGroups" in payload else None
        try:
            if job is None:
                job = await self.client.read_job(job_id, namespace)
        except AuditError as exc:
            self.metrics.count("api_errors", "read")
            log.warning("cannot read job %s/%s after %s: %s", namespace, job_id, kind, exc)
            return
        if job is None:
            self.listed.pop(key, None)
            self._apply(key, None, index, None, "event", kind, index)
            return
        self.listed[key] = parent
        if not (self.settings.include_stopped or is_live(job)):
            self._apply(key, None, index, None, "event", kind, index)
            return
        modify_index = _int(job.get("JobModifyIndex"))
        current = self.table.entries.get(key)
        evaluator = self.evaluator()
        if current is not None and current.modify_index == modify_index and current.engine is evaluator.engine:
            return  # this version was judged already
        result = await evaluate_in_thread(evaluator, job, namespace)
        version = job.get("Version")
        self._record(Audited(JobRef(namespace, job_id, modify_index), result, modify_index,
                             version if isinstance(version, int) else None), "event", kind, index, evaluator)

    # ------------------------------------------------------------------ results
    def _record(self, audited: Audited, cause: str, event: str = "", index: int = 0,
                evaluator: Evaluator | None = None) -> None:
        outcome = "error" if audited.result.errors else "fail" if audited.result.is_blocking(self.fail_on) else "pass"
        self.metrics.count("evaluations", outcome)
        engine = evaluator.engine if evaluator is not None else self._engine
        self._apply(audited.ref.key, audited.result, audited.modify_index, audited.version, cause, event, index,
                    engine)

    def _apply(self, key: Key, result: FileResult | None, modify_index: int, version: int | None, cause: str,
               event: str = "", index: int = 0, engine: Any = None) -> None:
        current = self.table.entries.get(key)
        if current is not None and modify_index and modify_index < current.modify_index \
                and (result is None or engine is current.engine):
            return  # an older read finishing after a newer event: keep the newer result
        entry = Entry(result, modify_index, version, engine) if result is not None else None
        change = self.table.update(key, entry)
        self.metrics.job(key[0], key[1], result.findings if result is not None else None,
                         blocking=result is not None and result.is_blocking(self.fail_on))
        if change is not None and self.changelog is not None:
            self.changelog.write(change.record(cause, event, index))
        if self.on_change is not None:
            self.on_change(change)

    def report(self, evaluator: Evaluator | None = None) -> Any:
        """The table as a ``RunResult`` (every report format renders it)."""
        return (evaluator or self.evaluator()).report(self.table.results(), self.fail_on)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0
