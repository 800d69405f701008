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

Nothing is passed over silently: a file a walk, a glob or the command line names but that is not checked is a
:class:`~jobguard.report.base.SkippedFile` with the reason (not a job by its content; a job by its content under an
extension the walk does not check, e.g. ``.job``, ``.tpl``, ``.jsonjob``). The extensions a walk checks are
configurable (``--extensions``, ``check { extensions = [...] }`` in jobguard.hcl); every one of them except the
generic ``.hcl`` and ``.json`` is taken as a job without the content test, as a file named on the command line is.

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
from jobguard.report.base import SkippedFile

STDIN = "-"
JOB_SUFFIXES = (".nomad", ".nomad.hcl", ".nomad.json", ".hcl", ".json")
ALWAYS_JOB_SUFFIXES = (".nomad", ".nomad.hcl", ".nomad.json")
#: extensions shared with other tools (Terraform, Packer, agent configs, package.json): content decides
GENERIC_SUFFIXES = (".hcl", ".json")
#: documentation shows job examples; a README is never a job someone forgot to check
_DOC_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".adoc", ".html", ".htm")
_SNIFF_HEAD = 64 * 1024
NOT_A_JOB = "not a Nomad job (no top-level job block or Job object)"
TOO_LARGE = "larger than 4 MiB: not read"
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
    """Content test for walked files: is this a Nomad job rather than other HCL/JSON? Text that starts like JSON
    is read as JSON whatever the name (``web.jsonjob``)."""
    if name.endswith(".json") or text.lstrip()[:1] in ("{", "["):
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


def normalize_extensions(extensions: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """Configured extensions as lower-case suffixes with a leading dot (``job`` -> ``.job``); the defaults when
    none are given. Raises ValueError for an empty or path-like entry."""
    if not extensions:
        return JOB_SUFFIXES
    out: list[str] = []
    for ext in extensions:
        ext = str(ext).strip().lower()
        if ext and not ext.startswith("."):
            ext = "." + ext
        if len(ext) < 2 or "/" in ext or os.sep in ext:
            raise ValueError(f"invalid file extension {ext!r} (expected e.g. .nomad or .job)")
        if ext not in out:
            out.append(ext)
    return tuple(out)


@dataclass
class Discovery:
    """What the command-line paths expand to: sources to check, paths that matched nothing, files passed over."""

    sources: list[Source]
    errors: list[Diagnostic]
    skipped: list[SkippedFile]


class _Walker:
    """One expansion of command-line paths with one set of extensions (see the module docstring)."""

    def __init__(self, extensions: tuple[str, ...]) -> None:
        self.extensions = extensions
        self.sources: list[Source] = []
        self.skipped: list[SkippedFile] = []
        self._seen: set[str] = set()

    def add(self, path: str) -> None:
        key = path if path == STDIN else os.path.abspath(path)
        if key not in self._seen:
            self._seen.add(key)
            self.sources.append(Source(path))

    def skip(self, path: str, reason: str) -> None:
        key = "skip:" + os.path.abspath(path)
        if key not in self._seen:
            self._seen.add(key)
            self.skipped.append(SkippedFile(_clean(path), reason))

    def is_candidate(self, name: str) -> bool:
        return name.lower().endswith(self.extensions)

    def content_verdict(self, path: str, trust_extension: bool = True) -> str:
        """"" when ``path`` is a job by its extension (a configured one, when ``trust_extension``) or content, else
        why it is not checked."""
        lower = path.lower()
        if lower.endswith(ALWAYS_JOB_SUFFIXES) or (trust_extension and lower.endswith(self.extensions)
                                                   and not lower.endswith(GENERIC_SUFFIXES)):
            return ""
        try:
            if os.path.getsize(path) > _MAX_SNIFF:
                return TOO_LARGE
            with open(path, encoding="utf-8", errors="replace") as fh:
                return "" if looks_like_job(fh.read(), path) else NOT_A_JOB
        except OSError as exc:
            return f"cannot read: {exc.strerror or exc}"

    def walk(self, directory: str) -> None:
        """Candidates (by extension) that are jobs are sources; the others, and job-like files under another
        extension, are skipped with the reason."""
        for root, dirs, files in os.walk(directory):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
            for name in sorted(files):
                path = os.path.join(root, name)
                if self.is_candidate(name):
                    self.take(path)
                elif not name.startswith(".") and not name.lower().endswith(_DOC_SUFFIXES) and _job_like(path):
                    ext = _extension(name)
                    self.skip(path, f"extension {ext} is not checked (add it with --extensions or "
                                    "check { extensions = [...] } in jobguard.hcl)")

    def take(self, path: str, trust_extension: bool = True) -> None:
        verdict = self.content_verdict(path, trust_extension)
        if verdict:
            self.skip(path, verdict)
        else:
            self.add(_clean(path))


def _extension(name: str) -> str:
    """The last suffix (``web.job`` -> ``.job``); the whole name for a dotless file."""
    ext = os.path.splitext(name)[1]
    return ext.lower() if ext else f"(none: {name})"


def _job_like(path: str) -> bool:
    """Does a file the walk would not check look like a Nomad job? Reads at most the first 64 KiB of a text file
    (JSON in full, up to 4 MiB), so a large tree costs little."""
    try:
        size = os.path.getsize(path)
        if size == 0 or size > _MAX_SNIFF:
            return False
        with open(path, "rb") as fh:
            head = fh.read(_SNIFF_HEAD)
            if b"\0" in head:
                return False
            if head.lstrip()[:1] in (b"{", b"["):
                head += fh.read()
    except OSError:
        return False
    return looks_like_job(head.decode("utf-8", errors="replace"), path)


def _clean(path: str) -> str:
    """Paths as the user typed them, minus ``./`` noise, so reports read ``jobs/web.nomad`` not ``./jobs/...``."""
    return os.path.normpath(path)


def discover_files(paths: list[str] | tuple[str, ...], extensions: list[str] | tuple[str, ...] | None = None
                   ) -> Discovery:
    """Expand command-line paths into sources, a diagnostic for each path that matches nothing, and the files
    that were passed over with the reason. ``extensions`` are the suffixes a directory walk checks."""
    walker = _Walker(normalize_extensions(extensions))
    errors: list[Diagnostic] = []
    for arg in paths or ["."]:
        if arg == STDIN:
            walker.add(STDIN)
        elif os.path.isfile(arg):
            if arg.lower().endswith(GENERIC_SUFFIXES):
                walker.take(arg)
            else:
                walker.add(_clean(arg))
        elif os.path.isdir(arg):
            walker.walk(arg)
        elif glob.has_magic(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            for match in matches:
                if os.path.isdir(match):
                    walker.walk(match)
                else:  # whatever its extension, its content decides (``jobs/*`` matches READMEs too)
                    walker.take(match, trust_extension=False)
            if not matches:
                errors.append(Diagnostic(arg, 0, 0, "no files match this pattern"))
        else:
            errors.append(Diagnostic(arg, 0, 0, "no such file or directory"))
    return Discovery(walker.sources, errors, walker.skipped)


def discover(paths: list[str] | tuple[str, ...]) -> tuple[list[Source], list[Diagnostic]]:
    """Expand command-line paths into sources, plus a diagnostic for each path that matches nothing."""
    found = discover_files(paths)
    return found.sources, found.errors
