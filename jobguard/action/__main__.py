"""``python -m jobguard.action``: the body of the action's "Run jobguard check" step.

Exit code: that of ``jobguard check`` (0 ok, 1 blocking findings, 2 input/config errors, 3 internal error), so the
step fails exactly when the CLI would. Outputs and the summary are written before exiting, whatever the result.
"""

from __future__ import annotations

import fnmatch
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from jobguard.action import annotations
from jobguard.action.changes import GitError, changed_files, changed_lines, repo_root
from jobguard.action.settings import InputError, Settings
from jobguard.report import github


def select_changed(changed: list[str], paths: list[str], root: str, workspace: str) -> list[str]:
    """Changed files (repo-relative) that fall under one of the ``paths`` inputs (workspace-relative)."""
    picked = []
    for rel in changed:
        full = os.path.join(root, rel)
        if not os.path.isfile(full):
            continue
        from_ws = os.path.relpath(full, workspace)
        for p in paths:
            p = os.path.normpath(p)
            if p == "." or from_ws == p or from_ws.startswith(p.rstrip("/") + "/") or fnmatch.fnmatch(from_ws, p):
                picked.append(from_ws)
                break
    return picked


def write_outputs(path: str, values: dict[str, object]) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        for key, value in values.items():
            fh.write(f"{key}={value}\n")


#: GitHub refuses a step summary over 1 MiB (and then shows none): the Markdown report caps itself at 512 KiB,
#: and this is the last line of defence for what the action adds around it
SUMMARY_LIMIT = 1024 * 1024 - 64 * 1024


def cap_summary(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """``text`` cut at a line boundary so that it and a closing note fit in ``limit`` bytes of UTF-8."""
    from jobguard.report.mdsafe import truncate_utf8, utf8_len

    if utf8_len(text) <= limit:
        return text
    note = "\n\n_The summary was cut to fit GitHub's step-summary limit; the SARIF report lists every finding._\n"
    head = truncate_utf8(text, limit - utf8_len(note))
    return head[:head.rfind("\n") + 1] + note


def append_summary(path: str, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(cap_summary(text.rstrip("\n") + "\n"))


def run_check(s: Settings, targets: list[str], sarif: str, markdown: str,
              root: str = "") -> subprocess.CompletedProcess:
    """``jobguard check`` on ``targets``; file functions of the (untrusted) jobs may read inside ``root``, the
    checkout, and nowhere else unless ``args`` adds ``--allow-path``."""
    cmd = [sys.executable, "-m", "jobguard", "check", "--format", "json", "--fail-on", s.fail_on,
           "--output", f"sarif={sarif}", "--output", f"markdown={markdown}"]
    if root:
        cmd += ["--allow-path", root]
    if s.config:
        cmd += ["--config", s.config]
    for p in s.policies:
        cmd += ["--policy", p]
    cmd += s.args + ["--"] + targets
    return subprocess.run(cmd, cwd=s.workspace, capture_output=True, text=True)


def main() -> int:
    try:
        s = Settings.from_env()
    except InputError as exc:
        print(github.command("error", str(exc), title="jobguard"))
        return 2
    try:
        root = repo_root(s.workspace)
    except (GitError, OSError):
        root = s.workspace
    sarif = os.path.join(s.workspace, s.sarif_file)
    scratch = tempfile.mkdtemp(prefix="jobguard-", dir=s.runner_temp if os.path.isdir(s.runner_temp) else None)
    markdown = os.path.join(scratch, "summary.md")

    targets = s.paths
    note = ""
    if s.only_changed:
        try:
            targets = select_changed(changed_files(root, s.base_sha), s.paths, root, s.workspace)
        except GitError as exc:
            print(github.command("error", str(exc), title="jobguard only-changed"))
            write_outputs(s.output_file, {"findings": 0, "blocking": 0, "sarif-file": "", "exit-code": 2})
            return 2
        if not targets:
            empty = os.path.join(scratch, "empty")
            os.makedirs(empty)
            targets = [empty]
            note = "No job files changed in this pull request."

    proc = run_check(s, targets, sarif, markdown, root)
    sys.stderr.write(proc.stderr)
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        print(f"::error title=jobguard::jobguard check failed (exit {proc.returncode}); see the log above.")
        write_outputs(s.output_file, {"findings": 0, "blocking": 0, "sarif-file": "", "exit-code": proc.returncode})
        return proc.returncode or 3

    findings = result.get("findings", [])
    errors = result.get("errors", [])
    changed = changed_lines(root, s.base_sha) if s.base_sha else {}
    wanted = annotations.build(findings, errors, root, changed)
    shown, hidden = annotations.select(wanted)
    for a in shown:
        print(a.command())
    if hidden:
        print(annotations.overflow_notice(hidden))

    active = [f for f in findings if f.get("status") != "suppressed"]
    blocking = [f for f in active if annotations.is_blocking(f)]
    summary = Path(markdown).read_text(encoding="utf-8") if os.path.exists(markdown) else ""
    if note:
        summary = f"{note}\n\n{summary}"
    if hidden:
        summary += f"\n\n_{hidden} finding(s) were not shown as annotations (GitHub's limit); all are listed above._\n"
    append_summary(s.summary_file, summary)
    write_outputs(s.output_file, {"findings": len(active), "blocking": len(blocking),
                                  "sarif-file": os.path.relpath(sarif, s.workspace), "exit-code": proc.returncode})
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
