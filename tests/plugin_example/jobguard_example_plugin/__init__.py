"""An example jobguard plugin: registered through the ``jobguard`` entry-point group in pyproject.toml."""

from __future__ import annotations

from typing import Any
from collections.abc import Iterable

from jobguard.hookspec import hookimpl
from jobguard.rules.base import Rule, RuleContext, Violation

KNOWN_OWNERS = ["payments", "platform", "search"]


class OwnerMetaRequired(Rule):
    """Jobs without an owner cannot be paged about; this rule asks for the owner in the job's meta."""

    id = "example-owner-meta"
    title = "Job has no owner meta key"
    severity = "low"
    enforcement_level = "soft-mandatory"
    category = "ownership"
    rationale = "On-call needs to know which team runs a job."
    remediation = 'Add `meta { owner = "team-name" }` to the job.'
    docs = 'Good: `job "web" { meta { owner = "platform" } ... }`\n\nBad: `job "web" { ... }` (no owner).'
    params_schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"key": {"type": "string", "minLength": 1, "description": "The meta key that names the owner."}},
    }
    default_params = {"key": "owner"}

    def check(self, ctx: RuleContext) -> Iterable[Violation]:
        key = ctx.params["key"]
        if not (ctx.job.get("Meta") or {}).get(key):
            yield Violation(f"job {ctx.job.get('ID')!r} has no {key!r} meta key", ())


def _teams() -> dict[str, Any]:
    return {"owners": list(KNOWN_OWNERS)}


@hookimpl
def jobguard_rules() -> list[Rule]:
    return [OwnerMetaRequired()]


@hookimpl
def jobguard_policy_imports() -> dict[str, Any]:
    return {"example_teams": _teams}
