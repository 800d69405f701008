"""Both backends on every real policy we have: the fast path's verdict must be the closure backend's.

Why: ``Policy.evaluate`` trusts a verdict the generated code returns (true, false, undefined) and only re-runs the
closure backend when the fast path raises (see :mod:`jobguard.lang.codegen`). tests/lang/test_codegen.py compares
the backends on operators and generated programs; these tests compare them on whole policies as people write them:
the project's ``policies/`` (with their Sentinel-layout test cases and the example jobs), ``examples/``, and the
shared measuring material (``../shared/sentinel``: the Nomad policies, the two Terraform libraries with their
modules and module-backed mocks, the grammar fixtures and the other Terraform-world policies).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from jobguard.lang import UNDEFINED, Policy, compile_policy
from jobguard.lang.errors import PolicySyntaxError
from jobguard.lang.sandbox import DEFAULT_LIMITS
from jobguard.lang.testing import CaseError, case_files, case_imports, load_case

from .test_codegen import same

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "sentinel"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared measuring material not found at {SHARED}")


def compare(policy: Policy, globals_: Any, params: Any, imports: Any) -> str:
    """Run ``policy`` on the same inputs with both backends and assert they agree; say which ran.

    Returns "closures" when the code generator leaves the policy to the closure backend (nothing to compare),
    "fast" when the fast path returned a verdict, "fell back" when it raised (the closure backend must then report
    an error, or the policy would silently pay for a second run)."""
    if policy._fast is None:
        return "closures"
    fast = policy._run_fast(copy.deepcopy(globals_ or {}), copy.deepcopy(params or {}), imports or {}, DEFAULT_LIMITS)
    ref = policy._run(copy.deepcopy(globals_ or {}), copy.deepcopy(params or {}), imports or {}, False,
                      DEFAULT_LIMITS, ())
    where = policy.filename
    if fast is None:
        assert ref.error is not None, f"{where}: the fast path raised but the closure backend passed: {ref}"
        return "fell back"
    assert ref.error is None, f"{where}: the fast path returned {fast.result!r}, the closure backend: {ref.error}"
    assert same(fast.result, ref.result), (where, fast.result, ref.result)
    assert fast.prints == ref.prints, where
    for name, value in fast.rules.items():
        assert same(value, ref.rules.get(name, UNDEFINED)), (where, name, value, ref.rules.get(name))
    return "fast"


def compare_cases(policy_path: Path) -> list[str]:
    """Both backends on each Sentinel-layout test case of one policy (its globals, params, mocks and modules)."""
    policy = compile_policy(policy_path.read_text(encoding="utf-8"), filename=str(policy_path))
    outcomes = []
    for f in case_files(policy_path):
        try:
            case = load_case(f)
        except CaseError:  # a broken case is `jobguard test`'s to report; there is nothing to run
            continue
        outcomes.append(compare(policy, case.globals, case.params, case_imports(case)))
    return outcomes


def library_policies(root: Path) -> list[Path]:
    """A library's policies, chosen as its CI chooses them (terraform/SOURCES.md): not tests, mocks or functions."""
    return sorted(p for p in root.rglob("*.sentinel")
                  if not ({"test", "testdata", "mocks"} & set(p.relative_to(root).parts))
                  and "functions" not in str(p.relative_to(root)))


def _ids(paths: list[Path], base: Path) -> list[str]:
    return [str(p.relative_to(base)) for p in paths]


# -- Sentinel-layout suites: every case under both backends ----------------------------------------------------------
PROJECT_POLICIES = sorted((ROOT / "policies").glob("*.sentinel")) + sorted((ROOT / "policies" / "library").glob(
    "*.sentinel"))


@pytest.mark.parametrize("path", PROJECT_POLICIES, ids=_ids(PROJECT_POLICIES, ROOT))
def test_project_policies_agree_on_their_cases(path):
    outcomes = compare_cases(path)
    assert outcomes, f"{path}: no test cases"
    assert "fast" in outcomes, f"{path}: the fast path never returned a verdict ({outcomes})"


NOMAD = sorted((SHARED / "nomad").glob("*.sentinel")) if SHARED.is_dir() else []


@needs_shared
@pytest.mark.parametrize("path", NOMAD, ids=[p.name for p in NOMAD])
def test_shared_nomad_policies_agree_on_their_cases(path):
    outcomes = compare_cases(path)
    assert outcomes, f"{path}: no test cases"


TERRAFORM = [p for lib in ("foundational", "terraform-sentinel-policies")
             for p in library_policies(SHARED / "terraform" / lib)] if SHARED.is_dir() else []


@needs_shared
@pytest.mark.parametrize("path", TERRAFORM, ids=_ids(TERRAFORM, SHARED) if TERRAFORM else [])
def test_terraform_library_policies_agree_on_their_cases(path):
    """Modules (``import "tfplan-functions"``) and module-backed mocks: a module runs on the closure backend
    inside either backend's run, so this also checks that the fast path hands modules the run's context."""
    compare_cases(path)


@needs_shared
def test_the_shared_suites_mostly_take_the_fast_path():
    """Guards the comparison above against comparing nothing: most real policies must get generated code."""
    paths = NOMAD + TERRAFORM
    fast = [p for p in paths if compile_policy(p.read_text(encoding="utf-8"), filename=str(p))._fast is not None]
    assert len(paths) > 100
    assert len(fast) >= 0.9 * len(paths), sorted(set(map(str, paths)) - set(map(str, fast)))


# -- policies on their own (no test cases): grammar fixtures and other Terraform-world policies ----------------------
LOOSE = sorted((SHARED / "grammar").glob("*.sentinel")) + sorted((SHARED / "other").glob("*.sentinel")) \
    if SHARED.is_dir() else []


@needs_shared
@pytest.mark.parametrize("path", LOOSE, ids=[p.name for p in LOOSE])
def test_loose_policies_agree_without_inputs(path):
    """No job, params or mocks: the imports they need are missing, so many end in an error; both must agree."""
    try:
        policy = compile_policy(path.read_text(encoding="utf-8"), filename=str(path))
    except PolicySyntaxError:
        pytest.skip("a syntax-error fixture (does not parse under Sentinel either)")
    compare(policy, {}, {}, {})


# -- the engine's inputs: examples/ and policies/ on the example jobs ------------------------------------------------
def _engine_globals() -> list[dict[str, Any]]:
    """The globals the engine hands policies for each example job (recorded from a real engine run)."""
    from jobguard.engine.engine import Engine
    from jobguard.jobspec import load_file

    recorded: list[dict[str, Any]] = []
    original = Policy.evaluate

    def spy(self, globals=None, *args, **kwargs):
        recorded.append(copy.deepcopy(globals))
        return original(self, globals, *args, **kwargs)

    engine = Engine.load(config_path=ROOT / "examples" / "jobguard.hcl")
    jobs = sorted((ROOT / "examples" / "jobs").rglob("*.nomad*")) + sorted((ROOT / "policies" / "jobs").glob("*"))
    Policy.evaluate = spy
    try:
        for job in jobs:
            engine.evaluate(load_file(str(job)))
    finally:
        Policy.evaluate = original
    return recorded


EXAMPLE_POLICIES = sorted((ROOT / "examples").rglob("*.sentinel")) + PROJECT_POLICIES


def test_example_and_project_policies_agree_on_the_example_jobs():
    inputs = _engine_globals()
    assert len(inputs) >= 10, "expected the example config's policies to run on every example job"
    outcomes = {}
    for path in EXAMPLE_POLICIES:
        policy = compile_policy(path.read_text(encoding="utf-8"), filename=str(path))
        for globals_ in inputs:
            outcomes.setdefault(compare(policy, globals_, {}, {}), []).append(path.name)
    assert outcomes.get("fast"), outcomes
