"""``jobguard audit --watch`` in a terminal: the live table, change lines, report files, the metrics endpoint.

What goes where: on a terminal stdout shows the live table (redrawn at most every ``REDRAW_S``); otherwise one
line per change. ``--change-log`` writes JSON lines (``-``: stdout, and then nothing else goes there);
``--output FORMAT=PATH`` reports are rewritten after changes; ``--metrics-listen`` serves ``/metrics``;
diagnostics go to stderr through :mod:`logging`, with every secret scrubbed. SIGINT/SIGTERM stop the watch with
exit 0; a first audit that cannot be done (unreachable, 403) is exit 2.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import tempfile
import time
from typing import Any, TextIO

from jobguard.audit.changelog import ChangeLog
from jobguard.audit.client import AuditError, NomadClient
from jobguard.audit.evaluate import Evaluator
from jobguard.audit.metrics import AuditMetrics
from jobguard.audit.settings import AuditSettings, ScrubFilter, SettingsError
from jobguard.audit.table import Change
from jobguard.audit.watch import Watcher

log = logging.getLogger("jobguard.audit")
REDRAW_S = 0.25
REWRITE_S = 1.0


def configure_logging(level: str, settings: AuditSettings, stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ScrubFilter(settings))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper()))


class Display:
    """Shows changes: a redrawn table on a terminal, else one line per change."""

    def __init__(self, watcher: Watcher, stream: TextIO, live: bool, enabled: bool = True) -> None:
        self.watcher = watcher
        self.stream = stream
        self.live = live
        self.enabled = enabled
        self._drawn = 0.0
        self._pending: asyncio.TimerHandle | None = None

    def __call__(self, change: Change | None) -> None:
        if not self.enabled:
            return
        if not self.live:
            if change is not None:
                self.stream.write(change_line(change) + "\n")
                self.stream.flush()
            return
        wait = REDRAW_S - (time.monotonic() - self._drawn)
        if wait <= 0:
            self.draw()
        elif self._pending is None:
            self._pending = asyncio.get_running_loop().call_later(wait, self.draw)

    def draw(self) -> None:
        self._pending = None
        self._drawn = time.monotonic()
        if not self.watcher.ready.is_set():
            return
        metrics = self.watcher.metrics
        header = (f"jobguard audit --watch  {self.watcher.settings.address}  {len(self.watcher.table.entries)} jobs, "
                  f"{len(metrics.blocking_jobs)} blocking  index {metrics.last_index}  stream "
                  f"{'connected' if metrics.connected else 'reconnecting'}  {time.strftime('%H:%M:%S')}")
        self.stream.write("\x1b[H\x1b[2J" + self.watcher.table.render(header))
        self.stream.flush()


def change_line(change: Change) -> str:
    """``default/web v4: violating, 1 blocking, 2 advisory (+no-raw-exec, -no-latest-tag)``."""
    name = f"{change.key[0]}/{change.key[1]}" + (f" v{change.version}" if change.version is not None else "")
    delta = [f"+{a['check']}" for a in change.added] + [f"-{r['check']}" for r in change.resolved]
    text = f"{name}: {change.status}, {change.blocking} blocking, {change.advisory} advisory"
    return text + (f" ({', '.join(delta)})" if delta else "")


class ReportFiles:
    """``--output FORMAT=PATH`` reports of the current table, rewritten at most every ``REWRITE_S``."""

    def __init__(self, watcher: Watcher, reporters: list[tuple[Any, str]]) -> None:
        self.watcher = watcher
        self.reporters = reporters
        self._pending: asyncio.TimerHandle | None = None

    def __call__(self, change: Change | None) -> None:
        if self.reporters and change is not None and self._pending is None:
            self._pending = asyncio.get_running_loop().call_later(REWRITE_S, self.write)

    def write(self) -> None:
        self._pending = None
        result = self.watcher.report()
        for reporter, path in self.reporters:
            try:
                if path == "-":
                    continue  # stdout belongs to the live table / change lines
                replace_file(path, reporter.render(result))
            except OSError as exc:
                log.error("cannot write report %s: %s", path, exc.strerror or exc)


def replace_file(path: str, text: str) -> None:
    """Write ``text`` to ``path`` atomically: a reader of a watched report (a dashboard, a CI step) sees the previous
    report or the new one, never a truncated file. The temporary file sits next to ``path`` so the rename stays on
    one filesystem."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


async def serve_metrics(metrics: AuditMetrics, listen: str) -> Any:
    """``GET /metrics`` on ``HOST:PORT``; returns the runner (``await runner.cleanup()``)."""
    from aiohttp import web

    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit():
        raise SettingsError(f"--metrics-listen {listen!r}: expected HOST:PORT, e.g. 127.0.0.1:9464")

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=metrics.render(), content_type="text/plain", charset="utf-8")

    app = web.Application()
    app.router.add_get("/metrics", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host.strip("[]"), int(port)).start()
    except OSError as exc:
        await runner.cleanup()
        raise SettingsError(f"--metrics-listen {listen}: {exc.strerror or exc}") from None
    return runner


def watch_main(evaluator: Evaluator, settings: AuditSettings, fail_on: str, reporters: list[tuple[Any, str]],
               color: bool, metrics_listen: str | None, log_level: str) -> int:
    """Run the watch until SIGINT/SIGTERM. Returns the exit code."""
    configure_logging(log_level, settings)
    try:
        return asyncio.run(_watch(evaluator, settings, fail_on, reporters, metrics_listen))
    except (AuditError, SettingsError) as exc:
        sys.stderr.write(f"jobguard audit: {settings.scrub(str(exc))}\n")
        return 2


async def _watch(evaluator: Evaluator, settings: AuditSettings, fail_on: str, reporters: list[tuple[Any, str]],
                 metrics_listen: str | None) -> int:
    changelog = ChangeLog(settings.change_log) if settings.change_log else None
    metrics = AuditMetrics()
    runner = await serve_metrics(metrics, metrics_listen) if metrics_listen else None
    try:
        async with NomadClient(settings) as client:
            watcher = Watcher(client, lambda: evaluator, settings, fail_on, metrics, changelog)
            display = Display(watcher, sys.stdout, live=sys.stdout.isatty(), enabled=settings.change_log != "-")
            files = ReportFiles(watcher, reporters)

            def on_change(change: Change | None) -> None:
                display(change)
                files(change)

            watcher.on_change = on_change
            task = asyncio.ensure_future(watcher.run())
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(sig, task.cancel)
                except (NotImplementedError, RuntimeError):
                    pass
            ready = asyncio.ensure_future(watcher.ready.wait())
            await asyncio.wait([task, ready], return_when=asyncio.FIRST_COMPLETED)
            if watcher.ready.is_set():
                if display.live and display.enabled:
                    display.draw()
                files.write()
                log.info("watching %d job(s) from index %d", len(watcher.table.entries), watcher.index)
            try:
                await task
            except asyncio.CancelledError:
                return 0
            finally:
                ready.cancel()
                if files.reporters:
                    files.write()
            return 0
    finally:
        if changelog is not None:
            changelog.close()
        if runner is not None:
            await runner.cleanup()
