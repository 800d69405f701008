"""Enforcement levels: how much a failed rule or policy matters, for rules and policies alike.

Sentinel's three levels: ``advisory`` (report only), ``soft-mandatory`` (fails unless overridden),
``hard-mandatory`` (always fails). ``--policy-override`` (CLI) / ``PolicyOverride`` (proxy) lets soft-mandatory
failures through; they stay in the results marked ``overridden`` so the override is visible in every report.
"""

from __future__ import annotations

from collections.abc import Iterable

from jobguard.engine.findings import ENFORCEMENT_LEVELS, Finding

ADVISORY, SOFT_MANDATORY, HARD_MANDATORY = ENFORCEMENT_LEVELS

# Sentinel's default for a policy block that names no level.
DEFAULT_POLICY_LEVEL = ADVISORY
# A policy given only with ``--policy`` has no block; it runs the way ``sentinel apply`` runs one: failing fails.
CLI_POLICY_LEVEL = HARD_MANDATORY


def check_level(level: str) -> str:
    """``level`` if it is an enforcement level, else ValueError naming the valid ones (for ``--fail-on``)."""
    if level not in ENFORCEMENT_LEVELS:
        raise ValueError(f"unknown enforcement level {level!r}; expected one of: {', '.join(ENFORCEMENT_LEVELS)}")
    return level


def apply_override(findings: Iterable[Finding], policy_override: bool) -> None:
    """Mark soft-mandatory, unsuppressed failures ``overridden`` when the caller asked for an override."""
    if not policy_override:
        return
    for finding in findings:
        if finding.enforcement_level == SOFT_MANDATORY and not finding.suppressed:
            finding.overridden = True


def blocking(findings: Iterable[Finding], fail_on: str = SOFT_MANDATORY) -> list[Finding]:
    """The findings that fail a run whose threshold is ``fail_on``."""
    check_level(fail_on)
    return [f for f in findings if f.blocking(fail_on)]
