"""Where a finding is, in the form each consumer wants: repository-relative paths and URIs, ``file:line:col``.

Why relative to the repository root: code-scanning UIs (GitHub, GitLab) and PR annotations match results to files
by their path inside the repository, whatever directory the check was started from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

STDIN_NAMES = ("-", "<stdin>")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def is_uri(file: str) -> bool:
    """A location that is already a URI (``nomad://host/v1/job/web?namespace=default``: a job read by ``jobguard
    audit``) rather than a file path; reports show it as is."""
    return bool(_URI.match(file))


def repository_root(start: str | os.PathLike[str] | None = None) -> str:
    """The git top level containing ``start`` (found by walking up to a ``.git`` entry), else ``start`` itself.

    Walking up instead of running ``git rev-parse`` keeps git optional and the run free of subprocesses.
    """
    here = Path(start or os.getcwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / ".git").exists():
            return str(candidate)
    return str(here)


def relative_path(file: str, root: str) -> str | None:
    """``file`` relative to ``root`` with forward slashes, or None when it lies outside root (or is stdin)."""
    if file in STDIN_NAMES or file.startswith("<") or is_uri(file):
        return None
    absolute = os.path.abspath(file)
    try:
        rel = os.path.relpath(absolute, root)
    except ValueError:  # another drive on Windows
        return None
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel.replace(os.sep, "/")


def display_path(file: str, root: str) -> str:
    """A path for humans and for CI annotations: repository-relative when possible, else as given."""
    rel = relative_path(file, root)
    return rel if rel is not None else file


def file_uri(path: str) -> str:
    """An RFC 3986 URI reference for a relative path (percent-encoded, forward slashes)."""
    return quote(path, safe="/")


def absolute_file_uri(path: str) -> str:
    """``file:///...`` for an absolute directory or file; directories end in ``/`` (SARIF wants that for bases)."""
    uri = Path(os.path.abspath(path)).as_uri()
    if os.path.isdir(path) and not uri.endswith("/"):
        uri += "/"
    return uri
