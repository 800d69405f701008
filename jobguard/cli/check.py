"""``jobguard check`` and ``jobguard init``.

Only click is imported at module level: the engine, loader and reporters load inside the command, so ``--help`` and
a one-file check start fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from jobguard.engine.findings import ENFORCEMENT_LEVELS
from jobguard.jobspec.limits import DEFAULT_FILE_TIMEOUT

if TYPE_CHECKING:  # the runner loads inside the command (start-up time of --help, see above)
    from jobguard.check.runner import CheckOptions

EXIT_CODES_HELP = """\b
Exit codes:
  0  nothing blocking
  1  at least one blocking failure (hard-mandatory, soft-mandatory without
     --policy-override, or whatever --fail-on says)
  2  usage, config or input errors (e.g. a job that cannot be parsed, is
     over a limit for untrusted input or over its time budget; the other
     files are still checked and reported)
  3  internal error
"""

FORMATS_HELP = "text|json|sarif|junit|github|markdown, or a plugin format"


def _split_ids(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[str] | None:
    """``--only a,b --only c`` -> ["a", "b", "c"]; None when not given (so "no filter" differs from "empty")."""
    ids = [part.strip() for item in value for part in item.split(",") if part.strip()]
    return ids or None


def _parse_vars(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in value:
        key, sep, val = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", ctx=ctx, param=param)
        out[key.strip()] = val
    return out


def _parse_outputs(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for item in value:
        fmt, sep, path = item.partition("=")
        if not sep or not fmt or not path:
            raise click.BadParameter(f"expected FORMAT=PATH, got {item!r}", ctx=ctx, param=param)
        out.append((fmt, path))
    return out


def _split_extensions(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> list[str] | None:
    """``--extensions .nomad,.job`` -> [".nomad", ".job"], validated like jobguard.hcl's ``check.extensions``."""
    # deferred (fast `check --help`, `init`): the check stack loads when a check runs
    from jobguard.check.discover import normalize_extensions

    items = _split_ids(ctx, param, value)
    if items is None:
        return None
    try:
        return list(normalize_extensions(items))
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"jobguard: {message}", err=True)
    sys.exit(code)


@click.command("check", epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--config", "config_path", type=click.Path(dir_okay=False),
              help="jobguard.hcl to use (default: the nearest jobguard.hcl upwards from the working directory).")
@click.option("--policy", "policies", multiple=True, type=click.Path(),
              help="Extra policy file or directory of *.sentinel (repeatable).")
@click.option("--only", multiple=True, callback=_split_ids, metavar="ID,...",
              help="Run only these rules/policies (comma-separated, repeatable).")
@click.option("--skip", multiple=True, callback=_split_ids, metavar="ID,...",
              help="Do not run these rules/policies (comma-separated, repeatable).")
@click.option("--var", "variables", multiple=True, callback=_parse_vars, metavar="KEY=VALUE",
              help="HCL2 input variable (repeatable), like `nomad job run -var`.")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="HCL2 variables file (repeatable), like `nomad job run -var-file`.")
@click.option("--allow-path", "allow_paths", multiple=True, type=click.Path(exists=True),
              help="Let file functions (file, fileset, ...) also read under this path (repeatable). By default they "
                   "may read only the checked file's repository (else the working directory).")
@click.option("--file-timeout", type=click.FloatRange(min=0), default=DEFAULT_FILE_TIMEOUT, show_default=True,
              metavar="SECONDS", help="CPU seconds one file may take to load and check; a file over it is reported "
                                      "as an error (exit 2) and the run goes on. 0: no limit.")
@click.option("--policy-override", is_flag=True, help="Let soft-mandatory failures through (reported as overridden).")
@click.option("--fail-on", type=click.Choice(ENFORCEMENT_LEVELS), default="soft-mandatory", show_default=True,
              help="Lowest enforcement level that fails the run.")
@click.option("--format", "fmt", default="text", show_default=True, metavar="FORMAT",
              help=f"Report format on stdout: {FORMATS_HELP}.")
@click.option("--output", "outputs", multiple=True, callback=_parse_outputs, metavar="FORMAT=PATH",
              help="Also write a report in FORMAT to PATH (repeatable; several formats in one run).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Check files in N parallel processes (default: the machine's cores).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--baseline", type=click.Path(dir_okay=False),
              help="Findings accepted in this baseline file do not fail.")
@click.option("--create-baseline", type=click.Path(dir_okay=False),
              help="Write the current findings to a baseline file (they are then accepted in this run too).")
@click.option("--extensions", multiple=True, callback=_split_extensions, metavar=".EXT,...",
              help="File suffixes a directory walk checks, replacing the defaults "
                   "(.nomad,.nomad.hcl,.nomad.json,.hcl,.json); also `check { extensions = [...] }` in jobguard.hcl.")
@click.option("--quiet", "-q", is_flag=True, help="Report only what fails the run; no summary, no progress bar.")
@click.option("--verbose", "-v", is_flag=True, help="Also list the files that were skipped, and why.")
@click.option("--color/--no-color", default=None, help="Colour the text report (default: only on a terminal).")
def check(**params: Any) -> None:
    """Check Nomad job files against policies and rules.

    PATH may be a job file, a directory (walked for job files), a glob, or `-` for stdin. Default: `.`.
    """
    try:
        code = _run_check(**params)
    except SystemExit:
        raise
    except Exception as exc:  # the last line of defence: never a traceback for the user
        if os.environ.get("JOBGUARD_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc}", 3)
    sys.exit(code)


def _run_check(paths: tuple[str, ...], config_path: str | None, policies: tuple[str, ...], only: list[str] | None,
               skip: list[str] | None, variables: dict[str, str], var_files: tuple[str, ...], policy_override: bool,
               fail_on: str, fmt: str, outputs: list[tuple[str, str]], jobs: int | None, no_cache: bool,
               baseline: str | None, create_baseline: str | None, quiet: bool, color: bool | None,
               extensions: list[str] | None = None, verbose: bool = False,
               allow_paths: tuple[str, ...] = (), file_timeout: float = DEFAULT_FILE_TIMEOUT) -> int:
    # deferred (fast `check --help`, `init`): the check stack loads when a check runs
    from jobguard.check import Runner
    from jobguard.check.baseline import BaselineError
    from jobguard.check.progress import ProgressBar
    from jobguard.engine import ConfigError

    color, stdout_reporter, file_reporters = reporters_for(fmt, outputs, quiet, color, verbose)
    options = check_options(paths, config_path, policies, only, skip, variables, var_files, policy_override, fail_on,
                            jobs, no_cache, baseline, create_baseline, extensions, allow_paths, file_timeout)
    progress = None if quiet else ProgressBar.for_terminal()
    runner = Runner(options, progress=progress)
    try:
        result = runner.run()
    except ConfigError as exc:
        _print_diagnostics(exc)
        return 2
    except BaselineError as exc:
        _fail(str(exc), 2)
    finally:
        if progress is not None:
            progress.close()

    if runner.baseline_written is not None:  # on stderr: stdout may be a JSON or SARIF report
        where, count = runner.baseline_written
        click.echo(f"jobguard: wrote {count} fingerprint(s) to baseline {where}", err=True)
    for reporter, path in file_reporters:
        write_report(path, reporter.render(result))
    text = stdout_reporter.render(result)
    if text:
        click.echo(text, nl=False, color=color)
    return result.exit_code()


def check_options(paths: Sequence[str], config_path: str | None, policies: Sequence[str], only: list[str] | None,
                  skip: list[str] | None, variables: dict[str, str], var_files: Sequence[str], policy_override: bool,
                  fail_on: str, jobs: int | None, no_cache: bool, baseline: str | None, create_baseline: str | None,
                  extensions: list[str] | None = None, allow_paths: Sequence[str] = (),
                  file_timeout: float = DEFAULT_FILE_TIMEOUT) -> CheckOptions:
    """The run ``jobguard check`` flags describe (stdin read here when a path is ``-``); the GitHub Action builds
    its run from the same flags with this function, so the two cannot drift apart."""
    # deferred (fast `check --help`, `init`): the check stack loads when a check runs
    from jobguard.check import CheckOptions

    paths = list(paths) or ["."]
    return CheckOptions(
        paths=paths, config_path=config_path, start_dir=".", policies=list(policies), only=only, skip=skip,
        variables=variables, var_files=list(var_files), policy_override=policy_override, fail_on=fail_on,
        jobs=jobs, use_cache=not no_cache, baseline=baseline, create_baseline=create_baseline,
        stdin_text=_read_stdin() if "-" in paths else None, extensions=extensions, allow_paths=list(allow_paths),
        file_timeout=file_timeout or None,
    )


def reporters_for(fmt: str, outputs: list[tuple[str, str]], quiet: bool, color: bool | None, verbose: bool = False
                  ) -> tuple[bool, Any, list[tuple[Any, str]]]:
    """(colour, the stdout reporter, (reporter, path) for each ``--output``); an unknown format is exit 2.
    Shared with ``jobguard audit``."""
    # deferred (fast `check --help`, `init`): reporters and plugins load when a check runs
    from jobguard.report.registry import UnknownFormatError, get_reporter

    if color is None:
        color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    try:
        return (color, get_reporter(fmt, color=color, quiet=quiet, verbose=verbose),
                [(get_reporter(name, color=False, quiet=quiet, verbose=verbose), path) for name, path in outputs])
    except UnknownFormatError as exc:
        _fail(str(exc), 2)


def _read_stdin() -> str:
    """The job on stdin. Bytes that are not UTF-8 are kept as surrogates (``surrogateescape``) so the runner can
    report them like a file's: an input error at the offending line and column, in the report."""
    if hasattr(sys.stdin, "buffer"):
        return sys.stdin.buffer.read().decode("utf-8", errors="surrogateescape")
    return sys.stdin.read()


def _print_diagnostics(exc: Any) -> None:
    diagnostics = list(getattr(exc, "diagnostics", None) or [])
    for diag in diagnostics:
        click.echo(f"jobguard: {diag}", err=True)
    if not diagnostics:
        click.echo(f"jobguard: {exc}", err=True)


def write_report(path: str, text: str) -> None:
    """Write one ``--output`` report (``-``: stdout); a path that cannot be written is exit 2 (also the Action's)."""
    if path == "-":
        click.echo(text, nl=False)
        return
    try:
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        _fail(f"{path}: cannot write report: {exc.strerror or exc}", 2)


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(directory: str, force: bool) -> None:
    """Write a starter jobguard.hcl and policies/example.sentinel into DIRECTORY (default: `.`).

    Refuses to overwrite existing files unless --force is given (exit 2).
    """
    from jobguard.cli.starter import StarterExistsError, write_starter

    try:
        written = write_starter(directory, force=force)
    except StarterExistsError as exc:
        _fail(f"{exc} (use --force to overwrite)", 2)
    except OSError as exc:
        _fail(f"cannot write starter files: {exc.strerror or exc}", 2)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo("next: edit them, then run `jobguard check` (jobs) and `jobguard test` (the policy's test cases)")
