"""``python -m jobguard.action``: the body of the action's "Run jobguard check" step.

Exit code: that of ``jobguard check`` (0 ok, 1 blocking findings, 2 input/config errors, 3 internal error), so the
step fails exactly when the CLI would. The check runs in this process with the CLI's runner and flag parsing (no
second interpreter, no JSON to re-parse): annotations and outputs read each finding's status from the run itself.
Outputs and the summary are written before exiting, whatever the result.
"""

from __future__ import annotations

import fnmatch
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from jobguard.action import annotations
from jobguard.action.changes import GitError, changed_files, changed_lines, repo_root
from jobguard.action.settings import InputError, Settings
from jobguard.check import Runner
from jobguard.check.baseline import BaselineError
from jobguard.cli import check as cli_check
from jobguard.engine import ConfigError
from jobguard.report import github
from jobguard.report.mdsafe import truncate_utf8, utf8_len

if TYPE_CHECKING:
    from jobguard.report.base import RunResult


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
    if utf8_len(text) <= limit:
        return text
    note = "\n\n_The summary was cut to fit GitHub's step-summary limit; the SARIF report lists every finding._\n"
    head = truncate_utf8(text, limit - utf8_len(note))
    return head[:head.rfind("\n") + 1] + note


def append_summary(path: str, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(cap_summary(text.rstrip("\n") + "\n"))


def check_argv(s: Settings, targets: list[str], sarif: str, markdown: str, root: str = "") -> list[str]:
    """The ``jobguard check`` flags of this step: the inputs, then the user's ``args``, then the targets."""
    argv = ["--fail-on", s.fail_on, "--output", f"sarif={sarif}", "--output", f"markdown={markdown}"]
    if root:
        argv += ["--allow-path", root]
    if s.config:
        argv += ["--config", s.config]
    for p in s.policies:
        argv += ["--policy", p]
    return argv + s.args + ["--"] + targets


def run_check(s: Settings, targets: list[str], sarif: str, markdown: str,
              root: str = "") -> tuple[RunResult | None, int]:
    """``jobguard check`` on ``targets``, in this process with the CLI's own runner: (result, exit code), the result
    None when the run could not start (bad ``args``, a broken config: reported on stderr, exit 2). File functions
    of the (untrusted) jobs may read inside ``root``, the checkout, and nowhere else unless ``args`` adds
    ``--allow-path``. Reports named by ``--output`` (SARIF, the summary, any the user adds) are written."""
    os.chdir(s.workspace)  # paths in inputs, args and the config lookup are relative to the workspace
    try:
        with cli_check.check.make_context("jobguard check", check_argv(s, targets, sarif, markdown, root)) as ctx:
            params = dict(ctx.params)
        _color, _stdout, file_reporters = cli_check.reporters_for(params["fmt"], params["outputs"], params["quiet"],
                                                                  False, params["verbose"])
        options = cli_check.check_options(
            params["paths"], params["config_path"], params["policies"], params["only"], params["skip"],
            params["variables"], params["var_files"], params["policy_override"], params["fail_on"], params["jobs"],
            params["no_cache"], params["baseline"], params["create_baseline"], params["extensions"],
            params["allow_paths"], params["file_timeout"])
    except click.exceptions.Exit as exc:  # --help
        return None, exc.exit_code
    except click.ClickException as exc:  # a bad flag in ``args``: click's own message, exit 2 like the CLI
        sys.stderr.write(f"jobguard check: {exc.format_message()}\n")
        return None, exc.exit_code
    runner = Runner(options)
    try:
        result = runner.run()
    except ConfigError as exc:
        for diag in exc.diagnostics:
            sys.stderr.write(f"jobguard: {diag}\n")
        return None, 2
    except BaselineError as exc:
        sys.stderr.write(f"jobguard: {exc}\n")
        return None, 2
    if runner.baseline_written is not None:
        where, count = runner.baseline_written
        sys.stderr.write(f"jobguard: wrote {count} fingerprint(s) to baseline {where}\n")
    try:
        for reporter, path in file_reporters:
            cli_check.write_report(path, reporter.render(result))
    except SystemExit as exc:  # a report path that cannot be written: the CLI's message is on stderr, exit 2
        return None, int(exc.code or 2)
    return result, result.exit_code()


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

    try:
        result, code = run_check(s, targets, sarif, markdown, root)
    except Exception as exc:  # the last line of defence, as in the CLI: an error annotation, never a traceback
        sys.stderr.write(f"jobguard: internal error: {type(exc).__name__}: {exc}\n")
        result, code = None, 3
    if result is None:
        print(f"::error title=jobguard::jobguard check failed (exit {code}); see the log above.")
        write_outputs(s.output_file, {"findings": 0, "blocking": 0, "sarif-file": "", "exit-code": code})
        return code or 3

    changed = changed_lines(root, s.base_sha) if s.base_sha else {}
    wanted = annotations.build(result, root, changed)
    shown, hidden = annotations.select(wanted)
    for a in shown:
        print(a.command())
    if hidden:
        print(annotations.overflow_notice(hidden))

    statuses = [result.status(f) for f in result.findings]
    active = [status for status in statuses if status != "suppressed"]
    blocking = [status for status in active if status == "blocking"]
    summary = Path(markdown).read_text(encoding="utf-8") if os.path.exists(markdown) else ""
    if note:
        summary = f"{note}\n\n{summary}"
    if hidden:
        summary += f"\n\n_{hidden} finding(s) were not shown as annotations (GitHub's limit); all are listed above._\n"
    append_summary(s.summary_file, summary)
    write_outputs(s.output_file, {"findings": len(active), "blocking": len(blocking),
                                  "sarif-file": os.path.relpath(sarif, s.workspace), "exit-code": code})
    return code


if __name__ == "__main__":
    sys.exit(main())
