"""The run behind ``jobguard check``: discover files, load each, evaluate it with the engine, in parallel, cached.

Flow: load the engine once (config errors stop here) -> discover sources -> answer what the cache knows -> evaluate
the rest, in this process or in a pool of ``jobs`` processes -> store new results -> apply/create the baseline ->
:class:`~jobguard.report.base.RunResult` in source order.

Why processes: loading HCL and evaluating policies is pure-Python CPU work, so threads would serialise on the GIL.
On platforms with ``fork`` the workers inherit the engine the parent already loaded; elsewhere each worker loads
its own from the same arguments. Results come back in submission order, so the report does not depend on ``jobs``.
"""

from __future__ import annotations

import datetime
import gc
import os
import sys
import time
from dataclasses import dataclass, field, replace
from typing import Any
from collections.abc import Callable, Sequence

from jobguard import __version__
from jobguard.check import baseline
from jobguard.check.budget import run_within
from jobguard.check.discover import Source, discover_files
from jobguard.check.fileroots import default_roots
from jobguard.check.snippets import is_secret_finding, mask_line, secret_strings, stable_path, value_at
from jobguard.engine import Engine, EvalContext
from jobguard.engine.findings import Finding
from jobguard.engine.fingerprints import fingerprint, value_hash
from jobguard.jobspec import JobspecError, load_file, load_text
from jobguard.jobspec.confinement import is_inside
from jobguard.jobspec.errors import Diagnostic
from jobguard.jobspec.limits import DEFAULT_FILE_TIMEOUT, MAX_JOB_FILE_SIZE, FileTimeout, LimitExceeded
from jobguard.report.base import FileResult, RunResult
from jobguard.report.locations import repository_root
from jobguard.report.vcs import git_provenance
from jobguard.secretscan import CREDENTIAL_ASSIGNMENT



@dataclass
class CheckOptions:
    """Everything a run depends on (the CLI fills it from flags; the Action and tests build it directly)."""

    paths: list[str] = field(default_factory=lambda: ["."])
    config_path: str | None = None
    start_dir: str = "."
    policies: list[str] = field(default_factory=list)
    only: list[str] | None = None
    skip: list[str] | None = None
    variables: dict[str, str] = field(default_factory=dict)
    var_files: list[str] = field(default_factory=list)
    policy_override: bool = False
    fail_on: str = "soft-mandatory"
    jobs: int | None = None
    use_cache: bool = True
    cache_dir: str | None = None
    baseline: str | None = None
    create_baseline: str | None = None
    stdin_text: str | None = None
    #: suffixes a directory walk checks (None: the config's ``check { extensions }``, else the defaults)
    extensions: list[str] | None = None
    #: directories file functions may read besides the checked file's repository (``--allow-path``)
    allow_paths: list[str] = field(default_factory=list)
    #: CPU seconds one file may take to load and evaluate (None or 0: unlimited)
    file_timeout: float | None = DEFAULT_FILE_TIMEOUT

    def engine_args(self) -> dict[str, Any]:
        return {"config_path": self.config_path, "start_dir": self.start_dir, "extra_policies": list(self.policies),
                "only": self.only, "skip": self.skip}


# --- worker side -----------------------------------------------------------------------------------------------

#: The engine of this pool worker process, set by :func:`_init_worker`; the parent process (the Runner and a serial
#: run) never sets it: it passes its own engine along, so two runners in one process cannot mix engines.
_WORKER_ENGINE: Engine | None = None


def _init_worker(inherited: Engine | None, engine_args: dict[str, Any], cwd: str) -> None:
    """Pool initializer: a forked worker gets the parent's engine as it is (fork passes arguments without pickling
    them); a fresh one (forkserver, spawn) moves to the parent's working directory (paths in tasks and the config
    lookup are relative to it) and loads its own."""
    global _WORKER_ENGINE
    if inherited is None:
        os.chdir(cwd)
        inherited = Engine.load(**engine_args)
    _WORKER_ENGINE = inherited


def _shown_lines(text: str, file: str, findings: list[Finding], errors: list[Diagnostic],
                 secrets: Sequence[str] = ()) -> dict[int, str]:
    """The lines reports may show, with the ``secrets`` (values secret findings point at) masked wherever they
    appear, and every line a secret finding points at or that assigns a credential-named key masked whole."""
    wanted = {f.line for f in findings if f.line and f.file == file} | {d.line for d in errors if d.line}
    wanted |= {n + d for n in wanted for d in (-1, 1)}  # a line of context either side (SARIF contextRegion)
    if not wanted:
        return {}
    source = text.splitlines()
    secret_lines = {f.line for f in findings if f.line and is_secret_finding(f)}
    shown = {}
    for number in sorted(wanted):
        if not 0 < number <= len(source):
            continue
        line = source[number - 1]
        if (number in secret_lines or CREDENTIAL_ASSIGNMENT.search(line)
                or any(s in line for s in secrets if len(s) >= 4)):
            line = mask_line(line, secrets)
        shown[number] = line
    return shown


def annotate(findings: list[Finding], loaded: Any) -> tuple[list[Finding], list[str]]:
    """Each finding with its baseline fingerprint added, and the secret values that shown lines must mask."""
    out: list[Finding] = []
    secrets: list[str] = []
    for f in findings:
        path = f.path
        value = value_at(loaded.canonical, path)
        if value is None:
            value = value_at(loaded.job, path)
        extra = dict(f.extra or {})
        extra["fingerprint"] = fingerprint(f.rule, f.job or loaded.id, stable_path(loaded.canonical, path),
                                           value_hash(value))
        if is_secret_finding(f):
            secrets += secret_strings(value) + secret_strings(value_at(loaded.job, path))
        out.append(replace(f, extra=extra))
    return out, secrets


def check_one(engine: Engine, source: str, text: str | None, variables: dict[str, str], var_files: list[str],
              policy_override: bool, file_roots: Sequence[str] | None = None,
              timeout: float | None = None) -> FileResult:
    """Load and evaluate one job file (``text`` given for stdin) with ``engine`` within ``timeout`` CPU seconds,
    file functions confined to ``file_roots``. Never raises: problems, the time budget included, become errors."""
    return run_within(timeout, lambda: _check_one(engine, source, text, variables, var_files, policy_override,
                                                  file_roots),
                      lambda exc: _timed_out(source, exc))


def _check_one(engine: Engine, source: str, text: str | None, variables: dict[str, str], var_files: list[str],
               policy_override: bool, file_roots: Sequence[str] | None) -> FileResult:
    started = time.perf_counter()
    if text is None and file_roots is not None and _escapes(source, file_roots):
        return FileResult(file=source, input_error=True, errors=[Diagnostic(
            source, 0, 0, "Job file outside the allowed paths",
            f"{source} is a symbolic link to {os.path.realpath(source)}, outside the paths job files may read "
            f"({', '.join(file_roots)}); `--allow-path DIR` allows another directory")])
    raw = text if text is not None else _read_text(source)
    bad = _first_undecodable(raw) if raw is not None else None
    if bad is not None:  # the same report for a file and for stdin: where the first non-UTF-8 byte is
        line, column, byte = bad
        return FileResult(file=source, input_error=True, errors=[Diagnostic(
            source, line, column, "Invalid file encoding", f"{source} is not UTF-8 text: byte {byte:#04x}")])
    try:
        if text is not None:
            loaded = load_text(text, filename=source, variables=variables or None, var_files=var_files,
                               file_roots=file_roots)
        else:
            loaded = load_file(source, variables=variables or None, var_files=var_files, file_roots=file_roots)
    except JobspecError as exc:
        diags = list(exc.diagnostics) or [Diagnostic(source, 0, 0, "the job could not be loaded")]
        return FileResult(file=source, errors=diags, input_error=True,
                          lines=_shown_lines(raw or "", source, [], [d for d in diags if d.file == source]))
    except OSError as exc:
        return _unreadable(source, exc.strerror or str(exc))
    except Exception as exc:  # a loader bug must not hide the other files' results
        return _internal(source, "loading", exc)
    try:
        namespace = str(loaded.canonical.get("Namespace") or "default")
        result = engine.evaluate(loaded, policy_override=policy_override,
                                 context=EvalContext(namespace=namespace))
        findings, secrets = annotate(list(result.findings), loaded)
        errors = list(result.errors)
        # the engine fails a job closed when evaluation broke; findings are judged later (baseline, --fail-on)
        failed_closed = bool(errors)
    except Exception as exc:
        return _internal(source, "evaluating", exc)
    lines = _shown_lines(loaded.source or raw or "", source, findings, [d for d in errors if d.file == source],
                         secrets)
    return FileResult(file=source, jobs=[loaded.id] if loaded.id else [], findings=findings, errors=errors,
                      lines=lines, failed_closed=failed_closed, duration=time.perf_counter() - started)


def _escapes(source: str, roots: Sequence[str]) -> bool:
    """A job file inside the allowed paths (as named) that really is elsewhere: a symbolic link out of the
    checkout would otherwise have its content parsed and quoted in reports. (A file named outside them, e.g.
    ``jobguard check /tmp/x.nomad.hcl``, is what the user asked for.)"""
    return is_inside(os.path.abspath(source), roots) and not is_inside(os.path.realpath(source), roots)


def _timed_out(source: str, exc: LimitExceeded) -> FileResult:
    line, column = (exc.rng[0], exc.rng[1]) if exc.rng else (0, 0)
    return FileResult(file=source, input_error=True, errors=[Diagnostic(source, line, column, exc.summary,
                                                                        exc.detail)])


def timed_out(result: FileResult) -> bool:
    """Did the file run out of its time budget? (Such a result depends on the machine: it is not cached.)"""
    return any(d.summary == FileTimeout.summary for d in result.errors)


def _first_undecodable(text: str) -> tuple[int, int, int] | None:
    """(line, column, byte) of the first byte that was not UTF-8 (kept as a ``surrogateescape`` surrogate)."""
    for index, char in enumerate(text):
        if "\udc80" <= char <= "\udcff":
            line = text.count("\n", 0, index) + 1
            column = index - (text.rfind("\n", 0, index) + 1) + 1
            return line, column, ord(char) - 0xDC00
    return None


def _unreadable(source: str, reason: str = "") -> FileResult:
    return FileResult(file=source, input_error=True,
                      errors=[Diagnostic(source, 0, 0, "cannot read file" + (f": {reason}" if reason else ""))])


def _internal(source: str, stage: str, exc: BaseException) -> FileResult:
    message = f"internal error while {stage} this file: {type(exc).__name__}: {exc}"
    return FileResult(file=source, errors=[Diagnostic(source, 0, 0, message)], internal_error=True)


def _worker_task(args: tuple) -> FileResult:
    """One file in a pool worker, with the worker's engine."""
    assert _WORKER_ENGINE is not None, "the pool initializer sets the worker's engine"
    return check_one(_WORKER_ENGINE, *args)


def _read_text(path: str) -> str | None:
    """A file's text with non-UTF-8 bytes kept as surrogates (see :func:`_first_undecodable`); None if unreadable.
    At most the job file size limit (plus one byte) is read: the loader reports a bigger file."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            return fh.read(MAX_JOB_FILE_SIZE + 1)
    except OSError:
        return None


# --- parent side -----------------------------------------------------------------------------------------------


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


class Runner:
    """One ``jobguard check`` run. ``progress`` is called as ``progress(done, total)`` while files are checked."""

    def __init__(self, options: CheckOptions, progress: Callable[[int, int], None] | None = None) -> None:
        self.options = options
        self.progress = progress
        self.engine: Engine | None = None
        #: (path, number of fingerprints) after ``create_baseline`` wrote its file
        self.baseline_written: tuple[str, int] | None = None
        self._root_cache: dict[str, tuple[str, ...]] = {}

    def load_engine(self) -> Engine:
        """Load the engine (raises the engine's ``ConfigError`` for a broken config or policy)."""
        if self.engine is None:
            self.engine = Engine.load(**self.options.engine_args())
        return self.engine

    def run(self) -> RunResult:
        started = time.perf_counter()
        opts = self.options
        engine = self.load_engine()
        found = discover_files(opts.paths, self._extensions(engine))
        sources, run_errors = found.sources, found.errors
        cache = self._cache(engine) if opts.use_cache else None

        results: list[FileResult | None] = [None] * len(sources)
        keys: list[str | None] = [None] * len(sources)
        pending: list[int] = []
        if opts.stdin_text is None and any(src.is_stdin for src in sources):
            opts.stdin_text = sys.stdin.read()
        for i, src in enumerate(sources):
            if cache is None:  # without a cache the workers read the files: no serial pass over the inputs
                pending.append(i)
                continue
            content = self._content(src)
            if content is None:
                results[i] = _unreadable(src.path)
                continue
            # file("x") resolves against the working dir
            keys[i] = cache.key(src.path, content, os.getcwd(), roots=self._roots(src))
            results[i] = cache.get(keys[i])
            if results[i] is None:
                pending.append(i)

        done = len(sources) - len(pending)
        for i, result in self._evaluate(engine, sources, pending, done):
            results[i] = result
            if cache is not None and not result.internal_error and not timed_out(result):
                cache.put(keys[i], result)

        checks = engine.active_checks()
        files = [replace(r, checks=checks) if not r.input_error else r for r in results if r is not None]
        files = self._baseline(files)
        root = _root(opts.start_dir)
        rules = engine.findings_metadata(f for fr in files for f in fr.findings)
        return RunResult(files=files, fail_on=opts.fail_on, rules=rules, errors=run_errors, root=root,
                         duration=time.perf_counter() - started, skipped=found.skipped,
                         provenance=git_provenance(root))

    # -- steps ------------------------------------------------------------------------------------------------

    def _extensions(self, engine: Engine) -> list[str] | None:
        """``--extensions`` wins over jobguard.hcl's ``check { extensions }``; None means the defaults."""
        return self.options.extensions or engine.check_extensions()

    def _roots(self, src: Source) -> tuple[str, ...]:
        """Where this file's file functions may read: its repository (else the working directory) and every
        ``--allow-path``; computed once per directory."""
        where = "-" if src.is_stdin else os.path.dirname(os.path.abspath(src.path))
        if where not in self._root_cache:
            self._root_cache[where] = default_roots(where, self.options.allow_paths)
        return self._root_cache[where]

    def _content(self, src: Source) -> bytes | None:
        if src.is_stdin:
            return (self.options.stdin_text or "").encode("utf-8", errors="surrogateescape")
        try:
            with open(src.path, "rb") as fh:
                return fh.read(MAX_JOB_FILE_SIZE + 1)  # enough for the key: a bigger file is an error anyway
        except OSError:
            return None

    def _cache(self, engine: Engine) -> Any:
        # deferred (start-up time, ~10 ms: tempfile and what it imports): a --no-cache run never needs the cache
        from jobguard.check.cache import ResultCache, default_cache_dir

        opts = self.options
        run_key = ResultCache.make_run_key(str(engine.fingerprint()), __version__, opts.variables, opts.var_files,
                                           opts.only, opts.skip, opts.policy_override,
                                           today=datetime.date.today().isoformat(), allow_paths=opts.allow_paths)
        return ResultCache(opts.cache_dir or default_cache_dir(os.path.abspath(opts.start_dir)), run_key)

    def _evaluate(self, engine: Engine, sources: list[Source], pending: list[int], done: int):
        """Yield (index, FileResult) for the files not answered by the cache, in order."""
        opts = self.options
        total = len(sources)
        tasks = [(sources[i].path, opts.stdin_text if sources[i].is_stdin else None, dict(opts.variables),
                  list(opts.var_files), opts.policy_override, self._roots(sources[i]), opts.file_timeout)
                 for i in pending]
        jobs = opts.jobs or default_jobs()
        if self.progress:
            self.progress(done, total)
        if jobs <= 1 or len(tasks) <= 1:
            outcomes = (check_one(engine, *task) for task in tasks)
            pool = None
        else:
            pool = self._pool(engine, min(jobs, len(tasks)))
            chunk = max(1, min(4, len(tasks) // (jobs * 16)))  # small chunks: no worker idles at the end
            outcomes = pool.map(_worker_task, tasks, chunksize=chunk)  # the first submit forks every worker
            gc.unfreeze()
        try:
            for i, result in zip(pending, outcomes, strict=True):
                done += 1
                if self.progress:
                    self.progress(done, total)
                yield i, result
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)

    def _pool(self, engine: Engine, workers: int) -> Any:
        """A process pool. ``fork`` (workers inherit the loaded engine: no start-up cost) when this process has a
        single thread; forking a multi-threaded process can copy a lock some other thread holds, so then (an
        embedding application, a test runner) the workers start fresh and load their own engine."""
        import multiprocessing
        import threading
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        inherited: Engine | None = None
        if "fork" in methods and threading.active_count() == 1:
            method, inherited = "fork", engine
            gc.freeze()  # children's GC leaves the inherited engine alone, so its pages stay shared (undone below)
        else:
            method = "forkserver" if "forkserver" in methods else "spawn"
        return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                   initializer=_init_worker,
                                   initargs=(inherited, self.options.engine_args(), os.getcwd()))

    def _baseline(self, files: list[FileResult]) -> list[FileResult]:
        opts = self.options
        if opts.create_baseline:
            count = baseline.write_baseline(opts.create_baseline, [f for fr in files for f in fr.findings])
            self.baseline_written = (opts.create_baseline, count)
        path = opts.create_baseline or opts.baseline
        if not path:
            return files
        accepted = baseline.read_baseline(path)
        return [replace(fr, findings=baseline.apply_baseline(fr.findings, accepted, path)) for fr in files]



def _root(start_dir: str) -> str:
    return repository_root(os.getcwd() if start_dir in ("", ".") else start_dir)
