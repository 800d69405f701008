"""The rule model: what a Python rule declares and how it reports.

A rule is a small class with metadata and a ``check`` generator. The engine (``jobguard.engine``) decides
enforcement, suppression and override; a rule only says *what* is wrong and *where* (an API path into the
canonical job). Paths are tuples of PascalCase API keys and list indices, the same keys as the source map, so every
violation lands on a file:line:col without the rule knowing anything about files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from jobguard.jobspec.job import LoadedJob
from jobguard.jobspec.sourcemap import Path


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
        from jobguard.project import rule_help_uri

        return rule_help_uri(rule.id)
    return ""


def params_object(**properties: dict[str, Any]) -> dict[str, Any]:
    """A rule's ``params_schema``: an object of exactly these properties, so a typo in jobguard.hcl is an error."""
    return {"type": "object", "additionalProperties": False, "properties": properties}


def string_list(description: str, **item_constraints: Any) -> dict[str, Any]:
    """Schema of a list of strings (allow-lists, deny-lists); items are non-empty unless constrained otherwise."""
    return {"type": "array", "items": {"type": "string", **(item_constraints or {"minLength": 1})},
            "description": description}


def regex_param(description: str) -> dict[str, Any]:
    """Schema of a param that is a regular expression: Go/RE2 syntax, checked when the config loads (a pattern RE2
    rejects is an error at the value's file:line:col). Compile it in the rule with
    :func:`jobguard.goregex.compile_go` (cached, linear-time matching: a job cannot make it backtrack)."""
    return {"type": "string", "format": "regex", "description": description}


def allow_list_hint(entries: list[Any]) -> str:
    """Suffix for "not approved" messages when the allow-list is empty (the rule fails closed until configured)."""
    return "" if entries else " (no allow-list configured)"


def redact(value: str, keep: int = 0) -> str:
    """A secret shown as ``****`` (optionally keeping a short non-secret prefix such as ``ghp_``)."""
    return (value[:keep] if keep else "") + "****"
