"""Policy evaluation off the event loop: a pool of worker processes with a hard per-request deadline.

Why processes: a policy is code, and a job can make it run for as long as it likes (a backtracking regex inside
C code never returns to Python, so no in-process budget can interrupt it, and a stuck thread cannot be stopped).
The event loop only ever waits on a socket; when a request's deadline passes, the worker evaluating it is
killed (SIGKILL) and replaced, and the request gets the fail-closed answer (or fail-open, if configured).
Health checks, metrics and pass-through traffic never wait for evaluation, and SIGTERM is handled at once.

Workers are forked from a fork server (:func:`~jobguard.proxy.worker_main.zygote`) that has imported the
engine once, so a replacement is ready in milliseconds plus the time to build its engine. Engines are built in
each worker from the validated :class:`~jobguard.proxy.snapshot.Snapshot` of the engine the parent holds (a
"generation"); an engine without a snapshot (a test double) is evaluated in a thread instead, still under the
deadline but not killable.

Waiting for a free worker counts against the deadline too: when every worker is stuck, requests are answered
at their deadline instead of queueing without bound.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any

from jobguard.proxy import worker_main
from jobguard.proxy.snapshot import Snapshot, snapshot_of

log = logging.getLogger("jobguard.proxy.workers")

#: extra time a probe gets for the worker to build the new engine first
BUILD_ALLOWANCE_S = 60.0
KEEP_GENERATIONS = 4


class EvaluationTimeout(Exception):
    """The evaluation did not finish within the deadline (the worker was stopped)."""


class EvaluationFailed(Exception):
    """The worker could not evaluate (it died, or could not build the engine)."""


class _Worker:
    __slots__ = ("pid", "reader", "writer", "gens", "expired")

    def __init__(self, pid: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.pid = pid
        self.reader = reader
        self.writer = writer
        self.gens: set[int] = set()
        self.expired = False

    def kill(self) -> None:
        """SIGKILL (the fork server reaps it); closing the socket ends any read waiting on it at once."""
        if self.pid and not self.writer.is_closing():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:  # already gone
                pass
        self.writer.close()


class ForkServer:
    """The process-wide fork server (one per proxy process, shared by every pool; tests start many pools).

    Started on first use; it exits when this process closes its end of the control socket, at the latest when
    this process exits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        code = f"from jobguard.proxy.worker_main import zygote; zygote({theirs.fileno()})"
        self._proc = subprocess.Popen([sys.executable, "-c", code], pass_fds=(theirs.fileno(),),
                                      stdin=subprocess.DEVNULL, close_fds=True)
        theirs.close()
        self._control = ours

    def fork(self) -> tuple[int, int]:
        """A new worker: (pid, fd of our end of its socket). Blocking; restarts a fork server that died."""
        with self._lock:
            for attempt in (1, 2):
                if self._control is None:
                    self._start()
                try:
                    self._control.sendall(b"f")
                    data, fds, _, _ = socket.recv_fds(self._control, worker_main.HEADER.size, 1)
                    if len(data) == worker_main.HEADER.size and fds:
                        return worker_main.HEADER.unpack(data)[0], fds[0]
                except OSError:
                    pass
                if attempt == 1:
                    log.error("the evaluation fork server stopped; starting it again")
                self._stop()
        raise EvaluationFailed("cannot start an evaluation worker")

    def _stop(self) -> None:
        control, proc, self._control, self._proc = self._control, self._proc, None, None
        if control is not None:
            control.close()
        if proc is not None:
            try:
                proc.wait(2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(2)


FORK_SERVER = ForkServer()


class WorkerPool:
    """``size`` worker processes; :meth:`evaluate` runs ``engine.evaluate`` in one of them within ``timeout``."""

    def __init__(self, size: int, timeout: float) -> None:
        self.size = max(1, size)
        self.timeout = timeout
        self.stopped_workers = 0  #: workers killed at a deadline (exposed in metrics)
        self.timeouts = 0
        self._free: deque[_Worker] = deque()
        self._waiters: deque[asyncio.Future[_Worker]] = deque()
        self._workers: set[_Worker] = set()  #: ready to evaluate (engine built)
        self._starting: set[_Worker] = set()
        self._gens: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
        self._specs: dict[int, tuple[dict[str, Any], Snapshot]] = {}
        self._next_gen = 1
        self._current: int | None = None  #: the generation being served (workers build it when they start)
        self._threads_only = False
        self._closing = False
        self._tasks: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> None:
        if not hasattr(socket, "send_fds"):  # not POSIX: evaluate in threads (deadline kept, not killable)
            log.warning("evaluation worker processes need POSIX; evaluating in threads instead")
            self._threads_only = True
            return
        await asyncio.gather(*(self._add_worker() for _ in range(self.size)))

    async def _add_worker(self) -> None:
        loop = asyncio.get_running_loop()
        pid, fd = await loop.run_in_executor(None, FORK_SERVER.fork)
        reader, writer = await asyncio.open_unix_connection(sock=socket.socket(fileno=fd), limit=1 << 26)
        worker = _Worker(pid, reader, writer)
        self._starting.add(worker)
        try:
            if self._current is not None and not self._closing:  # build the engine before taking requests
                await self._exchange(worker, self._current, ("ping", self._current), loop.time())
        except (asyncio.IncompleteReadError, ConnectionError, OSError, KeyError):
            worker.kill()
            if not self._closing:
                self._spawn_soon()
            return
        finally:
            self._starting.discard(worker)
        if self._closing:
            worker.kill()
            return
        self._workers.add(worker)
        self._put(worker)

    async def close(self) -> None:
        """Stop every worker now (in-flight evaluations fail; the server has stopped taking requests)."""
        self._closing = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(EvaluationFailed("jobguard is shutting down"))
        for worker in [*self._workers, *self._starting]:
            worker.kill()
        self._workers.clear()
        self._free.clear()
        tasks = list(self._tasks)  # warm-ups and replacements still under way
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    @property
    def alive(self) -> int:
        """Workers ready to evaluate (a replacement counts once it has built its engine)."""
        return len(self._workers)

    # ------------------------------------------------------------------ free list
    def _put(self, worker: _Worker) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._free.append(worker)

    async def _acquire(self, deadline: float) -> _Worker:
        if self._free:
            return self._free.popleft()
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[_Worker] = loop.create_future()
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), max(0.0, deadline - loop.time()))
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._put(waiter.result())  # handed over just as we gave up: pass it on
            else:
                waiter.cancel()
            raise

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        self._workers.discard(worker)
        if not self._closing:
            self._spawn_soon()

    def _spawn_soon(self) -> None:
        task = asyncio.get_running_loop().create_task(self._add_worker())
        self._tasks.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._tasks.discard(t)
            if not t.cancelled() and t.exception() is not None and not self._closing:
                log.error("could not start an evaluation worker: %s", t.exception())

        task.add_done_callback(done)

    # ------------------------------------------------------------------ generations
    def generation(self, engine: Any) -> int | None:
        """The generation number of ``engine`` (registering it), or None when it cannot be rebuilt in a worker."""
        if self._threads_only:
            return None
        try:
            gen = self._gens.get(engine)
        except TypeError:
            return None
        if gen is not None:
            return gen
        snapshot = snapshot_of(engine)
        if snapshot is None:
            return None
        args = dict(engine.load_args)
        config_path = engine.config.path
        if config_path:  # the file the engine found, not a search from the worker's directory
            args["config_path"] = config_path
        gen, self._next_gen = self._next_gen, self._next_gen + 1
        self._gens[engine] = gen
        self._specs[gen] = (args, snapshot)
        for old in sorted(self._specs)[:-KEEP_GENERATIONS]:
            del self._specs[old]
        return gen

    # ------------------------------------------------------------------ requests
    async def evaluate(self, engine: Any, loaded: Any, policy_override: bool, context: Any) -> Any:
        """``engine.evaluate(loaded, policy_override=..., context=...)`` in a worker, within the deadline."""
        gen = self.generation(engine)
        if gen is None or self._closing:
            return await self._in_thread(lambda: engine.evaluate(loaded, policy_override=policy_override,
                                                                 context=context), self.timeout)
        reply = await self._run(gen, ("eval", gen, loaded, policy_override, context), self.timeout)
        return reply[1]

    async def judge(self, engine: Any, job: Any, placement: tuple[str, str], policy_override: bool,
                    context: Any) -> tuple[str, Any, Any]:
        """:func:`~jobguard.proxy.worker_main.judge` (load, canonicalise, evaluate) in a worker, in one round
        trip, within the deadline."""
        gen = self.generation(engine)
        if gen is None or self._closing:
            return await self._in_thread(lambda: worker_main.judge(engine, job, placement, policy_override,
                                                                   context), self.timeout)
        reply = await self._run(gen, ("judge", gen, job, placement, policy_override, context), self.timeout)
        return reply[1]

    async def probe(self, engine: Any, jobs: list[tuple[str, str]]) -> list[tuple[str, list[str], list[str]]]:
        """Evaluate probe jobs (name, HCL or JSON text) with ``engine``: (name, errors, blocking) each."""
        gen = self.generation(engine)
        timeout = self.timeout * max(1, len(jobs)) + BUILD_ALLOWANCE_S
        if gen is None:
            return await self._in_thread(lambda: worker_main.probe(engine, jobs), timeout)
        reply = await self._run(gen, ("probe", gen, jobs), timeout)
        return reply[1]

    def warm(self, engine: Any) -> None:
        """Have every worker build ``engine`` now, in the background, rather than on its next request."""
        gen = self.generation(engine)
        if gen is None:
            return
        self._current = gen
        for _ in range(self.size):
            task = asyncio.get_running_loop().create_task(self._run(gen, ("ping", gen), BUILD_ALLOWANCE_S))
            self._tasks.add(task)
            task.add_done_callback(lambda t: (self._tasks.discard(t), t.cancelled() or t.exception()))

    async def _run(self, gen: int, message: tuple[Any, ...], timeout: float) -> tuple[Any, ...]:
        """Send ``message`` to a free worker; the answer, or :class:`EvaluationTimeout` at ``timeout`` seconds.

        The request's deadline and the worker's are not the same thing: a worker still building the engine
        (after a reload or a restart) is given :data:`BUILD_ALLOWANCE_S` for that, while the request is
        answered at its deadline regardless; a worker *evaluating* past the deadline is killed.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await self._acquire(deadline)
        except asyncio.TimeoutError:
            self.timeouts += 1
            raise EvaluationTimeout(f"no evaluation worker became free within {timeout:g}s") from None
        exchange = loop.create_task(self._exchange(worker, gen, message, deadline))
        exchange.add_done_callback(lambda t: self._finished(worker, t))
        try:
            reply = await asyncio.wait_for(asyncio.shield(exchange), max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            self.timeouts += 1
            raise EvaluationTimeout(f"evaluation did not finish within {timeout:g}s") from None
        except (asyncio.IncompleteReadError, ConnectionError, OSError, EOFError) as exc:
            if worker.expired:
                self.timeouts += 1
                raise EvaluationTimeout(f"evaluation did not finish within {timeout:g}s; its worker was "
                                        "stopped") from None
            raise EvaluationFailed(f"evaluation worker failed: {type(exc).__name__}") from None
        if reply[0] == "error":
            raise EvaluationFailed(reply[1])
        return reply

    async def _exchange(self, worker: _Worker, gen: int, message: tuple[Any, ...],
                        deadline: float) -> tuple[Any, ...]:
        loop = asyncio.get_running_loop()
        if gen not in worker.gens:
            args, snapshot = self._specs[gen]
            timer = loop.call_later(BUILD_ALLOWANCE_S, self._expire, worker)
            try:
                reply = await self._roundtrip(worker, ("engine", gen, args, snapshot))
            finally:
                timer.cancel()
            if reply[2] is not None:
                return "error", f"could not build the policy engine: {reply[2]}"
            worker.gens.add(gen)
        if message[0] == "ping":
            return ("pong",)
        if loop.time() >= deadline:  # the request has been answered (timed out) while the engine was built
            return ("late",)
        timer = loop.call_at(deadline, self._expire, worker)
        try:
            return await self._roundtrip(worker, message)
        finally:
            timer.cancel()

    @staticmethod
    async def _roundtrip(worker: _Worker, message: tuple[Any, ...]) -> tuple[Any, ...]:
        import pickle

        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        worker.writer.write(worker_main.HEADER.pack(len(data)) + data)
        (size,) = worker_main.HEADER.unpack(await worker.reader.readexactly(worker_main.HEADER.size))
        return pickle.loads(await worker.reader.readexactly(size))

    def _expire(self, worker: _Worker) -> None:
        worker.expired = True
        self.stopped_workers += 1
        log.error("evaluation exceeded its deadline: stopping worker pid %s and starting a new one", worker.pid)
        worker.kill()  # the pending read sees EOF at once; the replacement is started by _finished

    def _finished(self, worker: _Worker, exchange: asyncio.Task[Any]) -> None:
        if not exchange.cancelled() and exchange.exception() is None and not worker.expired:
            if not self._closing:
                self._put(worker)
        else:
            self._retire(worker)

    async def _in_thread(self, call: Callable[[], Any], timeout: float) -> Any:
        try:
            return await asyncio.wait_for(asyncio.get_running_loop().run_in_executor(None, call), timeout)
        except asyncio.TimeoutError:
            self.timeouts += 1
            raise EvaluationTimeout(f"evaluation did not finish within {timeout:g}s") from None


def default_workers() -> int:
    """One worker per CPU, at least 2 (one stuck worker must not stall every submission), at most 8."""
    return max(2, min(8, os.cpu_count() or 2))
