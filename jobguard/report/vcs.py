"""Version-control facts for a report (SARIF ``versionControlProvenance``): repository, commit, branch.

Why ask git and not read ``.git`` by hand: worktrees, packed refs and submodules all change where HEAD lives; git
knows. Why it never fails a run: a report without provenance is still a report, so a missing git binary, a
directory that is not a repository or a slow git all simply give ``None``.

The remote URL is a URI consumers show and store, so user info (``https://user:token@host/...``) is dropped: a
token in a remote URL must not end up in a SARIF file uploaded to code scanning.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>(?!/).+)$")
_GIT_TIMEOUT = 5.0


@dataclass(frozen=True)
class Provenance:
    """Where the checked files come from. ``repository_uri`` is an absolute URI without credentials."""

    repository_uri: str
    revision_id: str = ""
    branch: str = ""


def clean_remote(url: str) -> str:
    """A git remote as an absolute URI without user info; "" when it cannot be one.

    ``git@github.com:org/repo.git`` (scp-like) becomes ``ssh://github.com/org/repo.git``; a local path becomes a
    ``file://`` URI.
    """
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme and parts.netloc:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, "", ""))
    match = _SCP_LIKE.match(url)
    if match and not os.path.exists(url):
        return f"ssh://{match['host']}/{match['path']}"
    if parts.scheme == "file" or os.path.isabs(url):
        return Path(parts.path if parts.scheme == "file" else url).resolve().as_uri()
    return ""


def _git(root: str, *args: str) -> str:
    git = shutil.which("git")
    if git is None:
        return ""
    try:
        proc = subprocess.run([git, "-C", root, *args], capture_output=True, text=True, timeout=_GIT_TIMEOUT,
                              env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"})
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def git_provenance(root: str) -> Provenance | None:
    """The repository containing ``root``, its HEAD commit and branch; None outside a git repository."""
    if not (Path(root) / ".git").exists():
        return None  # repository_root() only stops at a directory with .git; no need to ask git otherwise
    revision = _git(root, "rev-parse", "--verify", "-q", "HEAD")
    if not revision:
        return None  # not a repository, or one without commits: nothing to point at
    branch = _git(root, "symbolic-ref", "--short", "-q", "HEAD")
    remote = clean_remote(_git(root, "config", "--get", "remote.origin.url"))
    return Provenance(repository_uri=remote or Path(root).resolve().as_uri(), revision_id=revision, branch=branch)
