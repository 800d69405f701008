"""Policies: find, read and compile ``*.sentinel`` files once, then evaluate them per job.

Policies come from ``policy`` blocks in ``jobguard.hcl`` (source relative to the config file) and from
``--policy PATH`` (files, or directories whose top-level ``*.sentinel`` files are all taken; a ``test/`` folder
beside them is Sentinel's test layout and is not a policy). Every problem of every policy (missing file, syntax,
unknown or missing params) is collected into one :class:`ConfigError`, because a user fixing a policy set wants
the whole list.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Mapping, Sequence

from jobguard.engine import sources
from jobguard.engine.config import Config, PolicyConfig
from jobguard.engine.enforcement import CLI_POLICY_LEVEL, DEFAULT_POLICY_LEVEL
from jobguard.engine.errors import ConfigError
from jobguard.jobspec.errors import Diagnostic
from jobguard.jobspec.sourcemap import Position
from jobguard.lang import PolicySyntaxError, UNDEFINED, compile_policy
from jobguard.lang.imports import BUILTIN_IMPORTS
from jobguard.lang.modules import ImportSet, check_imports

POLICY_SUFFIX = ".sentinel"
# A policy has no severity of its own; reports still need one, so it follows the enforcement level.
SEVERITY_BY_LEVEL = {"advisory": "low", "soft-mandatory": "medium", "hard-mandatory": "high"}


@dataclass
class PolicySpec:
    """A compiled policy with its settings. ``origin`` is "config" or "cli" (``--policy``)."""

    name: str
    file: str
    text: str
    enforcement_level: str
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    non_waivable: bool = False
    severity: str | None = None
    origin: str = "config"
    position: Position | None = None
    compiled: Any = None

    @property
    def effective_severity(self) -> str:
        return self.severity or SEVERITY_BY_LEVEL[self.enforcement_level]

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class PolicyOutcome:
    """One policy's verdict on one job. ``passed`` False with ``error`` set means it crashed (fail closed)."""

    passed: bool
    message: str = ""
    trace: str = ""
    error: Diagnostic | None = None
    failing_rules: list[str] = field(default_factory=list)


def load_policies(config: Config, extra_paths: Sequence[str | os.PathLike[str]] = ()) -> list[PolicySpec]:
    """Read and compile the configured policies and those given on the command line."""
    diagnostics: list[Diagnostic] = []
    specs: dict[str, PolicySpec] = {}
    for block in config.policies.values():
        spec = _from_block(config, block, diagnostics)
        if spec:
            specs[spec.name] = spec
    for path in _expand(extra_paths, diagnostics):
        name = Path(path).stem
        existing = specs.get(name)
        if existing is not None:
            if _same_file(existing.file, path):
                continue  # --policy pointing at a policy the config already configures
            diagnostics.append(Diagnostic(path, 0, 0, f"Duplicate policy name {name!r}",
                                          f"also loaded from {existing.file}; policy names come from file names"))
            continue
        text = _read(path, diagnostics, Diagnostic(path, 0, 0, "Cannot read policy"))
        if text is not None:
            specs[name] = PolicySpec(name, path, text, CLI_POLICY_LEVEL, origin="cli")
    for spec in specs.values():
        _compile(spec, config, diagnostics)
    if diagnostics:
        raise ConfigError(diagnostics)
    return list(specs.values())


def _from_block(config: Config, block: PolicyConfig, diagnostics: list[Diagnostic]) -> PolicySpec | None:
    where = config.diagnostic(("policy", block.name, "source"), f"Policy file not found: {block.source}",
                              f'policy "{block.name}" source')
    if not sources.is_file(block.source):
        diagnostics.append(where)
        return None
    text = _read(block.source, diagnostics, where)
    if text is None:
        return None
    return PolicySpec(block.name, block.source, text, block.enforcement_level or DEFAULT_POLICY_LEVEL,
                      params=dict(block.params), enabled=block.enabled, non_waivable=block.non_waivable,
                      severity=block.severity, origin="config", position=block.position)


def _read(path: str, diagnostics: list[Diagnostic], where: Diagnostic) -> str | None:
    try:
        return sources.read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.append(Diagnostic(where.file, where.line, where.column, where.summary, str(exc)))
        return None


def _expand(paths: Sequence[str | os.PathLike[str]], diagnostics: list[Diagnostic]) -> list[str]:
    out: list[str] = []
    for raw in paths:
        path = os.fspath(raw)
        if sources.is_dir(path):
            out.extend(sorted(os.path.join(path, n) for n in sources.list_dir(path)
                              if n.endswith(POLICY_SUFFIX) and sources.is_file(os.path.join(path, n))))
        elif sources.is_file(path):
            out.append(path)
        else:
            diagnostics.append(Diagnostic(path, 0, 0, "Policy path not found", "--policy takes a file or a directory"))
    return out


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _compile(spec: PolicySpec, config: Config, diagnostics: list[Diagnostic]) -> None:
    try:
        spec.compiled = compile_policy(spec.text, name=spec.name, filename=spec.file)
    except PolicySyntaxError as exc:
        diagnostics.extend(exc.diagnostics)
        return
    declared = getattr(spec.compiled, "params", {}) or {}
    # a policy set's param blocks give values to every policy that declares the param (Sentinel's rule)
    spec.params = {**{k: v for k, v in config.global_params.items() if k in declared}, **spec.params}
    _check_params(spec, config, diagnostics)


def policy_imports(config: Config, plugin_imports: Mapping[str, Any], diagnostics: list[Diagnostic]) -> Any:
    """What ``import`` resolves to for every policy: plugin imports, then the config's modules, static data and
    mocks (later ones win). ``import "plugin"`` blocks must name an import an installed plugin provides."""
    for name, where in config.plugin_imports.items():
        if name not in plugin_imports:
            diagnostics.append(Diagnostic(where.file, where.line, where.column,
                                          f'import "plugin" "{name}": no installed jobguard plugin provides this '
                                          "import", "jobguard does not run Sentinel plugin binaries; install a "
                                          "jobguard plugin that provides it (docs/plugins.md)"))
    merged = {**plugin_imports, **config.imports}
    # only a mapping holding modules needs a module cache per run (ImportSet); plain data stays a plain dict
    return ImportSet(merged) if any(hasattr(v, "load_import") for v in merged.values()) else merged


def check_policy_imports(specs: Sequence[PolicySpec], imports: Mapping[str, Any],
                         diagnostics: list[Diagnostic]) -> None:
    """Imports no policy run could resolve (unknown names; module files missing, not parsing or in a cycle),
    reported when the configuration loads instead of failing every job."""
    seen: set[str] = set()
    for spec in specs:
        if spec.compiled is None:
            continue
        for problem in check_imports(spec.compiled, dict(imports), frozenset(BUILTIN_IMPORTS)):
            if str(problem) not in seen:  # a module shared by several policies reports its problem once
                seen.add(str(problem))
                diagnostics.append(problem)


def _check_params(spec: PolicySpec, config: Config, diagnostics: list[Diagnostic]) -> None:
    """Params given must be declared by the policy; declared params without a default must be given."""
    declared: Mapping[str, Any] = getattr(spec.compiled, "params", {}) or {}
    for key in spec.params:
        if key not in declared:
            known = ", ".join(sorted(declared)) or "none"
            diagnostics.append(config.diagnostic(("policy", spec.name, "params", key), f"Unknown policy param {key!r}",
                                                 f'policy "{spec.name}" declares: {known}'))
    for key, default in declared.items():
        if default is UNDEFINED and key not in spec.params:
            if spec.origin == "config":
                diagnostics.append(config.diagnostic(("policy", spec.name), f"Missing policy param {key!r}",
                                                     f'policy "{spec.name}" requires it (no default)'))
            else:
                diagnostics.append(Diagnostic(spec.file, 0, 0, f"Missing policy param {key!r}",
                                              "it has no default; configure the policy in jobguard.hcl with params"))


def evaluate(spec: PolicySpec, globals_: dict[str, Any], imports: Mapping[str, Any], trace: bool = False,
             job_id: str = "") -> PolicyOutcome:
    """Run one compiled policy; False, undefined and runtime errors are all failures (errors fail closed)."""
    result = spec.compiled.evaluate(globals=globals_, params=spec.params, trace=trace,
                                    imports=imports if type(imports) is ImportSet else dict(imports))
    description = (getattr(spec.compiled, "description", "") or "").strip()
    headline = description.splitlines()[0].strip() if description else f"policy {spec.name!r} failed"
    prints = [p.rstrip("\n") for p in (getattr(result, "prints", None) or []) if p.strip()]
    output = ("; output: " + " | ".join(prints)) if prints else ""
    if result.error is not None:
        error = result.error
        summary = f"policy {spec.name!r} failed with a runtime error" + (f" on job {job_id!r}" if job_id else "")
        where = Diagnostic(error.file or spec.file, error.line, error.column, summary, error.message)
        return PolicyOutcome(False, f"{headline}: runtime error: {error.message}{output}",
                             getattr(result, "trace", "") or "", where)
    value = result.result
    if value is True:
        return PolicyOutcome(True)
    failing = [name for name, v in (getattr(result, "rules", None) or {}).items() if v is False and name != "main"]
    if value is UNDEFINED:
        message = f"{headline}: policy result undefined"
    else:
        message = headline + (f" (failed rules: {', '.join(failing)})" if failing else "")
    return PolicyOutcome(False, message + output, getattr(result, "trace", "") or "", None, failing)
