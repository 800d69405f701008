"""The per-file time budget of ``jobguard check``: a file that takes too long is reported, and the run goes on.

Two mechanisms, because neither covers everything alone:

* the loader checks the deadline wherever it spends (function calls, ``for`` iterations, templates), so a slow
  file stops at a known place and the error carries its line and column -- in any thread;
* a timer signal interrupts whatever else runs (the parser, rules, policies) when this is the main thread of
  its process, as it is with ``--jobs 1`` and in every ``--jobs N`` worker. ``SIGPROF`` fires after the budget
  in CPU time (a loaded machine does not fail files); ``SIGALRM`` after several times the budget in wall time,
  for a read that blocks.

The budget counts CPU seconds of the process checking the file: load and evaluation together.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from jobguard.jobspec.limits import FileTimeout, time_budget, timeout_error

T = TypeVar("T")

#: The wall-clock backstop, as a multiple of the CPU budget.
WALL_FACTOR = 6


def _can_use_signals() -> bool:
    return (threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
            and hasattr(signal, "SIGPROF"))


@contextmanager
def _timers(seconds: float) -> Iterator[None]:
    """Raise :class:`FileTimeout` from the timer signals while the block runs (main thread only)."""
    def expire(signum: int, frame: object) -> None:
        raise timeout_error(seconds)

    previous = {sig: signal.signal(sig, expire) for sig in (signal.SIGPROF, signal.SIGALRM)}
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds * WALL_FACTOR)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_within(seconds: float | None, work: Callable[[], T], on_timeout: Callable[[FileTimeout], T]) -> T:
    """``work()``, or ``on_timeout(error)`` when it runs out of its ``seconds`` (None or 0: no budget)."""
    if not seconds or seconds <= 0:
        return work()
    try:
        with time_budget(seconds):
            if not _can_use_signals():
                return work()
            with _timers(seconds):
                return work()
    except FileTimeout as exc:  # also a signal that lands while the timers are being stopped
        return on_timeout(exc)
