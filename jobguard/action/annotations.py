"""Workflow-command annotations within GitHub's display limits.

GitHub shows at most 10 annotations of each type (error, warning, notice) per step and silently drops the rest.
So we choose which ones are shown: findings on lines the pull request changed come first, then the rest in file
order; whatever does not fit is counted in one notice pointing at the job summary and the SARIF report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from collections.abc import Iterable

PER_TYPE_LIMIT = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


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
        props = [f"file={escape_property(self.file)}"]
        if self.line:
            props.append(f"line={self.line}")
            if self.column:
                props.append(f"col={self.column}")
        props.append(f"title={escape_property(self.title)}")
        return f"::{self.level} {','.join(props)}::{escape_data(self.message)}"


def annotation_level(finding: dict, fail_on: str) -> str | None:
    """Blocking findings are errors, the rest warnings; suppressed findings are not annotated at all."""
    from jobguard.engine.findings import ENFORCEMENT_LEVELS

    if finding.get("suppressed"):
        return None
    level = finding.get("enforcement_level", "advisory")
    blocking = not finding.get("overridden") and (
        ENFORCEMENT_LEVELS.index(level) >= ENFORCEMENT_LEVELS.index(fail_on))
    return "error" if blocking else "warning"


def build(findings: Iterable[dict], errors: Iterable[dict], fail_on: str, root: str,
          changed: dict[str, set[int]]) -> list[Annotation]:
    """All annotations we would like to show, before the cap."""
    out: list[Annotation] = []
    for f in findings:
        level = annotation_level(f, fail_on)
        if level is None:
            continue
        rel = relative(f.get("file", ""), root)
        title = f"jobguard: {f.get('rule', '')} ({f.get('enforcement_level', '')})"
        message = f.get("message", "")
        if f.get("path"):
            message += f"\n{f['path']}"
        out.append(Annotation(level, rel, int(f.get("line") or 0), int(f.get("column") or 0), title, message,
                              int(f.get("line") or 0) in changed.get(rel, ())))
    for e in errors:
        rel = relative(e.get("file", ""), root)
        out.append(Annotation("error", rel, int(e.get("line") or 0), int(e.get("column") or 0),
                              "jobguard: cannot load job", e.get("message", ""),
                              int(e.get("line") or 0) in changed.get(rel, ())))
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
