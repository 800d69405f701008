"""The live table of ``--watch``: the latest result of every audited job, and what changed between two results.

A change is computed on *active* findings (neither suppressed nor overridden), identified by check, enforcement
level, API path and message, so a new job version that keeps the same problems is no change, while a finding
that appears, disappears or changes level is. Each change becomes one record of the JSON-lines change log.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

from jobguard.engine.findings import Finding
from jobguard.report.base import FileResult

Key = tuple[str, str]  # (namespace, job ID)


def _identity(f: Finding) -> tuple[str, str, str, str]:
    return (f.rule, f.enforcement_level, f.path_text, f.message)


def _active(result: FileResult | None) -> dict[tuple[str, str, str, str], Finding]:
    if result is None:
        return {}
    return {_identity(f): f for f in result.findings if not f.suppressed and not f.overridden}


def _brief(f: Finding) -> dict[str, str]:
    return {"check": f.rule, "level": f.enforcement_level, "path": f.path_text, "message": f.message}


@dataclass
class Entry:
    """What the table knows about one job."""

    result: FileResult
    modify_index: int = 0
    version: int | None = None
    engine: Any = None  # the engine that judged it (a config reload means: judge again)


@dataclass
class Change:
    """One job whose violations changed (or that appeared/disappeared with violations)."""

    key: Key
    version: int | None
    status: str  # "violating", "clean", "removed", "error"
    blocking: int
    advisory: int
    added: list[dict[str, str]] = field(default_factory=list)
    resolved: list[dict[str, str]] = field(default_factory=list)

    def record(self, cause: str, event: str = "", index: int = 0) -> dict[str, Any]:
        """The change-log line (no job content beyond check names, paths and the rules' own messages)."""
        return {"time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "cause": cause, "event": event, "index": index, "namespace": self.key[0], "job": self.key[1],
                "version": self.version, "status": self.status, "blocking": self.blocking,
                "advisory": self.advisory, "added": self.added, "resolved": self.resolved}


class ViolationTable:
    """Job -> latest :class:`Entry`; :meth:`update` returns the :class:`Change` (None when nothing changed)."""

    def __init__(self, fail_on: str = "soft-mandatory") -> None:
        self.fail_on = fail_on
        self.entries: dict[Key, Entry] = {}

    def update(self, key: Key, entry: Entry | None) -> Change | None:
        old = self.entries.get(key)
        before, after = _active(old.result if old else None), _active(entry.result if entry else None)
        if entry is None:
            self.entries.pop(key, None)
        else:
            self.entries[key] = entry
        errored = entry is not None and bool(entry.result.errors)
        was_errored = old is not None and bool(old.result.errors)
        if before.keys() == after.keys() and errored == was_errored:
            return None  # same violations (a new clean job, a clean job gone, a version with the same problems)
        blocking, advisory = self.counts(entry.result) if entry else (0, 0)
        status = ("removed" if entry is None else "error" if errored else "violating" if after else "clean")
        return Change(key, entry.version if entry else (old.version if old else None), status, blocking, advisory,
                      added=[_brief(after[k]) for k in sorted(after.keys() - before.keys())],
                      resolved=[_brief(before[k]) for k in sorted(before.keys() - after.keys())])

    def counts(self, result: FileResult) -> tuple[int, int]:
        """(blocking, advisory) active findings of one result at this table's ``fail_on``."""
        active = _active(result).values()
        blocking = sum(1 for f in active if f.blocking(self.fail_on))
        return blocking, len(active) - blocking

    def results(self) -> list[FileResult]:
        """Every job's latest result, in (namespace, job) order: the report ``--output`` rewrites."""
        return [self.entries[k].result for k in sorted(self.entries)]

    def render(self, header: str, limit: int = 40) -> str:
        """The table for a terminal: jobs with blocking findings first, then advisory ones."""
        rows = []
        for key, entry in self.entries.items():
            blocking, advisory = self.counts(entry.result)
            if blocking or advisory or entry.result.errors:
                checks = sorted({f.rule for f in _active(entry.result).values()})
                rows.append((-blocking, -advisory, f"{key[0]}/{key[1]}", entry.version, blocking, advisory,
                             "error: " + entry.result.errors[0].summary if entry.result.errors else ", ".join(checks)))
        rows.sort()
        width = max([len("JOB")] + [len(r[2]) for r in rows[:limit]])
        lines = [header, "", f"{'JOB':<{width}}  {'VERSION':>7}  {'BLOCKING':>8}  {'ADVISORY':>8}  CHECKS"]
        for _, _, name, version, blocking, advisory, checks in rows[:limit]:
            lines.append(f"{name:<{width}}  {'' if version is None else version:>7}  {blocking:>8}  {advisory:>8}  "
                         f"{checks}")
        if len(rows) > limit:
            lines.append(f"... and {len(rows) - limit} more job(s) with findings")
        if not rows:
            lines.append("(no findings)")
        return "\n".join(lines) + "\n"
