"""Filesystem functions (go-cty-funcs ``filesystem``): file, filebase64, fileexists, fileset, abspath, basename,
dirname, pathexpand.

Relative paths resolve against a base directory. Nomad's CLI passes none, so Go resolves them against the
process's working directory; :func:`jobguard.jobspec.functions.call_function` takes ``base_dir`` (default: the
current directory at call time) so the loader can honour its ``cwd`` argument. Path helpers follow Go's
``path/filepath`` (``Clean``, ``Base``, ``Dir``) on POSIX.
"""

from __future__ import annotations

import base64
import os
import re
import stat
from contextvars import ContextVar

from jobguard.jobspec.confinement import ALLOWED_ROOTS, confine, is_inside, outside_error
from jobguard.jobspec.functions.spec import Param, fail, register
from jobguard.jobspec.functions.types import STRING, CtySet
from jobguard.jobspec.limits import (
    MAX_FILE_FUNCTION_SIZE,
    MAX_FILESET_DEPTH,
    MAX_FILESET_ENTRIES,
    MAX_FILESET_MATCHES,
    LimitExceeded,
    check_limit,
)

BASE_DIR: ContextVar[str | None] = ContextVar("jobguard_hcl_base_dir", default=None)


def go_clean(path: str) -> str:
    """Go ``filepath.Clean`` (POSIX)."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def go_join(*elems: str) -> str:
    """Go ``filepath.Join``: join non-empty elements and clean; empty if all are empty."""
    kept = [e for e in elems if e]
    return go_clean("/".join(kept)) if kept else ""


def go_base(path: str) -> str:
    """Go ``filepath.Base``."""
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return path.rsplit("/", 1)[-1]


def go_dir(path: str) -> str:
    """Go ``filepath.Dir``."""
    i = path.rfind("/")
    return go_clean(path[: i + 1])


def expand_home(path: str) -> str:
    """mitchellh/go-homedir ``Expand``."""
    if not path.startswith("~"):
        return path
    if len(path) > 1 and path[1] != "/":
        raise ValueError("cannot expand user-specific home dir")
    home = os.environ.get("HOME") or os.path.expanduser("~")
    if not home or home == "~":
        raise ValueError("HOME environment variable is empty")
    return home + path[1:]


def _resolve(path: str) -> tuple[str, str]:
    """(path as Nomad reports it, path to open). Nomad's CLI has an empty base dir, so Go reports the cleaned
    relative path; the loader's base directory stands in for the process's working directory."""
    try:
        path = expand_home(path)
    except ValueError as exc:
        raise fail(f"failed to expand ~: {exc}") from None
    shown = go_clean(path)
    if shown.startswith("/"):
        return shown, shown
    return shown, go_join(_base_dir(), shown)


def _base_dir() -> str:
    base = BASE_DIR.get()
    return os.getcwd() if base is None else base


def _read(path: str) -> bytes:
    shown, real = _resolve(path)
    real = confine(real, shown)
    try:
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):  # a FIFO or a device could block or never end; a directory fails anyway
            raise IsADirectoryError
        check_limit(st.st_size, MAX_FILE_FUNCTION_SIZE, f"the size of {shown}", "bytes")
        with open(real, "rb") as fh:
            data = fh.read(MAX_FILE_FUNCTION_SIZE + 1)
    except FileNotFoundError:
        raise fail(f"no file exists at {shown}") from None
    except OSError:
        raise fail(f"failed to read {shown}") from None
    check_limit(len(data), MAX_FILE_FUNCTION_SIZE, f"the size of {shown}", "bytes")
    return data


@register("file", [Param("path", STRING)])
def file(path: str) -> str:
    data = _read(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise fail(f"contents of {path} are not valid UTF-8; use the filebase64 function to obtain the Base64 "
                   "encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing "
                   "results instead") from None


@register("filebase64", [Param("path", STRING)])
def filebase64(path: str) -> str:
    return base64.b64encode(_read(path)).decode("ascii")


@register("fileexists", [Param("path", STRING)])
def fileexists(path: str) -> bool:
    shown, real = _resolve(path)
    real = confine(real, shown)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return False
    except OSError:
        raise fail(f"failed to stat {shown}") from None
    if stat.S_ISREG(st.st_mode):
        return True
    raise fail(f'{shown} is not a regular file, but "{stat.filemode(st.st_mode)}"')


def _segment_regex(segment: str) -> re.Pattern[str]:
    """doublestar's single-segment matching: ``*``, ``?``, ``[...]``/``[^...]``/``[!...]``, ``{a,b}``, ``\\x``."""
    out: list[str] = []
    i, n = 0, len(segment)
    depth = 0
    while i < n:
        ch = segment[i]
        if ch == "\\" and i + 1 < n:
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            j = segment.find("]", i + 1)
            if j == -1:
                raise ValueError("syntax error in pattern")
            body = segment[i + 1:j]
            if body.startswith(("!", "^")):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            i = j + 1
            continue
        elif ch == "{":
            depth += 1
            out.append("(?:")
        elif ch == "}" and depth:
            depth -= 1
            out.append(")")
        elif ch == "," and depth:
            out.append("|")
        else:
            out.append(re.escape(ch))
        i += 1
    if depth:
        raise ValueError("syntax error in pattern")
    return re.compile("".join(out) + r"\Z")


def _match_segments(pattern: list[re.Pattern[str] | None], path: list[str]) -> bool:
    """Does ``path`` match the segment patterns (``None`` = ``**``, any number of segments)? Tracks the set of
    path positions reachable after each pattern segment, so ``**/a/**/a/...`` costs segments x depth, not more."""
    reach = {0}
    for head in pattern:
        if head is None:
            reach = set(range(min(reach), len(path) + 1))
        else:
            reach = {j + 1 for j in reach if j < len(path) and head.match(path[j])}
        if not reach:
            return False
    return len(path) in reach


_MAGIC = re.compile(r"[*?\[{\\]")


def glob(pattern: str) -> list[str]:
    """bmatcuk/doublestar ``Glob`` over an absolute or relative, already-joined pattern.

    Bounded for untrusted patterns: no deeper than the pattern reaches (everything only with ``**``), at most
    :data:`MAX_FILESET_ENTRIES` entries examined, :data:`MAX_FILESET_DEPTH` levels and
    :data:`MAX_FILESET_MATCHES` matches; with allowed roots, every directory entered and every match must
    really (symlinks followed) lie inside them.
    """
    segments = pattern.split("/")
    fixed: list[str] = []
    for seg in segments:
        if _MAGIC.search(seg):
            break
        fixed.append(seg)
    root = "/".join(fixed) if fixed else "."
    if pattern.startswith("/") and root == "":
        root = "/"
    rest = segments[len(fixed):]
    if not rest:
        return [pattern] if os.path.lexists(pattern) else []
    compiled = [None if seg == "**" else _segment_regex(seg) for seg in rest]
    if not os.path.isdir(root):
        return []
    roots = ALLOWED_ROOTS.get()
    reach = MAX_FILESET_DEPTH if None in compiled else len(compiled)
    matches: list[str] = []
    examined = 0
    stack: list[tuple[str, list[str]]] = [(root, [])]
    while stack:
        dirpath, rel_parts = stack.pop()
        if roots is not None and not is_inside(os.path.realpath(dirpath), roots):
            raise outside_error(dirpath, roots)
        try:
            entries = sorted(os.scandir(dirpath), key=lambda e: e.name)
        except OSError:
            continue
        examined += len(entries)
        check_limit(examined, MAX_FILESET_ENTRIES, "the directory entries fileset examined", "entries")
        for entry in entries:
            parts = rel_parts + [entry.name]
            if _match_segments(compiled, parts):
                path = os.path.join(dirpath, entry.name) if root != "." or dirpath != "." else entry.name
                matches.append(path)
                check_limit(len(matches), MAX_FILESET_MATCHES, "the files fileset matched", "matches")
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir and len(parts) < reach:
                stack.append((os.path.join(dirpath, entry.name), parts))
            elif is_dir and None in compiled:
                raise LimitExceeded(f"fileset's pattern reaches more than {MAX_FILESET_DEPTH} directory levels "
                                    "deep, jobguard's limit for job files")
    return matches


@register("fileset", [Param("path", STRING), Param("pattern", STRING)])
def fileset(path: str, pattern: str) -> list:
    base = path if path.startswith("/") else go_join(_base_dir(), path)
    full = go_join(base, pattern)
    try:
        found = glob(full)
    except ValueError as exc:
        raise fail(f"failed to glob pattern ({go_join(path, pattern)}): {exc}") from None
    out = []
    roots = ALLOWED_ROOTS.get()
    for match in found:
        try:
            st = os.stat(match)
        except OSError as exc:
            raise fail(f"failed to stat ({match}): {exc.strerror}") from None
        if not stat.S_ISREG(st.st_mode):
            continue
        if roots is not None:
            confine(match, match)
        out.append(os.path.relpath(match, go_clean(base)).replace(os.sep, "/"))
    return CtySet(sorted(set(out), key=lambda s: s.encode("utf-8", "surrogatepass")), STRING)


@register("abspath", [Param("path", STRING)])
def abspath(path: str) -> str:
    if path.startswith("/"):
        return go_clean(path)
    return go_join(_base_dir(), path)  # Go uses the process directory, which the base dir stands in for


@register("basename", [Param("path", STRING)])
def basename(path: str) -> str:
    return go_base(path)


@register("dirname", [Param("path", STRING)])
def dirname(path: str) -> str:
    return go_dir(path)


@register("pathexpand", [Param("path", STRING)])
def pathexpand(path: str) -> str:
    try:
        return expand_home(path)
    except ValueError as exc:
        raise fail(str(exc)) from None
