"""Policy test runner in Sentinel's test layout.

Layout: ``<dir>/<policy>.sentinel`` with cases in ``<dir>/test/<policy>/*.hcl`` (or ``*.json``). A case holds::

    global "job" { value = { ... } }          # a global value
    global "job" { file = "../../jobs/web.nomad.hcl" }   # jobguard extension: load a job file (path relative
                                              # to the case file), canonicalise it and give policies its
                                              # snake_case view, exactly as `jobguard check` would
    param "limit" { value = 3 }
    mock "time" { data = { day = "friday", hour = 10 } }   # static import data replaces the import
    test { rules = { main = true, some_rule = false } }    # expected rule values (default: main = true)

JSON cases use the same structure: ``{"global": {"job": {"value": ...}}, "mock": {...}, "test": {"rules": ...}}``.
Mocks backed by Sentinel modules (``mock "x" { module { source = ... } }``) are not supported and make the case
fail with a clear message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobguard.jobspec.errors import Diagnostic
from jobguard.lang.errors import PolicySyntaxError
from jobguard.lang.policy import Policy, compile_policy
from jobguard.lang.runtime import show
from jobguard.lang.values import UNDEFINED


class CaseError(Exception):
    """A test case file that cannot be used (bad HCL/JSON, unsupported block, unloadable job file)."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


@dataclass
class TestCase:
    path: Path
    globals: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    mocks: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=lambda: {"main": True})


@dataclass
class CaseResult:
    path: Path
    passed: bool
    messages: list[str] = field(default_factory=list)
    trace: str = ""
    prints: list[str] = field(default_factory=list)
    broken: bool = False  # the case file itself could not be read: an input error, not a failed expectation


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
def _unescape_hcl(value: Any) -> Any:
    """python-hcl2 keeps HCL's template escapes ``$${`` / ``%%{``; a literal test value means ``${`` / ``%{``."""
    if isinstance(value, str):
        return value.replace("$${", "${").replace("%%{", "%{")
    if isinstance(value, list):
        return [_unescape_hcl(v) for v in value]
    if isinstance(value, dict):
        return {_unescape_hcl(k): _unescape_hcl(v) for k, v in value.items()}
    return value


def _read_hcl(path: Path) -> dict:
    import hcl2
    from hcl2.utils import SerializationOptions

    opts = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True,
                                preserve_heredocs=False)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(Diagnostic(str(path), 0, 0, f"cannot read test case: {exc}")) from None
    from jobguard.engine.hcl_tree import HclSyntaxError, parse

    try:
        parse(text, str(path))  # syntax errors with a position and a readable message (the config's reader)
        data = hcl2.loads(text, serialization_options=opts)
    except HclSyntaxError as exc:
        raise CaseError(exc.diagnostic) from None
    except Exception as exc:  # python-hcl2's serializer on valid syntax: no position to give
        raise CaseError(Diagnostic(str(path), 0, 0, "Invalid HCL", str(exc).strip().splitlines()[0][:200])) from None
    blocks: dict[str, dict] = {}
    for kind in ("global", "param", "mock"):
        merged: dict[str, Any] = {}
        for entry in data.get(kind, []) or []:
            if isinstance(entry, dict):
                merged.update(entry)
        blocks[kind] = merged
    tests = data.get("test", [])
    blocks["test"] = tests[0] if isinstance(tests, list) and tests else (tests if isinstance(tests, dict) else {})
    return _unescape_hcl(blocks)


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(Diagnostic(str(path), 0, 0, f"cannot read test case: {exc}")) from None
    except json.JSONDecodeError as exc:
        raise CaseError(Diagnostic(str(path), exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")) from None
    if not isinstance(data, dict):
        raise CaseError(Diagnostic(str(path), 1, 1, "a test case must be a JSON object"))
    return {k: data.get(k) or {} for k in ("global", "param", "mock", "test")}


def load_case(path: Path) -> TestCase:
    raw = _read_json(path) if path.suffix == ".json" else _read_hcl(path)
    case = TestCase(path)
    for name, block in raw["global"].items():
        case.globals[name] = _global_value(path, name, block)
    for name, block in raw["param"].items():
        if not isinstance(block, dict) or "value" not in block:
            raise CaseError(Diagnostic(str(path), 0, 0, f'param "{name}" needs a value'))
        case.params[name] = block["value"]
    for name, block in raw["mock"].items():
        if not isinstance(block, dict) or "data" not in block:
            raise CaseError(Diagnostic(str(path), 0, 0, f'mock "{name}": only static mocks (data = {{...}}) '
                                                        "are supported"))
        case.mocks[name] = block["data"]
    rules = raw["test"].get("rules") if isinstance(raw["test"], dict) else None
    if isinstance(rules, dict) and rules:
        case.expected = dict(rules)
    return case


def _global_value(path: Path, name: str, block: Any) -> Any:
    if not isinstance(block, dict) or ("value" not in block and "file" not in block):
        raise CaseError(Diagnostic(str(path), 0, 0, f'global "{name}" needs a value or a file'))
    if "value" in block:
        return block["value"]
    return load_job_global(path.parent / str(block["file"]), path)


def load_job_global(job_path: Path, case_path: Path) -> dict:
    """The snake_case view of a job file's canonical job (what policies see under ``job``)."""
    from jobguard.jobspec import JobspecError, load_file, snake_view

    try:
        loaded = load_file(str(job_path))
    except JobspecError as exc:
        first = exc.diagnostics[0] if exc.diagnostics else Diagnostic(str(job_path), 0, 0, "invalid job file")
        raise CaseError(first) from None
    except OSError as exc:
        raise CaseError(Diagnostic(str(case_path), 0, 0, f"cannot load job file {job_path}: {exc}")) from None
    return snake_view(loaded.canonical)


# -- running ----------------------------------------------------------------------------------------------------------
def run_case(policy: Policy, case: TestCase, extra_imports: dict[str, Any] | None = None) -> CaseResult:
    imports = {**(extra_imports or {}), **case.mocks}
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
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found.extend(sorted(p.glob("*.sentinel")))
        elif p.suffix == ".sentinel" and p.is_file():
            found.append(p)
    return found


def case_files(policy_path: Path) -> list[Path]:
    d = policy_path.parent / "test" / policy_path.stem
    if not d.is_dir():
        return []
    return sorted(f for f in d.iterdir() if f.suffix in (".hcl", ".json") and f.is_file())


def run_policy_tests(policy_path: Path, run: str | None = None,
                     extra_imports: dict[str, Any] | None = None) -> PolicyResult:
    """Run every case of one policy; ``extra_imports`` (plugin imports) are overridden by the case's mocks."""
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
    pattern = re.compile(run) if run else None
    for f in case_files(policy_path):
        if pattern is not None and not pattern.search(f.stem):
            continue
        try:
            case = load_case(f)
        except CaseError as exc:
            result.cases.append(CaseResult(f, False, [str(exc.diagnostic)], broken=True))
            continue
        result.cases.append(run_case(policy, case, extra_imports))
    return result
