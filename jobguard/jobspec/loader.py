"""Load a job file the way ``nomad job run -output`` does: HCL2 (with variables) or API JSON, recognised by content.

The result is a :class:`~jobguard.jobspec.job.LoadedJob`: the job exactly as Nomad prints it (every field, nulls
included), the canonical job, and a source map. Any input Nomad would reject raises :class:`JobspecError` carrying
all diagnostics (``FILE:LINE:COL: summary; detail``); nothing else escapes for bad input.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence

from jobguard.jobspec.errors import Diagnostic, JobspecError
from jobguard.jobspec.confinement import confined_to
from jobguard.jobspec.job import LoadedJob
from jobguard.jobspec.limits import MAX_JOB_FILE_SIZE, LimitExceeded, json_limit_error, load_budget
from jobguard.jobspec.sourcemap import SourceMap
from jobguard.jobspec.textfile import read_source, too_large


def _diagnostics(errors, filename: str) -> list[Diagnostic]:
    out = []
    for err in errors:
        line, col = err.rng[0], err.rng[1]
        detail = err.detail.replace("{file}", filename)
        out.append(Diagnostic(err.file or filename, line, col, err.summary, detail))
    return out


def _looks_like_json(text: str) -> bool:
    stripped = text.lstrip(" \t\r\n\ufeff")
    return stripped.startswith("{")


def _cli_vars(variables: Mapping[str, str] | None) -> dict[str, str]:
    return {str(k): str(v) for k, v in (variables or {}).items()}


def load_file(path: str, variables: Mapping[str, str] | None = None, var_files: Iterable[str] = (),
              env: Mapping[str, str] | None = None, cwd: str | None = None,
              file_roots: Sequence[str] | None = None) -> LoadedJob:
    """Load ``path`` ("-" for stdin). Relative var files resolve against ``cwd`` (default: the current directory).

    ``file_roots``: the directories file functions may read (see :mod:`~jobguard.jobspec.confinement`);
    None leaves them unconfined, as in Nomad.
    """
    text = read_source(path if cwd is None or os.path.isabs(path) or path == "-" else os.path.join(cwd, path), path,
                       limit=MAX_JOB_FILE_SIZE)
    return load_text(text, filename=path, variables=variables, var_files=var_files, env=env, cwd=cwd,
                     file_roots=file_roots)


def load_text(text: str, filename: str = "<stdin>", variables: Mapping[str, str] | None = None,
              var_files: Iterable[str] = (), env: Mapping[str, str] | None = None,
              cwd: str | None = None, file_roots: Sequence[str] | None = None) -> LoadedJob:
    """Load a job from ``text``; ``filename`` names it in diagnostics and the source map.

    Untrusted input is bounded (:mod:`jobguard.jobspec.limits`): a file over a limit is a :class:`JobspecError`
    at the place that went over, never a hang, a memory blow-up or a ``RecursionError``.
    """
    if len(text) * 4 > MAX_JOB_FILE_SIZE:  # cheap test first: a character is at most four UTF-8 bytes
        data = text.encode("utf-8", "surrogateescape")
        if len(data) > MAX_JOB_FILE_SIZE:
            raise too_large(filename, data, MAX_JOB_FILE_SIZE)
    with load_budget(), confined_to(file_roots):
        try:
            return _load(text, filename, variables, var_files, env, cwd)
        except LimitExceeded as exc:
            line, col = (exc.rng[0], exc.rng[1]) if exc.rng else (0, 0)
            raise JobspecError([Diagnostic(filename, line, col, exc.summary, exc.detail)]) from None


def _load(text: str, filename: str, variables: Mapping[str, str] | None, var_files: Iterable[str],
          env: Mapping[str, str] | None, cwd: str | None) -> LoadedJob:
    if _looks_like_json(text):
        over = json_limit_error(text)  # json.loads and the positional parser recurse per level
        if over is not None:
            raise JobspecError([Diagnostic(filename, *over)])
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise JobspecError([Diagnostic(filename, exc.lineno, exc.colno, "Invalid JSON", exc.msg)]) from None
        if isinstance(parsed, dict):
            from jobguard.jobspec.hcl.jsonsyntax import looks_like_hcl_json

            if looks_like_hcl_json(parsed):  # a jobspec in HCL's JSON syntax: Nomad's CLI reads it as HCL2
                return _load_hcl(text, filename, _cli_vars(variables), list(var_files),
                                 dict(os.environ if env is None else env), cwd, is_json=True)
            return _load_json(text, filename)
    return _load_hcl(text, filename, _cli_vars(variables), list(var_files), dict(os.environ if env is None else env),
                     cwd)


def _load_json(text: str, filename: str) -> LoadedJob:
    from jobguard.jobspec.apijson import decode_api_json
    from jobguard.jobspec.canonical import canonicalize

    job, source_map = decode_api_json(text, filename)
    return LoadedJob(file=filename, job=job, canonical=canonicalize(job), source_map=source_map, source=text,
                     format="json")


def _load_hcl(text: str, filename: str, cli_vars: dict[str, str], var_files: list[str], env: dict[str, str],
              cwd: str | None, is_json: bool = False) -> LoadedJob:
    from jobguard.jobspec.apimodel import complete
    from jobguard.jobspec.canonical import canonicalize
    from jobguard.jobspec.hcl.diagnostics import HCLError, MultiError
    from jobguard.jobspec.hcl.jobfile import decode_file

    files = []
    for vf in var_files:
        full = vf if cwd is None or os.path.isabs(vf) else os.path.join(cwd, vf)
        files.append((vf, read_source(full, vf)))
    try:
        decoded = decode_file(text, filename, cli_vars, files, env, base_dir=cwd, is_json=is_json)
    except MultiError as exc:
        raise JobspecError(_diagnostics(exc.errors, filename)) from None
    except HCLError as exc:
        raise JobspecError(_diagnostics([exc], filename)) from None
    except RecursionError:  # the nesting limits should make this unreachable; a located error is still better
        raise JobspecError([Diagnostic(filename, 0, 0, "Nesting too deep",
                                       "The file nests expressions or blocks too deeply to be read.")]) from None
    except Exception as exc:  # noqa: BLE001 - a reader bug on odd input must still be a clean, located error
        raise JobspecError([Diagnostic(filename, 0, 0, "Unsupported configuration",
                                       f"jobguard could not read this file ({type(exc).__name__}: {exc}).")]) \
            from None
    job = complete(decoded.job, "Job")
    return LoadedJob(file=filename, job=job, canonical=canonicalize(decoded.job), source_map=decoded.source_map,
                     source=text, format="hcl2", variables=decoded.variables,
                     variable_sources=decoded.variable_sources)


__all__ = ["load_file", "load_text", "SourceMap"]
