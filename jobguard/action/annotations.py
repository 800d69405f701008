"""Workflow-command annotations within GitHub's display limits.

GitHub shows at most 10 annotations of each type (error, warning, notice) per step and silently drops the rest.
So we choose which ones are shown: findings on lines the pull request changed come first, then the rest in file
order; whatever does not fit is counted in one notice pointing at the job summary and the SARIF report. Levels and
titles are those of ``jobguard check --format github`` (blocking: error, advisory: notice, other: warning).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from jobguard.report import github
from jobguard.report.base import RunResult

PER_TYPE_LIMIT = 10


@dataclass(frozen=True)
class Annotation:
    level: str  # "error" | "warning" | "notice"
    file: str
    line: int
    column: int
    title: str
    message: str
    on_changed_line: bool = False

    def command(self) -> str:
        return github.command(self.level, self.message, file=self.file, line=self.line,
                              col=self.column if self.line else 0, title=self.title)


def build(result: RunResult, root: str, changed: dict[str, set[int]]) -> list[Annotation]:
    """All annotations we would like to show, before the cap: one per finding that is not suppressed (its status
    is the run's, from ``Finding.status``), one per input error."""
    out: list[Annotation] = []
    for f in result.findings:
        status = result.status(f)
        if status == "suppressed":
            continue
        rel = relative(f.file, root)
        level = github.annotation_level(f.enforcement_level, status == "blocking")
        title = github.annotation_title(f.rule, f.enforcement_level, status == "overridden")
        message = github.annotation_message(f.message, f.job, f.path_text)
        out.append(Annotation(level, rel, f.line, f.column, title, message, f.line in changed.get(rel, ())))
    for e in result.all_errors:
        rel = relative(e.file, root)
        out.append(Annotation("error", rel, e.line, e.column, "jobguard: invalid input", e.to_dict()["message"],
                              e.line in changed.get(rel, ())))
    return out


def relative(path: str, root: str) -> str:
    if not path or path in ("-", "<stdin>"):
        return path
    return os.path.relpath(os.path.abspath(path), root)


def select(annotations: list[Annotation], limit: int = PER_TYPE_LIMIT) -> tuple[list[Annotation], int]:
    """The annotations to print (changed lines first, at most ``limit`` per type) and how many were left out.

    One notice slot is kept free for the "N more" message when anything is left out.
    """
    ordered = sorted(annotations, key=lambda a: (not a.on_changed_line, a.file, a.line, a.column, a.title))
    shown: list[Annotation] = []
    counts: dict[str, int] = {}
    hidden = 0
    for a in ordered:
        cap = limit - 1 if a.level == "notice" else limit
        if counts.get(a.level, 0) < cap:
            counts[a.level] = counts.get(a.level, 0) + 1
            shown.append(a)
        else:
            hidden += 1
    return shown, hidden


def overflow_notice(hidden: int) -> str:
    return (f"::notice title=jobguard::{hidden} more finding(s) are not shown as annotations "
            f"(GitHub shows {PER_TYPE_LIMIT} per type); see the job summary or the SARIF report.")
