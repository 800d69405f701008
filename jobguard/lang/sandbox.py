"""Evaluation limits: a policy is untrusted code (and reads untrusted jobs), so every evaluation runs under a budget.

What is bounded, and why each bound exists:

* **steps** (loop iterations and quantifier elements, charged per collection up front, and function calls): a
  runaway loop stops deterministically, at the same step in both backends;
* **time** (one deadline per evaluation, shared by the fast path and the closure re-run that reports an error):
  catches everything the counters below do not model exactly;
* **call depth** protects the Python stack; **print output** keeps a chatty policy from filling memory;
* **integer size** (bits of an int result): squaring a number 30 times would otherwise take minutes and gigabytes;
* **value size** (characters of one string, elements of one list or map a policy builds): doubling a string or a
  list 30 times is stopped at the first result over the limit, before the allocation;
* **work** (approximate bytes of every value the policy builds: literals, concatenations, builtin and import
  results): memory is bounded even when each value is small but the policy keeps many of them;
* **memory** (growth of the process's resident memory since the evaluation's first check point, read at each
  clock check where the OS tells it): a backstop for what the work estimate does not model (interpreter objects
  such as scopes and closures).

Operations that only *read* data (a substring or list search, a regex match, a deep comparison) do not count as
work but :meth:`Budget.tick` the clock check, so the deadline is seen within a bounded amount of reading.

Runtime helpers and import functions find the budget of the evaluation running on their thread with
:func:`current` (no context is passed to them); both backends charge through the same helpers, so a policy that
exceeds a limit fails in both. There is no I/O and no attribute access into Python objects: selectors only read
dict keys and :class:`SentinelObject` attributes.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from jobguard.lang.errors import RuntimeFault


@dataclass(frozen=True)
class Limits:
    max_steps: int = 2_000_000       # loop iterations, quantifier elements, function calls
    max_seconds: float = 5.0
    max_depth: int = 200             # nested function / rule evaluation
    max_output: int = 1_000_000      # bytes of print() output
    max_int_bits: int = 4096         # bit length of an integer result
    max_size: int = 4_000_000        # characters of one string / elements of one list or map built by the policy
    max_work: int = 96_000_000       # approximate bytes of all values the policy builds
    max_memory: int = 200 << 20      # growth of resident memory during the evaluation (backstop)

    def __post_init__(self) -> None:
        # first check points, computed once per Limits (a budget is created for every policy and job)
        object.__setattr__(self, "first_step_check", min(_CHECK_EVERY, self.max_steps))
        object.__setattr__(self, "first_work_check", min(_WORK_CHECK_EVERY, self.max_work))


_CHECK_EVERY = 1024          # steps between clock checks
_WORK_CHECK_EVERY = 1 << 20  # bytes of work between clock checks
_TICK_EVERY = 4 << 20        # units read (characters, elements) between clock checks
SMALL_INT = (1 << 64) - 1    # ints within +-SMALL_INT skip the size check (the generated code inlines this bound)

DEFAULT_LIMITS = Limits()


class Budget:
    """Mutable counters of one evaluation. ``deadline`` may be given so that a re-run (the closure backend
    reporting an error the fast path met) shares the original evaluation's time limit."""

    # counters start at these class-level zeros: creating a budget (once per policy per job on the admission
    # path) sets only what differs
    steps = 0
    depth = 0
    output = 0
    work = 0
    _read = 0
    _rss0: int | None = None  # resident memory at the first check point
    next_check = _CHECK_EVERY  # the default limits' first check points (others set them in __init__)
    _next_work = _WORK_CHECK_EVERY

    def __init__(self, limits: Limits = DEFAULT_LIMITS, deadline: float | None = None):
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds if deadline is None else deadline
        if limits.first_step_check != _CHECK_EVERY or limits.first_work_check != _WORK_CHECK_EVERY:
            self.next_check = limits.first_step_check
            self._next_work = limits.first_work_check

    # -- steps and time ----------------------------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.next_check:
            self.next_check = next_step_check(self.steps, self)

    def check_time(self) -> None:
        """The periodic check: the deadline, and the growth of resident memory."""
        if time.monotonic() > self.deadline:
            raise RuntimeFault(f"evaluation stopped: took longer than {self.limits.max_seconds:g}s")
        rss = resident_bytes()
        if rss is None:
            return
        if self._rss0 is None:
            self._rss0 = rss
        elif rss - self._rss0 > self.limits.max_memory:
            raise RuntimeFault(f"evaluation stopped: memory grew by more than {self.limits.max_memory >> 20} MiB")

    def tick(self, units: int) -> None:
        """Account ``units`` of reading (no limit of its own): the clock is checked every few million units."""
        self._read += units
        if self._read > _TICK_EVERY:
            self._read = 0
            self.check_time()

    # -- call depth and output ---------------------------------------------------------------------------------
    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            self.depth = 0  # let the error unwind without tripping again
            raise RuntimeFault(f"evaluation stopped: call depth exceeds {self.limits.max_depth}")

    def leave(self) -> None:
        if self.depth > 0:
            self.depth -= 1

    def add_output(self, n: int) -> None:
        self.output += n
        if self.output > self.limits.max_output:
            raise RuntimeFault(f"evaluation stopped: print output exceeds {self.limits.max_output} bytes")

    # -- sizes and work ----------------------------------------------------------------------------------------
    def charge(self, nbytes: int) -> None:
        """Account a value the policy built (its approximate size in bytes)."""
        self.work += nbytes
        if self.work > self._next_work:
            if self.work > self.limits.max_work:
                raise RuntimeFault(f"evaluation stopped: the policy built more than {self.limits.max_work} bytes "
                                   "of values")
            self.check_time()
            self._next_work = min(self.work + _WORK_CHECK_EVERY, self.limits.max_work)

    def check_size(self, n: int, what: str) -> None:
        """Refuse to build a ``what`` of ``n`` characters/elements (called *before* allocating it)."""
        if n > self.limits.max_size:
            raise _too_large(n, what, self.limits.max_size)

    def external(self, result: Any, args: Any) -> Any:
        """Account a call of an import function (or any Python callable): its result is a value the policy built
        (as :meth:`new`), and its long string arguments tick the clock check (and with it the memory check).

        A small result (a bool, a number within 64 bits, a string, list or map of fewer than ``FREE_RESULT``
        items) is not accounted: that is the common case (``strings.has_prefix``, ``split`` of an image name),
        and its memory is bounded by the steps that repeat the call (and the memory check). The generated code
        inlines the common part of this test; both backends share this method, so they account the same calls."""
        t = type(result)
        if t is str or t is list or t is dict:
            if len(result) < FREE_RESULT:
                return result
        elif t is not int or -SMALL_INT <= result <= SMALL_INT:
            return result
        for a in args:
            if type(a) is str and len(a) > _READ_FREE:
                self.tick(len(a))
        return self.new(result)

    def concat(self, a: str | list, b: str | list) -> str | list:
        """``a + b`` for two strings or two lists: refused before allocating above the size limit, else charged."""
        if len(a) + len(b) > self.limits.max_size:
            self.check_size(len(a) + len(b), _WHAT[type(a)])
        r = a + b
        self.work += _sizeof(r)
        if self.work > self._next_work:
            self.charge(0)
        return r

    def new(self, value: Any) -> Any:
        """A value the policy just built: check its size and charge its memory; returns it."""
        t = type(value)
        if t is str or t is list or t is dict:
            n = len(value)
            if n > self.limits.max_size:
                self.check_size(n, _WHAT[t])
            self.work += _sizeof(value)
            if self.work > self._next_work:
                self.charge(0)
        elif t is int and not -SMALL_INT <= value <= SMALL_INT:
            self.check_int(value)
        return value

    def check_int(self, value: int) -> int:
        """A big integer result: refuse it above ``max_int_bits``, else charge its memory."""
        bits = value.bit_length()
        if bits > self.limits.max_int_bits:
            raise RuntimeFault(f"evaluation stopped: integer of {bits} bits exceeds the limit "
                               f"({self.limits.max_int_bits} bits)")
        self.charge(bits // 8 + 28)
        return value


_WHAT = {str: "string length", list: "list length", dict: "map size"}
_sizeof = sys.getsizeof
_READ_FREE = 4096  # string arguments of import calls up to this length do not tick the clock check
FREE_RESULT = 64  # strings, lists and maps from import calls shorter than this are not accounted


def _too_large(n: int, what: str, limit: int) -> RuntimeFault:
    return RuntimeFault(f"evaluation stopped: {what} of {n} would exceed the size limit ({limit})")

MAP_ENTRY = 48  # bytes a map grows by per key (hash table slot and entry)
LIST_SLOT = 8   # bytes a list grows by per element (the element itself was charged when it was built)


def list_bytes(n: int) -> int:
    """What a list literal of ``n`` items costs (both backends charge this, before evaluating the items)."""
    return 56 + LIST_SLOT * n


def map_bytes(n: int) -> int:
    """What a map literal of ``n`` entries costs (a small Python dict takes about 180 bytes)."""
    return 136 + MAP_ENTRY * n


def next_step_check(steps: int, budget: Budget) -> int:
    """The step counter passed its check point: fail if over the limit or the deadline, else the next point.

    Both backends use this: the closure backend's :meth:`Budget.step` and the generated code's inlined counter
    (``if _steps > _lim: _lim = _over(_steps, _B)``), so a policy stops at the same step count in both."""
    if steps > budget.limits.max_steps:
        raise RuntimeFault(f"evaluation stopped: more than {budget.limits.max_steps} steps")
    budget.check_time()
    return min(steps + _CHECK_EVERY, budget.limits.max_steps)


# -- resident memory ----------------------------------------------------------------------------------------------
_statm: tuple[int, int] | None = None  # (pid, open file descriptor of /proc/self/statm), reopened after a fork
_statm_lock = threading.Lock()
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int | None:
    """This process's resident memory (Linux: /proc/self/statm, a few microseconds); None where unknown."""
    global _statm
    pid = os.getpid()
    if _statm is None or _statm[0] != pid:
        with _statm_lock:
            if _statm is None or _statm[0] != pid:
                try:
                    _statm = (pid, os.open("/proc/self/statm", os.O_RDONLY))
                except OSError:
                    _statm = (pid, -1)
    fd = _statm[1]
    if fd < 0:
        return None
    try:
        return int(os.pread(fd, 128, 0).split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


# -- the evaluation running on this thread ------------------------------------------------------------------------
class _State(threading.local):
    budget: Budget | None = None


_state = _State()


def current() -> Budget:
    """The budget of the closure-backend evaluation running on this thread (a fresh default one outside any, so
    helpers called directly, e.g. from tests, still apply the size limits).

    The generated-code path does not register its budget (that cost more than some policies): it passes it to
    every runtime helper that charges. Import functions, which get no budget, check sizes with
    :func:`check_size` and have their results accounted by the caller (:meth:`Budget.external`)."""
    budget = _state.budget
    return budget if budget is not None else Budget()


def active() -> Budget | None:
    """The registered budget of this thread, if any (helpers that only tick the clock check use it)."""
    return _state.budget


def check_size(n: int, what: str) -> None:
    """For import functions: refuse to build a ``what`` of ``n`` characters/elements, before building it (the
    running evaluation's size limit, or the default one)."""
    budget = _state.budget
    limit = (budget.limits if budget is not None else DEFAULT_LIMITS).max_size
    if n > limit:
        raise _too_large(n, what, limit)


def size_limit() -> int:
    """The size limit import functions apply (the running evaluation's, or the default one)."""
    budget = _state.budget
    return (budget.limits if budget is not None else DEFAULT_LIMITS).max_size


def begin(limits: Limits, deadline: float | None = None) -> tuple[Budget, Budget | None]:
    """Start an evaluation on this thread: ``(its budget, the budget to give back to end())``. Evaluations nest
    (a module evaluated inside a policy): each restores its caller's budget when it ends."""
    state = _state
    outer = state.budget
    budget = state.budget = Budget(limits, deadline)
    return budget, outer


def end(outer: Budget | None) -> None:
    """The evaluation started by :func:`begin` is over: its caller's budget (if any) is current again."""
    _state.budget = outer


# -- sizes of values ----------------------------------------------------------------------------------------------
def text_size(value: Any, limit: int, budget: Budget | None = None) -> int:
    """An estimate of the length of ``value`` written as text (JSON or Sentinel's print form); raises
    :class:`RuntimeFault` when it exceeds ``limit``, before anything is written (and as soon as the part measured
    so far exceeds it: a list of a million numbers is refused after the first few thousand).

    Each distinct list or map is measured once (sizes are remembered by identity), so a map that holds the same
    map twice, nested 40 times (2**40 leaves when written), is measured in 40 steps and refused; a list that
    contains itself is refused too."""
    if type(value) is not list and type(value) is not dict:
        size = _scalar_size(value)
        if size > limit:
            raise _too_long(limit)
        return size
    budget = budget or _state.budget
    sizes: dict[int, int] = {}  # id -> size of a measured container; -1 while on the current path
    stack: list[list[Any]] = []  # the current path: [container, its child containers, next child, own size]

    def visit(v: Any) -> None:
        """Enter a container: measure its scalars and separators, remember its child containers."""
        total = 2
        kids = []
        for x in (v if type(v) is list else _flat_items(v)):
            t = type(x)
            if t is list or t is dict:
                kids.append(x)
                total += 2
            elif t is str:
                total += len(x) + 4
            else:
                total += 2 + _scalar_size(x)
            if total > limit:
                raise _too_long(limit)
        if budget is not None:
            budget.tick(len(v))
        sizes[id(v)] = -1
        stack.append([v, kids, 0, total])

    visit(value)
    while stack:
        frame = stack[-1]
        v, kids, i, total = frame
        while i < len(kids):
            size = sizes.get(id(kids[i]))
            if size is None:  # not measured yet: measure it first (depth first, one child at a time)
                break
            if size < 0:  # on the current path: the value contains itself
                raise RuntimeFault("evaluation stopped: value contains itself and cannot be written out")
            total += size
            if total > limit:
                raise _too_long(limit)
            i += 1
        frame[2], frame[3] = i, total
        if i < len(kids):
            visit(kids[i])
            continue
        stack.pop()
        sizes[id(v)] = total
    return sizes[id(value)]


def _flat_items(m: dict) -> Any:
    """A map's keys and values in one sequence (keys are scalars)."""
    for k, x in m.items():
        yield k
        yield x


def _too_long(limit: int) -> RuntimeFault:
    return RuntimeFault(f"evaluation stopped: value too large to write out (more than {limit} characters)")


def _scalar_size(v: Any) -> int:
    t = type(v)
    if t is str:
        return len(v) + 2
    if t is int:
        return len(str(v)) if -SMALL_INT <= v <= SMALL_INT else v.bit_length() // 3 + 2
    if t is bool or v is None:
        return 5
    return 24
