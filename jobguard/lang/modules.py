"""Sentinel modules: ``.sentinel`` files imported by name (``module "NAME" { source = "PATH" }``).

Semantics (Sentinel's): a module's top-level assignments, functions and rules become the attributes of the import;
its functions keep their closure over the module's scope; a module is evaluated once per policy run, and every
import of it in that run (from the policy or from other modules) sees the same value; the next run evaluates it
afresh. Modules may import modules; a cycle is an error naming every file in it. An attribute the module does not
define is ``undefined``.

Why the per-run cache lives in the evaluation context: the closure backend gives every run its own
``Context.import_cache``; a module is evaluated with a context that shares that dict (and the run's budget and
print buffer), so nothing leaks across runs and module code counts against the policy's budget. The generated-code
fast path has no context at import time, so :func:`bind_run` gives each of its runs a fresh cache instead.

Parsing is cached by file path, modification time and size: a library with hundreds of test cases parses each
module file once.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from jobguard.jobspec.errors import Diagnostic
from jobguard.lang import nodes as n
from jobguard.lang.builtins import BUILTINS
from jobguard.lang.compiler import CompiledModule, Context, RuleValue, Scope, compile_module
from jobguard.lang.errors import PolicyRuntimeError, PolicySyntaxError, RuntimeFault
from jobguard.lang.parser import parse
from jobguard.lang.sandbox import DEFAULT_LIMITS, Budget
from jobguard.lang.values import UNDEFINED, SentinelObject

REMOTE_PREFIXES = ("git::", "http://", "https://", "s3::", "gcs::", "hg::", "github.com/", "git@")


@dataclass(frozen=True)
class ParsedModule:
    """A module file parsed and compiled once (shared by every run that imports it)."""

    path: str
    tree: n.Module
    compiled: CompiledModule

    def import_sites(self) -> list[tuple[str, int, int]]:
        """``(import path, line, column)`` of every top-level import statement."""
        return [(s.path, s.line, s.col) for s in self.tree.body if type(s) is n.Import]


_PARSED: dict[str, tuple[int, int, ParsedModule]] = {}
_PARSED_LOCK = threading.Lock()


def parse_module_file(path: str) -> ParsedModule:
    """The parsed module at ``path`` (cached by path, mtime and size). Raises OSError or PolicySyntaxError."""
    st = os.stat(path)
    with _PARSED_LOCK:
        hit = _PARSED.get(path)
    if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
        return hit[2]
    with open(path, encoding="utf-8") as fh:
        source = fh.read()
    tree = parse(source, path)
    parsed = ParsedModule(path, tree, compile_module(tree, path, BUILTINS))
    with _PARSED_LOCK:
        _PARSED[path] = (st.st_mtime_ns, st.st_size, parsed)
    return parsed


def is_remote(source: str) -> bool:
    """Remote module/policy sources (go-getter style) that jobguard does not fetch."""
    return source.startswith(REMOTE_PREFIXES) or "://" in source


class ModuleValue(SentinelObject):
    """An evaluated module: its top-level names are its attributes (rules are evaluated on first read)."""

    type_name = "module"
    __slots__ = ("name", "path", "_vars")

    def __init__(self, name: str, path: str, variables: dict[str, Any]):
        self.name = name
        self.path = path
        self._vars = variables

    def get_attr(self, name: str) -> Any:
        value = self._vars.get(name, UNDEFINED)
        if type(value) is RuleValue:
            return value.force()
        return value

    def attr_names(self) -> list[str]:
        return sorted(self._vars)

    def __repr__(self) -> str:
        return f"<module {self.name!r} from {self.path}>"


_VALUE = "\0module"
_LOADING = "\0modules-loading"
_BUDGET = "\0modules-budget"
_PRINTS = "\0modules-prints"


@dataclass(frozen=True)
class ModuleImport:
    """A declared module: ``import "name"`` evaluates the file at ``path`` (once per run).

    ``where`` (file, line, column) and ``title`` (e.g. ``module "x"``) name the declaring block in error messages.
    Instances are immutable and shared by every run; per-run state lives in the evaluation context (see the module
    docstring).
    """

    name: str
    path: str
    where: tuple[str, int, int] = ("", 0, 0)
    title: str = ""

    @property
    def origin(self) -> str:
        file, line, column = self.where
        return f"{file}:{line}:{column}: {self.title or 'module ' + repr(self.name)}" if file else ""

    def load_import(self, ctx: Any) -> ModuleValue:
        cache = getattr(ctx, "import_cache", None)
        if cache is None:  # the fast path: its run's cache hangs on the bound imports mapping
            cache = getattr(getattr(ctx, "imports", None), "run_cache", None)
            if cache is None:
                cache = {}
        key = (_VALUE, self.name)
        hit = cache.get(key)
        if hit is not None:
            return hit
        loading: list[ModuleImport] = cache.setdefault(_LOADING, [])
        for i, entry in enumerate(loading):
            if entry.name == self.name:
                chain = [*loading[i:], self]
                raise RuntimeFault("module import cycle: " + " -> ".join(f'"{m.name}" ({m.path})' for m in chain))
        try:
            parsed = parse_module_file(self.path)
        except OSError as exc:
            where = f"{self.origin}: " if self.origin else ""
            raise RuntimeFault(f'{where}module "{self.name}": cannot read {self.path}: '
                               f"{exc.strerror or exc}") from None
        except PolicySyntaxError as exc:
            first = exc.diagnostics[0]
            raise PolicyRuntimeError(f'module "{self.name}" does not parse: {first.summary}', first.file,
                                     first.line, first.column) from None
        budget = getattr(ctx, "budget", None)
        if budget is None:
            budget = cache.get(_BUDGET) or cache.setdefault(_BUDGET, Budget(DEFAULT_LIMITS))
        prints = getattr(ctx, "prints", None)
        if prints is None:
            prints = cache.setdefault(_PRINTS, [])
        mctx = Context(budget, ctx.imports, self.path, None, {})
        mctx.prints = prints
        mctx.import_cache = cache
        scope = Scope(mctx, None, {})
        loading.append(self)
        try:
            for statement in parsed.compiled.body:
                signal = statement(scope)
                if signal is not None:
                    raise PolicyRuntimeError(f"'{signal.kind}' outside a function", self.path)
        finally:
            loading.pop()
        value = ModuleValue(self.name, self.path, scope.vars)
        cache[key] = value
        return value


class ImportSet(dict):
    """Import name -> what it resolves to (static data, a :class:`ModuleImport`, a plugin import factory).

    A plain dict works as ``imports`` too; this type marks mappings holding modules, so that :func:`bind_run`
    only copies when a run needs its own module cache.
    """


class _RunImports(dict):
    """One run's view of an :class:`ImportSet` with its own module cache."""

    __slots__ = ("run_cache",)

    def __init__(self, base: dict):
        super().__init__(base)
        self.run_cache: dict[Any, Any] = {}


def bind_run(imports: Any, prints: list[str] | None = None) -> Any:
    """``imports`` for one generated-code run: a fresh module cache when it holds modules, else unchanged.

    Modules run on the closure backend with a context of their own; ``prints`` (the run's list, when the policy
    has one) is where their ``print`` output goes, so it interleaves with the policy's as in the closure backend.
    """
    if type(imports) is ImportSet:
        bound = _RunImports(imports)
        if prints is not None:
            bound.run_cache[_PRINTS] = prints
        return bound
    return imports


def run_prints(bound: Any) -> list[str] | None:
    """What the modules of a generated-code run printed when the run had no print list of its own."""
    cache = getattr(bound, "run_cache", None)
    return cache.get(_PRINTS) if cache is not None else None


# -- static checks (before any run) -----------------------------------------------------------------------------
def check_imports(policy: Any, imports: dict[str, Any], available: set[str] | frozenset[str]) -> list[Diagnostic]:
    """Problems a run would hit, reported up front with file:line:col: an import the policy or one of its modules
    names that nothing provides, a module file that is missing or does not parse, a module import cycle.

    ``available`` are the names provided besides ``imports`` (standard imports, plugins).
    """
    out: list[Diagnostic] = []
    sites = [(s.path, s.line, s.col) for s in policy.module.body if type(s) is n.Import]
    seen: set[str] = set()
    for path, line, col in sites:
        _check_site(policy.filename, path, line, col, imports, available, out)
        _walk(path, imports, available, [], seen, out)
    return out


def _check_site(filename: str, path: str, line: int, col: int, imports: dict[str, Any], available, out) -> None:
    if path not in imports and path not in available:
        known = sorted(set(imports) | set(available))
        out.append(Diagnostic(filename, line, col, f'unknown import "{path}"',
                              "declare it with a module or mock block, or use one of: " + ", ".join(known)))


def _walk(name: str, imports: dict[str, Any], available, stack: list[ModuleImport], seen: set[str],
          out: list[Diagnostic]) -> None:
    ref = imports.get(name)
    if not isinstance(ref, ModuleImport) or name in seen:
        return
    stack = [*stack, ref]
    try:
        parsed = parse_module_file(ref.path)
    except OSError as exc:
        seen.add(name)
        out.append(_origin_diagnostic(ref, f'module "{name}": cannot read {ref.path}: {exc.strerror or exc}'))
        return
    except PolicySyntaxError as exc:
        seen.add(name)
        out.extend(Diagnostic(d.file, d.line, d.column, f'module "{name}": {d.summary}', d.detail)
                   for d in exc.diagnostics)
        return
    for path, line, col in parsed.import_sites():
        cycle = next((i for i, m in enumerate(stack) if m.name == path), None)
        if cycle is not None:
            chain = " -> ".join(f'"{m.name}" ({m.path})' for m in [*stack[cycle:], stack[cycle]])
            out.append(Diagnostic(ref.path, line, col, "module import cycle", chain))
            continue
        _check_site(ref.path, path, line, col, imports, available, out)
        _walk(path, imports, available, stack, seen, out)
    seen.add(name)


def _origin_diagnostic(ref: ModuleImport, message: str) -> Diagnostic:
    """A diagnostic at the block that declared ``ref``."""
    file, line, col = ref.where
    return Diagnostic(file or ref.path, line, col, message)
