"""Compiled policies and their evaluation (the public API re-exported by :mod:`jobguard.lang`).

Why a cache keyed by source hash: the engine and the proxy evaluate the same few policies for every job; parsing
and compiling once per distinct source makes evaluation the only per-job cost.
"""

from __future__ import annotations

import copy
import hashlib
import logging
import threading
from collections import Counter, OrderedDict
from typing import Any

from jobguard.lang import nodes as n
from jobguard.lang import runtime as rt
from jobguard.lang.builtins import BUILTINS
from jobguard.lang import codegen
from jobguard.lang.compiler import CompiledModule, Context, RuleValue, Scope, Tracer, _Compiler, compile_module
from jobguard.lang.errors import PolicyRuntimeError, PolicySyntaxError, RuntimeFault
from jobguard.lang.modules import ImportSet, bind_run, run_prints
from jobguard.lang.parser import parse
from jobguard.lang.runtime import resolve_import
from jobguard.lang.sandbox import DEFAULT_LIMITS, Budget, Limits, begin, end
from jobguard.lang.trace import format_trace
from jobguard.lang.values import UNDEFINED

__all__ = ["Policy", "EvalResult", "compile_policy", "PolicySyntaxError", "PolicyRuntimeError", "fallback_counts"]

log = logging.getLogger(__name__)

# Why the fast path handed an evaluation to the closure backend, counted per reason ("runtime error" is expected:
# the closure backend reports it with its position; anything else is a defect of the fast path worth a look).
_FALLBACKS: Counter[str] = Counter()
_FALLBACKS_LOCK = threading.Lock()


def fallback_counts() -> dict[str, int]:
    """Fallbacks from the generated-code path to the closure backend since start, by reason."""
    with _FALLBACKS_LOCK:
        return dict(_FALLBACKS)


def _fell_back(policy: str, exc: BaseException | None) -> None:
    """Count (and debug-log) one fallback, so that a regression of the fast path is visible, never silent."""
    if exc is None:
        reason = "main is not a bool"
    elif isinstance(exc, RuntimeFault):
        reason = "runtime error"
    elif isinstance(exc, RecursionError):
        reason = "recursion"
    else:
        reason = f"internal {type(exc).__name__}"
    with _FALLBACKS_LOCK:
        _FALLBACKS[reason] += 1
        total = sum(_FALLBACKS.values())
    if log.isEnabledFor(logging.DEBUG):
        detail = f": {exc}" if exc is not None and not isinstance(exc, RuntimeFault) else ""
        log.debug("policy %s: fast path fell back to the closure backend (%s%s); fallbacks so far: %d (%s)",
                  policy, reason, detail, total, ", ".join(f"{k}={v}" for k, v in sorted(_FALLBACKS.items())))


class EvalResult:
    """Outcome of one evaluation (a slotted class: it is created once per policy per job)."""

    __slots__ = ("result", "error", "_trace", "prints", "_rules", "_trace_fn", "_rule_objs")

    def __init__(self, result: Any = UNDEFINED, error: PolicyRuntimeError | None = None, trace: str = "",
                 prints: list[str] | None = None, rules: dict[str, Any] | None = None):
        self.result = result  # True / False / UNDEFINED
        self.error = error
        self._trace = trace
        self.prints = [] if prints is None else prints
        self._rules = rules
        self._trace_fn: Any = None
        self._rule_objs: Any = None

    @property
    def rules(self) -> dict[str, Any]:
        """Evaluated rule name -> value (built on first access from the fast path's memoised rules)."""
        if self._rules is None:
            names, values = self._rule_objs or ((), ())
            self._rules = {name: v for name, v in zip(names, values, strict=True)
                           if v is not codegen.NOT_EVALUATED and v is not codegen._BUSY}
        return self._rules

    @rules.setter
    def rules(self, value: dict[str, Any]) -> None:
        self._rules = value

    @property
    def trace(self) -> str:
        """The Sentinel-format trace. For a failed fast-path evaluation it is rendered on first access (by
        re-running the policy with the tracing backend), so callers that only need the verdict never pay."""
        if self._trace_fn is not None:
            fn, self._trace_fn = self._trace_fn, None
            self._trace = fn()
        return self._trace

    @trace.setter
    def trace(self, text: str) -> None:
        self._trace = text
        self._trace_fn = None

    @property
    def passed(self) -> bool:
        return self.error is None and self.result is True

    def __repr__(self) -> str:
        return (f"EvalResult(result={self.result!r}, error={self.error!r}, prints={self.prints!r}, "
                f"rules={self.rules!r})")


class _FastContext:
    """The context the fast path hands to builtins (captured prints, the budget)."""

    __slots__ = ("prints", "imports", "import_cache", "budget", "tracer", "params")

    def __init__(self, imports: dict[str, Any], budget: Budget):
        self.prints: list[str] = []
        self.imports = imports
        self.import_cache: dict[str, Any] = {}
        self.budget = budget
        self.tracer = None


def _fast_import(imports: dict[str, Any], path: str, budget: Budget | None = None) -> Any:
    """Imports for the fast path: supplied ones (mocks, plugins) first, then the built-in factories (stateless
    ones hand out a shared module; ``time`` a fresh one, so ``time.now`` is per evaluation). ``budget`` is the
    run's: an import that evaluates code (a module) counts against it, as in the closure backend."""
    supplied = imports.get(path)
    if isinstance(supplied, dict):
        return supplied
    return resolve_import(_ImportsOnly(imports, budget), path)


class _ImportsOnly:
    """What resolve_import (and an import that evaluates code) needs from a context."""

    __slots__ = ("imports", "budget")

    def __init__(self, imports: dict[str, Any], budget: Budget | None = None):
        self.imports = imports
        self.budget = budget


class Policy:
    """A compiled policy. Immutable and thread-safe: every evaluate() builds its own scopes and budget."""

    def __init__(self, source: str, name: str, filename: str, module: n.Module, compiled: CompiledModule):
        self.source = source
        self.name = name
        self.filename = filename
        self.description = module.description
        self.module = module
        self._compiled = compiled
        self.imports = list(compiled.imports)
        self.params: dict[str, Any] = {k: _static_default(v) for k, v in compiled.params.items()}
        self._fast = codegen.build(module, BUILTINS, _fast_import)  # None: closures only
        self._mutates = compiled.mutates

    def evaluate(self, globals: dict[str, Any] | None = None, params: dict[str, Any] | None = None,
                 imports: dict[str, Any] | None = None, trace: bool = False,
                 limits: Limits = DEFAULT_LIMITS, force_rules: tuple | list = ()) -> EvalResult:
        """Run the policy. Never raises for policy/data problems: they come back in ``EvalResult.error``.
        The trace is produced when asked for, and always when the policy does not pass. ``force_rules`` names
        file-level rules to evaluate even when main did not need them (test expectations)."""
        if self._fast is not None and not trace and not force_rules:
            globals, params, imports = globals or _EMPTY, params or _EMPTY, imports or _EMPTY
            budget = Budget(limits)
            res = self._run_fast(globals, params, imports, limits, budget)
            if res is None:  # the re-run reports the error with its position; it shares the evaluation's deadline
                return self._run(globals, params, imports, True, limits, (), budget.deadline)
        else:
            globals, params, imports = globals or {}, params or {}, imports or {}
            if trace:
                return self._run(globals, params, imports, True, limits, force_rules)
            res = self._run(globals, params, imports, False, limits, force_rules)
        if res.result is not True or res.error is not None:  # not passed: the trace is rendered on first read
            res._trace_fn = lambda: self._run(globals, params, imports, True, limits, force_rules).trace
        return res

    def _run_fast(self, globals_: dict[str, Any], params: dict[str, Any], imports: dict[str, Any], limits: Limits,
                  budget: Budget | None = None) -> EvalResult | None:
        """The generated-code path (the engine's and the proxy's hot path: no copies unless the policy mutates its
        inputs, the trace only on demand).

        Its verdict (true, false, undefined) is trusted: the differential tests (tests/lang/test_differential.py)
        hold it to the closure backend's. Anything else (an exception: a runtime error, a budget overrun, a bug in
        generated code; or a main that is not a bool) is counted as a fallback and gives None: the caller re-runs
        the policy with the closure backend, which reports the error with its position, within ``budget``'s
        deadline (so the re-run does not get a second one)."""
        fast = self._fast
        if self._mutates:  # policies that modify collections work on private copies of the inputs
            globals_, params, imports = _private_copies(globals_, params, imports)
        if budget is None:
            budget = Budget(limits)  # handed to the generated code and its helpers (not registered: see sandbox)
        ctx = _FastContext(imports, budget) if fast.needs_ctx else None
        prints = ctx.prints if ctx is not None else None
        bound = bind_run(imports, prints)
        try:
            value, rules = fast(globals_, params, bound, ctx, budget)
        except Exception as exc:  # noqa: BLE001 - see docstring
            # without its traceback: the frames would keep the failed run's values alive during the re-run
            _fell_back(self.name, exc.with_traceback(None))
            return None
        if value is not True and value is not False and value is not UNDEFINED:
            _fell_back(self.name, None)  # main is not a bool: the closure backend reports that error
            return None
        if prints is None and bound is not imports:  # modules ran: they printed into the bound imports' run cache
            prints = run_prints(bound)
        res = EvalResult(value, None, "", prints)
        res._rule_objs = (fast.rule_names, rules)
        return res

    def _run(self, globals_, params, imports, trace, limits, force_rules, deadline: float | None = None
             ) -> EvalResult:
        if self._compiled.mutates:  # policies that modify collections work on private copies of the inputs
            globals_, params, imports = _private_copies(globals_, params, imports)
        tracer = Tracer() if trace else None
        budget, outer = begin(limits, deadline)
        ctx = Context(budget, imports, self.filename, tracer, params)
        file_scope = Scope(ctx, None, dict(globals_))
        res = EvalResult()
        res.prints = ctx.prints
        try:
            for st in self._compiled.body:
                sig = st(file_scope)
                if sig is not None:
                    raise PolicyRuntimeError(f"'{sig.kind}' outside a function", self.filename)
            main = file_scope.vars.get("main", UNDEFINED)
            if main is UNDEFINED and "main" not in file_scope.vars:
                raise PolicyRuntimeError("policy has no main rule", self.filename, 1, 1)
            value = main.force() if isinstance(main, RuleValue) else main
            if value is not UNDEFINED and type(value) is not bool:
                where = (main.line, main.col) if isinstance(main, RuleValue) else (1, 1)
                raise PolicyRuntimeError(f"main must be a bool, got {rt.type_name(value)}", self.filename, *where)
            res.result = value
            for name in force_rules:
                v = file_scope.vars.get(name)
                if isinstance(v, RuleValue):
                    v.force()
        except PolicyRuntimeError as e:
            res.error = e
        except RuntimeFault as e:  # a fault outside any positioned expression (e.g. from a rule forced late)
            res.error = PolicyRuntimeError(e.message, self.filename, 1, 1)
        except RecursionError:
            res.error = PolicyRuntimeError("evaluation stopped: nesting too deep", self.filename, 1, 1)
        finally:
            end(outer)
        res.rules = {k: v.value for k, v in file_scope.vars.items() if isinstance(v, RuleValue) and v.state == 2}
        for name in force_rules:  # non-rule values named by a test expectation
            v = file_scope.vars.get(name, UNDEFINED)
            if not isinstance(v, RuleValue):
                res.rules.setdefault(name, v)
        if tracer is not None:
            res.trace = format_trace(self, res, tracer)
        return res


def _private_copies(globals_, params, imports):
    copied = {k: (copy.deepcopy(v) if isinstance(v, (dict, list)) else v) for k, v in imports.items()}
    return copy.deepcopy(globals_), copy.deepcopy(params), ImportSet(copied) if type(imports) is ImportSet else copied


def _static_default(node: n.Node | None) -> Any:
    """A param's default value when it is a constant expression (what ``policy.params`` reports)."""
    if node is None:
        return UNDEFINED
    try:
        fn = _Compiler("<default>", BUILTINS).expr(node)
        return fn(Scope(Context(Budget(Limits(max_steps=10_000, max_seconds=0.5)), {}, "<default>"), None, {}))
    except (PolicyRuntimeError, RuntimeFault):
        return UNDEFINED


_EMPTY: dict[str, Any] = {}  # read-only default (generated code never writes to its inputs unless it mutates)

_CACHE: OrderedDict[tuple[str, str, str], Policy] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 256


def compile_policy(source: str, name: str = "", filename: str = "<policy>") -> Policy:
    """Parse and compile a policy (cached by source hash). Raises :class:`PolicySyntaxError` with all errors."""
    digest = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
    key = (digest, name, filename)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    module = parse(source, filename)
    compiled = compile_module(module, filename, BUILTINS)
    policy = Policy(source, name or _name_of(filename), filename, module, compiled)
    with _CACHE_LOCK:
        _CACHE[key] = policy
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return policy


def _name_of(filename: str) -> str:
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return base[:-len(".sentinel")] if base.endswith(".sentinel") else base
