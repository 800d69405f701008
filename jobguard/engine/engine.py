"""The Engine: configuration + rules + policies, loaded once, evaluated per job.

Everything expensive or fallible happens in :meth:`Engine.load` (config parsing and schema checks, plugin
discovery, params validation, policy compilation), so that :meth:`Engine.evaluate` only runs checks: the CLI
evaluates thousands of files with one engine and the proxy evaluates every submission with it.

Evaluation order for one job: rules -> policies -> suppressions (comments, meta, config exceptions) -> overrides.
A rule or policy that crashes is reported in ``Result.errors`` and makes the result blocking (fail closed).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import inspect
import json
import os
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable, Sequence

from jobguard import __version__, plugins
from jobguard.contract import RuleContext, help_uri_of
from jobguard.engine import enforcement, policies, profiles, redaction, suppressions
from jobguard.engine.config import Config, find_config, load_config
from jobguard.engine.errors import ConfigError
from jobguard.engine.findings import Finding
from jobguard.engine.schema import validate
from jobguard.jobspec import snake_view
from jobguard.jobspec.errors import Diagnostic
from jobguard.jobspec.job import LoadedJob
from jobguard.jobspec.sourcemap import Path
from jobguard.lang.modules import ModuleImport
from jobguard.suggest import did_you_mean


@dataclass
class EvalContext:
    """What the submitting side knows beyond the job (the proxy fills it from the Nomad API).

    ``existing_job``    the job currently registered under the same ID (API JSON, PascalCase, or a LoadedJob) or
                        None.
    ``nomad_acl_token`` the caller's ACL token as ``/v1/acl/token/self`` returns it; its SecretID is dropped
                        before any policy sees it.
    """

    existing_job: dict[str, Any] | LoadedJob | None = None
    job_exists: bool = False
    namespace: str = "default"
    nomad_acl_token: dict[str, Any] | None = None


@dataclass
class Result:
    """The outcome for one job. ``findings`` include suppressed and overridden ones (reports show them)."""

    job: str
    file: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)

    def blocking(self, fail_on: str = "soft-mandatory") -> bool:
        """Does this job fail at threshold ``fail_on``? Evaluation errors always do (fail closed)."""
        return bool(self.blocking_findings(fail_on)) or bool(self.errors)

    def blocking_findings(self, fail_on: str = "soft-mandatory") -> list[Finding]:
        return enforcement.blocking(self.findings, fail_on)

    def to_dict(self) -> dict[str, Any]:
        return {"job": self.job, "file": self.file, "findings": [f.to_dict() for f in self.findings],
                "errors": [d.to_dict() for d in self.errors]}


@dataclass
class ActiveRule:
    """A rule as configured: its effective level, severity and validated params."""

    rule: Any
    enforcement_level: str
    severity: str
    params: dict[str, Any]
    non_waivable: bool = False
    plugin: str = ""
    dist: str = ""
    #: does the profile and the rule's block let it run (``jobguard rules`` lists disabled ones too)
    enabled: bool = True
    #: has it a ``rule`` block in the configuration
    configured: bool = False

    @property
    def id(self) -> str:
        return self.rule.id


def configure_rule(config: Config, rule_id: str, registered: Any, only: Iterable[str] = ()) -> ActiveRule:
    """One installed rule as ``config`` sets it up: the one place its profile, ``rule`` block and defaults merge.

    ``only`` (``--only``) counts as configuring a rule, so it runs under ``rules = "none"`` too. Params are not
    validated here (that needs the config's positions; :meth:`Engine.load` does it for the rules that run).
    """
    rule = registered.rule
    block = config.rules.get(rule_id)
    enabled = (block is None or block.enabled) and profiles.runs(config.profile, block is not None or rule_id in only)
    params = {**dict(getattr(rule, "default_params", {}) or {}), **(block.params if block else {})}
    level = (block and block.enforcement_level) or profiles.default_level(
        config.profile, rule_id, rule.enforcement_level, registered.plugin)
    return ActiveRule(rule, level, (block and block.severity) or rule.severity, params,
                      bool(block and block.non_waivable), registered.plugin, registered.dist,
                      enabled=enabled, configured=block is not None)


def effective_rules(config: Config, registry: dict[str, Any], only: Iterable[str] = ()) -> list[ActiveRule]:
    """Every installed rule (``registry``: ID -> registered rule) as ``config`` sets it up, enabled or not."""
    only = set(only)
    return [configure_rule(config, rule_id, registered, only) for rule_id, registered in registry.items()]


def policy_globals(loaded: LoadedJob | None, context: EvalContext,
                   set_globals: dict[str, Any] | None = None) -> dict[str, Any]:
    """The globals a Nomad Sentinel policy sees: ``job``, ``existing_job``, ``job_exists``, ``namespace`` and
    ``nomad_acl_token`` (never its SecretID), over ``set_globals`` (a policy set's ``global`` blocks).

    One builder for the engine and ``jobguard apply``, so a policy sees the same names whichever runs it.
    """
    return {
        **(set_globals or {}),  # a policy set's global blocks; the job's own globals win
        "job": snake_view(loaded.canonical) if loaded is not None else None,
        "existing_job": snake_view(_api_job(context.existing_job)) if context.existing_job else None,
        "job_exists": bool(context.job_exists),
        "namespace": context.namespace,
        "nomad_acl_token": public_token(context.nomad_acl_token),
    }


class Engine:
    """Runs the configured rules and policies on loaded jobs. Build it with :meth:`load`."""

    def __init__(self, config: Config, rules: list[ActiveRule], policy_specs: list[policies.PolicySpec],
                 registry: dict[str, Any], imports: dict[str, Any], plugin_versions: Sequence[str] = (),
                 load_args: dict[str, Any] | None = None) -> None:
        self.config = config
        self.rules = rules
        self.policies = policy_specs
        self.registry = registry
        self.imports = imports
        self.plugin_versions = list(plugin_versions)
        #: the arguments :meth:`load` was called with, so worker processes can rebuild an equal engine
        self.load_args = load_args or {}
        self._fingerprint: str | None = None
        self._known_ids = set(registry) | {p.name for p in policy_specs} | set(config.policies)

    # ----------------------------------------------------------------------------------------------------------
    # Loading
    # ----------------------------------------------------------------------------------------------------------

    @classmethod
    def load(cls, config_path: str | os.PathLike[str] | None = None, start_dir: str | os.PathLike[str] = ".",
             extra_policies: Sequence[str | os.PathLike[str]] = (), only: Iterable[str] | None = None,
             skip: Iterable[str] | None = None, plugin_manager: Any = None) -> Engine:
        """Read the config (``config_path``, else the nearest ``jobguard.hcl`` upwards from ``start_dir``, else
        defaults), discover rules and policy imports from plugins, validate params and compile policies.

        ``only``/``skip`` take rule IDs and policy names (comma-separated strings are split). Raises
        :class:`ConfigError` with every problem found.
        """
        load_args = {"config_path": os.fspath(config_path) if config_path else None,
                     "start_dir": os.fspath(start_dir), "extra_policies": [os.fspath(p) for p in extra_policies],
                     "only": _names(only), "skip": _names(skip)}
        path = config_path if config_path is not None else find_config(start_dir)
        config = load_config(path)
        pm = plugin_manager or plugins.get_plugin_manager()
        registry = plugins.discover_rules(pm)
        plugin_imports = plugins.discover_policy_imports(pm)
        diagnostics: list[Diagnostic] = []
        active = _configure_rules(config, registry, diagnostics, set(load_args["only"] or ()))
        imports = policies.policy_imports(config, plugin_imports, diagnostics)
        try:
            specs = policies.load_policies(config, extra_policies)
        except ConfigError as exc:
            diagnostics.extend(exc.diagnostics)
            specs = []
        policies.check_policy_imports(specs, imports, diagnostics)
        known = set(registry) | {s.name for s in specs} | set(config.policies)
        _check_exceptions(config, known, diagnostics)
        active, specs = _select(active, specs, load_args["only"], load_args["skip"], known, diagnostics)
        if diagnostics:
            raise ConfigError(diagnostics)
        return cls(config, active, specs, registry, imports, plugins.plugin_versions(pm), load_args)

    # ----------------------------------------------------------------------------------------------------------
    # Evaluation
    # ----------------------------------------------------------------------------------------------------------

    def evaluate(self, loaded: LoadedJob, policy_override: bool = False, context: EvalContext | None = None,
                 trace: bool = False, today: _dt.date | None = None) -> Result:
        """Run every enabled rule and policy on ``loaded``; apply suppressions and the override."""
        context = context or EvalContext()
        today = today or _dt.date.today()
        result = Result(job=loaded.id, file=loaded.file)
        for active in self.rules:
            if getattr(active.rule, "produced_by_engine", False):
                continue
            self._run_rule(active, loaded, result)
        if self.policies:
            self._run_policies(loaded, context, trace, result)
        self._suppress(loaded, today, result)
        enforcement.apply_override(result.findings, policy_override)
        result.findings.sort(key=lambda f: (f.file, f.line, f.column, f.rule, f.path_text, f.message))
        return result

    def _run_rule(self, active: ActiveRule, loaded: LoadedJob, result: Result) -> None:
        try:
            violations = list(active.rule.check(RuleContext(loaded=loaded, params=active.params)) or ())
        except Exception as exc:  # a buggy rule must not hide the others, nor pass silently
            detail = redaction.scrub(f"{type(exc).__name__}: {exc}", redaction.secret_values(loaded.canonical))
            result.errors.append(Diagnostic(loaded.file, 0, 0, f"rule {active.id!r} crashed", detail[:500]))
            return
        for violation in violations:
            result.findings.append(self._finding(active, loaded, violation.message, tuple(violation.path)))

    def _finding(self, active: ActiveRule, loaded: LoadedJob, message: str, path: Path) -> Finding:
        file, line, column = _locate(loaded, path)
        return Finding(rule=active.id, kind="rule", enforcement_level=active.enforcement_level,
                       severity=active.severity, message=message, file=file, line=line, column=column,
                       job=loaded.id, path=path, title=active.rule.title, help_uri=help_uri_of(active.rule),
                       extra={"category": getattr(active.rule, "category", ""), "plugin": active.plugin},
                       redact_value=bool(getattr(active.rule, "redact_value", False)))

    def _run_policies(self, loaded: LoadedJob, context: EvalContext, trace: bool, result: Result) -> None:
        globals_ = self.policy_globals(loaded, context)
        file, line, column = _locate(loaded, ())
        secrets: list[str] | None = None
        for spec in self.policies:
            try:
                outcome = policies.evaluate(spec, globals_, self.imports, trace=trace, job_id=loaded.id)
            except Exception as exc:  # the language promises errors in the result; fail closed if it breaks
                outcome = policies.PolicyOutcome(False, f"policy {spec.name!r} crashed: {type(exc).__name__}",
                                                 error=Diagnostic(spec.file, 0, 0, f"policy {spec.name!r} crashed",
                                                                  f"{type(exc).__name__}: {exc}"[:500]))
            if outcome.passed:
                continue
            if secrets is None:
                secrets = redaction.secret_values(loaded.canonical)
            if secrets:
                outcome = _scrubbed(outcome, secrets)
            if outcome.error is not None:
                result.errors.append(outcome.error)
            result.findings.append(Finding(
                rule=spec.name, kind="policy", enforcement_level=spec.enforcement_level,
                severity=spec.effective_severity, message=outcome.message, file=file, line=line, column=column,
                job=loaded.id, path=(), title=_policy_title(spec), trace=outcome.trace,
                extra={"policy_file": spec.file, "failed_rules": outcome.failing_rules,
                       "error": outcome.error is not None}))

    def _suppress(self, loaded: LoadedJob, today: _dt.date, result: Result) -> None:
        found = suppressions.collect(loaded, self.config, self.known_ids, today)
        non_waivable = {r.id for r in self.rules if r.non_waivable} | {p.name for p in self.policies if p.non_waivable}
        suppressions.apply(result.findings, found, non_waivable)
        by_id = {r.id: r for r in self.rules}
        for problem in found.problems:
            active = by_id.get(problem.rule)
            if active is None:  # disabled or filtered out by --only/--skip
                continue
            finding = self._finding(active, loaded, problem.message, ())
            if problem.position is not None:
                finding.file, finding.line, finding.column = (problem.position.file, problem.position.line,
                                                              problem.position.column)
            result.findings.append(finding)

    # ----------------------------------------------------------------------------------------------------------
    # Introspection
    # ----------------------------------------------------------------------------------------------------------

    def effective_rules(self) -> list[ActiveRule]:
        """Every installed rule as this engine's configuration sets it up, enabled or not (``jobguard rules``);
        :attr:`rules` holds the ones that run."""
        return effective_rules(self.config, self.registry, self.load_args.get("only") or ())

    def policy_globals(self, loaded: LoadedJob | None, context: EvalContext | None = None) -> dict[str, Any]:
        """The globals this engine's policies see for ``loaded`` (see the module function :func:`policy_globals`)."""
        return policy_globals(loaded, context or EvalContext(), self.config.globals)

    @property
    def config_file(self) -> str | None:
        """The jobguard.hcl (or sentinel.hcl) this engine read, None when it runs on defaults. It may have been
        found by searching upwards from the start directory, so fronts ask here rather than guess."""
        path = self.config.path
        return str(path) if path and os.path.isfile(path) else None

    def source_files(self) -> list[str]:
        """The files this engine's result depends on besides the job: the config, every policy and every Sentinel
        module (the proxy watches them to reload)."""
        files = [self.config_file] if self.config_file else []
        files += [spec.file for spec in self.policies if isinstance(spec.file, str)]
        return files + [path for _name, path in self.module_files()]

    def proxy_block(self) -> dict[str, Any]:
        """The configuration's ``proxy { }`` block (settings of ``jobguard serve``), empty when absent."""
        return dict(self.config.proxy or {})

    def check_extensions(self) -> list[str] | None:
        """``check { extensions }`` of the configuration (the file names ``jobguard check`` picks in a directory),
        None for the defaults."""
        return list((self.config.check or {}).get("extensions") or []) or None

    def active_checks(self) -> list[str]:
        """IDs of the rules and names of the policies that run on every job (JUnit lists passing ones too)."""
        return sorted({r.id for r in self.rules} | {p.name for p in self.policies})

    def rule_metadata(self, rule_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``describe()`` of installed rules by ID, with the help link (SARIF ``tool.driver.rules``); IDs that
        name no installed rule (policies) are left out."""
        return {rule_id: {**self.registry[rule_id].rule.describe(), "kind": "rule",
                          "help_uri": help_uri_of(self.registry[rule_id].rule)}
                for rule_id in sorted(set(rule_ids) & set(self.registry))}

    def findings_metadata(self, findings: Iterable[Finding]) -> dict[str, dict[str, Any]]:
        """What reports say about each rule and policy that appears in ``findings`` (SARIF ``tool.driver.rules``,
        help links): an installed rule's :meth:`rule_metadata`, else (policies, rules of another engine) what the
        finding itself carries. The one builder for ``jobguard check`` and ``jobguard audit``, so their reports
        describe a rule alike."""
        findings = list(findings)
        meta = self.rule_metadata({f.rule for f in findings if f.kind == "rule"})
        for f in findings:
            if f.rule not in meta:
                meta[f.rule] = {"id": f.rule, "title": f.title or f.rule, "kind": f.kind, "severity": f.severity,
                                "enforcement_level": f.enforcement_level, "help_uri": f.help_uri}
        return meta

    @property
    def known_ids(self) -> set[str]:
        """Every rule ID and policy name a suppression may refer to (including disabled ones)."""
        return self._known_ids

    def module_files(self) -> list[tuple[str, str]]:
        """(import name, file) of the Sentinel modules the configuration declares (for reloads and the cache)."""
        return sorted((name, ref.path) for name, ref in self.imports.items() if isinstance(ref, ModuleImport))

    def fingerprint(self) -> str:
        """A stable hash of everything that can change a result except the job itself: jobguard's version,
        installed plugins, the config text, policy sources and settings, the rule set with its settings and the
        code of the rule modules, and today's date (suppressions expire)."""
        if self._fingerprint is None:
            modules = sorted({inspect.getsourcefile(type(r.rule)) or "" for r in self.rules})
            material = {
                "version": __version__,
                "plugins": self.plugin_versions,
                "config": [self.config.path, self.config.text],
                "policies": [[p.name, p.file, p.digest, p.enforcement_level, p.params, p.non_waivable, p.severity]
                             for p in self.policies],
                "rules": [[r.id, type(r.rule).__module__, type(r.rule).__qualname__, r.enforcement_level,
                           r.severity, r.params, r.non_waivable] for r in self.rules],
                "rule_code": [[m, _file_digest(m)] for m in modules],
                "imports": sorted(self.imports),
                "modules": [[name, path, _file_digest(path)] for name, path in self.module_files()],
                "today": _dt.date.today().isoformat(),
            }
            blob = json.dumps(material, sort_keys=True, default=repr).encode("utf-8")
            self._fingerprint = hashlib.sha256(blob).hexdigest()
        return self._fingerprint


# ---------------------------------------------------------------------------------------------------------------
# Helpers for load()
# ---------------------------------------------------------------------------------------------------------------

def _names(values: Iterable[str] | str | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    return [n.strip() for v in values for n in str(v).split(",") if n.strip()]


def _configure_rules(config: Config, registry: dict[str, Any], diagnostics: list[Diagnostic],
                     only: set[str]) -> list[ActiveRule]:
    """Every rule the profile runs, with the config's overrides; unknown IDs and params failing the schema are
    errors. ``only`` (``--only``) counts as configuring a rule, so it runs under ``rules = "none"`` too. None
    run when the configuration turns rules off (a sentinel.hcl policy set without rule blocks)."""
    for rule_id in config.rules:
        if rule_id not in registry:
            diagnostics.append(config.diagnostic(("rule", rule_id), f"Unknown rule {rule_id!r}",
                                                 did_you_mean(rule_id, registry) or "see `jobguard rules`"))
    active: list[ActiveRule] = []
    if not config.rules_enabled:
        return active
    for configured in effective_rules(config, registry, only):
        if not configured.enabled:
            continue
        if configured.configured:
            schema = getattr(configured.rule, "params_schema", None) or {"type": "object"}
            diagnostics.extend(validate(schema, configured.params, config.filename, config.positions,
                                        base=("rule", configured.id, "params"), what=f"rule {configured.id!r} params"))
        active.append(configured)
    return active


def _check_exceptions(config: Config, known: set[str], diagnostics: list[Diagnostic]) -> None:
    for exception in config.exceptions:
        for i, rule_id in enumerate(exception.rules):
            if rule_id not in known:
                hint = did_you_mean(rule_id, known)
                diagnostics.append(config.diagnostic(("exception", exception.name, "rules", i),
                                                      f"Unknown rule or policy {rule_id!r}", hint))


def _select(active: list[ActiveRule], specs: list[policies.PolicySpec], only: list[str] | None,
            skip: list[str] | None, known: set[str], diagnostics: list[Diagnostic]
            ) -> tuple[list[ActiveRule], list[policies.PolicySpec]]:
    """Apply ``enabled = false`` on policies and ``--only``/``--skip`` (which must name real rules/policies)."""
    for flag, names in (("--only", only), ("--skip", skip)):
        for name in names or ():
            if name not in known:
                diagnostics.append(Diagnostic(flag, 0, 0, f"Unknown rule or policy {name!r}",
                                              did_you_mean(name, known) or "see `jobguard rules`"))
    specs = [s for s in specs if s.enabled]

    def wanted(name: str) -> bool:
        return (only is None or name in only) and name not in (skip or ())

    return [a for a in active if wanted(a.id)], [s for s in specs if wanted(s.name)]


def _api_job(job: Any) -> dict[str, Any]:
    """The existing job as an API dict (the proxy passes upstream's JSON; a LoadedJob is accepted too)."""
    return job.canonical if isinstance(job, LoadedJob) else job


def _scrubbed(outcome: policies.PolicyOutcome, secrets: list[str]) -> policies.PolicyOutcome:
    """The outcome with job secrets removed from everything a policy could have echoed them into."""
    error = outcome.error
    if error is not None:
        error = Diagnostic(error.file, error.line, error.column, error.summary,
                           redaction.scrub(error.detail, secrets))
    return policies.PolicyOutcome(outcome.passed, redaction.scrub(outcome.message, secrets),
                                  redaction.scrub(outcome.trace, secrets), error, outcome.failing_rules)


def _policy_title(spec: policies.PolicySpec) -> str:
    description = (getattr(spec.compiled, "description", "") or "").strip()
    return description.splitlines()[0].strip() if description else spec.name


def _locate(loaded: LoadedJob, path: Path) -> tuple[str, int, int]:
    """file, line, column of an API path: its own entry, the nearest ancestor's, or the job's (line 0 if none)."""
    position = loaded.source_map.lookup(path) if loaded.source_map is not None else None
    if position is None:
        return loaded.file, 0, 0
    return position.file or loaded.file, position.line, position.column


def _file_digest(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()
    except OSError:
        return ""


_SECRET_TOKEN_KEYS = {"SecretID", "secret_id", "secretid", "Secret", "secret"}


def public_token(token: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ACL token as Sentinel's ``nomad_acl_token`` shows it: snake_case keys, never the SecretID."""
    if not token:
        return None
    return {_snake(k): v for k, v in token.items() if k not in _SECRET_TOKEN_KEYS}


def _snake(name: str) -> str:
    """``AccessorID`` -> ``accessor_id``, ``CreateTime`` -> ``create_time``, ``TTL`` -> ``ttl``."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (not name[i - 1].isupper() or (i + 1 < len(name) and name[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
