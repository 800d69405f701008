"""A Markdown summary for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.

Readers of a PR want the verdict first, then where to look: a per-file table of blocking / advisory / overridden /
suppressed counts, then the blocking findings in detail and the rest folded away in ``<details>``.

Two promises:

* every value that comes from a job (file names, job IDs, messages, suppression reasons) goes through
  :mod:`jobguard.report.mdsafe`, so nothing a pull request writes renders as a link, an image, HTML or a mention;
* the document stays under :attr:`MarkdownReporter.max_bytes` (512 KiB; GitHub refuses a step summary over 1 MiB):
  when everything does not fit, the verdict and counts always stay, then as many blocking findings, errors, file
  rows and other findings as fit, in that order of priority, each cut section saying how many rows it left out
  and that the SARIF and JSON reports have them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jobguard.engine.findings import Finding
from jobguard.report.base import STATUSES, Reporter, RunResult
from jobguard.report.locations import display_path
from jobguard.report.mdsafe import code, text, utf8_len

#: GitHub's limit for one step summary is 1 MiB; stay well below it (the Action adds a note or two)
DEFAULT_MAX_BYTES = 512 * 1024
#: bytes kept free for the "N more" notes and the closing lines of a cut document
_RESERVE = 2048


def cell(value: object) -> str:
    """Job text made safe in a table cell (kept for plugins that build their own tables; see mdsafe.text)."""
    return text(value)


@dataclass
class _Section:
    """Rows of one part of the document; ``shown`` is how many of them fit the byte budget."""

    what: str  # for the "N more ..." note
    head: list[str]
    rows: list[str]
    tail: list[str] = field(default_factory=list)
    shown: int = 0

    def render(self) -> list[str]:
        if not self.rows:
            return []
        out = self.head + self.rows[:self.shown]
        left = len(self.rows) - self.shown
        if left:
            out += ["", f"_… and {left} more {self.what} not shown here (this summary is capped in size); the SARIF "
                        "and JSON reports list them all._"]
        return out + self.tail


class MarkdownReporter(Reporter):
    name = "markdown"
    #: the document's size limit in bytes of UTF-8
    max_bytes: int = DEFAULT_MAX_BYTES

    def render(self, results: RunResult) -> str:
        s = results.summary()
        fail_on = f"(fail-on `{results.fail_on}`)"
        if s["exit_code"] >= 2:  # the blocking count too: an input error must not hide it
            verdict = f":x: **jobguard: {s['errors']} error(s)**; {s['blocking']} blocking finding(s) {fail_on}"
        elif s["exit_code"] == 1:
            verdict = f":x: **jobguard: {s['blocking']} blocking finding(s)** {fail_on}"
        else:
            verdict = f":white_check_mark: **jobguard: passed** (fail-on `{results.fail_on}`)"
        header = ["## jobguard", "", verdict, "",
                  f"{s['files']} file(s), {s['jobs']} job(s); " + ", ".join(f"{s[k]} {k}" for k in STATUSES), ""]
        if results.skipped:
            header += [f"{len(results.skipped)} file(s) skipped (not a job, or an extension that is not checked; "
                       "`jobguard check -v` lists them).", ""]
        blocking = [f for f in results.findings if results.status(f) == "blocking"]
        rest = [f for f in results.findings if results.status(f) != "blocking"] if not self.quiet else []
        files = self._file_section(results)
        errors = _Section("error(s)", ["### Errors", ""], [f"- {text(d)}" for d in results.all_errors], [""])
        block = _Section("blocking finding(s)", ["### Blocking", "", *_TABLE_HEAD],
                         self._finding_rows(blocking, results), [""])
        others = _Section("advisory, overridden or suppressed finding(s)",
                          ["<details><summary>Advisory, overridden and suppressed findings</summary>", "",
                           *_TABLE_HEAD], self._finding_rows(rest, results), ["", "</details>", ""])
        self._fit(header, [block, errors, files, others])
        out = header + files.render() + errors.render() + block.render() + others.render()
        return "\n".join(out).rstrip("\n") + "\n"

    def _fit(self, header: list[str], by_priority: list[_Section]) -> None:
        """Decide how many rows of each section are shown: all when the whole fits, else in priority order."""
        def size(lines: list[str]) -> int:
            return sum(utf8_len(line) + 1 for line in lines)

        total = size(header) + sum(size(sec.head + sec.rows + sec.tail) for sec in by_priority if sec.rows)
        if total <= self.max_bytes:
            for sec in by_priority:
                sec.shown = len(sec.rows)
            return
        budget = self.max_bytes - size(header) - _RESERVE
        for sec in by_priority:
            if not sec.rows:
                continue
            budget -= size(sec.head + sec.tail)
            for row in sec.rows:
                cost = utf8_len(row) + 1
                if cost > budget:
                    break
                budget -= cost
                sec.shown += 1

    @staticmethod
    def _file_section(results: RunResult) -> _Section:
        rows = []
        for fr in results.files:
            counts = dict.fromkeys(STATUSES, 0)
            for f in fr.findings:
                counts[results.status(f)] += 1
            if any(counts.values()) or fr.errors:
                rows.append(f"| {code(display_path(fr.file, results.root))} | "
                            + " | ".join(str(counts[k]) for k in STATUSES) + f" | {len(fr.errors)} |")
        return _Section("file row(s)", ["| File | Blocking | Advisory | Overridden | Suppressed | Errors |",
                                         "| --- | ---: | ---: | ---: | ---: | ---: |"], rows, [""])

    @staticmethod
    def _finding_rows(findings: list[Finding], results: RunResult) -> list[str]:
        rows = []
        for f in findings:
            where = display_path(f.file, results.root) + (f":{f.line}" if f.line else "")
            status = results.status(f)
            if status == "suppressed" and f.suppression and f.suppression.get("reason"):
                status += f" ({f.suppression['reason']})"
            rows.append(f"| {text(status)} | {code(f.rule)} | {text(f.enforcement_level)} | {code(where)} | "
                        f"{code(f.job)} | {text(f.message)} |")
        return rows


_TABLE_HEAD = ["| Status | Rule | Level | Location | Job | Message |", "| --- | --- | --- | --- | --- | --- |"]
