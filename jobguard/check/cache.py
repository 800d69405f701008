"""A content-hash cache of per-file results, so re-running ``jobguard check`` on an unchanged tree is instant.

The key of a file is a hash of everything its result depends on:

* the file's bytes and the path reports show for it (findings carry the path);
* the engine's ``fingerprint()`` (config, policy sources, rule set, jobguard version) and jobguard's version;
* the run options that change results: ``--var``, the *contents* of ``--var-file`` files, ``NOMAD_VAR_*``
  environment variables, ``--only``/``--skip``, ``--policy-override``;
* the contents (or absence) of files the job reads with ``file("...")``, ``filebase64("...")`` or tests with
  ``fileexists("...")`` when the argument is a literal, resolved like the loader does: against the working
  directory (which is part of the key, for ``abspath``). A job calling them with a computed argument, or calling
  ``fileset``/``pathexpand``, is never cached: we cannot know what it reads.

Entries live in the user's cache directory, never in the repository being checked (a ``git add -A`` must not
stage them): ``$JOBGUARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/jobguard``, else the platform's user cache directory
(``~/.cache/jobguard`` on Linux and other Unixes, ``~/Library/Caches/jobguard`` on macOS,
``%LOCALAPPDATA%\\jobguard\\Cache`` on Windows: the same places platformdirs picks, without the dependency). Only when
there is no usable home directory (some CI containers) does it fall back to ``.jobguard-cache/`` in the project
directory. Whatever the place, the directory gets a ``.gitignore`` of ``*`` and a ``CACHEDIR.TAG`` when jobguard
creates it, as pytest and ruff do, so no VCS picks it up and backup tools skip it. ``--no-cache`` bypasses it. A
corrupt or unreadable entry is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
import tempfile
from typing import Any
from collections.abc import Mapping, Sequence

from jobguard.jobspec.confinement import is_inside
from jobguard.jobspec.limits import MAX_FILE_FUNCTION_SIZE
from jobguard.report.base import FileResult

#: Part of every run key: a new format makes old entries misses instead of misread results. 2: a finding's path is
#: stored as its key list (not the report's text) and with its ``redact_value``.
CACHE_FORMAT = "2"
_FILE_CALL = re.compile(r'\b(?:file|filebase64|fileexists|templatefile)\s*\(\s*("(?:[^"\\]|\\.)*"\s*[,)])?')
_UNCACHABLE_CALL = re.compile(r"\b(?:fileset|pathexpand)\s*\(")


LOCAL_CACHE_NAME = ".jobguard-cache"
_GITIGNORE = "# created by jobguard: the result cache, never to be committed\n*\n"
_CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                 "# This file is a cache directory tag created by jobguard (https://bford.info/cachedir/).\n")


def user_cache_dir(environ: Mapping[str, str] | None = None, platform: str | None = None) -> str | None:
    """The platform's per-user cache directory for jobguard, or None without a usable home directory."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if env.get("XDG_CACHE_HOME", "").strip() and os.path.isabs(env["XDG_CACHE_HOME"]):
        return os.path.join(env["XDG_CACHE_HOME"], "jobguard")
    if platform.startswith("win"):
        base = env.get("LOCALAPPDATA", "").strip()
        return os.path.join(base, "jobguard", "Cache") if base else None
    home = env.get("HOME", "").strip()
    if not home or not os.path.isabs(home) or home == "/" or not os.path.isdir(home):
        return None  # e.g. a container user without a home: no place outside the project
    if platform == "darwin":
        return os.path.join(home, "Library", "Caches", "jobguard")
    return os.path.join(home, ".cache", "jobguard")


def default_cache_dir(project_dir: str, environ: Mapping[str, str] | None = None,
                      platform: str | None = None) -> str:
    """Where results are cached: ``$JOBGUARD_CACHE_DIR``, else the user cache directory, else (no home) the
    project's ``.jobguard-cache/``."""
    env = os.environ if environ is None else environ
    if env.get("JOBGUARD_CACHE_DIR"):
        return env["JOBGUARD_CACHE_DIR"]
    return user_cache_dir(env, platform) or os.path.join(project_dir, LOCAL_CACHE_NAME)


def mark_cache_dir(directory: str) -> None:
    """Create ``directory`` with a ``.gitignore`` of ``*`` and a ``CACHEDIR.TAG`` (kept when already there)."""
    os.makedirs(directory, exist_ok=True)
    for name, text in ((".gitignore", _GITIGNORE), ("CACHEDIR.TAG", _CACHEDIR_TAG)):
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def referenced_files(text: str, base_dir: str, roots: Sequence[str] | None = None) -> list[tuple[str, str]] | None:
    """(path, content digest or "missing") of files a job reads with literal ``file("...")``-like calls; None when
    any such call is computed (or lists/expands paths), i.e. when the job's inputs cannot be known -- and when a
    file is one the loader will refuse (outside ``roots``, not a regular file, over the size limit): it is not
    read here either, and the loader reports it."""
    if _UNCACHABLE_CALL.search(text):
        return None
    refs: list[tuple[str, str]] = []
    for m in _FILE_CALL.finditer(text):
        literal = m.group(1)
        if literal is None or "${" in literal:
            return None
        try:
            rel = json.loads(literal.rstrip(",) \t\r\n"))
        except ValueError:
            return None
        path = rel if os.path.isabs(rel) else os.path.join(base_dir, rel)
        if not _readable_input(path, roots):
            return None
        data = _read_bytes(path)
        refs.append((rel, _digest(data) if data is not None else "missing"))
    return refs


def _readable_input(path: str, roots: Sequence[str] | None) -> bool:
    """May the cache read ``path`` for a key: inside the roots, and missing or a regular file within the size
    limit of ``file()`` (a FIFO or ``/dev/zero`` would hang the read)."""
    real = os.path.realpath(path)
    if roots is not None and not is_inside(real, roots):
        return False
    try:
        st = os.stat(real)
    except OSError:
        return True  # missing: the key records that
    return stat.S_ISREG(st.st_mode) and st.st_size <= MAX_FILE_FUNCTION_SIZE


class ResultCache:
    """Per-file results keyed by :meth:`key`. ``run_key`` covers everything that is the same for every file."""

    def __init__(self, directory: str, run_key: str) -> None:
        self.directory = directory
        self.run_key = run_key
        self._marked = False

    @staticmethod
    def make_run_key(engine_fingerprint: str, version: str, variables: Mapping[str, Any], var_files: list[str],
                     only: list[str] | None, skip: list[str] | None, policy_override: bool,
                     environ: Mapping[str, str] | None = None, today: str = "",
                     allow_paths: Sequence[str] = ()) -> str:
        env = environ if environ is not None else os.environ
        var_file_digests = []
        for path in var_files:
            data = _read_bytes(path)
            var_file_digests.append([os.path.abspath(path), _digest(data) if data is not None else "missing"])
        doc = {
            "format": CACHE_FORMAT, "engine": engine_fingerprint, "version": version,
            "vars": sorted((str(k), str(v)) for k, v in variables.items()), "var_files": var_file_digests,
            "nomad_var_env": sorted((k, v) for k, v in env.items() if k.startswith("NOMAD_VAR_")),
            "only": sorted(only or []), "skip": sorted(skip or []), "override": bool(policy_override),
            "today": today,  # suppressions and exceptions expire by date
            "allow_paths": sorted(os.path.realpath(p) for p in allow_paths),  # what file functions may read
        }
        return _digest(json.dumps(doc, sort_keys=True).encode())

    def key(self, display_path: str, content: bytes, base_dir: str, roots: Sequence[str] | None = None) -> str | None:
        """The cache key of one file, or None when it must not be cached. ``roots``: where the file's file
        functions may read (part of the key: the same job loads differently with other roots)."""
        refs = referenced_files(content.decode("utf-8", errors="replace"), base_dir, roots) \
            if b"(" in content else []
        if refs is None:
            return None
        doc = [self.run_key, display_path, os.path.abspath(base_dir), _digest(content), refs]
        if roots is not None:
            doc.append(sorted(roots))
        return _digest(json.dumps(doc).encode())

    def _entry_path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key[2:] + ".json")

    def get(self, key: str | None) -> FileResult | None:
        if key is None:
            return None
        try:
            with open(self._entry_path(key), encoding="utf-8") as fh:
                result = FileResult.from_dict(json.load(fh))
        except (OSError, ValueError, TypeError, KeyError):
            return None
        result.cached = True
        return result

    def put(self, key: str | None, result: FileResult) -> None:
        """Store atomically (temp file + rename) so parallel runs never read half an entry."""
        if key is None:
            return
        path = self._entry_path(key)
        try:
            if not self._marked:
                mark_cache_dir(self.directory)
                self._marked = True
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(_entry(result), fh, separators=(",", ":"))
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only cache directory only costs speed


def _entry(result: FileResult) -> dict[str, Any]:
    """What the cache stores: the report form of the result, each finding's path as its list of keys (lossless,
    no parsing on a hit) and its ``redact_value`` (not in the report form)."""
    entry = result.to_dict()
    entry["findings"] = [{**f.to_dict(), "path": list(f.path), "redact_value": f.redact_value}
                         for f in result.findings]
    return entry
