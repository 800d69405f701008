"""What a pull request changed, asked of real git: changed files (for ``only-changed``) and changed lines (so
that annotations on lines the author touched are shown first)."""

from __future__ import annotations

import re
import subprocess

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
NO_COMMIT = "0" * 40


class GitError(RuntimeError):
    pass


def _git(repo: str, *args: str) -> str:
    proc = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {proc.stderr.strip() or 'failed'}")
    return proc.stdout


def ensure_commit(repo: str, sha: str) -> None:
    """Make sure the base commit is present (a shallow checkout may lack it): fetch it once if needed."""
    try:
        _git(repo, "cat-file", "-e", f"{sha}^{{commit}}")
    except GitError:
        _git(repo, "fetch", "--no-tags", "--depth=1", "origin", sha)


def changed_files(repo: str, base: str) -> list[str]:
    """Files added, copied, modified or renamed since ``base`` (paths relative to the repository root)."""
    if not base or base == NO_COMMIT:
        raise GitError("no base commit to compare with (only-changed needs a pull_request or push event)")
    ensure_commit(repo, base)
    out = _git(repo, "diff", "--name-only", "--diff-filter=ACMR", "-z", base, "HEAD")
    return sorted(p for p in out.split("\0") if p)


def changed_lines(repo: str, base: str) -> dict[str, set[int]]:
    """Repository-relative path -> line numbers (new side) added or modified since ``base``."""
    if not base or base == NO_COMMIT:
        return {}
    try:
        ensure_commit(repo, base)
        out = _git(repo, "diff", "--unified=0", "--no-color", "--diff-filter=ACMR", base, "HEAD")
    except GitError:
        return {}
    lines: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in out.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = lines.setdefault(name[2:], set()) if name.startswith("b/") else None
        elif current is not None and (m := HUNK.match(line)):
            start, count = int(m.group(1)), int(m.group(2) or "1")
            current.update(range(start, start + count))
    return lines


def repo_root(path: str) -> str:
    return _git(path, "rev-parse", "--show-toplevel").strip()
