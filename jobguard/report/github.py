"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff.

``::error file=F,line=L,col=C,title=T::MESSAGE``. Escaping follows the Actions toolkit (``@actions/core``): in the
message ``%``, ``\\r`` and ``\\n`` are percent-encoded; in properties ``:`` and ``,`` are too, since they delimit
properties. Without it a message with a newline would end the command early and the rest would be lost, and a
crafted job could inject commands of its own.

Levels: a blocking finding is an ``error`` (it fails the check), a non-blocking soft/hard-mandatory one (overridden,
or below ``--fail-on``) a ``warning``, an advisory one a ``notice``. Suppressed findings are not annotated.
"""

from __future__ import annotations

from jobguard.engine.findings import Finding
from jobguard.jobspec.errors import Diagnostic
from jobguard.report.base import Reporter, RunResult
from jobguard.report.locations import display_path


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **props: object) -> str:
    """One workflow command line; properties with empty values are left out."""
    parts = [f"{key}={escape_property(str(value))}" for key, value in props.items() if value not in (None, "", 0)]
    return f"::{level} {','.join(parts)}::{escape_data(message)}" if parts else f"::{level}::{escape_data(message)}"


def annotation_level(enforcement_level: str, blocking: bool) -> str:
    """error (fails the check), warning (a mandatory level let through), or notice (advisory)."""
    if blocking:
        return "error"
    return "notice" if enforcement_level == "advisory" else "warning"


def annotation_title(rule: str, enforcement_level: str, overridden: bool) -> str:
    return f"{rule} ({enforcement_level})" + (" [overridden]" if overridden else "")


def annotation_message(message: str, job: str, path: str) -> str:
    return message + (f' (job "{job}", {path})' if job and path else "")


class GithubReporter(Reporter):
    name = "github"

    def render(self, results: RunResult) -> str:
        lines = [self._error(d, results.root) for d in results.all_errors]
        for f in results.findings:
            status = results.status(f)
            if status == "suppressed" or (self.quiet and status != "blocking"):
                continue
            lines.append(self._finding(f, status, results.root))
        return "".join(line + "\n" for line in lines)

    @staticmethod
    def _finding(f: Finding, status: str, root: str) -> str:
        return command(annotation_level(f.enforcement_level, status == "blocking"), annotation_message(f.message,
                       f.job, f.path_text), file=display_path(f.file, root), line=f.line, col=f.column,
                       title=annotation_title(f.rule, f.enforcement_level, status == "overridden"))

    @staticmethod
    def _error(diag: Diagnostic, root: str) -> str:
        message = diag.summary + (f"; {diag.detail}" if diag.detail else "")
        return command("error", message, file=display_path(diag.file, root), line=diag.line, col=diag.column,
                       title="jobguard: invalid input")
