"""A Markdown summary for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.

Readers of a PR want the verdict first, then where to look: a per-file table of blocking / advisory / overridden /
suppressed counts, then the blocking findings in detail and the rest folded away in ``<details>``.
"""

from __future__ import annotations

from jobguard.engine.findings import Finding
from jobguard.report.base import STATUSES, Reporter, RunResult
from jobguard.report.locations import display_path


def cell(value: object) -> str:
    """A value safe inside a table cell and inert as HTML: job text (image names, messages) comes from the pull
    request, and GitHub renders HTML in step summaries and comments. Pipes escaped, newlines flattened."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def _code(value: str) -> str:
    """A code span for IDs; anything that could break out of it falls back to an escaped cell."""
    return f"`{value}`" if value and not any(c in value for c in "`<>&|") else cell(value)


class MarkdownReporter(Reporter):
    name = "markdown"
    extension = "md"

    def render(self, results: RunResult) -> str:
        s = results.summary()
        if s["exit_code"] >= 2:
            verdict = f":x: **jobguard: {s['errors']} error(s)**"
        elif s["exit_code"] == 1:
            verdict = f":x: **jobguard: {s['blocking']} blocking finding(s)** (fail-on `{results.fail_on}`)"
        else:
            verdict = f":white_check_mark: **jobguard: passed** (fail-on `{results.fail_on}`)"
        out = ["## jobguard", "", verdict, "",
               f"{s['files']} file(s), {s['jobs']} job(s); " + ", ".join(f"{s[k]} {k}" for k in STATUSES), ""]
        out += self._file_table(results)
        out += self._errors(results)
        blocking = [f for f in results.findings if results.status(f) == "blocking"]
        if blocking:
            out += ["### Blocking", ""] + self._findings_table(blocking, results) + [""]
        if not self.quiet:
            rest = [f for f in results.findings if results.status(f) != "blocking"]
            if rest:
                out += ["<details><summary>Advisory, overridden and suppressed findings</summary>", ""]
                out += self._findings_table(rest, results) + ["", "</details>", ""]
        return "\n".join(out).rstrip("\n") + "\n"

    @staticmethod
    def _file_table(results: RunResult) -> list[str]:
        rows = []
        for fr in results.files:
            counts = dict.fromkeys(STATUSES, 0)
            for f in fr.findings:
                counts[results.status(f)] += 1
            if any(counts.values()) or fr.errors:
                rows.append(f"| {cell(display_path(fr.file, results.root))} | "
                            + " | ".join(str(counts[k]) for k in STATUSES) + f" | {len(fr.errors)} |")
        if not rows:
            return []
        return ["| File | Blocking | Advisory | Overridden | Suppressed | Errors |",
                "| --- | ---: | ---: | ---: | ---: | ---: |", *rows, ""]

    @staticmethod
    def _errors(results: RunResult) -> list[str]:
        errors = results.all_errors
        if not errors:
            return []
        return ["### Errors", "", *[f"- {cell(str(d))}" for d in errors], ""]

    @staticmethod
    def _findings_table(findings: list[Finding], results: RunResult) -> list[str]:
        rows = ["| Status | Rule | Level | Location | Job | Message |", "| --- | --- | --- | --- | --- | --- |"]
        for f in findings:
            where = display_path(f.file, results.root) + (f":{f.line}" if f.line else "")
            status = results.status(f)
            if status == "suppressed" and f.suppression and f.suppression.get("reason"):
                status += f" ({f.suppression['reason']})"
            rows.append(f"| {cell(status)} | {_code(f.rule)} | {cell(f.enforcement_level)} | {cell(where)} | "
                        f"{cell(f.job)} | {cell(f.message)} |")
        return rows
