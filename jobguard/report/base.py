"""What every report format receives (:class:`RunResult`) and the one interface a format implements (:class:`Reporter`).

Why a single result object: reporters are pure functions of one finished run. They never load jobs, run the engine
or touch the file system, so a plugin format (``jobguard_reporters`` hook) gets exactly what the built-ins get, and
tests can build a run from :class:`~jobguard.engine.findings.Finding` objects directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, ClassVar

from jobguard import __version__
from jobguard.engine.findings import ENFORCEMENT_LEVELS, STATUSES, Finding
from jobguard.jobspec.errors import Diagnostic


def finding_status(finding: Finding, fail_on: str) -> str:
    """Kept for plugin reporters that import it: the status is :meth:`Finding.status`'s to decide."""
    return finding.status(fail_on)


@dataclass(frozen=True)
class SkippedFile:
    """A file the directory walk saw but did not check, and why (``jobguard check -v`` lists them)."""

    path: str
    reason: str


@dataclass
class FileResult:
    """The outcome for one job file (or stdin).

    ``lines``     the source lines that findings and errors point at (1-based line -> text), already masked where a
                  finding flags a secret, so that a reporter can show them without ever seeing a secret value.
    ``checks``    IDs of the rules and policies that ran on this file, when the engine tells (JUnit passes).
    ``failed_closed``  the engine could not finish evaluating the job (a policy or rule hit a runtime error), so the
                  file fails the run whatever the findings say (the engine's "fail closed").
    """

    file: str
    jobs: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    lines: dict[int, str] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    failed_closed: bool = False
    input_error: bool = False
    internal_error: bool = False
    cached: bool = False
    #: seconds spent loading and evaluating this file (0 when answered by the cache); JUnit's ``time``
    duration: float = 0.0

    def is_blocking(self, fail_on: str) -> bool:
        """Does this file fail a run at ``fail_on``: a blocking finding, or the engine failing closed."""
        return self.failed_closed or any(f.blocking(fail_on) for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file, "jobs": list(self.jobs), "findings": [f.to_dict() for f in self.findings],
            "errors": [_diag_to_plain(d) for d in self.errors], "lines": {str(k): v for k, v in self.lines.items()},
            "checks": list(self.checks), "failed_closed": self.failed_closed, "input_error": self.input_error,
            "internal_error": self.internal_error, "duration": self.duration,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileResult:
        return cls(
            file=data["file"], jobs=list(data.get("jobs", [])),
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            errors=[Diagnostic(**e) for e in data.get("errors", [])],
            lines={int(k): v for k, v in data.get("lines", {}).items()},
            checks=list(data.get("checks", [])), failed_closed=bool(data.get("failed_closed")),
            input_error=bool(data.get("input_error")), internal_error=bool(data.get("internal_error")),
            duration=float(data.get("duration") or 0.0),
        )


def _diag_to_plain(diag: Diagnostic) -> dict[str, Any]:
    return {"file": diag.file, "line": diag.line, "column": diag.column, "summary": diag.summary,
            "detail": diag.detail}


@dataclass
class RunResult:
    """A finished ``jobguard check`` run: per-file results in a deterministic order plus run-wide facts.

    ``rules``   metadata of the rules and policies that appear in findings (ID -> ``Rule.describe()``-like dict:
                title, severity, enforcement_level, docs, help_uri, kind, ...); formats such as SARIF list them.
    ``errors``  run-level diagnostics not tied to one job file (e.g. a path that does not exist).
    ``root``    the directory locations are made relative to (git top level or the working directory).
    ``skipped`` files a directory walk passed over (another extension, or not a job), with the reason.
    ``provenance``  the git repository, commit and branch of ``root`` when it is one (SARIF).
    """

    files: list[FileResult] = field(default_factory=list)
    fail_on: str = "soft-mandatory"
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[Diagnostic] = field(default_factory=list)
    root: str = field(default_factory=os.getcwd)
    version: str = ""
    duration: float = 0.0
    skipped: list[SkippedFile] = field(default_factory=list)
    provenance: Any = None  # jobguard.report.vcs.Provenance | None

    def __post_init__(self) -> None:
        if self.fail_on not in ENFORCEMENT_LEVELS:
            raise ValueError(f"fail_on must be one of {', '.join(ENFORCEMENT_LEVELS)}, not {self.fail_on!r}")
        if not self.version:
            self.version = __version__

    @property
    def findings(self) -> list[Finding]:
        return [f for fr in self.files for f in fr.findings]

    @property
    def all_errors(self) -> list[Diagnostic]:
        return list(self.errors) + [d for fr in self.files for d in fr.errors]

    def status(self, finding: Finding) -> str:
        return finding.status(self.fail_on)

    @property
    def blocking(self) -> bool:
        return any(fr.is_blocking(self.fail_on) for fr in self.files)

    @property
    def input_errors(self) -> bool:
        """Errors that make the run exit 2: unreadable paths, files that do not parse."""
        return bool(self.errors) or any(fr.input_error for fr in self.files)

    def exit_code(self) -> int:
        """0 nothing blocking, 1 a blocking failure, 2 input errors, 3 an internal error (worst wins)."""
        if any(fr.internal_error for fr in self.files):
            return 3
        if self.input_errors:
            return 2
        return 1 if self.blocking else 0

    def summary(self) -> dict[str, Any]:
        """Counts for the summary table, the JSON ``summary`` and the Action's outputs."""
        counts = dict.fromkeys(STATUSES, 0)
        by_level = dict.fromkeys(ENFORCEMENT_LEVELS, 0)
        for f in self.findings:
            counts[self.status(f)] += 1
            if not f.suppressed and f.enforcement_level in by_level:
                by_level[f.enforcement_level] += 1
        return {
            "files": len(self.files),
            "jobs": sum(len(fr.jobs) for fr in self.files),
            "findings": sum(counts.values()),
            **counts,
            "errors": len(self.all_errors),
            "skipped_files": len(self.skipped),
            "by_enforcement_level": by_level,
            "fail_on": self.fail_on,
            "passed": self.exit_code() == 0,
            "exit_code": self.exit_code(),
        }


class Reporter:
    """A report format. Subclasses set :attr:`name` and implement :meth:`render`.

    ``color`` is only a wish: formats that have no colour ignore it. ``quiet`` asks for only what fails the run;
    ``verbose`` (``jobguard check -v``) for the details a summary only counts, such as the skipped files.
    """

    name: ClassVar[str] = ""
    verbose: bool = False

    def __init__(self, color: bool = False, quiet: bool = False) -> None:
        self.color = color
        self.quiet = quiet

    def render(self, results: RunResult) -> str:  # pragma: no cover - abstract
        raise NotImplementedError
