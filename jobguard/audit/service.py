"""The watcher inside ``jobguard serve``: one deployment both admits new jobs and audits the running ones.

Enabled by an ``audit { }`` block in jobguard.hcl (``enabled = false`` keeps it configured but off). The watcher
reads the cluster the proxy protects: the proxy's ``upstream`` and its upstream TLS settings, with the ACL token
in the serve process's ``NOMAD_TOKEN`` (a token never belongs in a config file). It evaluates with the proxy's
current engine, so a reloaded jobguard.hcl or policy re-evaluates every running job; its metrics are appended to
``/v1/jobguard/metrics``. Errors never stop the proxy: the watcher logs them and starts over with back-off.
The block itself is read at start-up (changing it needs a restart, like ``listen``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from typing import Any

from jobguard.audit.changelog import ChangeLog
from jobguard.audit.client import AuditError, NomadClient, backoff
from jobguard.audit.evaluate import Evaluator
from jobguard.audit.metrics import AuditMetrics
from jobguard.audit.settings import AuditSettings, ScrubFilter, SettingsError, TLSSettings, parse_address
from jobguard.audit.watch import Watcher

log = logging.getLogger("jobguard.audit")


def settings_for_proxy(proxy_settings: Any, block: Mapping[str, Any],
                       env: Mapping[str, str] | None = None) -> AuditSettings:
    """Audit settings for the cluster behind the proxy (raises :class:`SettingsError`)."""
    env = os.environ if env is None else env
    address, auth = parse_address(proxy_settings.upstream)
    tls = TLSSettings(ca_cert=proxy_settings.upstream_ca or "", client_cert=proxy_settings.upstream_client_cert or "",
                      client_key=proxy_settings.upstream_client_key or "",
                      server_name=proxy_settings.upstream_server_name or "")
    return AuditSettings(address=address, http_auth=auth, token=env.get("NOMAD_TOKEN", ""),
                         namespace=block.get("namespace", "*"), region=block.get("region", ""), tls=tls,
                         include_stopped=bool(block.get("include_stopped", False)),
                         concurrency=int(block.get("concurrency", 8)), change_log=block.get("change_log", ""))


class AuditService:
    """A running watcher owned by the proxy. Build it with :meth:`start`; :meth:`stop` on shutdown."""

    def __init__(self, proxy: Any, settings: AuditSettings) -> None:
        self.proxy = proxy
        self.settings = settings
        self.metrics = AuditMetrics()
        self.changelog = ChangeLog(settings.change_log) if settings.change_log else None
        self.client = NomadClient(settings)
        self._evaluator: Evaluator | None = None
        self.watcher = Watcher(self.client, self.evaluator, settings, metrics=self.metrics, changelog=self.changelog)
        self.task: asyncio.Task | None = None

    @classmethod
    async def start(cls, proxy: Any) -> AuditService | None:
        """The service for the proxy's ``audit`` block, started; None when there is no (enabled) block."""
        try:
            block = proxy.state.engine.config.audit
        except AttributeError:  # no engine (a pass-through-only proxy) or a stand-in without a configuration
            block = None
        if block is None or block.get("enabled") is False:
            return None
        try:
            service = cls(proxy, settings_for_proxy(proxy.state.settings, block))
            await service.client.open()
        except (SettingsError, OSError) as exc:
            log.error("audit: not started: %s", exc)
            return None
        log.addFilter(ScrubFilter(service.settings))
        proxy.metrics.collectors.append(service.metrics.render)
        service.task = asyncio.get_running_loop().create_task(service.run())
        log.warning("audit: watching the jobs of %s (namespace %r)", service.settings.address,
                    service.settings.namespace)
        return service

    def evaluator(self) -> Evaluator:
        """An evaluator around the proxy's current engine (a new one after each reload)."""
        engine = self.proxy.state.engine
        if self._evaluator is None or self._evaluator.engine is not engine:
            self._evaluator = Evaluator(engine, self.settings.host, self.settings.region)
        return self._evaluator

    async def run(self) -> None:
        attempt = 0
        while True:
            try:
                await self.watcher.run()
            except AuditError as exc:
                self.metrics.count("api_errors", "start")
                wait = backoff(min(attempt, 6)) + attempt
                log.error("audit: %s; retrying in %.0f s", self.settings.scrub(str(exc)), wait)
                attempt = min(attempt + 1, 30)
                await asyncio.sleep(wait)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down: nothing left to report to
                pass
        await self.client.close()
        for f in [f for f in log.filters if isinstance(f, ScrubFilter) and f.settings is self.settings]:
            log.removeFilter(f)
        if self.changelog is not None:
            self.changelog.close()
