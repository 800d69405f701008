"""The audit's one contact with the engine and the report model.

Everything the audit needs from them goes through this module, using only the engine's documented interface
(``Engine.load``, ``engine.evaluate``, ``Result``, ``engine.rules``/``policies``/``registry``/``config``) and the
report model (``FileResult``, ``RunResult``), so that the engine's coming typed contract (issue #12) has one place
to meet here.

A job read from the API becomes one :class:`FileResult` whose file is the job's ``nomad://`` URI (see
:mod:`.location`), with each finding's ``job`` set to ``namespace/job-id`` and ``extra`` carrying ``namespace``,
``job_id``, ``job_version`` and ``api_path``. Fingerprints include the namespace, so the same job ID in two
namespaces is two jobs for baselines and code scanning.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from jobguard.audit.location import api_path, job_uri
from jobguard.check.runner import annotate
from jobguard.engine import Engine, EvalContext
from jobguard.jobspec import JobspecError, load_api_job
from jobguard.jobspec.errors import Diagnostic
from jobguard.report.base import FileResult, RunResult


class Evaluator:
    """Evaluates API jobs with one loaded engine; cheap to build around an engine the proxy already has."""

    def __init__(self, engine: Engine, host: str = "", region: str = "") -> None:
        self.engine = engine
        self.host = host
        self.region = region
        self.checks = engine.active_checks()

    @classmethod
    def load(cls, config_path: str | None = None, start_dir: str = ".", policies: Sequence[str] = (),
             only: list[str] | None = None, skip: list[str] | None = None) -> Evaluator:
        """The engine exactly as ``jobguard check`` loads it (raises ``ConfigError``). Call :meth:`locate` before
        evaluating: the settings that name the cluster are resolved after the config (its ``audit`` block)."""
        return cls(Engine.load(config_path=config_path, start_dir=start_dir, extra_policies=list(policies),
                               only=only, skip=skip))

    def locate(self, host: str, region: str = "") -> Evaluator:
        """Name results after the API at ``host`` (``host:port[/prefix]``) and ``region``."""
        self.host, self.region = host, region
        return self

    @property
    def audit_block(self) -> dict[str, Any] | None:
        """The ``audit { }`` block of the jobguard.hcl in use (None when there is none)."""
        return self.engine.config.audit

    def location(self, namespace: str, job_id: str, version: int | None = None) -> str:
        return job_uri(self.host, job_id, namespace, version, self.region)

    def evaluate(self, job: dict[str, Any], namespace: str) -> FileResult:
        """One job as ``GET /v1/job/:id`` returns it -> its result. Never raises."""
        job_id = str(job.get("ID") or "")
        namespace = str(job.get("Namespace") or namespace)
        version = job.get("Version") if isinstance(job.get("Version"), int) else None
        file = self.location(namespace, job_id, version)
        name = f"{namespace}/{job_id}"
        try:
            loaded = load_api_job(job, filename=file)
        except JobspecError as exc:
            return FileResult(file=file, jobs=[name], errors=list(exc.diagnostics), input_error=True)
        try:
            result = self.engine.evaluate(loaded, context=EvalContext(existing_job=job, job_exists=True,
                                                                      namespace=namespace))
            facts = {"namespace": namespace, "job_id": job_id, "job_version": version,
                     "api_path": api_path(job_id, namespace, self.region)}
            named = [replace(f, job=name, extra={**(f.extra or {}), **facts}) for f in result.findings]
            findings, _ = annotate(named, loaded)
        except Exception as exc:  # a bug must not hide the other jobs' results
            message = f"internal error while evaluating this job: {type(exc).__name__}: {exc}"
            return FileResult(file=file, jobs=[name], errors=[Diagnostic(file, 0, 0, message)], internal_error=True)
        return FileResult(file=file, jobs=[name], findings=findings, errors=list(result.errors), checks=self.checks,
                          failed_closed=bool(result.errors))

    def unreadable(self, namespace: str, job_id: str, message: str) -> FileResult:
        """A job that could not be read (garbage JSON, an error status): an input error, exit 2."""
        file = self.location(namespace, job_id)
        return FileResult(file=file, jobs=[f"{namespace}/{job_id}"], errors=[Diagnostic(file, 0, 0, message)],
                          input_error=True)

    def report(self, files: list[FileResult], fail_on: str = "soft-mandatory", errors: Sequence[Diagnostic] = (),
               started: float | None = None) -> RunResult:
        """The run every reporter renders: files in the order given, metadata of the rules that were found."""
        rules = self.engine.findings_metadata(f for fr in files for f in fr.findings)
        return RunResult(files=files, fail_on=fail_on, rules=rules, errors=list(errors), root=os.getcwd(),
                         duration=time.perf_counter() - started if started else 0.0)

