"""Policy test runner in Sentinel's test layout (``sentinel test``).

Layout: ``<dir>/<policy>.sentinel`` with cases in ``<dir>/test/<policy>/*.hcl`` (or ``*.json``). A case is a
Sentinel configuration file (read by :mod:`jobguard.lang.sentinel_config`, paths relative to the case file)::

    module "helpers" { source = "../../helpers.sentinel" }     # import "helpers" loads that module
    import "static" "owners" { source = "owners.json" }        # static data import
    global "job" { value = { ... } }                           # a global value
    global "job" { file = "../../jobs/web.nomad.hcl" }         # jobguard extension: load a job file, canonicalise
                                                               # it and give policies its snake_case view, exactly
                                                               # as `jobguard check` would
    param "limit" { value = 3 }
    mock "time" { data = { day = "friday", hour = 10 } }       # static data replaces the import
    mock "tfplan/v2" { module { source = "mock-plan.sentinel" } }   # the import is that module
    test { rules = { main = true, some_rule = false } }        # expected rule values (default: main = true)

JSON cases take the HCL-equivalent shape or Sentinel's older one (``{"mock": {"x": "mock.sentinel"}, "test":
{"main": false}}``). Like ``sentinel test``, cases ignore any ``sentinel.hcl``: each case declares what it needs.
Before a case runs, every import of the policy and of the modules it reaches is checked (unknown import, module
file missing or not parsing, import cycle): such a case is broken (exit 2), reported at file:line:col.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobguard import jobspec
from jobguard.jobspec.errors import Diagnostic
from jobguard.lang.errors import PolicySyntaxError
from jobguard.lang.modules import ImportSet, ModuleImport, check_imports
from jobguard.lang.policy import Policy, compile_policy
from jobguard.lang.runtime import show
from jobguard.lang.sentinel_config import CASE_BLOCKS, SentinelConfig, SentinelConfigError, read_config_file
from jobguard.lang.values import UNDEFINED


class CaseError(Exception):
    """A test case file that cannot be used (bad HCL/JSON, unsupported block, missing file, unknown import)."""

    def __init__(self, diagnostics: Diagnostic | list[Diagnostic]):
        self.diagnostics = [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        self.diagnostic = self.diagnostics[0]
        super().__init__("\n".join(str(d) for d in self.diagnostics))


@dataclass
class TestCase:
    path: Path
    globals: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    imports: dict[str, Any] = field(default_factory=dict)  # modules, static imports and mocks (mocks win)
    expected: dict[str, Any] = field(default_factory=lambda: {"main": True})
    plugins: dict[str, tuple[int, int]] = field(default_factory=dict)  # import "plugin" blocks: name -> position


@dataclass
class CaseResult:
    path: Path
    passed: bool
    messages: list[str] = field(default_factory=list)
    trace: str = ""
    prints: list[str] = field(default_factory=list)
    broken: bool = False  # the case file itself could not be used: an input error, not a failed expectation


@dataclass
class PolicyResult:
    policy_path: Path
    cases: list[CaseResult] = field(default_factory=list)
    error: str = ""  # the policy itself does not compile

    @property
    def passed(self) -> bool:
        return not self.error and all(c.passed for c in self.cases)

    @property
    def broken(self) -> bool:
        """The policy or one of its case files could not be read: exit 2, like any bad input."""
        return bool(self.error) or any(c.broken for c in self.cases)


# -- case files -----------------------------------------------------------------------------------------------------
def load_case(path: Path) -> TestCase:
    try:
        config = read_config_file(path, CASE_BLOCKS)
    except SentinelConfigError as exc:
        raise CaseError(exc.diagnostics) from None
    case = TestCase(path, params=dict(config.params), plugins=dict(config.plugins))
    problems = _missing_files(config)
    if problems:
        raise CaseError(problems)
    for name, spec in config.globals.items():
        case.globals[name] = spec["value"] if "value" in spec else load_job_global(Path(spec["file"]), path)
    case.imports = config.imports()
    if config.test_rules:
        case.expected = dict(config.test_rules)
    return case


def _missing_files(config: SentinelConfig) -> list[Diagnostic]:
    """Module and module-mock sources that do not exist, at the block that names them."""
    out = []
    for ref in [*config.modules.values(), *(m for m in config.mocks.values() if isinstance(m, ModuleImport))]:
        if not Path(ref.path).is_file():
            file, line, col = ref.where
            out.append(Diagnostic(file, line, col, f"{ref.title}: module file not found", ref.path))
    return out


def load_job_global(job_path: Path, case_path: Path) -> dict:
    """The snake_case view of a job file's canonical job (what policies see under ``job``)."""
    try:
        loaded = jobspec.load_file(str(job_path))
    except jobspec.JobspecError as exc:
        first = exc.diagnostics[0] if exc.diagnostics else Diagnostic(str(job_path), 0, 0, "invalid job file")
        raise CaseError(first) from None
    except OSError as exc:
        raise CaseError(Diagnostic(str(case_path), 0, 0, f"cannot load job file {job_path}: {exc}")) from None
    return jobspec.snake_view(loaded.canonical)


# -- running ----------------------------------------------------------------------------------------------------------
def case_imports(case: TestCase, extra_imports: dict[str, Any] | None = None) -> ImportSet:
    """What the case's run imports: plugin imports, overridden by the case's modules, static imports and mocks."""
    return ImportSet({**(extra_imports or {}), **case.imports})


def check_case(policy: Policy, case: TestCase, imports: dict[str, Any]) -> list[Diagnostic]:
    """Problems that would stop the run, found before it (see the module docstring)."""
    from jobguard.lang.imports import BUILTIN_IMPORTS

    out = [Diagnostic(str(case.path), line, col, f'import "plugin" "{name}": no installed jobguard plugin provides '
                      f'this import', "jobguard does not run Sentinel plugin binaries; mock it or install a "
                      "jobguard plugin that provides it (docs/plugins.md)")
           for name, (line, col) in case.plugins.items() if name not in imports]
    return out + check_imports(policy, imports, frozenset(BUILTIN_IMPORTS))


def run_case(policy: Policy, case: TestCase, extra_imports: dict[str, Any] | None = None) -> CaseResult:
    imports = case_imports(case, extra_imports)
    problems = check_case(policy, case, imports)
    if problems:
        return CaseResult(case.path, False, [str(d) for d in problems], broken=True)
    res = policy.evaluate(globals=case.globals, params=case.params, imports=imports, trace=True,
                          force_rules=list(case.expected))
    out = CaseResult(case.path, True, trace=res.trace, prints=res.prints)
    if res.error is not None:
        out.passed = False
        out.messages.append(f"runtime error: {res.error}")
        return out
    for name, want in case.expected.items():
        got = res.rules.get(name, UNDEFINED)
        if not _same(got, want):
            out.passed = False
            out.messages.append(f'expected "{name}" to be {show(want, False)}, got: {show(got, False)}')
    return out


def _same(got: Any, want: Any) -> bool:
    from jobguard.lang.runtime import equal

    return equal(got, want)


def find_policies(paths: list[Path]) -> list[Path]:
    """Policies named by ``paths``, as ``sentinel test [PATH...]`` takes them: files as given, directories'
    top-level ``*.sentinel`` files; each policy once, in the order first named."""
    found: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        items = sorted(p.glob("*.sentinel")) if p.is_dir() else ([p] if p.suffix == ".sentinel" and p.is_file()
                                                                  else [])
        for item in items:
            key = item.resolve()
            if key not in seen:
                seen.add(key)
                found.append(item)
    return found


def case_files(policy_path: Path) -> list[Path]:
    d = policy_path.parent / "test" / policy_path.stem
    if not d.is_dir():
        return []
    return sorted(f for f in d.iterdir() if f.suffix in (".hcl", ".json") and f.is_file())


def run_filter(run: str | None):
    """``-run``'s test: a ``/`` splits a policy-name pattern from a case-name pattern (as in ``sentinel test``);
    without one, the pattern selects cases whose policy name or case name it matches."""
    if not run:
        return lambda policy, case: True
    if "/" in run:
        policy_rx, case_rx = (re.compile(part) for part in run.split("/", 1))
        return lambda policy, case: bool(policy_rx.search(policy) and case_rx.search(case))
    rx = re.compile(run)
    return lambda policy, case: bool(rx.search(case) or rx.search(policy))


def run_policy_tests(policy_path: Path, run: str | None = None,
                     extra_imports: dict[str, Any] | None = None) -> PolicyResult:
    """Run every case of one policy; ``extra_imports`` (plugin imports) are overridden by the case's imports."""
    result = PolicyResult(policy_path)
    try:
        source = policy_path.read_text(encoding="utf-8")
        policy = compile_policy(source, filename=str(policy_path))
    except PolicySyntaxError as exc:
        result.error = str(exc)
        return result
    except (OSError, UnicodeDecodeError) as exc:
        result.error = f"{policy_path}: cannot read policy: {exc}"
        return result
    wanted = run_filter(run)
    for f in case_files(policy_path):
        if not wanted(policy_path.stem, f.stem):
            continue
        try:
            case = load_case(f)
        except CaseError as exc:
            result.cases.append(CaseResult(f, False, [str(d) for d in exc.diagnostics], broken=True))
            continue
        result.cases.append(run_case(policy, case, extra_imports))
    return result
