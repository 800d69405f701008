"""The evaluation worker processes of ``jobguard serve`` (see :mod:`jobguard.proxy.workers` for the parent side).

:func:`zygote` is a small fork server started with a fresh interpreter: it imports the engine once and forks a
warm worker whenever the proxy asks, handing the proxy one end of a new socket (SCM_RIGHTS) and the pid.
Forking from the proxy itself would copy a process with threads and held locks; ``multiprocessing``'s fork
server would re-run the proxy's ``__main__`` in every worker.

A worker owns nothing but engines: it builds them from the validated :class:`~jobguard.proxy.snapshot.Snapshot`
it is sent (never from the disk) and evaluates one job at a time. It may be killed at any moment by the parent
(a deadline passed), so it holds no state worth saving, and it dies with its parent.

Protocol on one stream socket, each message a 4-byte big-endian length and a pickle (the peer is the parent,
which created this process and the socket: nothing else can write to it):

* ``("engine", gen, load_args, snapshot)`` -> ``("ready", gen, error_or_None)``
* ``("eval", gen, loaded_job, policy_override, context)`` -> ``("result", result)`` or ``("error", text)``
* ``("judge", gen, api_job, placement, policy_override, context)`` -> ``("judged", verdict)`` (see :func:`judge`)
  or ``("error", text)``: load, canonicalise and evaluate a submitted job in one round trip
* ``("probe", gen, [(name, job_text), ...])`` -> ``("probed", [(name, errors, blocking), ...])``
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import os
import pickle
import signal
import socket
import struct
import sys
from typing import Any

HEADER = struct.Struct("!I")
KEEP_ENGINES = 2  # the current generation and the one before (requests in flight during a reload)

# Modules a fresh worker needs; the fork server imports them once so a replacement worker starts warm.
PRELOAD = ["jobguard.proxy.worker_main", "jobguard.engine.engine", "jobguard.lang", "jobguard.jobspec.apijson",
           "jobguard.jobspec.canonical", "jobguard.rules"]


def send(sock: socket.socket, message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(HEADER.pack(len(data)) + data)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket) -> Any:
    (size,) = HEADER.unpack(_recv_exactly(sock, HEADER.size))
    return pickle.loads(_recv_exactly(sock, size))


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when its parent (the fork server, which lives as long as the proxy) dies,
    so a worker stuck in C code can never outlive ``jobguard serve``."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def build(load_args: dict[str, Any], snapshot: Any) -> Any:
    """An engine from a snapshot (the proxy validated exactly these bytes)."""
    from jobguard.engine import Engine, sources
    from jobguard.proxy.snapshot import Replay

    with sources.using(Replay(snapshot)):
        return Engine.load(**load_args)


def probe(engine: Any, jobs: list[tuple[str, str]]) -> list[tuple[str, list[str], list[str]]]:
    """Evaluate each probe job (HCL or JSON text): (name, evaluation errors, blocking failures) per job."""
    from jobguard.jobspec import JobspecError, load_text

    out = []
    for name, text in jobs:
        try:
            loaded = load_text(text, filename=name)
        except JobspecError as exc:
            out.append((name, [f"cannot load the job: {exc}"[:1000]], []))
            continue
        result = engine.evaluate(loaded)
        blocking = result.blocking_findings("soft-mandatory")
        out.append((name, [str(e)[:1000] for e in result.errors], [f"{f.rule}: {f.message}"[:500] for f in blocking]))
    return out


def judge(engine: Any, job: Any, placement: tuple[str, str], policy_override: bool, context: Any
          ) -> tuple[str, Any, Any]:
    """Load the API-JSON ``job`` as the proxy received it, write Nomad's effective namespace and region
    (``placement``; a region "" leaves the job's own) into what policies see, and evaluate it.

    Returns ``("invalid", diagnostics, None)`` when the loader rejects the job, else ``("result", result,
    loaded.job)``: the job as loaded is what the proxy forwards. One call, so the proxy's event loop pays
    neither the load nor the pickling of the loaded job (its source map, canonical form and all).
    """
    from jobguard.jobspec import JobspecError, load_api_job

    try:
        loaded = load_api_job(job)
    except JobspecError as exc:
        return "invalid", [str(d) for d in exc.diagnostics] or [str(exc)], None
    namespace, region = placement
    loaded.canonical["Namespace"] = namespace  # Nomad sets these before its own checks
    if region:
        loaded.canonical["Region"] = region
    return "result", engine.evaluate(loaded, policy_override=policy_override, context=context), loaded.job


def serve(sock: socket.socket) -> None:
    """Answer the parent until it closes the socket."""
    engines: dict[int, Any] = {}
    while True:
        try:
            message = recv(sock)
        except (EOFError, OSError):
            return
        kind, gen = message[0], message[1]
        try:
            if kind == "engine":
                engines[gen] = build(message[2], message[3])
                gc.unfreeze()  # engines dropped below must be collectable
                for old in sorted(engines)[:-KEEP_ENGINES]:
                    del engines[old]
                gc.collect()
                gc.freeze()  # the engines live on: keep them out of full collections during evaluations
                reply: Any = ("ready", gen, None)
            elif kind == "eval":
                _, _, loaded, override, context = message
                reply = ("result", engines[gen].evaluate(loaded, policy_override=override, context=context))
            elif kind == "judge":
                _, _, job, placement, override, context = message
                reply = ("judged", judge(engines[gen], job, placement, override, context))
            elif kind == "probe":
                reply = ("probed", probe(engines[gen], message[2]))
            else:
                reply = ("error", f"unknown request {kind!r}")
        except Exception as exc:  # reported to the parent, which fails the request closed
            text = getattr(exc, "diagnostics", None)
            detail = "; ".join(str(d) for d in text) if text else f"{type(exc).__name__}: {exc}"
            reply = ("ready", gen, detail) if kind == "engine" else ("error", detail[:2000])
        try:
            send(sock, reply)
        except OSError:
            return


def main(sock: socket.socket) -> None:
    """Entry point of a worker process."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        serve(sock)
    finally:
        sock.close()
        os._exit(0)


def _warm_up() -> None:
    """Evaluate one job with the built-in rules, so that what rules load lazily on first use (detect-secrets'
    detectors, compiled patterns) is loaded here once and every forked worker starts with it."""
    try:
        from jobguard.engine import Engine
        from jobguard.jobspec import load_text
        from jobguard.proxy.reloadcheck import BUILTIN_PROBE

        Engine.load(config_path=None, start_dir=os.sep).evaluate(load_text(BUILTIN_PROBE, filename="<warm-up>"))
    except Exception:  # noqa: BLE001 - only a head start; a worker loads whatever is missing itself
        pass


def zygote(control_fd: int) -> None:
    """The fork server. Each byte received on ``control_fd`` asks for a worker; the answer is the worker's pid
    (4 bytes) with the proxy's end of the worker's socket attached. Exits when the proxy closes its end, which
    the kernel does when the proxy dies (no PR_SET_PDEATHSIG here: it fires when the *thread* that started this
    process ends, and the proxy starts it from a helper thread). Workers die with this process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # workers are reaped by the kernel when they exit
    for name in PRELOAD:
        importlib.import_module(name)
    _warm_up()
    control = socket.socket(fileno=control_fd)
    while True:
        try:
            if not control.recv(1):
                os._exit(0)
        except OSError:
            os._exit(0)
        parent_end, child_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            control.close()
            parent_end.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            main(child_end)
        child_end.close()
        try:
            socket.send_fds(control, [HEADER.pack(pid)], [parent_end.fileno()])
        except OSError:
            os._exit(0)
        finally:
            parent_end.close()
