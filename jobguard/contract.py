"""The types every layer shares: what a rule is and reports, the enforcement levels, and the errors of the engine's
inputs.

Why a leaf module: rules (built-in and plugin), the plugin manager, the engine and the fronts all speak these types.
Kept here, with no import of any jobguard package above ``jobspec``, none of them has to import another to get
them, so the packages form a one-way graph (``tests/test_import_cycles.py`` keeps it so). The historical homes
(:mod:`jobguard.rules.base`, :mod:`jobguard.engine.errors`, :mod:`jobguard.engine.findings`) re-export every name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from jobguard.jobspec.errors import Diagnostic
from jobguard.jobspec.job import LoadedJob
from jobguard.jobspec.sourcemap import Path
from jobguard.project import rule_help_uri

__all__ = ["ENFORCEMENT_LEVELS", "SEVERITIES", "ConfigError", "Diagnostic", "PluginError", "Rule", "RuleContext",
           "Violation", "help_uri_of", "redact"]

ENFORCEMENT_LEVELS = ("advisory", "soft-mandatory", "hard-mandatory")
SEVERITIES = ("info", "low", "medium", "high", "critical")


class ConfigError(Exception):
    """A broken ``jobguard.hcl``, a policy that does not compile, bad rule params or a broken plugin.

    All problems found in one pass are reported together (like Nomad's own diagnostics).
    """

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic) -> None:
        self.diagnostics = [diagnostics] if isinstance(diagnostics, Diagnostic) else list(diagnostics)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(d) for d in self.diagnostics)


class PluginError(ConfigError):
    """An installed plugin that cannot be loaded or registers something invalid (e.g. a duplicate rule ID)."""


@dataclass
class Violation:
    """One problem a rule found. ``message`` must not contain secret values (use :func:`redact`)."""

    message: str
    path: Path = ()


@dataclass
class RuleContext:
    """What a rule sees: the loaded job (``loaded.canonical`` is the job to check), its validated params."""

    loaded: LoadedJob
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def job(self) -> dict[str, Any]:
        return self.loaded.canonical

    def task_groups(self) -> Iterator[tuple[Path, dict[str, Any]]]:
        for gi, group in enumerate(self.job.get("TaskGroups") or []):
            yield ("TaskGroups", gi), group

    def tasks(self) -> Iterator[tuple[Path, dict[str, Any], dict[str, Any]]]:
        """(path, group, task) for every task in every group."""
        for gpath, group in self.task_groups():
            for ti, task in enumerate(group.get("Tasks") or []):
                yield gpath + ("Tasks", ti), group, task


class Rule:
    """Base class for rules. Subclasses set the class attributes and implement :meth:`check`.

    ``id``            stable kebab-case ID (never renamed: configs, suppressions and baselines refer to it)
    ``severity``      info | low | medium | high | critical
    ``enforcement_level``  default: advisory | soft-mandatory | hard-mandatory (config may change it)
    ``params_schema`` JSON Schema of ``params`` (validated when the config loads); ``default_params`` fill gaps
    ``docs``          Markdown shown by ``jobguard rules ID`` (good and bad examples)
    ``redact_value``  the paths this rule reports point at secret values: reports mask the source lines its
                      findings point at (and the value wherever it appears in a shown line), whatever the rule's ID
    """

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    severity: ClassVar[str] = "medium"
    enforcement_level: ClassVar[str] = "advisory"
    category: ClassVar[str] = "general"
    rationale: ClassVar[str] = ""
    remediation: ClassVar[str] = ""
    docs: ClassVar[str] = ""
    help_uri: ClassVar[str] = ""
    redact_value: ClassVar[bool] = False
    params_schema: ClassVar[dict[str, Any]] = {"type": "object", "additionalProperties": False, "properties": {}}
    default_params: ClassVar[dict[str, Any]] = {}

    def check(self, ctx: RuleContext) -> Iterable[Violation]:  # pragma: no cover - abstract
        raise NotImplementedError

    def effective_params(self, ctx: RuleContext) -> dict[str, Any]:
        """``default_params`` overlaid with the configured ones, so a rule also works when run without the engine."""
        return {**self.default_params, **(ctx.params or {})}

    def describe(self) -> dict[str, Any]:
        """Metadata as plain data (for ``jobguard rules --format json`` and SARIF's ``tool.driver.rules``)."""
        return {
            "id": self.id, "title": self.title, "severity": self.severity,
            "enforcement_level": self.enforcement_level, "category": self.category,
            "rationale": self.rationale, "remediation": self.remediation, "docs": self.docs,
            "help_uri": self.help_uri, "params_schema": self.params_schema, "default_params": self.default_params,
        }


def help_uri_of(rule: Any) -> str:
    """Where a rule's documentation is on the web: its own ``help_uri``, else, for a rule that ships with jobguard,
    its section of the generated rule reference (docs/rules.md); "" for a plugin rule that names none (a plugin's
    rules are not in jobguard's docs, so a link there would be a dead one)."""
    own = str(getattr(rule, "help_uri", "") or "")
    if own:
        return own
    module = type(rule).__module__ if not isinstance(rule, type) else rule.__module__
    if module.split(".")[0] == "jobguard" and getattr(rule, "id", ""):
        return rule_help_uri(rule.id)
    return ""


def redact(value: str, keep: int = 0) -> str:
    """A secret shown as ``****`` (optionally keeping a short non-secret prefix such as ``ghp_``)."""
    return (value[:keep] if keep else "") + "****"
