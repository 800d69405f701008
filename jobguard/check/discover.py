"""Which files ``jobguard check PATH...`` looks at.

* a file named on the command line is checked whatever its extension (``.job``, ``.tf``: the user asked for it),
  except that a generic ``.hcl`` or ``.json`` file must pass the content test below: tools such as pre-commit name
  every staged ``*.hcl``/``*.json`` file, and a repository's ``jobguard.hcl``, Terraform or ``package.json`` must
  not decide the result;
* a directory is walked: files ending in ``.nomad``, ``.nomad.hcl``, ``.nomad.json``, ``.hcl`` or ``.json`` whose
  *content* is a job: HCL with a top-level ``job "..." {`` block (Terraform, Packer and Nomad/Consul agent configs
  have none), JSON with a ``Job`` object or the API job's ``ID`` + ``TaskGroups`` (or HCL-JSON ``{"job": ...}``);
  hidden directories, ``node_modules``, ``.terraform`` and jobguard's cache are not entered;
* a glob (``jobs/**/*.hcl``) expands like a directory walk; matched files, whatever their extension (``*.job``),
  must pass the content test;
* ``-`` reads one job from stdin.

The order is deterministic (arguments in order, each expanded sorted), with duplicates removed, so ``--jobs N``
output is byte-identical to ``--jobs 1``.
"""

from __future__ import annotations

import glob
import json
import os
import re
from dataclasses import dataclass

from jobguard.jobspec.errors import Diagnostic
from jobguard.jobspec.limits import json_limit_error

STDIN = "-"
JOB_SUFFIXES = (".nomad", ".nomad.hcl", ".nomad.json", ".hcl", ".json")
ALWAYS_JOB_SUFFIXES = (".nomad", ".nomad.hcl", ".nomad.json")
SKIP_DIRS = {"node_modules", ".terraform", ".jobguard-cache", "__pycache__", "vendor", ".venv", "venv"}
_HCL_JOB = re.compile(r'^[ \t]*job[ \t]+("(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w-]*)[ \t]*\{', re.MULTILINE)
_MAX_SNIFF = 4 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One input: ``path`` as the user will see it in reports (``-`` for stdin)."""

    path: str

    @property
    def is_stdin(self) -> bool:
        return self.path == STDIN


_JSON_JOB_KEY = re.compile(r'"(?:Job|TaskGroups|job)"\s*:')


def looks_like_job(text: str, name: str) -> bool:
    """Content test for walked files: is this a Nomad job rather than other HCL/JSON?"""
    if name.endswith(".json"):
        if json_limit_error(text) is not None:  # json.loads would recurse past Python's limit: let the loader
            return _JSON_JOB_KEY.search(text) is not None  # report a job-like file, with the place
        try:
            doc = json.loads(text)
        except ValueError:
            return False
        if not isinstance(doc, dict):
            return False
        inner = doc.get("Job")
        if isinstance(inner, dict):
            return True
        if "TaskGroups" in doc and ("ID" in doc or "Name" in doc):
            return True
        return isinstance(doc.get("job"), (dict, list))
    return _HCL_JOB.search(text) is not None


def _is_candidate(name: str) -> bool:
    return name.endswith(JOB_SUFFIXES)


def _content_ok(path: str) -> bool:
    if path.endswith(ALWAYS_JOB_SUFFIXES):
        return True
    try:
        if os.path.getsize(path) > _MAX_SNIFF:
            return False
        with open(path, encoding="utf-8", errors="replace") as fh:
            return looks_like_job(fh.read(), path)
    except OSError:
        return False


def _walk(directory: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
        for name in sorted(files):
            if _is_candidate(name):
                found.append(os.path.join(root, name))
    return found


def _clean(path: str) -> str:
    """Paths as the user typed them, minus ``./`` noise, so reports read ``jobs/web.nomad`` not ``./jobs/...``."""
    return os.path.normpath(path)


def discover(paths: list[str] | tuple[str, ...]) -> tuple[list[Source], list[Diagnostic]]:
    """Expand command-line paths into sources, plus a diagnostic for each path that matches nothing."""
    sources: list[Source] = []
    errors: list[Diagnostic] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = path if path == STDIN else os.path.abspath(path)
        if key not in seen:
            seen.add(key)
            sources.append(Source(path))

    for arg in paths or ["."]:
        if arg == STDIN:
            add(STDIN)
        elif os.path.isfile(arg):
            if not arg.endswith((".hcl", ".json")) or _content_ok(arg):
                add(_clean(arg))
        elif os.path.isdir(arg):
            for path in _walk(arg):
                if _content_ok(path):
                    add(_clean(path))
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            for match in matches:
                candidates = _walk(match) if os.path.isdir(match) else [match]
                for path in candidates:
                    if _content_ok(path):
                        add(_clean(path))
            if not matches:
                errors.append(Diagnostic(arg, 0, 0, "no files match this pattern"))
        else:
            errors.append(Diagnostic(arg, 0, 0, "no such file or directory"))
    return sources, errors
