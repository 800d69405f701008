"""The jobspec loader: HCL2 or API JSON -> Nomad's job model, canonicalised, with a source map.

Public API (stable, for plugins and other tools)::

    from jobguard.jobspec import load_file, load_text, load_api_job, JobspecError

    loaded = load_file("jobs/web.nomad.hcl", variables={"image": "nginx:1.27"}, var_files=["prod.vars"])
    loaded.job         # as `nomad job run -output` prints it (inner object of {"Job": ...})
    loaded.canonical   # after Job.Canonicalize()
    loaded.source_map.lookup(("TaskGroups", 0, "Tasks", 0, "Env", "DB_PASSWORD"))  # -> Position

Every function raises :class:`JobspecError` (all diagnostics, ``FILE:LINE:COL: summary; detail``) for input
Nomad would reject; nothing else escapes for bad input.
"""

from jobguard.jobspec.errors import Diagnostic, JobspecError
from jobguard.jobspec.job import LoadedJob
from jobguard.jobspec.sourcemap import Position, SourceMap, format_path

__all__ = [
    "Diagnostic", "JobspecError", "LoadedJob", "Position", "SourceMap", "format_path",
    "load_file", "load_text", "load_api_job", "canonicalize", "snake_view",
]


def load_file(path, variables=None, var_files=(), env=None, cwd=None, file_roots=None) -> LoadedJob:
    """Load a job file (HCL2 or API JSON, recognised by content). See :mod:`jobguard.jobspec.loader`.

    ``file_roots``: directories the job's file functions may read (None: anywhere, as in Nomad).
    """
    from jobguard.jobspec.loader import load_file as _impl

    return _impl(path, variables=variables, var_files=var_files, env=env, cwd=cwd, file_roots=file_roots)


def load_text(text, filename="<stdin>", variables=None, var_files=(), env=None, cwd=None,
              file_roots=None) -> LoadedJob:
    """Load a job from text; ``filename`` is used in diagnostics and the source map."""
    from jobguard.jobspec.loader import load_text as _impl

    return _impl(text, filename=filename, variables=variables, var_files=var_files, env=env, cwd=cwd,
                 file_roots=file_roots)


def load_api_job(job: dict, filename="<request>") -> LoadedJob:
    """A job that arrived as API JSON already decoded (e.g. the proxy's request body ``Job`` object)."""
    from jobguard.jobspec.apijson import load_api_job as _impl

    return _impl(job, filename=filename)


def canonicalize(job: dict) -> dict:
    """A copy of an API job with the api package's ``Job.Canonicalize()`` defaults applied."""
    from jobguard.jobspec.canonical import canonicalize as _impl

    return _impl(job)


def snake_view(job: dict) -> dict:
    """The job as Sentinel policies see it: keys snake_cased, user maps (config, env, meta, ...) untouched."""
    from jobguard.jobspec.snake import snake_view as _impl

    return _impl(job)
