"""``jobguard audit``: check the jobs running on a Nomad cluster, once or continuously (``--watch``).

Same engine, config discovery, ``--only/--skip``, ``--fail-on``, report formats and exit codes as ``jobguard check``;
the jobs come from the Nomad API instead of files. Only click is imported at module level (fast ``--help``).
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click

from jobguard.cli.check import _print_diagnostics, reporters_for, write_report
from jobguard.cli.check import check as check_command

EXIT_CODES_HELP = """\b
Exit codes:
  0  nothing blocking
  1  at least one blocking failure (as for jobguard check)
  2  usage or config error, Nomad unreachable, permission denied (403),
     or a job Nomad answered with garbage (the others are still reported)
  3  internal error
"""


def _fail(message: str, code: int, scrub: Any = None) -> NoReturn:
    click.echo(f"jobguard audit: {scrub(message) if scrub else message}", err=True)
    sys.exit(code)


@click.command("audit", epilog=EXIT_CODES_HELP)
@click.option("--address", metavar="URL", help="Nomad HTTP API (default: NOMAD_ADDR, else http://127.0.0.1:4646).")
@click.option("--token", metavar="TOKEN", help="ACL token (default: NOMAD_TOKEN). Never printed or logged.")
@click.option("--namespace", metavar="NS",
              help="Namespace to audit; '*' = every namespace the token can list (default: NOMAD_NAMESPACE, "
                   "the audit block, else '*').")
@click.option("--region", metavar="REGION", help="Region to audit (default: NOMAD_REGION, the audit block).")
@click.option("--ca-cert", metavar="FILE", help="CA certificate of the API (default: NOMAD_CACERT).")
@click.option("--ca-path", metavar="DIR", help="Directory of CA certificates (default: NOMAD_CAPATH).")
@click.option("--client-cert", metavar="FILE", help="Client certificate (default: NOMAD_CLIENT_CERT).")
@click.option("--client-key", metavar="FILE", help="Client key (default: NOMAD_CLIENT_KEY).")
@click.option("--tls-server-name", metavar="NAME",
              help="Name expected in the API's certificate (default: NOMAD_TLS_SERVER_NAME).")
@click.option("--tls-skip-verify", is_flag=True, default=None,
              help="Do not verify the API's certificate (default: NOMAD_SKIP_VERIFY).")
@click.option("--include-stopped", is_flag=True, default=None, help="Also audit stopped and dead jobs.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=None,
              help="Jobs read at once (default: the audit block, else 8).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=None,
              help="Seconds to wait for one API answer (default 30).")
@click.option("--retries", type=click.IntRange(0, 20), default=None,
              help="Retries of a read that timed out or got a 5xx/429 answer, with back-off (default 3).")
@click.option("--watch", is_flag=True, help="Keep watching: re-check jobs as they change (Nomad's event stream).")
@click.option("--change-log", metavar="FILE",
              help='With --watch: JSON-lines log of violation changes ("-" for stdout; default: the audit block).')
@click.option("--metrics-listen", metavar="HOST:PORT",
              help="With --watch: serve Prometheus metrics at http://HOST:PORT/metrics.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="warning",
              show_default=True, help="Diagnostics on stderr (--watch).")
def audit(**params: Any) -> None:
    """Check the jobs running on a Nomad cluster against policies and rules.

    Reads every job of the namespace (default: all the token can list) from the Nomad API and evaluates it with
    the same engine and jobguard.hcl as `jobguard check`. Stopped and dead jobs are skipped unless
    --include-stopped; periodic and dispatched instances are reported once, under their parent.
    """
    scrub = None
    try:
        code, scrub = _run_audit(**params)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the last line of defence: never a traceback, never the token
        if os.environ.get("JOBGUARD_DEBUG"):
            raise
        token = params.get("token") or os.environ.get("NOMAD_TOKEN") or ""
        text = f"internal error: {type(exc).__name__}: {exc}"
        _fail(text.replace(token, "****") if len(token) >= 4 else text, 3, scrub)
    sys.exit(code)


# Options that mean exactly what they mean for `jobguard check`: the same click declarations, not copies.
SHARED_WITH_CHECK = ("config_path", "policies", "only", "skip", "fail_on", "fmt", "outputs", "quiet", "color")
audit.params[10:10] = [p for name in SHARED_WITH_CHECK for p in check_command.params if p.name == name]


def _run_audit(config_path: str | None, policies: tuple[str, ...], only: list[str] | None, skip: list[str] | None,
               fail_on: str, fmt: str, outputs: list[tuple[str, str]], quiet: bool, color: bool | None,
               watch: bool, metrics_listen: str | None, log_level: str, **flags: Any) -> tuple[int, Any]:
    import asyncio

    # deferred (fast `audit --help`): the audit stack (aiohttp) loads when the command runs
    from jobguard.audit import settings as audit_settings
    from jobguard.audit.client import AuditError
    from jobguard.audit.evaluate import Evaluator
    from jobguard.engine import ConfigError

    color, stdout_reporter, file_reporters = reporters_for(fmt, outputs, quiet, color)
    try:
        evaluator = Evaluator.load(config_path=config_path, policies=policies, only=only, skip=skip)
    except ConfigError as exc:
        _print_diagnostics(exc)
        return 2, None

    def warn(message: str) -> None:
        click.echo(f"jobguard audit: warning: {message}", err=True)

    try:
        settings = audit_settings.resolve(flags, block=evaluator.audit_block, warn=warn)
    except audit_settings.SettingsError as exc:
        _fail(str(exc), 2)
    evaluator.locate(settings.host, settings.region)
    if watch:
        # deferred: only --watch needs the watch loop
        from jobguard.audit.console import watch_main

        return watch_main(evaluator, settings, fail_on=fail_on, reporters=file_reporters, color=color,
                          metrics_listen=metrics_listen, log_level=log_level), settings.scrub
    if metrics_listen or flags.get("change_log"):
        _fail("--metrics-listen and --change-log need --watch", 2)
    try:
        run = asyncio.run(_audit_once(evaluator, settings, fail_on, quiet))
    except (AuditError, audit_settings.SettingsError) as exc:
        _fail(str(exc), 2, settings.scrub)
    if not quiet:
        _explain(run)
    for ns, why in sorted(run.skipped.items()):
        warn(f"namespace {ns!r} skipped: {why}")
    for reporter, path in file_reporters:
        write_report(path, reporter.render(run.result))
    text = stdout_reporter.render(run.result)
    if text:
        click.echo(text, nl=False, color=color)
    return run.result.exit_code(), settings.scrub


async def _audit_once(evaluator: Any, settings: Any, fail_on: str, quiet: bool) -> Any:
    # deferred (fast `audit --help`): the audit stack loads when the command runs
    from jobguard.audit.client import NomadClient
    from jobguard.audit.run import audit
    from jobguard.check.progress import ProgressBar

    progress = None if quiet else ProgressBar.for_terminal(unit="jobs")
    try:
        async with NomadClient(settings) as client:
            return await audit(client, evaluator, settings, fail_on=fail_on, progress=progress)
    finally:
        if progress is not None:
            progress.close()


def _explain(run: Any) -> None:
    """What was and was not audited, on stderr (stdout is the report)."""
    parts = []
    if run.selection.stopped:
        parts.append(f"{run.selection.stopped} stopped or dead skipped (--include-stopped audits them)")
    if run.selection.children:
        parts.append(f"{run.selection.children} periodic/dispatched instances reported under their parent")
    if run.vanished:
        parts.append(f"{run.vanished} purged while the audit ran")
    if parts:
        click.echo(f"jobguard audit: {len(run.result.files)} of {len(run.listed)} listed jobs audited; "
                   + "; ".join(parts), err=True)
