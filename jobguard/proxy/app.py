"""The admission proxy server: one aiohttp application in front of Nomad's HTTP API.

Every request goes through :meth:`Proxy.handle`, which routes the way Nomad does (see :mod:`.routing`): job
submissions are decided (:mod:`.intercept`), jobguard's own endpoints live under ``/v1/jobguard/`` (a prefix
Nomad does not use) and everything else is relayed untouched (:mod:`.passthrough`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Any
from urllib.parse import quote

from aiohttp import web

from jobguard import __version__
from jobguard.audit.service import AuditService
from jobguard.proxy import intercept, logsafe, nacp, routing
from jobguard.proxy.admission import Admission, Decision
from jobguard.proxy.decisionlog import DecisionLog
from jobguard.proxy.httpserver import guard
from jobguard.proxy.metrics import Metrics
from jobguard.proxy.passthrough import forward
from jobguard.proxy.reload import EngineState
from jobguard.proxy.responses import nomad_error
from jobguard.proxy.tls import server_context
from jobguard.proxy.upstream import Upstream
from jobguard.proxy.workers import WorkerPool, default_workers

log = logging.getLogger("jobguard.proxy")

OWN_PREFIX = "/v1/jobguard/"


class Proxy:
    """State shared by all requests of one server: engine (reloadable), upstream session, metrics, decision log."""

    def __init__(self, state: EngineState, metrics: Metrics | None = None) -> None:
        self.state = state
        self.metrics = metrics or Metrics()
        self.upstream = Upstream(state.settings)
        self.pool = WorkerPool(state.settings.workers or default_workers(), state.settings.eval_timeout)
        self.admission = Admission(lambda: self.state.engine, self.upstream, lambda: self.state.settings,
                                   judge=self.pool.judge)
        self.metrics.pool = self.pool
        self.decisions = DecisionLog(state.settings.decision_log)
        self.started = time.time()
        self.audit: Any = None  # the audit watcher (jobguard.audit.service), when jobguard.hcl has an audit block
        self.metrics.info.update(version=__version__, fingerprint=_fingerprint(state.engine))
        previous = state.on_reload

        def reloaded(ok: bool) -> None:
            self.metrics.reloaded(ok)
            self.metrics.info["fingerprint"] = _fingerprint(self.state.engine)
            self.pool.timeout = self.state.settings.eval_timeout
            if ok:
                self.pool.warm(self.state.engine)
            previous(ok)

        state.on_reload = reloaded

    # ------------------------------------------------------------------ application
    def app(self) -> web.Application:
        app = web.Application(client_max_size=1 << 62, handler_args={"max_field_size": 65536})
        app.router.add_route("*", "/{tail:.*}", self.handle)
        app.on_startup.append(self._startup)
        app.on_cleanup.append(self._cleanup)
        return app

    async def _startup(self, app: web.Application) -> None:
        await self.upstream.start()
        await self.pool.start()
        self.pool.warm(self.state.engine)
        self.state.pool = self.pool
        await self.state.check_startup()
        self.state.start(self.state.settings.reload_interval)
        self.audit = await AuditService.start(self)

    async def _cleanup(self, app: web.Application) -> None:
        if self.audit is not None:
            await self.audit.stop()
        await self.state.stop()
        await self.pool.close()
        await self.upstream.close()
        self.decisions.close()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith(OWN_PREFIX):
            return await self._own(request, path[len(OWN_PREFIX):])
        cleaned = routing.clean_path(path)
        if cleaned != path:  # Go's ServeMux redirects non-canonical paths; never forward them
            location = quote(cleaned, safe="/:@!$&'()*+,;=-._~") + (f"?{request.query_string}"
                                                                    if request.query_string else "")
            return web.Response(status=301, headers={"Location": location},
                                text=f'<a href="{location}">Moved Permanently</a>.\n', content_type="text/html")
        route = routing.classify_target(request.method, request.raw_path)  # on Go's URL.Path, not aiohttp's
        if route.intercepted:
            return await intercept.handle(self, request, route)
        self.metrics.passed(request.method)
        response = await forward(request, self.upstream, self.state.settings.read_timeout)
        if response.status == 502 and isinstance(response, web.Response):
            self.metrics.upstream_error()
        return response

    async def _own(self, request: web.Request, name: str) -> web.StreamResponse:
        if name == "health" and request.method in ("GET", "HEAD"):
            return web.json_response({"status": "ok", "version": __version__,
                                      "fingerprint": _fingerprint(self.state.engine),
                                      "uptime_s": round(time.time() - self.started, 3),
                                      "dry_run": self.state.settings.dry_run,
                                      "fail_open": self.state.settings.fail_open,
                                      "eval_workers": self.pool.alive,
                                      "last_reload_error": self.state.last_error or None})
        if name == "metrics" and request.method in ("GET", "HEAD"):
            return web.Response(text=self.metrics.render(), content_type="text/plain",
                                headers={"X-Content-Type-Options": "nosniff"}, charset="utf-8")
        if name == "nacp" and request.method in ("POST", "PUT"):
            settings = self.state.settings
            try:
                raw = await intercept.read_body(request, settings.max_body_bytes, settings.read_timeout)
            except intercept.gojson.BodyError as exc:
                return nomad_error(exc.status, str(exc))
            return await nacp.handle(self, request, raw)
        if name in ("health", "metrics", "nacp"):
            return nomad_error(405, "Invalid method")
        return nomad_error(404, "Not Found")

    # ------------------------------------------------------------------ bookkeeping
    def record(self, kind: str, request: web.Request, decision: Decision, status: int) -> None:
        """Metrics and the decision log for one decided request (no token, no body)."""
        self.metrics.decision(kind, decision.outcome, decision.duration_s, decision.findings)
        self.decisions.write(kind, request.method, request.path, decision, status,
                             dry_run=self.state.settings.dry_run, fail_open=self.state.settings.fail_open)
        if decision.denied:
            log.info("denied %s %s (job %r, namespace %r): %s", request.method, request.path, decision.job_id,
                     decision.namespace, "; ".join(decision.lines))

    def finish(self, request: web.Request, route: routing.Route, decision: Decision,
               response: web.StreamResponse, status: int | None = None) -> web.StreamResponse:
        self.record(route.kind, request, decision, status if status is not None else response.status)
        return response


def _fingerprint(engine: Any) -> str:
    try:
        return str(engine.fingerprint())
    except Exception:  # informational only
        return ""


async def start(proxy: Proxy) -> tuple[web.AppRunner, list[tuple[str, int]]]:
    """Start serving; returns the runner (``await runner.cleanup()`` to stop) and the bound addresses."""
    settings = proxy.state.settings
    runner = web.AppRunner(proxy.app(), access_log=None, keepalive_timeout=settings.header_timeout,
                           auto_decompress=False, handler_cancellation=True,
                           shutdown_timeout=max(0.5, settings.shutdown_grace * 0.6))
    await runner.setup()
    guard(runner)  # malformed requests: one INFO line, no raw bytes (see httpserver.py)
    logsafe.install()
    host, port = settings.host_port
    try:
        site = web.TCPSite(runner, host, port, ssl_context=server_context(settings), backlog=1024,
                           reuse_address=True)
        await site.start()
    except BaseException:  # address in use, unreadable certificate...: release the upstream session first
        await runner.cleanup()
        raise
    server = site._server
    bound = [sock.getsockname()[:2] for sock in server.sockets] if server is not None else []
    return runner, bound


async def serve_forever(proxy: Proxy) -> None:
    runner, bound = await start(proxy)
    gc.freeze()  # what start-up allocated is never garbage: keep it out of the collector's full passes (p99)
    scheme = "https" if proxy.state.settings.tls_cert else "http"
    for host, port in bound:
        log.warning("jobguard serve: listening on %s://%s:%s, upstream %s%s%s", scheme, host, port,
                    proxy.upstream.base, " [DRY-RUN: never denies]" if proxy.state.settings.dry_run else "",
                    " [FAIL-OPEN: evaluation errors let jobs through]" if proxy.state.settings.fail_open else "")
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
