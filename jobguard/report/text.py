"""The human report: findings grouped by file, the offending line under a caret, a summary table.

Source lines come from :attr:`FileResult.lines`, which the runner masks for secret findings; this module never reads
files, so it cannot print a secret the runner did not mask. Colour is ANSI and only used when asked for (the CLI
asks only when stdout is a terminal).
"""

from __future__ import annotations

import re

from jobguard.engine.findings import Finding
from jobguard.report.base import FileResult, Reporter, RunResult

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Job text with control characters shown as ``\\xNN``: an image name or a message must not be able to move
    the cursor, recolour the terminal or hide a line (ANSI escape injection from a pull request)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text)


_COLORS = {"red": "31", "yellow": "33", "blue": "34", "magenta": "35", "dim": "2", "bold": "1", "green": "32",
           "cyan": "36"}
_LABELS = {"blocking": ("FAIL", "red"), "advisory": ("WARN", "yellow"), "overridden": ("OVERRIDDEN", "magenta"),
           "suppressed": ("SUPPRESSED", "dim")}


class TextReporter(Reporter):
    name = "text"

    def _c(self, text: str, color: str) -> str:
        return f"\x1b[{_COLORS[color]}m{text}\x1b[0m" if self.color else text

    def render(self, results: RunResult) -> str:
        out: list[str] = []
        for diag in results.errors:
            out.append(self._c("ERROR", "red") + f" {printable(str(diag))}")
        for fr in results.files:
            block = self._file_block(fr, results)
            if block:
                out.extend(block)
                out.append("")
        if not self.quiet:
            out.extend(self._summary(results))
        text = "\n".join(out).rstrip("\n")
        return text + "\n" if text else ""

    def _file_block(self, fr: FileResult, results: RunResult) -> list[str]:
        shown = [f for f in fr.findings if not self.quiet or results.status(f) == "blocking"]
        if not shown and not fr.errors:
            return []
        lines = [self._c(printable(fr.file), "bold")]  # as the user named it: relative to where they ran the check
        for diag in fr.errors:
            # the whole FILE:LINE:COL: message, like Nomad and compilers print it (editors and CI problem
            # matchers jump to it), even though the file is also the heading of this block
            lines.append(f"  {self._c('ERROR', 'red')} {printable(str(diag))}")
            if diag.file == fr.file:
                lines.extend(self._snippet(fr, diag.line, diag.column))
        for f in sorted(shown, key=lambda f: (f.line, f.column, f.rule, f.path_text)):
            lines.extend(self._finding(f, fr, results))
        return lines

    def _finding(self, f: Finding, fr: FileResult, results: RunResult) -> list[str]:
        status = results.status(f)
        label, color = _LABELS[status]
        where = f"{f.line}:{f.column}" if f.line else "-"
        if f.file != fr.file:  # e.g. a secret set in a --var-file
            where = f"{f.file}:{where}"
        head = f"  {self._c(label, color)} {where} {self._c(f.rule, 'cyan')} [{f.enforcement_level}, {f.severity}]"
        if f.job:
            head += f' job "{printable(f.job)}"'
        lines = [head, f"      {printable(f.message)}"]
        if f.path:
            lines.append(self._c(f"      at {printable(f.path_text)}", "dim"))
        if status == "suppressed" and f.suppression:
            by = f.suppression.get("kind") or f.suppression.get("by") or "suppression"
            reason = f.suppression.get("reason") or ""
            lines.append(self._c(printable(f"      suppressed by {by}" + (f": {reason}" if reason else "")), "dim"))
        if status == "overridden":
            lines.append(self._c("      let through by --policy-override", "dim"))
        if f.file == fr.file:
            lines.extend(self._snippet(fr, f.line, f.column))
        if f.kind == "rule":
            lines.append(self._c(f"      hint: run `jobguard rules {f.rule}`", "dim"))
        return lines

    def _snippet(self, fr: FileResult, line: int, column: int) -> list[str]:
        source = fr.lines.get(line) if line else None
        if source is None:
            return []
        source = printable(source.rstrip("\r\n").expandtabs(4))
        gutter = f"{line:>6} | "
        caret_pad = " " * (len(gutter) - 2) + "| " + " " * max(column - 1, 0)
        return [self._c(gutter, "dim") + source, self._c(caret_pad, "dim") + self._c("^", "red")]

    def _summary(self, results: RunResult) -> list[str]:
        s = results.summary()
        rows = [("blocking", s["blocking"]), ("advisory", s["advisory"]), ("overridden", s["overridden"]),
                ("suppressed", s["suppressed"]), ("errors", s["errors"])]
        width = max(len(name) for name, _ in rows)
        out = [self._c(f"Summary: {s['files']} file(s), {s['jobs']} job(s) checked", "bold"),
               f"  {'status':<{width}}  count", f"  {'-' * width}  -----"]
        out += [f"  {name:<{width}}  {count:>5}" for name, count in rows]
        out += self._skipped(results)
        code = s["exit_code"]
        # the last line is what CI logs show: on an error exit it still says how many findings block
        blocking = f"; {s['blocking']} blocking finding(s) (fail-on {results.fail_on})"
        if code == 3:
            verdict = self._c(f"ERROR: internal error ({s['errors']} error(s)); please report it{blocking}", "red")
        elif code == 2:
            verdict = self._c(f"ERROR: {s['errors']} error(s) in the input{blocking}", "red")
        elif code == 1 and not s["blocking"]:
            verdict = self._c(f"FAILED: a policy failed closed (fail-on {results.fail_on})", "red")
        elif code == 1:
            verdict = self._c(f"FAILED: {s['blocking']} blocking finding(s) (fail-on {results.fail_on})", "red")
        else:
            verdict = self._c(f"PASSED (fail-on {results.fail_on})", "green")
        out.append(verdict)
        return out

    def _skipped(self, results: RunResult) -> list[str]:
        """How many files were passed over and why; each one with ``-v``."""
        if not results.skipped:
            return []
        out = [f"Skipped {len(results.skipped)} file(s) that were not checked"
               + ("" if self.verbose else " (-v lists them)") + ":"]
        out += [f"  {count} {reason}" for reason, count in skipped_reasons(results)]
        if self.verbose:
            out += [f"  skipped {printable(item.path)}: {item.reason}" for item in results.skipped]
        return out


def skipped_reasons(results: RunResult) -> list[tuple[str, int]]:
    """(reason, number of files) for the skipped files, most frequent first."""
    counts: dict[str, int] = {}
    for item in results.skipped:
        counts[item.reason] = counts.get(item.reason, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
