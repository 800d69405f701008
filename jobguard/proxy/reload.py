"""Hot reload of jobguard.hcl and the policies, on SIGHUP and when a watched file changes.

The new engine is built completely before it replaces the old one, from one atomic reading of every file
(snapshot.py), and validated (reloadcheck.py: no empty file, every policy has main, nothing silently dropped,
probe jobs still pass); if anything fails the old engine keeps serving, and the reason (file:line:col where
known) is logged, shown as ``last_reload_error`` in health and counted in metrics. A watched file must stay
unchanged for one polling interval before it is read, so a writer is usually done by then. Settings that are
bound at start-up (listen address, TLS, upstream, workers) are not changed by a reload; the log says a restart
is needed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from pathlib import Path
from typing import Any
from collections.abc import Callable

from jobguard.engine import Engine, sources
from jobguard.proxy import reloadcheck
from jobguard.proxy.settings import ProxySettings
from jobguard.proxy.snapshot import Recording, remember

log = logging.getLogger("jobguard.proxy")

RESTART_ONLY = ("listen", "upstream", "tls_cert", "tls_key", "tls_client_ca", "upstream_ca", "upstream_client_cert",
                "upstream_client_key", "decision_log", "workers", "write_timeout", "shutdown_grace")
WATCH_SUFFIXES = (".hcl", ".sentinel", ".json")
MAX_WATCHED = 5000


def load_engine(config_path: str | None, extra_policies: tuple[str, ...] = (), only: tuple[str, ...] = (),
                skip: tuple[str, ...] = ()) -> Engine:
    """The CLI's engine for this config (raises the engine's ``ConfigError`` on a broken config).

    Every file is read once and atomically; what was read is kept as the engine's snapshot, from which the
    evaluation workers build theirs (see snapshot.py).
    """
    start_dir = str(Path(config_path).parent) if config_path else "."
    recording = Recording()
    with sources.using(recording):
        engine = Engine.load(config_path=config_path, start_dir=start_dir, extra_policies=list(extra_policies),
                             only=list(only) or None, skip=list(skip) or None)
    remember(engine, recording.snapshot)
    return engine


def proxy_block(engine: Engine) -> dict[str, Any]:
    """The configuration's ``proxy { }`` block (kept as a function: ``jobguard serve`` imports it)."""
    return engine.proxy_block()


class EngineState:
    """The live engine and settings; ``reload()`` swaps both atomically or not at all."""

    def __init__(self, engine: Engine | None, settings: ProxySettings, overrides: dict[str, Any],
                 loader: Callable[[], Engine], on_reload: Callable[[bool], None] = lambda ok: None) -> None:
        self.engine = engine
        self.settings = settings
        self.overrides = overrides
        self.loader = loader
        self.on_reload = on_reload
        self.last_error = ""
        self.pool: Any = None  #: the proxy's WorkerPool (probe jobs run there, under its deadline)
        self.probe_baseline: set[str] | None = None
        self._lock = asyncio.Lock()
        self._snapshot = self.snapshot()
        self._watch_task: asyncio.Task | None = None

    async def reload(self, why: str) -> bool:
        async with self._lock:
            loop = asyncio.get_running_loop()
            try:
                engine = await loop.run_in_executor(None, self.loader)
                settings = ProxySettings().merged(proxy_block(engine), self.overrides)
                problems = settings.validate() or reloadcheck.static_problems(self.engine, engine)
                if problems:
                    raise reloadcheck.ReloadRefused("; ".join(problems))
                await self._probe(engine, settings)
            except Exception as exc:  # keep serving with the old engine
                self.last_error = _explain(exc)
                log.error("reload (%s) refused, keeping the previous configuration: %s", why, self.last_error)
                self._snapshot = self.snapshot()
                self.on_reload(False)
                return False
            for name in RESTART_ONLY:
                if getattr(settings, name) != getattr(self.settings, name):
                    log.warning("reload: %s changed; it takes effect only after a restart", name)
                    settings = _keep(settings, self.settings, name)
            self.engine, self.settings, self.last_error = engine, settings, ""
            self._snapshot = self.snapshot()
            log.info("reloaded configuration and policies (%s); fingerprint %s", why, _fingerprint(engine))
            self.on_reload(True)
            return True

    async def _probe(self, engine: Engine, settings: ProxySettings) -> None:
        """Run the probe jobs on the new engine in a worker (a probe can hang like any job); raise
        :class:`~jobguard.proxy.reloadcheck.ReloadRefused` when it is worse than the running one."""
        if self.pool is None:
            return
        jobs = await asyncio.get_running_loop().run_in_executor(None, reloadcheck.probe_jobs, settings, engine)
        if self.probe_baseline is None:
            self.probe_baseline = await self.baseline()
        results = await self.pool.probe(engine, [(reloadcheck.BUILTIN_NAME, reloadcheck.BUILTIN_PROBE), *jobs])
        problems = reloadcheck.judge_probes(results, self.probe_baseline)
        if problems:
            raise reloadcheck.ReloadRefused("; ".join(problems))
        self.probe_baseline = {e for name, errors, _ in results if name == reloadcheck.BUILTIN_NAME for e in errors}

    async def baseline(self) -> set[str] | None:
        """The running engine's errors on the built-in probe job (None when it cannot be probed)."""
        try:
            results = await self.pool.probe(self.engine, [(reloadcheck.BUILTIN_NAME, reloadcheck.BUILTIN_PROBE)])
        except Exception as exc:  # the running set is what it is; a new one is then held to "no errors"
            log.warning("could not evaluate the built-in probe job with the running configuration: %s", exc)
            return None
        return {e for _, errors, _ in results for e in errors}

    async def check_startup(self) -> None:
        """At start-up the operator's probe jobs must be allowed (raises ReloadRefused). The built-in probe's
        baseline is taken at the first reload."""
        if self.pool is None or self.engine is None:  # no engine: a pass-through proxy has nothing to probe
            return
        jobs = await asyncio.get_running_loop().run_in_executor(None, reloadcheck.probe_jobs, self.settings,
                                                                self.engine)
        if jobs:
            problems = reloadcheck.judge_probes(await self.pool.probe(self.engine, jobs), set())
            if problems:
                raise reloadcheck.ReloadRefused("; ".join(problems))

    # ------------------------------------------------------------------ watching
    def watched(self) -> list[Path]:
        """The config file, every policy and module file the engine loaded, and the ``--policy`` paths (directories with
        the policy files in them, so that added files are noticed too)."""
        files: list[Path] = []
        engine = self.engine  # None only for a proxy that passes everything through (tests)
        if (engine is None or engine.config_file is None) and self.settings.config_path:
            files.append(Path(self.settings.config_path))  # not there yet: watch for it to appear
        files += [Path(path) for path in (engine.source_files() if engine is not None else ())]
        for root in map(Path, self.settings.extra_policies):
            files.append(root)
            if root.is_dir():
                for dirpath, dirnames, filenames in os.walk(root):
                    dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                    files.append(Path(dirpath))
                    files += [Path(dirpath, f) for f in filenames if f.endswith(WATCH_SUFFIXES)]
                    if len(files) > MAX_WATCHED:
                        break
        return files

    def snapshot(self) -> dict[str, tuple[int, int]]:
        out = {}
        for path in self.watched():
            try:
                st = path.stat()
            except OSError:
                continue
            out[str(path)] = (st.st_mtime_ns, st.st_size)
        return out

    async def _watch(self, interval: float) -> None:
        pending: dict[str, tuple[int, int]] | None = None
        while True:
            await asyncio.sleep(interval)
            current = await asyncio.get_running_loop().run_in_executor(None, self.snapshot)
            if current == self._snapshot:
                pending = None
            elif current != pending:  # still changing: wait until the files stay put for one interval
                pending = current
            else:
                changed = sorted(set(current.items()) ^ set(self._snapshot.items()))
                pending = None
                await self.reload(f"file change: {changed[0][0] if changed else '?'}")

    def start(self, interval: float) -> None:
        loop = asyncio.get_running_loop()
        try:
            loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(self.reload("SIGHUP")))
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread / not POSIX
            log.debug("SIGHUP reload unavailable in this thread")
        if interval > 0:
            self._watch_task = loop.create_task(self._watch(interval))

    async def stop(self) -> None:
        try:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
        if self._watch_task is not None:
            self._watch_task.cancel()


def _keep(new: ProxySettings, old: ProxySettings, name: str) -> ProxySettings:
    from dataclasses import replace

    return replace(new, **{name: getattr(old, name)})


def _fingerprint(engine: Engine) -> str:
    try:
        return str(engine.fingerprint())[:16]
    except Exception:  # fingerprint is informational only
        return "?"


def _explain(exc: BaseException) -> str:
    diagnostics = getattr(exc, "diagnostics", None)
    if diagnostics:
        return "; ".join(str(d) for d in diagnostics)
    return f"{type(exc).__name__}: {exc}"
