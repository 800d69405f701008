"""Limits for untrusted job files: what one file may cost to load, and the error when it asks for more.

Why: job files from pull requests (forks included) are untrusted, and HCL functions run while they load. Without
limits one line (``format("%999999999d", 1)``, ``bcrypt("x", 31)``, a list nested 100,000 levels deep) costs
minutes of CPU, gigabytes of memory or a ``RecursionError``. Every limit here sits far above what real jobs use
(the public corpus nests at most 21 levels, reads files of a few kilobytes, never bcrypts above the default cost)
and is documented with its value in ``docs/loader.md`` ("Limits").

Three kinds of limit:

* **per value**: one string, one function call (format width, bcrypt cost, a file read, ``setproduct``'s size) --
  checked *before* the expensive work, so memory is never allocated first;
* **per file**: totals over one load (characters produced, evaluation steps, slow text, bcrypt work), kept in a
  :class:`Budget` that :func:`load_budget` installs for the duration of one load;
* **time**: a deadline (see :func:`time_budget`) checked wherever a budget is charged, so a file that is slow in
  many small steps stops too.

A limit raises :class:`LimitExceeded`, deliberately a ``BaseException``: HCL's ``try()``/``can()`` and the
evaluator's "report and go on" handlers catch ``Exception``, and a limit must end the load instead of being
swallowed and retried. The evaluator only adds the source range (:meth:`LimitExceeded.locate`) on the way up; the
loader turns it into one ``FILE:LINE:COL`` diagnostic (exit 2).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

KIB = 1024
MIB = 1024 * KIB

#: Levels of nesting: brackets, blocks, strings, interpolations and operator chains of HCL; arrays and objects of
#: JSON (job files, ``jsondecode``, ``yamldecode``); values built through chains of locals.
MAX_NESTING_DEPTH = 100
#: Size of a job file (Nomad's own default ``job_max_source_size`` is 1 MB too), and its HCL tokens (names,
#: numbers, operators, brackets, string pieces: the parser's cost; the largest public job has about 2,000).
MAX_JOB_FILE_SIZE = 1 * MIB
MAX_SYNTAX_TOKENS = 100_000
#: Characters in one string a function or a template produces.
MAX_STRING_LENGTH = 2 * MIB
#: Characters produced by functions and templates, and held by the decoded job's attributes, in one file.
MAX_TEXT_PER_FILE = 16 * MIB
#: Evaluation steps in one file: ``for`` iterations (expressions, template directives, dynamic blocks), elements
#: of collections that functions return or decode, passes over ``locals``.
MAX_STEPS_PER_FILE = 200_000
#: Non-ASCII characters segmented into grapheme clusters (``strlen``, ``substr``, ``strrev``, ``format`` padding)
#: plus YAML text encoded or decoded, in one file: the string work done one character at a time.
MAX_SLOW_TEXT_PER_FILE = 1 * MIB
#: Width of one ``format``/``formatlist`` verb, and precision of a numeric verb.
MAX_FORMAT_WIDTH = 100_000
MAX_FORMAT_PRECISION = 1_000
#: ``bcrypt``'s cost, and the bcrypt work of one file: 16 hashes at the default cost 10 (2**10 rounds each).
MAX_BCRYPT_COST = 12
MAX_BCRYPT_ROUNDS_PER_FILE = 16 * 2**10
#: Digits of a number (integer part): literals, arithmetic results, decoded and converted numbers.
MAX_NUMBER_DIGITS = 4_000
#: Bytes ``file``/``filebase64`` read from one file.
MAX_FILE_FUNCTION_SIZE = 1 * MIB
#: ``fileset``: matches returned, directory entries examined, directory levels below the pattern's fixed prefix.
MAX_FILESET_MATCHES = 10_000
MAX_FILESET_ENTRIES = 100_000
MAX_FILESET_DEPTH = 64
#: Elements of one collection ``setproduct`` builds.
MAX_COLLECTION_LENGTH = 100_000
#: ``jobguard check``'s default per-file time budget, in CPU seconds (``--file-timeout``).
DEFAULT_FILE_TIMEOUT = 10.0

LIMITS_DOC = "docs/loader.md#limits"


class LimitExceeded(BaseException):  # noqa: N818 - named for what happened, like KeyboardInterrupt
    """An input asked for more than a limit allows. ``rng`` (line, col, end line, end col) is filled in by the
    innermost evaluator frame that knows where it is; ``file`` when the place is in another file."""

    summary = "Limit exceeded"

    def __init__(self, detail: str, rng: tuple[int, int, int, int] | None = None, summary: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.rng = rng
        if summary is not None:
            self.summary = summary

    def locate(self, rng: tuple[int, int, int, int] | None, prefix: str = "") -> None:
        """Record where this happened, unless an inner frame already did (the innermost place is the useful one)."""
        if self.rng is None and rng is not None and rng[0]:
            self.rng = rng
            if prefix:
                self.detail = prefix + self.detail

    def __str__(self) -> str:
        return f"{self.summary}; {self.detail}"


class FileTimeout(LimitExceeded):
    """The per-file time budget ran out."""

    summary = "Time budget exceeded"


def _over(what: str, value: int | float, limit: int | float, unit: str = "") -> str:
    unit = f" {unit}" if unit else ""
    return f"{what} ({value:,}{unit}) is above jobguard's limit of {limit:,}{unit} for job files (see {LIMITS_DOC})"


def nesting_detail(what: str, limit: int = MAX_NESTING_DEPTH) -> str:
    return f"{what} nests more than {limit} levels deep, jobguard's limit for job files (see {LIMITS_DOC})"


def too_deep(what: str, limit: int = MAX_NESTING_DEPTH) -> LimitExceeded:
    """The "Nesting too deep" error for ``what`` (a value, a YAML document...)."""
    return LimitExceeded(nesting_detail(what, limit), summary="Nesting too deep")


def check_limit(value: int, limit: int, what: str, unit: str = "") -> None:
    """Raise :class:`LimitExceeded` when ``value`` exceeds ``limit`` (``what`` names the quantity in the message)."""
    if value > limit:
        raise LimitExceeded(_over(what, value, limit, unit))


def check_string_length(length: int, what: str = "the resulting string") -> None:
    check_limit(length, MAX_STRING_LENGTH, what, "characters")


# -- the time budget ---------------------------------------------------------------------------------------------

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("jobguard_deadline", default=None)


def cpu_clock() -> float:
    """The clock the time budget runs on: this process's CPU time, so a busy machine does not fail a file."""
    return time.process_time()


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Within the block, :func:`check_deadline` raises :class:`FileTimeout` once ``seconds`` of CPU time passed."""
    if not seconds or seconds <= 0:
        yield
        return
    token = _DEADLINE.set((cpu_clock() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def timeout_error(seconds: float) -> FileTimeout:
    return FileTimeout(f"checking this file took more than {seconds:g} s of CPU time (the per-file time budget; "
                       "`jobguard check --file-timeout` changes it)")


def check_deadline() -> None:
    deadline = _DEADLINE.get()
    if deadline is not None and cpu_clock() > deadline[0]:
        raise timeout_error(deadline[1])


# -- per-file budgets --------------------------------------------------------------------------------------------

@dataclass
class Budget:
    """What one load may still spend (see the ``MAX_*_PER_FILE`` limits)."""

    text: int = MAX_TEXT_PER_FILE
    steps: int = MAX_STEPS_PER_FILE
    slow_text: int = MAX_SLOW_TEXT_PER_FILE
    bcrypt_rounds: int = MAX_BCRYPT_ROUNDS_PER_FILE


_BUDGET: ContextVar[Budget | None] = ContextVar("jobguard_budget", default=None)


@contextlib.contextmanager
def load_budget() -> Iterator[Budget]:
    """A fresh :class:`Budget` for one load (nested loads, e.g. a job file read by a policy test, get their own)."""
    budget = Budget()
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def _spend(field: str, amount: int, limit: int, what: str, unit: str) -> None:
    budget = _BUDGET.get()
    check_deadline()
    if budget is None:
        return
    left = getattr(budget, field) - amount
    setattr(budget, field, left)
    if left < 0:
        raise LimitExceeded(f"{what} in this file would exceed jobguard's limit of {limit:,} {unit} per job file "
                            f"(see {LIMITS_DOC})")


def charge_text(chars: int) -> None:
    """Characters produced (function results, template output, decoded attribute values)."""
    _spend("text", chars, MAX_TEXT_PER_FILE, "the text produced", "characters")


def charge_steps(steps: int = 1) -> None:
    """Evaluation steps (iterations, collection elements produced, passes over locals)."""
    _spend("steps", steps, MAX_STEPS_PER_FILE, "the evaluation steps", "steps")


def charge_slow_text(chars: int) -> None:
    """Characters processed one at a time in Python (grapheme segmentation, YAML)."""
    _spend("slow_text", chars, MAX_SLOW_TEXT_PER_FILE, "the text segmented or parsed character by character",
           "characters")


def charge_bcrypt(cost: int) -> None:
    _spend("bcrypt_rounds", 2 ** cost, MAX_BCRYPT_ROUNDS_PER_FILE, "the bcrypt work", "rounds")


# -- values ------------------------------------------------------------------------------------------------------

def measure_value(value: Any, max_size: int = MAX_TEXT_PER_FILE, max_depth: int = MAX_NESTING_DEPTH) -> int:
    """The size of a value (characters of its strings and keys, plus one per element), walked without recursion.

    Raises :class:`LimitExceeded` as soon as the value nests deeper than ``max_depth`` or is bigger than
    ``max_size``: values can share parts (``[for i in range(1000) : local.big]`` holds one string a thousand
    times), so their printed size -- what reporters, rules and ``jsonencode`` pay for -- is what counts.
    """
    size = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            size += len(item)
        elif isinstance(item, (list, tuple, dict)):
            if depth >= max_depth:
                raise too_deep("the value", max_depth)
            size += len(item)
            if isinstance(item, dict):
                size += sum(len(k) for k in item if isinstance(k, str))
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)
        else:
            size += 1
        if size > max_size:
            raise LimitExceeded(_over("the size of this value", size, max_size, "characters") + "; values that "
                                "repeat the same text count every time")
    return size


# -- JSON nesting, checked on the text before any recursive parser sees it ----------------------------------------

_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{},]', re.S)


def json_limit_error(text: str, limit: int = MAX_NESTING_DEPTH,
                     max_values: int = MAX_SYNTAX_TOKENS) -> tuple[int, int, str, str] | None:
    """(line, column, summary, detail) of the first ``[``/``{`` nested deeper than ``limit`` in JSON ``text``, or of the
    value past the first ``max_values``, else None.

    A linear scan that skips strings: Python's ``json`` module and the positional parsers recurse per level, so a
    document nested 100,000 levels deep must be refused before any of them runs; and the positional parser keeps
    a node and a source-map entry per value, so a megabyte of ``1,1,1,...`` costs seconds and hundreds of MB.
    """
    openers = text.count("[") + text.count("{")
    if openers <= limit and openers + text.count(",") <= max_values:
        return None
    depth = values = 0
    for m in _JSON_TOKEN.finditer(text):
        ch = m.group()
        if ch in "[{,":
            values += 1
            if values > max_values:
                line, col = position_of(text, m.start())
                return line, col, "Too many values", (f"the JSON has more than {max_values:,} values, jobguard's "
                                                      f"limit for job files (see {LIMITS_DOC})")
        if ch in "[{":
            depth += 1
            if depth > limit:
                line, col = position_of(text, m.start())
                return line, col, "Nesting too deep", nesting_detail("JSON here", limit)
        elif ch in "]}":
            depth = max(0, depth - 1)
    return None


def position_of(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
