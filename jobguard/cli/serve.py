"""``jobguard serve``: run the admission proxy in front of the Nomad API.

Flags override the ``proxy { }`` block of jobguard.hcl. Exit codes: 0 on a stop by SIGINT/SIGTERM (within
``--shutdown-grace`` seconds, in-flight requests included), 2 for a usage or configuration error (printed as
file:line:col), 3 for an internal error.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from typing import Any

import click


@click.command("serve")
@click.option("--upstream", metavar="URL", help="Nomad HTTP API to protect (default http://127.0.0.1:4646).")
@click.option("--listen", metavar="HOST:PORT", help="Address to listen on (default 127.0.0.1:4647).")
@click.option("--config", "config_path", metavar="FILE", type=click.Path(dir_okay=False),
              help="jobguard.hcl (default: nearest one upwards from the current directory).")
@click.option("--policy", "policies", multiple=True, metavar="PATH",
              help="Extra policy file or directory (repeatable).")
@click.option("--only", multiple=True, metavar="ID", help="Run only these rules/policies (repeatable).")
@click.option("--skip", multiple=True, metavar="ID", help="Skip these rules/policies (repeatable).")
@click.option("--override-policy", "override_policies", multiple=True, metavar="NAME",
              help="ACL policy whose holders may use PolicyOverride (repeatable).")
@click.option("--dry-run", is_flag=True, default=None, help="Evaluate and warn, never deny.")
@click.option("--fail-open", is_flag=True, default=None,
              help="Let jobs through when evaluation fails (default: deny). Logged loudly.")
@click.option("--max-body-bytes", type=click.IntRange(min=1), help="Largest job request body accepted (413 above).")
@click.option("--decision-log", metavar="FILE", help='JSON-lines decision log ("-" for stdout).')
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), help="Listener certificate (PEM).")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), help="Listener private key (PEM).")
@click.option("--tls-client-ca", type=click.Path(exists=True, dir_okay=False),
              help="Require client certificates signed by this CA (mTLS).")
@click.option("--upstream-ca", type=click.Path(exists=True, dir_okay=False), help="CA of an https:// upstream.")
@click.option("--upstream-client-cert", type=click.Path(exists=True, dir_okay=False),
              help="Client certificate presented to the upstream.")
@click.option("--upstream-client-key", type=click.Path(exists=True, dir_okay=False),
              help="Key of --upstream-client-cert.")
@click.option("--upstream-server-name", metavar="NAME",
              help="Name in the upstream's certificate, e.g. server.global.nomad (like NOMAD_TLS_SERVER_NAME).")
@click.option("--header-timeout", type=click.FloatRange(min=0.1), help="Seconds to receive request headers (60).")
@click.option("--read-timeout", type=click.FloatRange(min=0.1), help="Seconds between request body chunks (60).")
@click.option("--reload-interval", type=click.FloatRange(min=0), help="Seconds between file-change checks (2; 0 off).")
@click.option("--eval-timeout", type=click.FloatRange(min=0.01),
              help="Hard deadline in seconds for evaluating one request (6); past it the request fails closed.")
@click.option("--workers", type=click.IntRange(min=0), help="Evaluation worker processes (0: one per CPU, min 2).")
@click.option("--write-timeout", type=click.FloatRange(min=0),
              help="Seconds Nomad may take to accept a request body and start answering it (30; 0 off).")
@click.option("--shutdown-grace", type=click.FloatRange(min=0.1),
              help="Seconds from SIGTERM to exit, in-flight requests included (5).")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True)
def serve(config_path: str | None, policies: tuple[str, ...], only: tuple[str, ...], skip: tuple[str, ...],
          override_policies: tuple[str, ...], log_level: str, **flags: Any) -> None:
    """Run the admission proxy in front of the Nomad API.

    Point Nomad clients at it (NOMAD_ADDR=http://127.0.0.1:4647): job submissions are checked with the same
    engine and configuration as `jobguard check`, everything else is relayed untouched.
    """
    # deferred (fast `serve --help`): the proxy stack loads when the command runs
    from jobguard.proxy import logsafe

    logsafe.configure(log_level)
    # deferred: the proxy (aiohttp) is imported after logging is configured
    from jobguard.proxy.app import Proxy, serve_forever
    from jobguard.proxy.reload import EngineState, load_engine, proxy_block
    from jobguard.proxy.reloadcheck import ReloadRefused, policy_problems
    from jobguard.proxy.settings import ProxySettings
    from jobguard.proxy.tls import server_context, upstream_context

    overrides = {k: v for k, v in flags.items() if v is not None}
    overrides.update(config_path=config_path, extra_policies=policies, override_acl_policies=override_policies)

    def loader() -> Any:
        return load_engine(config_path, tuple(policies), only, skip)

    try:
        engine = loader()
    except Exception as exc:  # ConfigError and friends: diagnostics with file:line:col
        diagnostics = getattr(exc, "diagnostics", None)
        text = "\n".join(str(d) for d in diagnostics) if diagnostics else f"{type(exc).__name__}: {exc}"
        click.echo(f"jobguard serve: configuration error:\n{text}", err=True)
        sys.exit(2)
    settings = ProxySettings().merged(proxy_block(engine), overrides)
    problems = settings.validate() + policy_problems(engine)
    if problems:
        click.echo("jobguard serve: " + "\n".join(problems), err=True)
        sys.exit(2)
    try:
        server_context(settings)
        upstream_context(settings)
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        files = ", ".join(f"{k}={v}" for k, v in vars(settings).items() if k.startswith(("tls_", "upstream_c")) and v)
        click.echo(f"jobguard serve: cannot load TLS files ({files}): {exc}", err=True)
        sys.exit(2)
    state = EngineState(engine, settings, overrides, loader)

    try:
        proxy = Proxy(state)
    except OSError as exc:
        click.echo(f"jobguard serve: {exc}", err=True)
        sys.exit(2)
    try:
        _run_with_fast_loop(_run(proxy, serve_forever, settings.shutdown_grace))
    except OSError as exc:  # e.g. address in use, unreadable certificate
        click.echo(f"jobguard serve: {exc}", err=True)
        sys.exit(2)
    except ReloadRefused as exc:  # a probe job the operator named is not allowed by these policies
        click.echo(f"jobguard serve: configuration refused: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        pass


def _exit_now(grace: float) -> None:
    logging.getLogger("jobguard.proxy").warning("jobguard serve: still busy %gs after the stop signal; exiting now",
                                                grace)
    logging.shutdown()
    os._exit(0)


def _run_with_fast_loop(coro: Any) -> None:
    """Run ``coro`` on uvloop when it is installed (optional: it roughly halves the proxy's per-request
    event-loop cost), else on the standard loop. ``JOBGUARD_NO_UVLOOP=1`` forces the standard loop."""
    factory = None
    if not os.environ.get("JOBGUARD_NO_UVLOOP"):
        try:
            import uvloop

            factory = uvloop.new_event_loop
        except ImportError:
            factory = None
    if factory is None or not hasattr(asyncio, "Runner"):  # asyncio.Runner: Python 3.11+
        asyncio.run(coro)
        return
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(coro)


async def _run(proxy: Any, serve_forever: Any, grace: float) -> None:
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(serve_forever(proxy))

    def stop() -> None:
        """Stop gracefully, and for certain: whatever is still running after ``grace`` seconds is cut off."""
        if not task.done():
            task.cancel()
        watchdog = threading.Timer(grace, _exit_now, (grace,))
        watchdog.daemon = True
        watchdog.start()

    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stop)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        await task
    except asyncio.CancelledError:
        pass
